"""knowledge.textscan: SMTP codes in pasted free text, with their context.

Fixtures in tests/fixtures/text/ are our own anonymised snippets, one per
format (MTA logs, bounce human parts, client library errors, transcripts);
tests/fixtures/text/expected.json holds the failures a careful reader finds in
each.  Slack pastes go through bot.slack.markup first: tests/bot/slack/test_markup.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.textscan import (
    MAX_SCAN_CHARS,
    CodeMention,
    TextFailure,
    failures_from_text,
    has_smtp_evidence,
    scan,
    scan_limited,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "text"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
KEYS = ("reply_code", "enhanced_status", "recipient", "command", "remote_host")


def codes(text: str) -> list[tuple[str | None, str | None]]:
    return [(f.reply_code, f.enhanced_status) for f in failures_from_text(text)]


def mentioned(text: str) -> set[str]:
    return {m.code for m in scan(text)}


# --------------------------------------------------------------------------- fixtures per format

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_failures(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    got = [{k: getattr(f, k) for k in KEYS} for f in failures_from_text(text)]
    assert got == EXPECTED[name]


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in FIXTURES.glob("*.txt")) == sorted(EXPECTED)


# --------------------------------------------------------------------------- codes that are codes

@pytest.mark.parametrize("text, expected", [
    # multi-line reply: continuation lines repeat the code; one failure
    ("host mx.example.net[192.0.2.1] said: 550-5.7.1 [192.0.2.9] Our system has detected\n"
     "550-5.7.1 an unusual rate of unsolicited mail. To protect our users\n"
     "550 5.7.1 this message has been blocked. (in reply to end of DATA command)",
     [("550", "5.7.1")]),
    # reply code and enhanced code split over a line break
    ("<u@example.com>: host mx.example.net[192.0.2.1] said: 421\n4.7.0 [TSS04] Messages temporarily deferred",
     [("421", "4.7.0")]),
    ("Diagnostic-Code: smtp; 550 Requested action not taken\n    information 550\n    5.7.1 . x1si2 - gsmtp",
     [("550", "5.7.1")]),
    # DSN fields
    ("Action: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 Mailbox full", [("552", "5.2.2")]),
    ("Final-Recipient: rfc822; u@example.com\nAction: failed\nStatus: 5.1.1", [(None, "5.1.1")]),
    # Exchange hash notation
    ("u@example.com\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", [("550", "5.1.1")]),
    ("Status code: #5.1.0 Address rejected", [(None, "5.1.0")]),
    # Postfix dsn= / status=
    ("postfix/smtp[1]: A1: to=<u@example.com>, relay=none, delay=0.1, dsn=5.4.4, status=bounced (Host or domain "
     "name not found)", [(None, "5.4.4")]),
    ("dsn=5.7.26, status=bounced (host x.example[192.0.2.2] said: 550 5.7.26 Unauthenticated email)",
     [("550", "5.7.26")]),
    # Python smtplib
    ("smtplib.SMTPRecipientsRefused: {'a@example.com': (550, b'5.1.1 <a@example.com>: User unknown')}",
     [("550", "5.1.1")]),
    ("SMTPAuthenticationError(535, b'Authentication credentials invalid')", [("535", None)]),
    ("smtplib.SMTPServerDisconnected: Connection unexpectedly closed", []),
    # nodemailer
    ("{ code: 'EAUTH', response: '535-5.7.8 Username and Password not accepted.', responseCode: 535 }",
     [("535", "5.7.8")]),
    ("Error: Can't send mail - all recipients were rejected: 550 Invalid recipient", [("550", None)]),
    # Java / .NET
    ("com.sun.mail.smtp.SMTPSendFailedException: 554 Transaction failed: sending paused", [("554", None)]),
    ("System.Net.Mail.SmtpException: Mailbox unavailable. The server response was: 5.7.1 Unable to relay",
     [(None, "5.7.1")]),
    # PHP mailers: the expected code is not the failure
    ('Expected response code 250 but got code "530", with message "530 5.7.0 Must issue a STARTTLS command first"',
     [("530", "5.7.0")]),
    ("Expected response code(s) [250] but got response [421 4.7.0 Try again later]", [("421", "4.7.0")]),
    # CJK glued
    ("邮件投递失败550 Mail content denied", [("550", None)]),
    ("日志中出现535错误 Error: authentication failed, smtp.qq.com", [("535", None)]),
    # literal \n escapes from JSON or Exim logs
    (r'"response": "552-5.2.3 Your message exceeded limits.\n552 5.2.3 size guidelines."', [("552", "5.2.3")]),
    # (Slack-formatted pastes: tests/bot/slack/test_markup.py, through bot.slack.markup first)
    # provider event JSON: reply code and enhanced code in separate fields
    ('{"delivery-status": {"message": "5.1.1 No such user", "code": 550, "enhanced-code": "5.1.1"}, '
     '"recipient": "nobody@example.com"}', [("550", "5.1.1")]),
    ('{"bouncedRecipients": [{"emailAddress": "x@example.com", "status": "5.2.2", '
     '"diagnosticCode": "smtp; 552 5.2.2 Mailbox full"}]}', [("552", "5.2.2")]),
    # Ruby Net::SMTP, Go, log levels
    ("Net::SMTPFatalError (554 Message rejected: Email address is not verified.)", [("554", None)]),
    ("Net::SMTPAuthenticationError: 535-5.7.8 Username and Password not accepted.", [("535", "5.7.8")]),
    ("[ERROR] 550 Mailbox unavailable for user@example.com", [("550", None)]),
    ("host mx.example.com[192.0.2.1] refused to talk to me: 421 Too many connections", [("421", None)]),
    ("退信原因：550 用户不存在 (user@example.com)", [("550", None)]),
    ("SMTP server error: DATA END command failed Detail: Spam SMTP code: 554 Additional SMTP info: 5.7.1",
     [("554", "5.7.1")]),
    # Sendmail transcript markers, Exim host lines, Zoho-style fields
    ("... while talking to mx.example.jp.:\n>>> RCPT To:<u@example.jp>\n<<< 550 <u@example.jp>: User unknown",
     [("550", None)]),
    ("  u@example.de\n    host mx.example.de [192.0.2.222]: 500 Line limit exceeded", [("500", None)]),
    ("u@example.jp Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1, Mailbox not found.", [("550", "5.1.1")]),
    ("<u@example.jp>... Deferred: 421 Service not available", [("421", None)]),
    # Rust lettre
    ("Error: permanent error (550): 5.1.1 The email account that you tried to reach does not exist.",
     [("550", "5.1.1")]),
    ("transient error (421): 4.7.0 Try again later, closing connection.", [("421", "4.7.0")]),
    # two distinct failures in one paste
    ("to=<a@example.com>, dsn=5.1.1, status=bounced (host m[192.0.2.1] said: 550 5.1.1 no such user)\n"
     "to=<b@example.com>, dsn=4.2.2, status=deferred (host m[192.0.2.1] said: 452 4.2.2 over quota)",
     [("550", "5.1.1"), ("452", "4.2.2")]),
])
def test_failures(text, expected):
    assert codes(text) == expected


def test_failure_fields_postfix_log():
    [f] = failures_from_text(
        "Jun 1 10:00:00 mx postfix/smtp[777]: 4B1: to=<ann@example.org>, relay=mx.example.net[192.0.2.7]:25, "
        "delay=3.5, delays=0.1/0/1.2/2.2, dsn=5.2.2, status=bounced (host mx.example.net[192.0.2.7] said: "
        "552-5.2.2 The email account that you tried to reach is over quota.\\n552 5.2.2 Please direct the "
        "recipient to https://support.example.net (in reply to RCPT TO command))")
    assert (f.reply_code, f.enhanced_status, f.recipient, f.command, f.remote_host, f.action) == (
        "552", "5.2.2", "ann@example.org", "RCPT TO", "mx.example.net", "failed")
    assert f.reply_text == ("The email account that you tried to reach is over quota. "
                            "Please direct the recipient to https://support.example.net")


def test_failure_fields_exim_after_command():
    [f] = failures_from_text(
        "H=mx.example.com [192.0.2.3]: SMTP error from remote mail server after end of data: "
        "552 5.3.4 Message size exceeds fixed maximum message size")
    assert (f.reply_code, f.enhanced_status, f.command, f.remote_host) == ("552", "5.3.4", "DATA", "mx.example.com")
    assert f.reply_text == "Message size exceeds fixed maximum message size"


def test_failure_fields_dsn_block():
    [f] = failures_from_text(
        "Final-Recipient: rfc822; kim@example.net\nAction: failed\nStatus: 5.7.1\n"
        "Remote-MTA: dns; mx.example.net\nDiagnostic-Code: smtp; 550 Relaying denied\n    for this address")
    assert (f.reply_code, f.enhanced_status, f.recipient, f.remote_host, f.action) == (
        "550", "5.7.1", "kim@example.net", "mx.example.net", "failed")
    assert f.reply_text == "Relaying denied for this address"


def test_transcript_reports_only_the_final_failure():
    text = ("220 mx.example.net ESMTP\nEHLO me\n250-mx.example.net\n250 SIZE 10240000\n"
            "MAIL FROM:<a@example.org>\n250 2.1.0 Ok\nRCPT TO:<b@example.net>\n250 2.1.5 Ok\nDATA\n"
            "354 End data with <CR><LF>.<CR><LF>\nSubject: x\n\nhello\n.\n554 5.7.1 Rejected by content filter")
    [f] = failures_from_text(text)
    assert (f.reply_code, f.enhanced_status, f.command) == ("554", "5.7.1", "DATA")
    roles = {(m.code, m.role) for m in scan(text)}
    assert {("250", "success"), ("2.1.5", "success"), ("354", "success"), ("554", "failure")} <= roles


def test_expected_code_is_a_mention_not_a_failure():
    text = 'Expected response code 250 but got code "550", with message "550 5.1.1 No such user"'
    ms = scan(text)
    assert [(m.code, m.role) for m in ms if m.code == "250"] == [("250", "expected")]
    assert codes(text) == [("550", "5.1.1")]


def test_success_only_text_has_no_failure_and_no_evidence():
    text = "status=sent (250 2.0.0 Ok: queued as 12345)"
    assert failures_from_text(text) == []
    assert has_smtp_evidence(text) is False
    assert {m.code for m in scan(text)} == {"250", "2.0.0"}


def test_smtplib_recipient_per_failure():
    fs = failures_from_text("SMTPRecipientsRefused({'a@example.com': (550, b'5.1.1 unknown'), "
                            "'b@example.org': (451, b'4.3.0 try later')})")
    assert [(f.recipient, f.reply_code, f.enhanced_status, f.command) for f in fs] == [
        ("a@example.com", "550", "5.1.1", "RCPT TO"), ("b@example.org", "451", "4.3.0", "RCPT TO")]


def test_sender_address_in_reply_is_not_the_recipient():
    [f] = failures_from_text("SMTPSenderRefused(553, b'5.7.1 <me@example.org>: Sender address rejected', "
                             "'me@example.org')")
    assert (f.recipient, f.command) == (None, "MAIL FROM")


# --------------------------------------------------------------------------- numbers that are not codes

@pytest.mark.parametrize("text, number", [
    ("deploy 250 took 421 ms", "421"),
    ("HTTP 502 from the load balancer", "502"),
    ("the upstream answered 502 Bad Gateway", "502"),
    ('"POST /send HTTP/1.1" 500 2260', "500"),
    ("statusCode: 503, mail api down", "503"),
    ("connect to smtp.example.com:250 failed", "250"),
    ("port 250 is closed", "250"),
    ("see /vendor/phpmailer/src/SMTP.php line 421", "421"),
    ("in /lib/Swift.php:250 Stack trace", "250"),
    ("at SMTPConnection (index.js:550:19) while sending mail", "550"),
    ("Swift/Connection/SMTP.php(407): Swift_Authenticator->isAuthenticated()", "407"),
    ("postfix/smtpd[450]: connect from unknown", "450"),
    ("mail queue holds 550 messages", "550"),
    ("message size 452 KB exceeds nothing", "452"),
    ("delay=421, delays=0.1/0/421/0 mail", "421"),
    ("client 192.0.2.250 and 10.250.1.5 connected for mail", "250"),
    ("mx at 2001:db8::421 for mail", "421"),
    ("fixed in PR #550 for the mailer", "550"),
    ("exit code 255 from sendmail", "255"),
    ("nodemailer 4.7.0 sends mail", "4.7.0"),
    ("_nodemailer@4.7.0@nodemailer/lib/mailer", "4.7.0"),
    ("Delta Chat v2.7.4 cannot send mail", "2.7.4"),
    ("Yahoo code 4.16.55.1 for mail", "4.16.55"),
    ("This mailbox is disabled (554.30).", "554"),
    ("see RFC 5321 section 4.2.1 about mail replies", "4.2.1"),
    ("smtp error at 14:54:55,237 after mail", "237"),
    ("price $450 for mail hosting", "450"),
    ("timed out (421) talking to mail server", "421"),
    ("HTTP Error 503: Service Temporarily Unavailable while sending mail", "503"),
    ('192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] "POST /api/mail/send HTTP/1.1" 502 157 "-"', "502"),
    ("mail relay kernel 5.4.0-150-generic", "5.4.0"),
    ("Linux mail 5.4.0-150-generic #167-Ubuntu", "5.4.0"),
    ("PHPMailer 5.2.27 sends mail", "5.2.27"),
    ("邮件服务 版本5.1.2", "5.1.2"),
])
def test_not_a_code(text, number):
    assert number not in mentioned(text)
    assert number not in {c for pair in codes(text) for c in pair if c}


@pytest.mark.parametrize("text", [
    "deploy 250 took 421 ms",
    "HTTP 502",
    "502 Bad Gateway",
    "we moved to port 587",
    "550",
    "release 2.7.4 is out, see section 4.2.1",
    "Build 421 finished in 250 s with 550 tests",
    "nginx: upstream returned 504 while proxying /api/mail",
    "Room 452, 10:50, call +1 555 250 5500",
    "版本\n\n2.7.4\n",
    "Timeout while testing SMTP server connection on smtp.example.com:25 (110)",
    "Sentry: Error 500 when sending email via SendGrid",
    "our mail API returns 404 and 429, error 422 on the endpoint",
    '{"status": 550, "path": "/api/mail"}',
    "5.2.27 fixed the mail bug",
    "Exim 4.94.2, Dovecot 2.3.16, PHPMailer 5.2.27 and Python 2.7.18 on the mail server",
    "Our mail team\n450 Main Street, Springfield",
    "Postmark: ErrorCode 406: Inactive recipient for mail to x@example.com",
    "Relay docs:\n4.2.1 Reply Code Severities and Theory\n4.2.2 Reply Codes by Function Groups",
])
def test_chatter_is_not_evidence(text):
    assert failures_from_text(text) == []
    assert has_smtp_evidence(text) is False


@pytest.mark.parametrize("text", [
    "host mx.example.net[192.0.2.1] said: 550 5.1.1 user unknown",
    "Diagnostic-Code: smtp; 554 rejected",
    "Status: 5.2.2",
    "to=<a@example.com>, dsn=4.4.1, status=deferred (connection timed out)",
    "smtplib.SMTPDataError: (554, b'Transaction failed')",
    "550 5.7.26 unauthenticated",
    "Error: Invalid login: 535 Authentication failed for mail account",
])
def test_evidence(text):
    assert has_smtp_evidence(text) is True


# --------------------------------------------------------------------------- mentions and spans

def test_bare_code_is_a_weak_mention():
    [m] = scan("what does 550 mean?")
    assert (m.code, m.kind, m.role, m.strength, m.context) == ("550", "reply", "failure", "weak", "bare")


def test_huge_text_is_cut_and_says_so():
    text = "x" * (MAX_SCAN_CHARS + 10) + " said: 550 5.1.1 late"
    ms, truncated = scan_limited(text)
    assert truncated is True and ms == []
    ms, truncated = scan_limited("said: 550 5.1.1 early")
    assert truncated is False and [m.code for m in ms] == ["550", "5.1.1"]


def test_prose_after_a_code_is_not_reply_text():
    [f] = failures_from_text("Hi, mail to bob@example.com failed with 550 yesterday, any ideas?")
    assert (f.reply_code, f.reply_text, f.evidence) == ("550", None, "error-word")


def test_repeated_reply_keeps_the_longest_text():
    text = ("QQ邮箱 log中出现535错误\n0|main | Error: Invalid login: 535 Error: authentication failed\n"
            "0|main |   code: 'EAUTH',\n0|main |   response: '535 Error")
    [f] = failures_from_text(text)
    assert (f.reply_code, f.enhanced_status, f.command, f.reply_text) == (
        "535", None, "AUTH", "Error: authentication failed")


def test_header_to_is_not_the_failed_recipient():
    text = ("From: Mail Delivery System <MAILER-DAEMON@example.org>\nTo: me@example.org\n"
            "Subject: Undelivered Mail\n\nhost mx.example.net[192.0.2.1] said: 550 5.1.1 no such user")
    [f] = failures_from_text(text)
    assert (f.recipient, f.remote_host) == (None, "mx.example.net")


# --------------------------------------------------------------------------- one failure per log line / recipient

_POSTFIX_LINES = [
    # (log line, expected (reply_code, enhanced_status, recipient, action))
    ("postfix/smtp[101]: A1: to=<{a}>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred "
     "(connect to mx.example.net[192.0.2.1]:25: Connection timed out)", (None, "4.4.1", "delayed")),
    ("postfix/smtp[102]: A2: to=<{a}>, relay=none, delay=0.1, dsn=5.4.4, status=bounced (Host or domain name "
     "not found. Name service error for name=example.invalid type=A: Host not found)", (None, "5.4.4", "failed")),
    ("postfix/local[103]: A3: to=<{a}>, relay=local, delay=0.2, dsn=5.2.2, status=bounced (cannot update mailbox "
     "/var/mail/frank for user frank. error writing message: File too large)", (None, "5.2.2", "failed")),
    ("postfix/smtp[104]: A4: to=<{a}>, relay=mx.example.org[192.0.2.5]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.7.1, "
     "status=bounced (host mx.example.org[192.0.2.5] said: 554 5.7.1 <{a}>: Relay access denied (in reply to RCPT "
     "TO command))", ("554", "5.7.1", "failed")),
    ("postfix/smtp[105]: A5: to=<{a}>, relay=mx.example.org[192.0.2.5]:25, delay=2, delays=0/0/1/1, dsn=4.7.28, "
     "status=deferred (host mx.example.org[192.0.2.5] said: 421-4.7.28 unusual rate of mail. 421 4.7.28 rate "
     "limited. (in reply to end of DATA command))", ("421", "4.7.28", "delayed")),
    ("sm-mta[4242]: 21LC00a4004242: to=<{a}>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, "
     "relay=mx.example.org. [192.0.2.30], dsn=5.1.1, stat=User unknown", (None, "5.1.1", "failed")),
    ("sm-mta[4243]: 21LC00a4004243: to=<{a}>, delay=00:05:00, xdelay=00:05:00, mailer=esmtp, pri=120000, "
     "relay=mx.example.com., dsn=4.0.0, stat=Deferred: Connection timed out with mx.example.com.",
     (None, "4.0.0", "delayed")),
    ("1rfX2Y-000ABC-5Z ** {a} R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote "
     "mail server after RCPT TO:<{a}>: 550 5.1.1 No such user", ("550", "5.1.1", "failed")),
    ("1rfX2Z-000ABC-6Z == {a} R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [192.0.2.21]: SMTP error "
     "from remote mail server after RCPT TO:<{a}>: 451 4.7.1 Greylisted, try again later",
     ("451", "4.7.1", "delayed")),
]


@pytest.mark.parametrize("order", [[0, 1, 2], [1, 2], [2, 0, 1], [3, 0, 5], [4, 6, 0, 2], [7, 8, 1, 5, 6],
                                   list(range(len(_POSTFIX_LINES))), [8, 7, 6, 5, 4, 3, 2, 1, 0], [0, 0, 0]])
def test_n_failing_log_lines_give_n_failures_in_order(order):
    lines, want = [], []
    for i, k in enumerate(order):
        addr = f"user{i}@example.{['com', 'net', 'org'][i % 3]}"
        line, (rc, enh, action) = _POSTFIX_LINES[k]
        lines.append(f"Nov 29 08:00:{i:02d} mx " + line.format(a=addr))
        want.append((rc, enh, addr, action))
    got = [(f.reply_code, f.enhanced_status, f.recipient, f.action) for f in failures_from_text("\n".join(lines))]
    assert got == want


def test_log_lines_with_success_lines_between():
    text = ("Nov 29 08:00:01 mx postfix/smtp[1]: B1: to=<ok@example.com>, relay=mx.example.com[192.0.2.2]:25, "
            "delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)\n"
            "Nov 29 08:00:02 mx postfix/smtp[2]: B2: to=<late@example.net>, relay=none, delay=30, dsn=4.4.1, "
            "status=deferred (connect to mx.example.net[192.0.2.1]:25: Connection refused)\n"
            "Nov 29 08:00:03 mx postfix/smtp[3]: B3: to=<ok2@example.com>, relay=mx.example.com[192.0.2.2]:25, "
            "delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as Y)\n"
            "Nov 29 08:00:04 mx postfix/smtp[4]: B4: to=<gone@example.org>, relay=none, delay=0.1, dsn=5.4.4, "
            "status=bounced (Host or domain name not found. Name service error for name=example.org type=MX)\n")
    got = [(f.enhanced_status, f.recipient, f.action, f.reply_text) for f in failures_from_text(text)]
    assert got == [
        ("4.4.1", "late@example.net", "delayed", "connect to mx.example.net[192.0.2.1]:25: Connection refused"),
        ("5.4.4", "gone@example.org", "failed",
         "Host or domain name not found. Name service error for name=example.org type=MX"),
    ]


@pytest.mark.parametrize("shape", ["550 5.1.1 <{a}>: User unknown", "550 5.1.1 {a}: User unknown",
                                   "550 5.1.1 <{a}>... User unknown", "<{a}>: 550 5.1.1 User unknown",
                                   "  550 5.1.1 <{a}>: User unknown", "5.1.1 <{a}>: User unknown",
                                   "{a}: 550 5.1.1 User unknown", "RCPT TO:<{a}>: 550 5.1.1 User unknown",
                                   "550 5.1.1 Recipient address rejected: <{a}>: User unknown",
                                   "Mailbox unavailable. The server response was: 5.1.1 <{a}>: User unknown"])
@pytest.mark.parametrize("n", [2, 7, 40])
def test_each_reply_naming_its_recipient_is_one_failure(shape, n):
    addrs = [f"u{i}@example.com" for i in range(1, n + 1)]
    text = "Delivery to these recipients failed:\n" + "\n".join(shape.format(a=a) for a in addrs) + "\n"
    got = [(f.reply_code, f.enhanced_status, f.recipient) for f in failures_from_text(text)]
    rc = "550" if "550" in shape else None
    assert got == [(rc, "5.1.1", a) for a in addrs]


def test_multi_line_reply_with_hyphens_stays_one_failure():
    text = ("<bob@example.com>: host mx.example.com[192.0.2.3] said:\n550-5.7.1 The user you are trying to\n"
            "550-5.7.1 contact is receiving mail at a rate that\n550 5.7.1 prevents additional messages.\n"
            "550 5.1.1 <carl@example.com>: User unknown\n")
    got = [(f.reply_code, f.enhanced_status, f.recipient, f.reply_text) for f in failures_from_text(text)]
    assert got == [
        ("550", "5.7.1", "bob@example.com",
         "The user you are trying to contact is receiving mail at a rate that prevents additional messages."),
        ("550", "5.1.1", "carl@example.com", "<carl@example.com>: User unknown"),
    ]


def test_rcpt_transcript_replies_go_to_their_recipients():
    text = ("C: MAIL FROM:<app@example.org>\nS: 250 2.1.0 Ok\nC: RCPT TO:<a1@example.com>\nS: 550 5.1.1 User unknown\n"
            "C: RCPT TO:<a2@example.com>\nS: 250 2.1.5 Ok\nC: RCPT TO:<a3@example.com>\nS: 550 5.1.1 User unknown\n"
            "C: RCPT TO:<a4@example.com>\nS: 452 4.2.2 Mailbox full\n")
    got = [(f.reply_code, f.enhanced_status, f.recipient, f.command) for f in failures_from_text(text)]
    assert got == [("550", "5.1.1", "a1@example.com", "RCPT TO"), ("550", "5.1.1", "a3@example.com", "RCPT TO"),
                   ("452", "4.2.2", "a4@example.com", "RCPT TO")]


@pytest.mark.parametrize("text, recipients", [
    ("{ accepted: [ 'bob@example.com' ], rejected: [ 'erin@example.com' ], response: '550 5.1.1 User unknown' }",
     ["erin@example.com"]),
    ("Error: Can't send mail - all recipients were rejected: 553 5.7.1 Relaying denied\n  code: 'EENVELOPE',\n"
     "  command: 'RCPT TO',\n  envelope: { from: 'app@example.org', to: [ 'gina@example.net' ] }",
     ["gina@example.net"]),
    # envelope with two recipients and no rejected list: which one failed is unknown
    ("Error: Can't send mail - all recipients were rejected: 553 5.7.1 Relaying denied\n  command: 'RCPT TO',\n"
     "  envelope: { from: 'app@example.org', to: [ 'gina@example.net', 'hal@example.net' ] }", [None]),
    # a sender refusal is nobody's recipient failure
    ("Error: Mail command failed: 550 5.7.1 Sender rejected\n  command: 'MAIL FROM',\n  rejected: [ 'x@example.net' ]",
     [None]),
])
def test_nodemailer_recipient_lists(text, recipients):
    assert [f.recipient for f in failures_from_text(text)] == recipients


def test_free_text_findings_carry_the_log_action():
    from knowledge.annotate import annotate_rows

    text = (FIXTURES / "postfix-mixed-log.txt").read_bytes()
    kind, rows, _ = annotate_rows(text)
    assert kind == "log"
    assert [(r["recipient"], r["enhanced_status"], r["action"]) for r in rows] == [
        ("carol@example.org", "5.7.1", "failed"), ("dave@example.com", "4.4.1", "delayed"),
        ("erin@gmail.com", "4.7.28", "delayed")]
    assert [r["hard_bounce"] for r in rows[1:]] == [False, False]


def test_a_deferral_still_being_retried_is_not_expired():
    from knowledge.annotate import annotate_rows

    _, rows, _ = annotate_rows((FIXTURES / "postfix-three-no-reply.txt").read_bytes())
    assert [(r["recipient"], r["action"], r["reason"], r["hard_bounce"]) for r in rows] == [
        ("alice@example.com", "delayed", "networkerror", False), ("bob@example.net", "failed", "hostunknown", True),
        ("frank@example.com", "failed", "mailboxfull", False)]
    assert "gave up" not in rows[0]["next_step"] and "still retrying" in rows[0]["next_step"]


@pytest.mark.parametrize("name", ["phpmailer-o365-auth.txt", "phpmailer-recipients-failed.txt"])
def test_microsoft_server_name_in_a_client_error_names_the_provider(name):
    from knowledge.annotate import annotate_rows

    _, rows, _ = annotate_rows((FIXTURES / name).read_bytes())
    assert rows, name
    for r in rows:
        assert (r["reply_code"], r["enhanced_status"], r["provider_rule"]) == (
            "530", "5.7.57", "microsoft.smtp-auth-required")
        assert r["reply_text"].startswith("Client not authenticated to send mail. [")


def test_exim_lines_without_a_code_are_failures_with_their_action():
    text = (FIXTURES / "exim-no-code-lines.txt").read_text(encoding="utf-8")
    got = [(f.recipient, f.reply_code, f.enhanced_status, f.action, f.evidence, f.reply_text)
           for f in failures_from_text(text)]
    assert got == [
        ("nobody@example.invalid", None, None, "failed", "log-line", "Unrouteable address"),
        ("bob@example.net", None, None, "delayed", "log-line", "retry time not reached for any host for 'example.net'"),
        ("carl@example.org", "550", "5.1.1", "failed", "pair", "No such user"),
        ("dan@example.com", None, None, "delayed", "log-line", "Connection timed out"),
    ]
    # the errno in "defer (110)" is not a code, and a delivery line (=>) is no failure
    assert "110" not in mentioned(text)


@pytest.mark.parametrize("text", [
    "**Note** == bob@example.com is the new owner",
    "** bob@example.com: please review the attached file",
    "Release notes:\n** alice@example.com: fixed login\n** bob@example.net: new footer",
])
def test_markdown_stars_and_equals_are_not_exim_lines(text):
    assert failures_from_text(text) == []


@pytest.mark.parametrize("client, server", [("C: ", "S: "), (" -> ", "<** "), (">>> ", "<<< "),
                                            ("2024-01-01 00:00:00 CLIENT -> SERVER: ", "2024-01-01 00:00:00 SERVER -> CLIENT: ")])
def test_pipelined_replies_answer_their_commands_in_order(client, server):
    # RFC 2920 §3.1: pipelined commands are answered in the order they were sent
    cmds = ["MAIL FROM:<app@example.org>", "RCPT TO:<p1@example.com>", "RCPT TO:<p2@example.com>",
            "RCPT TO:<p3@example.com>", "RCPT TO:<p4@example.com>"]
    replies = ["250 2.1.0 Ok", "550 5.1.1 User unknown", "250 2.1.5 Ok", "452 4.2.2 Mailbox full",
               "550 5.1.1 User unknown"]
    text = "\n".join(client + c for c in cmds) + "\n" + "\n".join(server + r for r in replies) + "\n"
    got = [(f.reply_code, f.recipient, f.command) for f in failures_from_text(text)]
    assert got == [("550", "p1@example.com", "RCPT TO"), ("452", "p3@example.com", "RCPT TO"),
                   ("550", "p4@example.com", "RCPT TO")]


def test_swaks_reply_text_stops_at_the_next_command():
    text = (FIXTURES / "swaks-transcript.txt").read_text(encoding="utf-8")
    assert [(f.recipient, f.reply_text) for f in failures_from_text(text)] == [
        ("s1@example.com", "<s1@example.com>: Recipient address rejected: User unknown in local recipient table"),
        ("s2@example.com", "User unknown")]


def test_each_log_line_is_its_own_failure_even_for_the_same_recipient():
    line = ("Nov 29 08:0{i}:00 mx postfix/smtp[1{i}]: A{i}: to=<bob@example.com>, relay=none, delay=30, dsn=4.4.1, "
            "status=deferred (connect to mx.example.com[192.0.2.1]:25: Connection timed out)")
    text = "\n".join(line.format(i=i) for i in range(4))
    assert [(f.recipient, f.enhanced_status, f.action) for f in failures_from_text(text)] == [
        ("bob@example.com", "4.4.1", "delayed")] * 4


# --------------------------------------------------------------------------- prose that quotes codes vs pasted replies

@pytest.mark.parametrize("text", [
    "yeah the 550 5.1.1 <john@example.com> one is just a typo, ignore",
    "I think 421 4.7.0 from yahoo means we're throttled",
    "Jira MAIL-550 5.7.1 upgrade done",
    "anyone know what 550 5.7.26 means?",
    "we got 550 5.7.1 yesterday?",
    "550 5.7.26 means DMARC fail right?",
    "550 5.7.1 is the one we see from outlook",
    "got 550 5.7.1 again from outlook, anyone?",
    "we got 5.7.1 yesterday from gmail",
    "the 451 4.7.1 from mx.example.net cleared up, thanks",
    "FYI: 421 4.7.0 throttling from Yahoo is back",
    "550 5.7.26 - DMARC fail, need to fix SPF",
    "550 5.1.1 <john@example.com> is just Bob's old address",
    "hey team\n550 5.1.1 user unknown is what we get from acme",
    "Ticket #1234: 550 5.7.1 for acme.com",
])
def test_codes_quoted_in_conversation_are_not_evidence(text):
    assert failures_from_text(text)  # the codes are still found when someone asks to annotate
    assert has_smtp_evidence(text) is False


@pytest.mark.parametrize("text", [
    "550 5.1.1 <user@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
    "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred",
    "550 5.7.1 Our system has detected that this message is likely unsolicited mail.",
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "550 5.1.1 user@example.com",
    "got this: 550 5.1.1 user unknown",
    "> 550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
    "anyone seen this? 550-5.7.1 [192.0.2.1] Gmail has detected that this message",
    "we get this all the time, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 no)",
    "why does it say Diagnostic-Code: smtp; 550 5.1.1 ?",
    "smtplib.SMTPRecipientsRefused: {'a@example.com': (550, b'5.1.1 unknown')}",
    "I think the error was 'SMTP error 550 5.7.1 relaying denied'",
    "Error: 550 5.7.1 Message rejected as spam",
    "550 5.2.2 The email account that you tried to reach is over quota.",
    "发送邮件失败，服务器返回550 Mailbox not found or access denied，收件人地址是 user@example.com",
    "2024-01-01T00:00:00Z,192.0.2.1,EX01,FAIL,SMTP,t1@example.com,550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
])
def test_pasted_replies_stay_evidence(text):
    assert has_smtp_evidence(text) is True


def test_every_fixture_paste_with_a_failure_is_evidence():
    lost = [p.name for p in sorted(FIXTURES.glob("*.txt"))
            if failures_from_text(p.read_text(encoding="utf-8")) and not has_smtp_evidence(p.read_text(encoding="utf-8"))]
    assert lost == []


def test_every_corpus_bounce_with_a_failure_is_evidence():
    shared = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "bounces"
    if not shared.is_dir():
        pytest.skip("shared corpus absent")
    lost = []
    for p in sorted(shared.glob("*.eml")):
        t = p.read_text(encoding="utf-8", errors="replace")
        if failures_from_text(t) and not has_smtp_evidence(t):
            lost.append(p.name)
    assert lost == []


# --------------------------------------------------------------------------- quoted reply texts kept whole

def test_apostrophe_inside_a_single_quoted_bytes_repr_does_not_end_the_reply():
    text = (r"SMTPRecipientsRefused({'user@example.com': (550, b'5.1.1 The email account that you tried to reach "
            r"does not exist. Please try double-checking the recipient\'s email address for typos or unnecessary "
            r"spaces. https://support.google.com/mail/?p=NoSuchUser a1si123.45 - gsmtp')})")
    [f] = failures_from_text(text)
    assert (f.recipient, f.reply_code, f.enhanced_status, f.command) == ("user@example.com", "550", "5.1.1", "RCPT TO")
    assert f.reply_text == ("The email account that you tried to reach does not exist. Please try double-checking "
                            "the recipient's email address for typos or unnecessary spaces. "
                            "https://support.google.com/mail/?p=NoSuchUser a1si123.45 - gsmtp")


@pytest.mark.parametrize("inner, expected", [
    ("550 5.1.1 <John.Doe+tag@Example.COM>: user unknown", "<John.Doe+tag@Example.COM>: user unknown"),
    ("554 5.7.1 (spam) rejected", "(spam) rejected"),
    ("554 5.7.1 blocked (see https://example.net/why)", "blocked (see https://example.net/why)"),
])
def test_reply_inside_postfix_status_parenthesis_ends_at_its_close(inner, expected):
    text = ("to=<John.Doe+tag@Example.COM>, relay=mx.example.net[192.0.2.1]:25, dsn=5.1.1, status=bounced "
            f"(host mx.example.net[192.0.2.1] said: {inner}) orig_to=<john@example.org>")
    [f] = failures_from_text(text)
    assert (f.reply_text, f.recipient, f.action, f.remote_host) == (
        expected, "John.Doe+tag@Example.COM", "failed", "mx.example.net")


@pytest.mark.parametrize("text, rcpt", [
    ("550 5.1.1 john@example.com", "john@example.com"),
    ("550 5.1.1 john@example.com mailbox unavailable", "john@example.com"),
    ("550 5.1.1 John.Doe+tag@example.net... User unknown", "John.Doe+tag@example.net"),
    ("553 5.1.8 sender@example.org sender address rejected", None),
])
def test_bare_address_that_opens_a_reply_is_the_recipient(text, rcpt):
    [f] = failures_from_text(text)
    assert f.recipient == rcpt


@pytest.mark.parametrize("raw, expected", [
    (r'''SMTPDataError(550, b"5.7.1 The \"From\" header is not RFC 5322 compliant. gsmtp")''',
     'The "From" header is not RFC 5322 compliant. gsmtp'),
    (r'''{"response": "550 5.7.1 The \"From\" header is missing", "code": "EMESSAGE"}''',
     'The "From" header is missing'),
    (r'''SMTPRecipientsRefused({'a@example.com': (550, b'5.1.1 The recipient\'s mailbox doesn\'t exist')})''',
     "The recipient's mailbox doesn't exist"),
])
def test_escaped_quotes_inside_a_quoted_reply_do_not_end_it(raw, expected):
    [f] = failures_from_text(raw)
    assert f.reply_text == expected

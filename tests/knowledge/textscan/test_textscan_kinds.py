"""knowledge.textscan: kinds of pasted text that used to be misread.

Each group is one *kind* of input (not one example): replies inside string
literals with escaped line breaks, the reply a client did not expect ("expected
X but got Y"), session-transcript lines after a log prefix, a reply code in
parentheses, a reply in a table cell, and software versions shaped like
enhanced status codes.  Inputs are our own, shaped like real pastes, with
personal details replaced (user@example.com, 192.0.2.x, example.net).

Each test asserts the exact codes found (reply code, enhanced status code) and
that the non-codes of the text are absent from :func:`scan`, and checks that
:func:`has_smtp_evidence` (the Slack auto-annotation gate) agrees.
"""

from __future__ import annotations

import pytest

from knowledge.textscan import failures_from_text, has_smtp_evidence, scan


def codes(text: str) -> list[tuple[str | None, str | None]]:
    return [(f.reply_code, f.enhanced_status) for f in failures_from_text(text)]


def found(text: str) -> set[str]:
    """Every code scan() reports at more than 'weak' strength (a bare number is weak)."""
    return {m.code for m in scan(text) if m.strength != "weak"}


def all_mentions(text: str) -> set[str]:
    return {m.code for m in scan(text)}


# --------------------------------------------------------------------------- 1. escaped line breaks

ESCAPED = [
    # Python repr of a bytes reply, literal \r\n between the lines of a multi-line reply (no mail words at all)
    (r"""b'421-mx2.example.net Service temporarily unavailable\r\n421-Too many concurrent sessions from 192.0.2.14\r\n421 Closing connection\r\n'""",
     [("421", None)], "mx2.example.net Service temporarily unavailable Too many concurrent sessions from 192.0.2.14 Closing connection",
     {"192", "14"}),
    # PHP single-quoted string with \n escapes
    (r"""$last = '553-Sender address rejected\n553-see https://help.example.net/senders\n553 Access denied\n';""",
     [("553", None)], "Sender address rejected see https://help.example.net/senders Access denied", set()),
    # JSON value holding a reply that was itself a repr: the escapes are written twice (\\r\\n)
    (r"""{"level":"warn","msg":"send failed","reply":"452-4.2.2 The mailbox is full\\r\\n452-4.2.2 try again later\\r\\n452 4.2.2 quota exceeded\\r\\n"}""",
     [("452", "4.2.2")], "The mailbox is full try again later quota exceeded", set()),
]


@pytest.mark.parametrize("text, expected, reply_text, absent", ESCAPED)
def test_multiline_reply_inside_a_string_literal(text, expected, reply_text, absent):
    got = failures_from_text(text)
    assert [(f.reply_code, f.enhanced_status) for f in got] == expected
    assert got[0].reply_text == reply_text
    assert not (absent & all_mentions(text))
    assert has_smtp_evidence(text) is True


def test_a_lone_dash_number_line_pair_of_different_codes_is_not_a_multiline_reply():
    # "450-..." then "451 ..." are not one reply; with no mail words and no other context nothing counts
    text = "450-apples in stock\n451 pears sold"
    assert codes(text) == []
    assert has_smtp_evidence(text) is False


# --------------------------------------------------------------------------- 2. the reply a client did not expect

UNEXPECTED = [
    # Symfony Mailer: a 2xx reply to DATA is the failure, the expected 354 is only mentioned
    ('Symfony\\Component\\Mailer\\Exception\\TransportException: Expected response code "354" but got code "250", '
     'with message "250 2.0.0 Ok: queued as 4QX1".',
     [("250", "2.0.0")], "354"),
    # Swift Mailer greeting: 421 instead of 220
    ('Swift_TransportException: Expected response code 220 but got code "421", with message '
     '"421 4.3.2 Service not available, closing transmission channel"',
     [("421", "4.3.2")], "220"),
    # the same in a Laravel log, quotes escaped inside the JSON context of the line
    ('[2023-05-02 08:11:09] production.ERROR: Expected response code 250 but got code "251", with message "251 User not '
     'local; will forward" {"exception":"[object] (Swift_TransportException(code: 251): Expected response code 250 but '
     'got code \\"251\\", with message \\"251 User not local; will forward\\" at /srv/app/vendor/x.php:457)',
     [("251", None)], "250"),
    # PHPMailer's debug output names the command whose reply it did not accept
    ("2021-02-03 10:00:00\tSMTP ERROR: MAIL FROM command failed: 250 2.1.0 Sender OK\n"
     "SMTP Error: The following From address failed: user@example.com",
     [("250", "2.1.0")], None),
    # Python smtplib raises SMTPDataError when DATA is answered with anything but 354
    ("smtplib.SMTPDataError: (250, b'2.0.0 Ok: queued as 7F2B31C0')", [("250", "2.0.0")], None),
    # Ruby Net::SMTP
    ("Net::SMTPUnknownError: could not get 3xx (250: 250 2.0.0 OK)", [("250", "2.0.0")], None),
    # JavaMail greeting check
    ("javax.mail.MessagingException: Got bad greeting from SMTP host: smtp.example.net, port: 587, "
     "response: 554 smtp.example.net ESMTP not accepting connections",
     [("554", None)], None),
    # a Go-style "expected X, got Y" message
    ("smtp: expected 354, got 451 from mail.example.net", [("451", None)], "354"),
]


@pytest.mark.parametrize("text, expected, expected_code", UNEXPECTED)
def test_the_reply_received_is_the_failure_whatever_its_class(text, expected, expected_code):
    assert codes(text) == expected
    if expected_code:
        roles = {(m.code, m.role) for m in scan(text) if m.code == expected_code}
        assert roles == {(expected_code, "expected")}
    assert has_smtp_evidence(text) is True


def test_two_authenticators_two_unexpected_replies():
    text = ('Failed to authenticate on SMTP server with username "user@example.com" using 2 possible authenticators. '
            'Authenticator PLAIN returned Expected response code 235 but got code "334", with message "334 ". '
            'Authenticator LOGIN returned Expected response code 250 but got code "535", with message '
            '"535 5.7.8 Error: authentication failed".')
    assert codes(text) == [("334", None), ("535", "5.7.8")]
    assert {m.code for m in scan(text) if m.role == "expected"} == {"235", "250"}


@pytest.mark.parametrize("text", [
    "AssertionError: expected 200, got 503",  # an HTTP test: 200 is no SMTP code
    "expected status 204 but got 500 from the billing API",
    "requests: Unexpected response: 503 try again later",
    "deploy: ssh command failed: 255 Permission denied (publickey)",  # an exit status, not a reply
])
def test_unexpected_http_statuses_and_exit_codes_are_not_smtp_failures(text):
    assert codes(text) == []
    assert has_smtp_evidence(text) is False


def test_a_success_reply_without_a_client_complaint_is_not_a_failure():
    assert codes("250 2.0.0 Ok: queued as 7F2B31C0") == []
    assert codes('The server said "250 OK" and the mail arrived') == []


# --------------------------------------------------------------------------- 3. transcript lines after a log prefix

TRANSCRIPT = [
    ("Mar 04 10:00:01 relay smtpd[812]: mta: 0x55d2a1: <<< 421-mx.example.net Too many connections\n"
     "Mar 04 10:00:01 relay smtpd[812]: mta: 0x55d2a1: <<< 421 Try again later\n"
     "Mar 04 10:00:01 relay smtpd[812]: mta: 0x55d2a1: >>> QUIT",
     [("421", None)], {"812", "10", "01"}),
    ("debug: mta: 0x1f00: >>> RCPT TO:<user@example.com>\n"
     "debug: mta: 0x1f00: <<< 552 5.2.2 <user@example.com>: Mailbox full",
     [("552", "5.2.2")], set()),
    ("[worker-3] 12:00:01.120 <-  554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked",
     [("554", "5.7.1")], {"120", "192"}),
    ("2024-01-09T11:02:33Z sess=42 S: 530 5.7.0 Must issue a STARTTLS command first",
     [("530", "5.7.0")], {"2024", "42"}),
]


@pytest.mark.parametrize("text, expected, absent", TRANSCRIPT)
def test_server_line_after_a_log_prefix(text, expected, absent):
    assert codes(text) == expected
    assert not (absent & all_mentions(text))
    assert has_smtp_evidence(text) is True


@pytest.mark.parametrize("text, expected, command", [
    # Python smtplib at debuglevel 1: "reply: b'...'" then "reply: retcode (550); Msg: b'...'"
    ("send: 'rcpt TO:<user@example.com>\\r\\n'\n"
     "reply: b'550 5.1.1 <user@example.com>: Recipient address rejected: User unknown\\r\\n'\n"
     "reply: retcode (550); Msg: b'5.1.1 <user@example.com>: Recipient address rejected: User unknown'",
     [("550", "5.1.1")], "RCPT TO"),
    # Exim debug output
    ("  SMTP>> RCPT TO:<user@example.com>\n  SMTP<< 550 5.1.1 <user@example.com>: User unknown\n",
     [("550", "5.1.1")], None),
    # Perl Net::SMTP debug output
    ("Net::SMTP=GLOB(0x55d0c8)>>> RCPT TO:<user@example.com>\nNet::SMTP=GLOB(0x55d0c8)<<< 554 Relay access denied\n",
     [("554", None)], None),
])
def test_debug_traces_of_mail_libraries(text, expected, command):
    got = failures_from_text(text)
    assert [(f.reply_code, f.enhanced_status) for f in got] == expected
    if command:
        assert got[0].command == command
    assert got[0].recipient == "user@example.com"
    assert has_smtp_evidence(text) is True


@pytest.mark.parametrize("text", ["y <- 450 + x", "score <- 550\nprint(score)", "S: 421\n"])
def test_arrow_and_s_colon_without_reply_text_are_not_transcript_lines(text):
    assert codes(text) == []
    assert has_smtp_evidence(text) is False


def test_client_lines_are_commands_not_replies():
    assert found("mta: 0x1f00: >>> 250 hello") == set()
    assert codes("mta: 0x1f00: >>> 250 hello") == []


# --------------------------------------------------------------------------- 4. a reply code in parentheses

PAREN = [
    ("mail sending failed: 4.7.1 Sender rate limit exceeded (450)", [("450", "4.7.1")],
     "Sender rate limit exceeded"),
    ("Could not send: 5.7.1 Relaying denied for user@example.com (550)", [("550", "5.7.1")],
     "Relaying denied for user@example.com"),
    ("SMTP Error (535): Authentication failed", [("535", None)], "Authentication failed"),
    ("SMTP code (451): temporarily deferred, try later", [("451", None)], "temporarily deferred, try later"),
    ('SMTP Error (554): Failed to add recipient "user@example.com" (5.7.1 <user@example.com>: Relay access denied).',
     [("554", "5.7.1")], None),
    ("smtp error 550 mailbox unavailable", [("550", None)], "mailbox unavailable"),
]


@pytest.mark.parametrize("text, expected, reply_text", PAREN)
def test_parenthesised_reply_code(text, expected, reply_text):
    got = failures_from_text(text)
    assert [(f.reply_code, f.enhanced_status) for f in got] == expected
    if reply_text is not None:
        assert got[0].reply_text == reply_text
    assert has_smtp_evidence(text) is True


@pytest.mark.parametrize("text, number", [
    ("SMTP ERROR: Failed to connect to server: Connection refused (111)", "111"),
    ("== user@example.com R=dnslookup T=remote_smtp defer (110): Connection timed out", "110"),
    ("mail queue flushed (421 ms)", "421"),
    ("webhook to the mail API failed (HTTP 502)", "502"),
    ("mail sending failed: Connection refused (451)", "451"),  # no enhanced code vouches for it
    ("mail job finished (450) without errors", "450"),
])
def test_parenthesised_numbers_that_are_not_codes(text, number):
    assert number not in found(text)
    assert all(number not in (f.reply_code, f.enhanced_status) for f in failures_from_text(text))
    assert has_smtp_evidence(text) is False


def test_parenthesised_code_of_another_class_than_the_enhanced_code_is_not_taken():
    assert codes("mail sending failed: 4.7.1 Sender rate limit exceeded (550)") == [(None, "4.7.1")]


# --------------------------------------------------------------------------- 5. a reply in a table cell

CELLS = [
    ("Occurrences\t\n87.5%\t554 Message rejected as spam\nERROR CLASS\tNet::SMTPFatalError", [("554", None)],
     "Message rejected as spam", {"87", "5"}),
    ("MESSAGE\t421 Service not available, closing transmission channel\nCLASS\tNet::SMTPServerBusy",
     [("421", None)], "Service not available, closing transmission channel", set()),
    ("job\tstatus\tmessage\nnewsletter\tfailed\t550 5.1.1 User unknown", [("550", "5.1.1")], "User unknown", set()),
]


@pytest.mark.parametrize("text, expected, reply_text, absent", CELLS)
def test_reply_in_a_table_cell(text, expected, reply_text, absent):
    got = failures_from_text(text)
    assert [(f.reply_code, f.enhanced_status) for f in got] == expected
    assert got[0].reply_text == reply_text
    assert not (absent & all_mentions(text))
    assert has_smtp_evidence(text) is True


@pytest.mark.parametrize("text", [
    "host\tcpu\tusers\nweb-1\t98.0%\t450 users online",
    "at 3.10 the nightly job ran\n100.0%\t250 rows copied",
])
def test_numbers_in_table_cells_are_not_replies(text):
    assert codes(text) == []
    assert has_smtp_evidence(text) is False


# --------------------------------------------------------------------------- 6. versions shaped like enhanced codes

VERSIONS = [
    ("Environment:\nWordPress: 5.4.2\nPHP: 5.4.45\nWP Mail SMTP: 2.1.0\nOpenSSL: 1.1.1\n"
     "SMTP ERROR: Failed to connect to server: Connection refused (111)",
     {"5.4.2", "5.4.45", "2.1.0"}),
    ("Version: OpenSMTPD 5.4.4p1\nVersion: Haraka 2.8.25", {"5.4.4", "2.8.25"}),
    ("Running Postfix 2.5.5 with Dovecot 2.3.4 on Debian", {"2.5.5", "2.3.4"}),
    ("npm ls: nodemailer@4.7.0, node v5.4.1, Laravel 5.5.4", {"4.7.0", "5.4.1", "5.5.4"}),
    ("mailer: 5.4.2-beta1 installed", {"5.4.2"}),
    ("Exim 4.7.1 on this box; Python 2.7.5; Ruby 2.5.1", {"4.7.1", "2.7.5", "2.5.1"}),
]


@pytest.mark.parametrize("text, versions", VERSIONS)
def test_software_versions_are_never_enhanced_codes(text, versions):
    assert not (versions & all_mentions(text))
    assert codes(text) == []
    assert has_smtp_evidence(text) is False


@pytest.mark.parametrize("text, expected", [
    ("Status: 5.4.4\nAction: failed", [(None, "5.4.4")]),
    ("postfix/smtp[99]: 1A2B3C: to=<user@example.com>, relay=none, delay=0.1, dsn=5.4.4, status=bounced "
     "(Host or domain name not found)", [(None, "5.4.4")]),
    ("Diagnostic-Code: smtp; 5.4.4 hop count exceeded", [(None, "5.4.4")]),
    ("550 5.4.4 Unable to route", [("550", "5.4.4")]),
])
def test_the_same_shapes_stay_codes_in_code_positions(text, expected):
    assert codes(text) == expected
    assert has_smtp_evidence(text) is True


def test_internationalized_recipients_in_log_lines_are_read():
    from knowledge.textscan import failures_from_text

    text = ("<用户@例子.广告>: host mx.例子.广告[192.0.2.1] said: 553 5.6.7 <用户@例子.广告>: non-ASCII addresses "
            "not permitted (in reply to RCPT TO command)\n"
            "<josé@exämple.com>: host mx.example.com[192.0.2.2] said: 550 5.1.1 <josé@exämple.com>: Recipient "
            "address rejected: User unknown (in reply to RCPT TO command)\n")
    assert [(f.recipient, f.reply_code, f.enhanced_status) for f in failures_from_text(text)] == [
        ("用户@例子.广告", "553", "5.6.7"), ("josé@exämple.com", "550", "5.1.1")]


def test_failures_from_different_servers_or_recipients_are_never_merged():
    from knowledge.textscan import failures_from_text

    text = ('<"john doe"@example.com>: host mx.example.com[192.0.2.3] said: 550 5.1.1 <"john doe"@example.com>: '
            'User unknown (in reply to RCPT TO command)\n'
            '<a@one.example>: host mx.one.example[192.0.2.1] said: 550 5.1.1 <a@one.example>: User unknown '
            '(in reply to RCPT TO command)\n'
            '<अजय@डाटा.भारत>: host mx.example.in[192.0.2.4] said: 550 5.1.1 <अजय@डाटा.भारत>: User unknown '
            '(in reply to RCPT TO command)\n')
    got = [(f.recipient, f.reply_code, f.enhanced_status, f.remote_host) for f in failures_from_text(text)]
    assert got == [('"john doe"@example.com', "550", "5.1.1", "mx.example.com"),
                   ("a@one.example", "550", "5.1.1", "mx.one.example"),
                   ("अजय@डाटा.भारत", "550", "5.1.1", "mx.example.in")]
    # no recipient at all, but two servers: two failures
    text = ("host mx.a.example[192.0.2.3] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n"
            "host mx.b.example[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n")
    assert [f.remote_host for f in failures_from_text(text)] == ["mx.a.example", "mx.b.example"]


def test_text_glued_after_an_ascii_address_is_not_part_of_its_domain():
    from knowledge.textscan import failures_from_text

    (f,) = failures_from_text("RCPT TO:user@example.com失败 550 5.1.1 user unknown")
    assert (f.recipient, f.reply_code, f.enhanced_status) == ("user@example.com", "550", "5.1.1")

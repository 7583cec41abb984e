"""Delay warnings (the message is still queued and being retried) are not non-delivery reports.

Fixtures in tests/fixtures/bounces/<format>/ imitate the default delay notices of Exim ("Warning: message ...
delayed 24 hours"), Postfix ("Delayed Mail (still being retried)", with and without its RFC 3464
part), Sendmail ("Warning: could not send message for past 4 hours"), Gmail ("Delivery incomplete"),
Microsoft 365 ("Delivery delayed") and Exchange ("Delivery Status Notification (Delay)" with an
RFC 3464 part).  Personal details are replaced (example.net, 192.0.2.x).

Each must give kind "delay-warning", action "delayed" (RFC 3464 §2.3.3), the reason of the
underlying cause, a soft bounce, the cause line as reply text, and a next step that says nothing
needs resending yet.  Also here: a Postfix deferral log line is not "expired" (the retries have
not run out), mbox bounds and per-message notes, and wrapped Postfix notices.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.annotate import annotate_rows
from knowledge.reasons import classify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bounces"

KEYS = ("recipient", "reply_code", "enhanced_status", "inferred_status", "action", "reason", "hard_bounce",
        "command", "remote_mta", "reply_text")

DELAYS = {
    "exim/exim-delay.eml": ("late@example.net", None, None, "4.2.2", "delayed", "mailboxfull", False, None, None,
                       "Delay reason: mailbox is full"),
    "postfix/postfix-delay-text.eml": ("late@example.net", None, None, "4.4.1", "delayed", "networkerror", False, None,
                               "mx.example.net", "connect to mx.example.net[192.0.2.9]:25: Connection timed out"),
    "postfix/postfix-delayed.eml": ("user@example.com", None, "4.4.1", None, "delayed", "networkerror", False, None,
                            "mx.example.com", "connect to mx.example.com[192.0.2.71]:25: Connection timed out"),
    "sendmail/sendmail-delay.eml": ("slow@example.net", None, None, "4.4.1", "delayed", "networkerror", False, None,
                           "mx.example.net", "Deferred: Connection timed out with mx.example.net."),
    "gmail/gmail-delay.eml": ("user@example.net", None, None, "4.4.1", "delayed", "networkerror", False, None, None,
                        "The recipient server did not accept our requests to connect. For more information, go to "
                        "https://support.google.com/mail/?p=IPConnectError [example.net. 192.0.2.10: timed out]"),
    "exchange/office365-delay.eml": ("user@example.net", "441", "4.4.1", None, "delayed", "networkerror", False, None, None,
                            "441 4.4.1 Error encountered while communicating with primary target IP address: "
                            "\"Failed to connect. Winsock error code: 10060, Win32 error code: 10060.\" Attempted "
                            "failover to alternate host, but that did not succeed. Either there are no alternate "
                            "hosts, or delivery failed to all alternate hosts. The last endpoint attempted was "
                            "192.0.2.20:25"),
    "exchange/exchange-delay-dsn.eml": ("user@example.net", "452", "4.2.2", None, "delayed", "mailboxfull", False, None,
                               "mx.example.net", "452 4.2.2 Mailbox full"),
}


@pytest.mark.parametrize("name", sorted(DELAYS))
def test_delay_warning(name):
    kind, findings, notes = annotate_rows((FIXTURES / name).read_bytes())
    assert kind == "delay-warning"
    assert [tuple(f[k] for k in KEYS) for f in findings] == [DELAYS[name]]
    step = findings[0]["next_step"]
    assert step.startswith("Nothing to resend yet: the message is deferred and the sending MTA is still retrying")
    assert "gave up" not in step


@pytest.mark.parametrize("name", sorted(DELAYS))
def test_delay_warning_is_never_expired_when_a_cause_is_named(name):
    _, findings, _ = annotate_rows((FIXTURES / name).read_bytes())
    assert findings[0]["reason"] != "expired"
    assert findings[0]["hard_bounce"] is False


def test_delay_warning_kind_in_the_shared_contract():
    from knowledge.annotate import annotate_bytes

    ann = annotate_bytes((FIXTURES / "exim" / "exim-delay.eml").read_bytes(), source="exim-delay.eml")
    assert ann.kind == "delay-warning"
    assert ann.findings[0].action == "delayed"


def test_a_final_bounce_is_still_a_bounce():
    # Postfix's final notice names the same kind of cause but nothing is retried any more
    kind, findings, _ = annotate_rows((FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes())
    assert kind == "bounce"
    assert {f["action"] for f in findings} == {"failed"}


def test_deferral_log_line_is_not_expired():
    line = ("Jan  3 10:00:00 mx postfix/smtp[123]: 4F2A1: to=<g@x.example>, relay=mx.x.example[192.0.2.11]:25, "
            "delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.2.0, status=deferred (host mx.x.example[192.0.2.11] said: "
            "450 4.2.0 <g@x.example>: Recipient address rejected: try later (in reply to RCPT TO command))\n")
    kind, findings, _ = annotate_rows(line.encode())
    assert kind == "log"
    (f,) = findings
    assert (f["recipient"], f["reply_code"], f["enhanced_status"], f["action"], f["reason"], f["hard_bounce"]) == (
        "g@x.example", "450", "4.2.0", "delayed", "onhold", False)
    assert f["next_step"].startswith("Nothing to resend yet")


@pytest.mark.parametrize("reply_code,enhanced,text,command,want", [
    ("450", "4.2.0", "450 4.2.0 <g@x.example>: Recipient address rejected: try later", "RCPT TO", "onhold"),
    ("451", "4.3.0", "451 4.3.0 Temporary lookup failure", "RCPT TO", "onhold"),
    ("421", None, "421 mx.example.net Service not available, closing transmission channel", None, "systemerror"),
    (None, None, "connect to mx.example.net[192.0.2.9]:25: No route to host", None, "networkerror"),
    (None, "4.4.7", "connect to mx.example.net[192.0.2.9]:25: Connection timed out", None, "networkerror"),
])
def test_classify_deferral_names_the_cause(reply_code, enhanced, text, command, want):
    assert classify(reply_code, enhanced, text, command, "delayed") == (want, False)


def test_classify_delay_dsn_without_any_cause_keeps_sisimais_reason():
    # RFC 3464 Action: delayed with only a Status and no diagnostic: Sisimai's vocabulary for a delay
    # whose cause nobody stated is "expired" (the warning period ran out); the next step still says
    # nothing needs resending.
    assert classify(None, "4.4.7", "", None, "delayed") == ("expired", False)


def _postfix_bounce(rcpt: str) -> bytes:
    return (f"From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\nTo: sender@example.com\n"
            f"Subject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.com.\n\n"
            f"<{rcpt}>: host mx.example.net[192.0.2.8] said: 550 5.1.1 <{rcpt}>: Recipient address rejected: "
            f"User unknown (in reply to RCPT TO command)\n").encode()


def test_mbox_over_the_message_bound_says_how_many_were_read():
    sep = b"From MAILER-DAEMON Sat Jan  3 10:00:00 2026\n"
    data = b"\n".join(sep + _postfix_bounce(f"user{i}@example.net") for i in range(210))
    kind, findings, notes = annotate_rows(data)
    assert kind == "bounce"
    assert len(findings) == 200
    assert findings[-1]["recipient"] == "user199@example.net"
    assert "only the first 200 of 210 messages were read" in notes


def test_mbox_notes_name_their_message():
    sep = b"From MAILER-DAEMON Sat Jan  3 10:00:00 2026\n"
    parts = [(FIXTURES / n).read_bytes() for n in ("arf/arf.eml", "postfix/postfix-dsn.eml", "autoreply/autoreply.eml",
                                                  "exim/exim-delay.eml")]
    kind, findings, notes = annotate_rows(b"\n".join(sep + p for p in parts))
    assert kind == "bounce"
    assert [f["action"] for f in findings] == ["failed", "failed", None, "delayed"]
    assert notes[0].startswith("message 1: ARF feedback report (RFC 5965)")
    assert notes[1].startswith("message 3: automatic reply (RFC 3834")
    assert notes[-1] == "mbox file: 4 messages read"


def test_mbox_of_delay_warnings_only():
    sep = b"From MAILER-DAEMON Sat Jan  3 10:00:00 2026\n"
    parts = [(FIXTURES / n).read_bytes() for n in ("exim/exim-delay.eml", "sendmail/sendmail-delay.eml")]
    kind, findings, _ = annotate_rows(b"\n".join(sep + p for p in parts))
    assert kind == "delay-warning"
    assert [f["reason"] for f in findings] == ["mailboxfull", "networkerror"]


def test_wrapped_postfix_notice():
    kind, findings, _ = annotate_rows((FIXTURES / "postfix" / "postfix-wrapped.eml").read_bytes())
    assert kind == "bounce"
    got = [(f["recipient"], f["reply_code"], f["enhanced_status"], f["command"], f["remote_mta"], f["reply_text"])
           for f in findings]
    assert got == [
        ("third@outlook.com", "550", "5.5.0", "RCPT TO", "outlook-com.olc.protection.outlook.com",
         "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). "
         "[BN1NAM02FT011.eop-nam02.prod.protection.outlook.com]"),
        ("user@gmail.com", "550", "5.7.1", "DATA", "gmail-smtp-in.l.google.com",
         "550 5.7.1 [192.0.2.5] Our system has detected that this message is likely unsolicited mail. To reduce "
         "the amount of spam sent to Gmail, this message has been blocked. For more information, go to "
         "https://support.google.com/mail/?p=UnsolicitedMessage x1si123 - gsmtp"),
    ]


@pytest.mark.parametrize("name", ["exim/exim-delay.eml", "postfix/postfix-delay-text.eml", "sendmail/sendmail-delay.eml", "gmail/gmail-delay.eml",
                                  "exchange/office365-delay.eml"])
def test_pasted_body_of_a_delay_warning(name):
    # the notice pasted without its header fields (a Slack message, a ticket) reads the same
    body = (FIXTURES / name).read_text().split("\n\n", 1)[1]
    kind, findings, _ = annotate_rows(body.encode())
    assert kind == "delay-warning"
    want = DELAYS[name]
    got = [tuple(f[k] for k in KEYS) for f in findings]
    assert [(g[0], g[4], g[5], g[6], g[9]) for g in got] == [(want[0], want[4], want[5], want[6], want[9])]


def test_final_sendmail_expiry_is_a_bounce():
    # Sendmail's final notice quotes the same "Deferred:" transcript line, but the retries are over
    msg = (b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>\nTo: sender@example.com\n"
           b"Subject: Returned mail: see transcript for details\n\n"
           b"   ----- Transcript of session follows -----\n"
           b"<slow@example.net>... Deferred: Connection timed out with mx.example.net.\n"
           b"Message could not be delivered for 5 days\nMessage will be deleted from queue\n")
    kind, findings, _ = annotate_rows(msg)
    assert kind == "bounce"
    assert [(f["recipient"], f["action"], f["reason"], f["hard_bounce"]) for f in findings] == [
        ("slow@example.net", "failed", "expired", False)]
    assert findings[0]["next_step"].startswith("The sending MTA gave up retrying")

"""knowledge.bounce.parse_bytes on one small anonymised fixture per supported format.

Each fixture in tests/fixtures/bounces/<format>/ imitates the layout of one MTA or
provider (personal details replaced by example.com / 192.0.2.x).  The rows
are (recipient, reply_code, enhanced_status, reason, hard_bounce, command).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.bounce import parse_bytes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bounces"

CASES = {
    "postfix/postfix-dsn.eml": ("bounce", [
        ("nobody@example.com", "550", "5.1.1", "userunknown", True, "RCPT TO"),
        ("full@example.org", "452", "4.2.2", "mailboxfull", False, "RCPT TO"),
    ]),
    "sendmail/sendmail-dsn.eml": ("bounce", [("gone@example.com", "550", "5.1.1", "userunknown", True, "RCPT TO")]),
    "exim/exim.eml": ("bounce", [("someone@example.com", "550", "5.7.1", "spamdetected", False, "DATA")]),
    # qmail's "does not like recipient." names the RCPT TO stage.
    "qmail/qmail.eml": ("bounce", [("nobody@example.com", "550", "5.1.1", "userunknown", True, "RCPT TO")]),
    "qmail/qmail-cr.eml": ("bounce", [("nobody@example.com", "550", "5.1.1", "userunknown", True, "RCPT TO")]),
    "opensmtpd/opensmtpd.eml": ("bounce", [("missing@example.com", "550", "5.1.1", "userunknown", True, None)]),
    "exchange/office365-crlf.eml": ("bounce", [("closed@example.org", "550", "5.1.10", "userunknown", True, None)]),
    "gmail/gmail.eml": ("bounce", [("bounced@example.com", "552", "5.2.2", "mailboxfull", False, None)]),
    "yahoo/yahoo.eml": ("bounce", [("old@example.com", "554", None, "userunknown", True, "RCPT TO")]),
    "amazonses/amazonses-json.eml": ("bounce", [("nouser@example.com", "550", "5.1.1", "userunknown", True, None)]),
    "googlegroups/googlegroups.eml": ("bounce", [("some-list@googlegroups.com", None, None, "rejected", False, None)]),
    "notes/notes.eml": ("bounce", [("person@notes.example.com", None, None, "userunknown", True, None)]),
    "dragonfly/dragonfly.eml": ("bounce", [("someone@example.com", "550", "5.7.26", "authfailure", False, "DATA")]),
    # No code at all: the sentence names the recipient (even postmaster@), the DNS line the reason.
    "dragonfly/dragonfly-dns.eml": ("bounce", [("postmaster@cx.example.org", None, None, "hostunknown", True, None)]),
    "generic/iso2022jp-base64.eml": ("bounce", [("taro@example.jp", "550", "5.1.1", "userunknown", True, None)]),
    "rfc3464/delivered-dsn.eml": ("delivery-report", [("ok@example.com", "250", "2.0.0", "delivered", False, None)]),
    "autoreply/autoreply.eml": ("auto-reply", [("person@example.com", None, None, "vacation", False, None)]),
    "arf/arf.eml": ("feedback-report", []),
    # Reason families (Sisimai's rules; see knowledge/reasons.py).
    "powermta/powermta-category.eml": ("bounce", [
        ("user@example.com", "550", "5.2.1", "userunknown", True, None),
        ("full@example.org", "552", "5.2.2", "mailboxfull", False, None),
    ]),
    "rfc3464/unknown-user-after-accept.eml": ("bounce", [
        ("user@example.com", "550", "5.2.1", "filtered", False, None),
        ("other@example.com", "550", "5.0.0", "userunknown", True, "RCPT TO"),
    ]),
    "rfc3464/kddi-au.eml": ("bounce", [
        ("user1@ezweb.ne.jp", "550", "5.0.0", "filtered", False, "DATA"),
        ("user2@ezweb.ne.jp", "550", "5.0.0", "userunknown", True, "DATA"),
    ]),
    "exim/orange-exim.eml": ("bounce", [
        ("user@orange.example.com", "550", "5.2.0", "spamdetected", False, "DATA"),
        ("other@laposte.example.com", "550", "5.5.0", "userunknown", True, "RCPT TO"),
    ]),
    # Delay warnings (still being retried): kind delay-warning, the cause's reason (tests/test_delay_warnings.py).
    "postfix/postfix-delayed.eml": ("delay-warning", [("user@example.com", None, "4.4.1", "networkerror", False, None)]),
    "postfix/postfix-delay-text.eml": ("delay-warning", [("late@example.net", None, None, "networkerror", False, None)]),
    "exim/exim-delay.eml": ("delay-warning", [("late@example.net", None, None, "mailboxfull", False, None)]),
    "sendmail/sendmail-delay.eml": ("delay-warning", [("slow@example.net", None, None, "networkerror", False, None)]),
    "gmail/gmail-delay.eml": ("delay-warning", [("user@example.net", None, None, "networkerror", False, None)]),
    "exchange/office365-delay.eml": ("delay-warning", [("user@example.net", "441", "4.4.1", "networkerror", False, None)]),
    "exchange/exchange-delay-dsn.eml": ("delay-warning", [("user@example.net", "452", "4.2.2", "mailboxfull", False, None)]),
    # Postfix wraps the host line before "said:"; Gmail's reply spans "550-5.7.1" continuation lines.
    "postfix/postfix-wrapped.eml": ("bounce", [
        ("third@outlook.com", "550", "5.5.0", "userunknown", True, "RCPT TO"),
        ("user@gmail.com", "550", "5.7.1", "spamdetected", False, "DATA"),
    ]),
    "rfc3464/provider-replies.eml": ("bounce", [
        ("a@gmail.example.com", "550", "5.7.28", "blocked", False, "DATA"),
        ("b@mimecast.example.com", "554", "5.0.0", "virusdetected", False, "DATA"),
        ("c@charter.example.com", "550", "5.1.0", "toomanyconn", False, "MAIL FROM"),
        ("d@yahoo.example.com", "421", "4.7.0", "badreputation", False, "RCPT TO"),
    ]),
    # au EZweb: its own sentences and the X-SPASIGN: NG filter mark decide.
    "ezweb/ezweb-disabled.eml": ("bounce", [("user@ezweb.ne.jp", None, "5.0.0", "suspend", False, "RCPT TO")]),
    "ezweb/ezweb-spasign.eml": ("bounce", [("user@ezweb.ne.jp", None, None, "filtered", False, None)]),
    # NTT DOCOMO answers "550 Unknown user" to everything: the stage decides.
    "docomo/docomo.eml": ("bounce", [
        ("user1@docomo.ne.jp", "550", "5.0.0", "rejected", False, "DATA"),
        ("user2@docomo.ne.jp", "550", "5.0.0", "userunknown", True, "RCPT TO"),
    ]),
    # McAfee Email Gateway: an unknown-user refusal is an unknown mailbox.
    "mcafee/mcafee.eml": ("bounce", [("user@example.com", "550", None, "userunknown", True, None)]),
    # Outlook.com (Hotmail): "mailbox unavailable" is its unknown-mailbox wording.
    "outlook/hotmail-dsn.eml": ("bounce", [("user@hotmail.example.com", "550", "5.5.0", "userunknown", True, None)]),
    # Action failed + Status 4.5.0, but the remote server said 550 5.5.0: the reply's code is reported.
    "postfix/postfix-status-class.eml": ("bounce", [("user@laposte.example.net", "550", "5.5.0", "blocked", False, "DATA")]),
    "rfc3464/onhold-dsn.eml": ("bounce", [("user@example.com", "550", "5.0.0", "onhold", False, "RCPT TO")]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture(name):
    kind, rows = CASES[name]
    rep = parse_bytes((FIXTURES / name).read_bytes())
    assert rep.kind == kind
    got = [(r["recipient"], r["reply_code"], r["enhanced_status"], r["reason"], r["hard_bounce"], r["command"])
           for r in rep.rows]
    assert got == rows


def test_every_fixture_is_covered():
    assert sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/*.eml")) == sorted(CASES)


def test_remote_mta_and_reply_text():
    rep = parse_bytes((FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes())
    first = rep.rows[0]
    assert first["remote_mta"] == "mx.example.com"
    assert first["action"] == "failed"
    assert first["reply_text"] == ("550 5.1.1 <nobody@example.com>: Recipient address rejected: "
                                   "User unknown in local recipient table")


def test_success_dsn_is_not_a_failure():
    rep = parse_bytes((FIXTURES / "rfc3464" / "delivered-dsn.eml").read_bytes())
    assert rep.rows[0]["action"] == "relayed"
    assert any("delivered" in n for n in rep.notes)


def test_arf_note():
    rep = parse_bytes((FIXTURES / "arf" / "arf.eml").read_bytes())
    assert rep.rows == []
    assert rep.notes and "RFC 5965" in rep.notes[0]


def test_forwarded_bounce_is_read():
    inner = (FIXTURES / "sendmail" / "sendmail-dsn.eml").read_bytes()
    outer = (b"From: Person <person@example.net>\nTo: helpdesk@example.net\nSubject: Fwd: returned mail\n"
             b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"FW\"\n\n--FW\n"
             b"Content-Type: text/plain\n\nWhy did this bounce?\n\n--FW\nContent-Type: message/rfc822\n\n"
             + inner + b"\n--FW--\n")
    rep = parse_bytes(outer)
    assert [(r["recipient"], r["reason"]) for r in rep.rows] == [("gone@example.com", "userunknown")]
    assert rep.notes[0].startswith("the bounce was forwarded")


def test_quoted_inline_forward():
    text = (FIXTURES / "qmail" / "qmail.eml").read_text()
    header, _, body = text.partition("\n\n")
    quoted = "\n".join("> " + line for line in body.splitlines())
    msg = ("From: person@example.net\nTo: helpdesk@example.net\nSubject: Fwd: failure notice\n\n"
           "See below.\n\n" + quoted + "\n").encode()
    rep = parse_bytes(msg)
    assert [(r["recipient"], r["reply_code"], r["reason"]) for r in rep.rows] == [
        ("nobody@example.com", "550", "userunknown")]


def test_a_delayed_message_is_still_being_retried():
    from knowledge.annotate import annotate_rows

    _, rows, _ = annotate_rows((FIXTURES / "postfix" / "postfix-delayed.eml").read_bytes())
    assert [(r["action"], r["reason"], r["hard_bounce"]) for r in rows] == [("delayed", "networkerror", False)]
    step = rows[0]["next_step"]
    assert step.startswith("Nothing to resend yet: the message is deferred and the sending MTA is still retrying")
    assert "gave up" not in step


def test_codeless_notice_quotes_its_diagnostic_line():
    (row,) = parse_bytes((FIXTURES / "dragonfly" / "dragonfly-dns.eml").read_bytes()).rows
    assert row["reply_text"] == "DNS lookup failure: host cx.example.org not found"
    # a diagnostic in words of its own family (Notes' "not listed in ... Address Book"), not the
    # "Failure Reasons" heading above it
    (row,) = parse_bytes((FIXTURES / "notes" / "notes.eml").read_bytes()).rows
    assert row["reply_text"] == "User not listed in public Name & Address Book person@notes.example.com"


def test_mbox_file_gives_the_findings_of_every_message():
    from knowledge.annotate import annotate_rows

    kind, findings, notes = annotate_rows((FIXTURES / "mbox" / "three-messages.mbox").read_bytes())
    assert kind == "bounce"
    assert [(f["recipient"], f["reply_code"], f["enhanced_status"], f["reason"]) for f in findings] == [
        ("nobody@example.com", "550", "5.1.1", "userunknown"),
        ("full@example.org", "452", "4.2.2", "mailboxfull"),
        ("someone@example.com", "550", "5.7.1", "spamdetected"),
        ("person@example.com", None, None, "vacation"),
    ]
    assert "mbox file: 3 messages read" in notes


def test_split_mbox_needs_separator_lines_at_message_starts():
    from knowledge.bounce.mime import mbox_messages

    def split_mbox(data: bytes) -> list[bytes]:
        return mbox_messages(data)[0]

    one = (FIXTURES / "exim" / "exim.eml").read_bytes()
    assert split_mbox(one) == [one]
    sep = b"From MAILER-DAEMON  Mon Mar  2 10:00:00 2026\n"
    # a single message after a separator line stays whole
    assert split_mbox(sep + one) == [sep + one]
    # "From " inside a body (no empty line before it, no header after it) is not a separator
    body = b"Subject: x\nFrom: a@example.com\n\nhello\nFrom nobody  Mon Mar  2 10:00:00 2026\nthanks\n"
    assert split_mbox(sep + body) == [sep + body]
    assert split_mbox(sep + one + b"\n" + sep + one) == [one + b"\n", one]

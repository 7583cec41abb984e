"""Bad input for the whole-message path: a clear result, never an exception.

Timing targets (under 1 s per MB) are measured by
benchmarks/annotate_throughput.py, not here; these tests check results and
the notes that say when a bound cut the work.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.annotate import MAX_INPUT, annotate_bytes, annotate_rows
from knowledge.bounce import looks_like_message, parse_bytes
from knowledge.bounce.mime import MAX_DEPTH, MAX_PARTS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bounces"
HEAD = b"From: MAILER-DAEMON@mx.example.net\nTo: sender@example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"


def test_empty_and_blank():
    assert annotate_rows(b"") == ("none", [], ["empty input: nothing to annotate"])
    assert annotate_rows(b" \n\r\n\t") == ("none", [], ["empty input: nothing to annotate"])


def test_binary():
    kind, findings, notes = annotate_rows(bytes(range(256)) * 64)
    assert (kind, findings) == ("none", [])
    assert notes == ["binary input (not text or a mail message): nothing to annotate"]


def test_invalid_utf8_in_a_bounce():
    data = (FIXTURES / "qmail" / "qmail.eml").read_bytes().replace(b"sorry, no mailbox", b"\xff\xfe sorry, no mailbox")
    rep = parse_bytes(data)
    assert [(r["recipient"], r["reply_code"], r["reason"]) for r in rep.rows] == [
        ("nobody@example.com", "550", "userunknown")]


def test_broken_headers_still_parse():
    data = (b"From MAILER-DAEMON Mon Mar  2 10:00:00 2026\nFrom: MAILER-DAEMON@mx.example.net\n"
            b"this line is not a header\nSubject: failure notice\n\n<a@example.com>:\n"
            b"Remote host said: 550 5.1.1 user unknown\n")
    ann = annotate_bytes(data, source="broken")
    assert ann.kind == "bounce"
    assert [(f.recipient, f.reply_code, f.enhanced_status) for f in ann.findings] == [
        ("a@example.com", "550", "5.1.1")]


def test_thousand_mime_parts_are_bounded():
    parts = b"".join(b"--P\nContent-Type: text/plain\n\npart %d\n" % i for i in range(1000))
    data = HEAD + b'Content-Type: multipart/mixed; boundary="P"\n\n' + parts + b"--P--\n"
    rep = parse_bytes(data)
    assert rep.rows == []
    assert f"only the first {MAX_PARTS} MIME parts were read" in rep.notes


def test_deep_nesting_is_bounded():
    depth = 60
    data = HEAD + b'Content-Type: multipart/mixed; boundary="B0"\n\n'
    for i in range(1, depth):
        data += b'--B%d\nContent-Type: multipart/mixed; boundary="B%d"\n\n' % (i - 1, i)
    data += b"--B%d\nContent-Type: text/plain\n\n<a@example.com>: 550 5.1.1 user unknown\n" % (depth - 1)
    rep = parse_bytes(data)
    assert rep.rows == []
    assert f"MIME nesting deeper than {MAX_DEPTH} levels was not read" in rep.notes


def test_ten_megabytes_are_cut_and_said():
    bounce = (FIXTURES / "qmail" / "qmail.eml").read_bytes()
    data = bounce + b"x" * (10 * 1024 * 1024)
    kind, findings, notes = annotate_rows(data)
    assert kind == "bounce"
    assert [(f["recipient"], f["reason"]) for f in findings] == [("nobody@example.com", "userunknown")]
    assert notes[0] == f"input is {len(data):,} bytes; only the first {MAX_INPUT:,} bytes were read"


def test_line_endings_do_not_matter():
    lf = (FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes()
    expected = [(r["recipient"], r["reply_code"], r["enhanced_status"], r["reason"]) for r in parse_bytes(lf).rows]
    assert len(expected) == 2
    for variant in (lf.replace(b"\n", b"\r\n"), lf.replace(b"\n", b"\r")):
        rows = parse_bytes(variant).rows
        assert [(r["recipient"], r["reply_code"], r["enhanced_status"], r["reason"]) for r in rows] == expected


def test_message_detection():
    assert looks_like_message((FIXTURES / "exim" / "exim.eml").read_bytes())
    assert looks_like_message(b"From x Mon Mar  2 10:00:00 2026\nFrom: a@example.com\nTo: b@example.com\n\nhi")
    assert not looks_like_message(b"550 5.1.1 user unknown\n")
    assert not looks_like_message(b"Error: 550 5.1.1 user unknown\n")


def test_not_a_bounce_gives_nothing():
    data = (b"From: friend@example.com\nTo: me@example.net\nSubject: lunch\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n\n"
            b"Shall we meet at 12:30? Room 550, port 25 side.\n")
    ann = annotate_bytes(data)
    assert (ann.kind, ann.findings) == ("none", [])


def test_bare_notice_without_codes_or_known_format_gives_nothing():
    # A notice in no format this package knows, with no SMTP code, is not
    # guessed at (a human-written "your mail was rejected" stays unannotated).
    data = (b"From: postmaster@example.org\nTo: sender@example.net\nSubject: email notification\n\n"
            b"Your email was not saved.\nreason: storage\ntarget address: user@example.org\n")
    assert annotate_rows(data)[:2] == ("none", [])


def test_annotation_fields_filled():
    ann = annotate_bytes((FIXTURES / "postfix" / "postfix-dsn.eml").read_bytes(), source="postfix-dsn.eml")
    f = ann.findings[0]
    assert ann.source == "postfix-dsn.eml"
    assert f.next_step == "Remove or correct this address: the mailbox does not exist."
    assert f.inferred_status is None
    assert f.title  # the knowledge base's title of 550 5.1.1
    g = annotate_bytes((FIXTURES / "notes" / "notes.eml").read_bytes()).findings[0]
    assert (g.enhanced_status, g.inferred_status) == (None, "5.1.1")


def test_pasted_dsn_fields_without_a_message():
    text = ("Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n"
            "Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>: Recipient address rejected: User unknown\n")
    kind, findings, _ = annotate_rows(text.encode())
    assert kind == "bounce"
    assert [(f["recipient"], f["reply_code"], f["enhanced_status"], f["reason"], f["hard_bounce"], f["action"])
            for f in findings] == [("a@example.com", "550", "5.1.1", "userunknown", True, "failed")]
    kind, findings, _ = annotate_rows(b"Status: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n")
    assert [(f["recipient"], f["reply_code"], f["enhanced_status"], f["reason"]) for f in findings] == [
        (None, "552", "5.2.2", "mailboxfull")]


def test_log_line_goes_to_the_free_text_scanner():
    line = (b"Mar  2 10:00:00 mx postfix/smtp[123]: ABC: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, "
            b"delay=1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: "
            b"User unknown (in reply to RCPT TO command))\n")
    kind, findings, _ = annotate_rows(line)
    assert kind == "log"
    assert [(f["recipient"], f["reply_code"], f["enhanced_status"], f["reason"], f["hard_bounce"]) for f in findings] == [
        ("a@example.com", "550", "5.1.1", "userunknown", True)]


def test_annotate_text_escapes_nothing_and_never_raises():
    from knowledge.annotate import annotate_text

    assert annotate_text("").kind == "none"
    assert annotate_text("\ud800 lone surrogate").findings == []


def test_pasted_dsn_fields_without_status_or_diagnostic():
    # A DSN block with a code elsewhere but no Status / Diagnostic-Code field.
    from knowledge.annotate import annotate_text

    ann = annotate_text("452-4.2.2\nFinal-Recipient: rfc822;")
    assert [(f.reply_code, f.enhanced_status, f.reason) for f in ann.findings] == [("452", "4.2.2", "mailboxfull")]

"""Property-based bad input for the whole-message path (hypothesis).

Random and adversarial bodies under bounce-like headers must give a clear
result (a Report with a known kind) quickly: each example has a deadline, so
a pattern that backtracks catastrophically fails the test instead of hanging.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.annotate import annotate_rows
from knowledge.bounce import parse_bytes

KINDS = {"bounce", "delivery-report", "auto-reply", "feedback-report", "log", "none"}
HEAD = b"From: MAILER-DAEMON@mx.example.net\nTo: s@example.net\nSubject: Undelivered Mail\n"

# Fragments that the parser's patterns look for, repeated to build long runs.
PIECES = ["a.", "host ", "550-", "5.5.", "@", "a@b.", "<", ">", ">>> ", "<<< 550 ", "said: ", "-- ", "==", " ",
          "\t", "\n", "\r", "RCPT ", "to ", "5", "550 5.1.1 ", "a-", "[192.0.2.1]", ":", "...", "(in reply to ",
          "Final-Recipient: rfc822; ", "Status: ", "Content-Type: multipart/report; boundary=x\n", "--x\n",
          "original message", "User unknown", "é", "\x00", "\ufffd"]

adversarial = st.lists(st.tuples(st.sampled_from(PIECES), st.integers(1, 400)), min_size=1, max_size=30).map(
    lambda parts: "".join(p * n for p, n in parts))


@settings(max_examples=150, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(adversarial)
def test_adversarial_bodies(body):
    rep = parse_bytes(HEAD + b"\n" + body.encode("utf-8", "surrogatepass"))
    assert rep.kind in KINDS
    for row in rep.rows:
        assert row["reason"] is None or isinstance(row["reason"], str)


@settings(max_examples=150, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=5000))
def test_random_bytes(data):
    kind, findings, notes = annotate_rows(data, providers=False)
    assert kind in KINDS
    assert isinstance(findings, list) and isinstance(notes, list)


@settings(max_examples=100, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_random_text_as_message_body(body):
    kind, findings, _ = annotate_rows(HEAD + b"\n" + body.encode("utf-8", "replace"), providers=False)
    assert kind in KINDS
    assert all(f["hard_bounce"] in (True, False, None) for f in findings)


HTML_HEAD = HEAD + b"MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n"
HTML_PIECES = ["<script", "<style", "</script>", "<p>", "<br>", "<", ">", "&lt;", "&#39;", "550 5.1.1 ", "a@b.example",
               " ", "\n"]


@settings(max_examples=100, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(HTML_PIECES), st.integers(1, 2000)), min_size=1, max_size=12))
def test_adversarial_html_bodies(parts):
    body = "".join(p * n for p, n in parts)
    rep = parse_bytes(HTML_HEAD + b"\n" + body.encode())
    assert rep.kind in KINDS

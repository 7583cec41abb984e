"""Bad input on the free-text path: random, adversarial, huge, binary, invalid UTF-8.

Nothing may raise, results keep their shape, and patterns may not backtrack
catastrophically (hypothesis deadlines bound the time per example; the
speed figures per MB are measured by benchmarks/textscan_speed.py).
Issue 4, section 6.
"""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.slack_text import unslack_with_map
from knowledge.textscan import (
    MAX_SCAN_CHARS,
    CodeMention,
    TextFailure,
    failures_from_text,
    has_smtp_evidence,
    scan,
    scan_limited,
)

try:
    from knowledge.annotate import annotate_text
except ImportError:  # pragma: no cover - the dispatcher is built by another module
    annotate_text = None

# Pieces that exercise every context rule, glued together at random.
PIECES = [
    "550", "5.7.1", "452-4.2.2", "421", "4.7.0", "250", "2.0.0", "-", " ", "  ", "\n", "\n\n", "\r\n", "\t",
    ":", ";", "(", ")", "[", "]", "<", ">", "'", '"', "b'", ",", ".", "#", "=", "@", "|", "`", "```",
    "said:", "smtp;", "Status:", "dsn=", "status=bounced", "Diagnostic-Code:", "Final-Recipient: rfc822;",
    "(in reply to RCPT TO command)", "host mx.example.net[192.0.2.1]", "to=<a@example.com>",
    "SMTPRecipientsRefused(", "{'a@example.com': (", "responseCode:", "response: '", "Expected response code",
    "got code", "HTTP", "port", "line", "v", "version", "RFC", "失败", "错误", "&gt;", "&lt;", "&amp;",
    "<mailto:a@example.com|a@example.com>", "<https://example.com|x>", "\\n", "\\", "_", "said:_", "ms",
    "a@example.com", "2001:db8::", "192.0.2.250", "Swift.php:", "index.js:605:19", "\x00", "\ud800", "\u200b",
]

adversarial = st.lists(st.sampled_from(PIECES), max_size=300).map("".join)


def _check_shapes(text: str) -> None:
    ms = scan(text)
    for m in ms:
        assert isinstance(m, CodeMention)
        assert m.kind in ("reply", "enhanced")
        assert m.role in ("failure", "success", "expected", "mention")
        assert 0 <= m.start <= m.end <= len(text)
    fs = failures_from_text(text)
    for f in fs:
        assert isinstance(f, TextFailure)
        assert f.reply_code or f.enhanced_status
        if f.reply_code:
            assert len(f.reply_code) == 3 and f.reply_code[0] in "45"
        if f.enhanced_status:
            assert f.enhanced_status[0] in "45"
        if f.reply_text is not None:
            f.reply_text.encode("utf-8")  # always encodable, even from lone surrogates
    if has_smtp_evidence(text):  # evidence needs a failure; a failure quoted in prose need not be evidence
        assert fs


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_random_text_never_raises(text):
    _check_shapes(text)


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(adversarial)
def test_adversarial_text_never_raises(text):
    _check_shapes(text)


@settings(max_examples=100, deadline=1000)
@given(adversarial)
def test_unslack_map_stays_in_bounds(text):
    out, omap = unslack_with_map(text)
    for i in range(0, len(out) + 1, max(1, len(out) // 20 or 1)):
        assert 0 <= omap.to_original(i) <= len(text)


@pytest.mark.skipif(annotate_text is None, reason="knowledge.annotate is not available")
@settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(adversarial)
def test_annotate_text_never_raises(text):
    ann = annotate_text(text, source="paste")
    assert ann.source == "paste"
    for f in ann.findings:
        assert f.reply_code or f.enhanced_status or f.reason


@pytest.mark.parametrize("piece", ["550 5.7.1 said: x\n", "550-5.7.1 ", "(", "said: ", "&gt;", "<mailto:",
                                   "`", "\\n", "5.5.5.", "> \n", "失败550错误", "a@b.cc ", "\n\n550 5.1.1 x",
                                   "Final-Recipient: rfc822; a@example.com\n", " y\n",
                                   # per-recipient log lines and client recipient lists (one record per line)
                                   "x: to=<a@b.cc>, dsn=5.1.1, status=bounced (550 5.1.1 x)\n", "to=<a@b.cc> ",
                                   "** a@b.cc R=x: 550 5.1.1 x\n", "550 5.1.1 <a@b.cc>: x\n", "550 5.1.1 a@b.cc: x\n",
                                   "rejected: [ 'a@b.cc', ", "envelope: { to: [ ", "rejected: [", "to=<a@b.cc>, dsn=",
                                   ",a@b.cc,550 5.1.1 x\n", "addr=<a@b.cc>: 550 5.1.1 x\n", "C: RCPT TO:<a@b.cc>\n",
                                   "S: 550 5.1.1 x\n", " -> RCPT TO:<a@b.cc>\n<** 550 5.1.1 x\n",
                                   "x ** a@b.cc R=r T=t: Unrouteable address\n", "== a@b.cc defer (-53): x\n"])
def test_megabyte_of_one_pattern_is_bounded(piece):
    text = piece * (1_000_000 // len(piece))
    t0 = time.perf_counter()
    failures_from_text(text)
    has_smtp_evidence(text)
    # generous bound for a shared 2-core machine; the measured figure is ~0.1-0.8 s
    assert time.perf_counter() - t0 < 10


def test_ten_megabyte_paste_is_cut_not_choked():
    text = "lorem ipsum 550 dolor\n" * (10_000_000 // 22) + "said: 550 5.1.1 at the very end"
    assert len(text) > 10 * MAX_SCAN_CHARS
    t0 = time.perf_counter()
    _, truncated = scan_limited(text)
    assert truncated is True
    assert failures_from_text(text) == []
    assert time.perf_counter() - t0 < 20


def test_binary_and_invalid_utf8_decoded_leniently():
    rnd = random.Random(4)
    blob = bytes(rnd.randrange(256) for _ in range(200_000)) + b" said: 550 5.1.1 <a@example.com> unknown"
    for text in (blob.decode("latin-1"), blob.decode("utf-8", "surrogateescape"), blob.decode("utf-8", "replace")):
        fs = failures_from_text(text)
        assert [(f.reply_code, f.enhanced_status) for f in fs][-1:] == [("550", "5.1.1")]
        for f in fs:
            (f.reply_text or "").encode("utf-8")


def test_lone_surrogates_in_reply_text_are_replaced():
    [f] = failures_from_text("host m.example.net[192.0.2.1] said: 550 5.1.1 bad \udcff user")
    assert f.reply_text == "bad ? user"


@pytest.mark.parametrize("value", ["", " ", "\n" * 50, "\x00" * 100, "\ufeff", "\t\r\n" * 10])
def test_empty_like_input(value):
    assert scan(value) == [] and failures_from_text(value) == [] and has_smtp_evidence(value) is False


@pytest.mark.parametrize("value", [None, 550, b"said: 550 5.1.1 x", 3.5])
def test_non_str_input_never_raises(value):
    assert isinstance(scan(value), list)
    assert isinstance(failures_from_text(value), list)
    assert has_smtp_evidence(value) in (True, False)


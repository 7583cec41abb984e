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

from bot.slack.markup import unslack_with_map  # the Slack side's reader (moved out of knowledge/)
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
        # 4xx/5xx, except a reply the client did not expect or an SMTP exception carries (TextFailure's contract)
        unexpected = f.evidence in ("unexpected", "exception")
        if f.reply_code:
            assert len(f.reply_code) == 3 and (f.reply_code[0] in "45" or unexpected)
        if f.enhanced_status:
            assert f.enhanced_status[0] in "45" or unexpected
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



# ---------------------------------------------------------------------------
# Texts dense with codes (QA report 2, finding 2): bounded, linear work, and the same findings whatever the
# size of the paste.  annotate used to scan free text in pieces of 8,000 characters; the scanner merges a
# repeated reply only within what it sees, so every piece reported it again ("550 5.1.1 " pasted 100,000
# times: 125 findings in Slack, 13 per 100 KB in the CLI, 1 from failures_from_text).  The text is now
# scanned whole: a repeated identical reply is one finding, each per-recipient log line one finding.

import importlib as _importlib  # noqa: E402
import pkgutil as _pkgutil  # noqa: E402
import re as _re  # noqa: E402
import sys as _sys  # noqa: E402

import knowledge.textscan as _ts  # noqa: E402
from knowledge.textscan import ScanStats, failures_limited  # noqa: E402

try:
    from knowledge.annotate import MAX_CODE_CANDIDATES, MAX_FINDINGS, annotate_rows
except ImportError:  # pragma: no cover
    annotate_rows = None


def _fill(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def _keys(rows) -> list[tuple]:
    return [(r["reply_code"], r["enhanced_status"], r["recipient"]) for r in rows]


# one code form per line: (unit repeated, the one finding it gives)
DENSE_ONE = [
    ("550 5.1.1 ", ("550", "5.1.1", None)),
    ("550-5.7.1 ", ("550", "5.7.1", None)),
    ("#5.1.1 ", (None, "5.1.1", None)),
    ("dsn=5.1.1 ", (None, "5.1.1", None)),
    ("Status: 5.1.1\n", (None, "5.1.1", None)),
    ("(550, b'5.1.1 user unknown') ", ("550", "5.1.1", None)),
    ("<<< 550 5.1.1 no\n", ("550", "5.1.1", None)),
    ("SMTP Error (550): x ", ("550", None, None)),
    ("said: 550 x ", ("550", None, None)),
    ("邮件失败550错误", ("550", None, None)),
    ("<a@example.com>: 550 5.1.1 user unknown\n", ("550", "5.1.1", "a@example.com")),
    ("550 5.1.1 x\n\n", ("550", "5.1.1", None)),
]
# bare numbers with no SMTP context: never a finding, however many
DENSE_NONE = ["550 ", "4.2.2 550\n", "550\n", "550 x\n", "5.1.1 "]


@pytest.mark.skipif(annotate_rows is None, reason="knowledge.annotate not built")
@pytest.mark.parametrize("unit,finding", DENSE_ONE)
def test_repeated_reply_is_one_finding_at_every_size(unit, finding):
    for size in (20_000, 100_000, 400_000):
        text = _fill(unit, size)
        kind, rows, notes = annotate_rows(text.encode())
        assert _keys(rows) == [finding], (unit, size)
        assert kind in ("log", "bounce")
    # the same as the whole-text scanner on its own
    small = _fill(unit, 20_000)
    assert [(f.reply_code, f.enhanced_status, f.recipient) for f in failures_from_text(small)] == [finding]


@pytest.mark.skipif(annotate_rows is None, reason="knowledge.annotate not built")
@pytest.mark.parametrize("unit", DENSE_NONE)
def test_bare_numbers_in_bulk_are_no_finding(unit):
    for size in (20_000, 400_000):
        assert annotate_rows(_fill(unit, size).encode())[1] == []
    assert failures_from_text(_fill(unit, 20_000)) == []


@pytest.mark.skipif(annotate_rows is None, reason="knowledge.annotate not built")
def test_dense_text_says_where_the_scan_stopped():
    kind, rows, notes = annotate_rows(_fill("550 5.1.1 ", 1_000_000).encode())
    assert _keys(rows) == [("550", "5.1.1", None)]
    assert notes == [f"the text is dense with codes: only its first part was examined (up to "
                     f"{MAX_CODE_CANDIDATES:,} code-like numbers and {MAX_FINDINGS:,} failing replies); "
                     "failures after that point are not listed"]
    _, stats = failures_limited(_fill("550 5.1.1 ", 1_000_000), max_tokens=MAX_CODE_CANDIDATES,
                                max_failures=MAX_FINDINGS)
    assert isinstance(stats, ScanStats)
    assert stats.tokens == MAX_CODE_CANDIDATES and stats.token_limit_hit is True
    assert stats.units == MAX_FINDINGS and stats.failure_limit_hit is True


_POSTFIX = ("Jan  3 10:00:{s:02d} mta postfix/smtp[123]: A{i:05X}: to=<user{i}@example.net>, "
            "relay=mx.example.net[192.0.2.5]:25, delay=1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.5] "
            "said: 550 5.1.1 <user{i}@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO "
            "command))\n")


@pytest.mark.skipif(annotate_rows is None, reason="knowledge.annotate not built")
@pytest.mark.parametrize("lines,listed", [(60, 60), (700, 700), (1500, 1000)])
def test_log_lines_are_one_finding_each_scanned_whole(lines, listed):
    text = "".join(_POSTFIX.format(s=i % 60, i=i) for i in range(lines))
    kind, rows, notes = annotate_rows(text.encode())
    assert len(rows) == listed
    assert [r["recipient"] for r in rows] == [f"user{i}@example.net" for i in range(listed)]
    assert {(r["reply_code"], r["enhanced_status"], r["action"]) for r in rows} == {("550", "5.1.1", "failed")}
    assert notes == ([] if lines == listed else [f"only the first {MAX_FINDINGS:,} failures are listed"])
    # exactly the whole-text scan with the annotation's bounds
    whole, _ = failures_limited(text, max_tokens=MAX_CODE_CANDIDATES, max_failures=MAX_FINDINGS)
    assert [(f.reply_code, f.enhanced_status, f.recipient) for f in whole] == _keys(rows)


@pytest.mark.skipif(annotate_rows is None, reason="knowledge.annotate not built")
def test_mixed_paste_longer_than_the_old_piece_size_gives_the_whole_text_findings():
    # a bounce notice's paragraph, a client error and Exim log lines, the first two repeated past the old
    # 32,000-character "scan whole" limit: each repeated reply is found once, each log line once
    block = ("<gone@example.net>: host mx.example.net[192.0.2.5] said: 550 5.1.1 user unknown (in reply to "
             "RCPT TO command)\n\nsmtplib.SMTPDataError: (554, b'5.7.1 Message rejected as spam')\n\n")
    exim = "2026-01-03 10:00:00 1abcDE-000{i:03d}-XY ** lost{i}@example.org R=dnslookup T=remote_smtp: Unrouteable address\n"
    text = block * 300 + "".join(exim.format(i=i) for i in range(40))
    assert len(text) > 40_000
    kind, rows, notes = annotate_rows(text.encode())
    assert _keys(rows) == [("550", "5.1.1", "gone@example.net"), ("554", "5.7.1", None)] + [
        (None, None, f"lost{i}@example.org") for i in range(40)]
    assert notes == []


class _CountingPattern:
    """A compiled pattern that adds the length of every span it is asked to search (for an anchored
    ``match``, the length it matched) to a counter."""

    def __init__(self, pat, box):
        self._pat, self._box = pat, box

    def _count(self, string, pos=0, endpos=_sys.maxsize):
        self._box[0] += max(0, min(endpos, len(string)) - pos)

    def search(self, string, pos=0, endpos=_sys.maxsize):
        self._count(string, pos, endpos)
        return self._pat.search(string, pos, endpos)

    def match(self, string, pos=0, endpos=_sys.maxsize):
        # anchored at pos, and every anchored pattern here has a short reach: count what it matched
        m = self._pat.match(string, pos, endpos)
        self._box[0] += 1 + (m.end() - pos if m else 0)
        return m

    def fullmatch(self, string, pos=0, endpos=_sys.maxsize):
        self._count(string, pos, endpos)
        return self._pat.fullmatch(string, pos, endpos)

    def finditer(self, string, pos=0, endpos=_sys.maxsize):
        self._count(string, pos, endpos)
        return self._pat.finditer(string, pos, endpos)

    def findall(self, string, pos=0, endpos=_sys.maxsize):
        self._count(string, pos, endpos)
        return self._pat.findall(string, pos, endpos)

    def sub(self, repl, string, count=0):
        self._count(string)
        return self._pat.sub(repl, string, count)

    def __getattr__(self, name):
        return getattr(self._pat, name)


@pytest.fixture
def regex_work(monkeypatch):
    """Count the characters handed to every pattern of knowledge.textscan: a deterministic measure of the
    scanning work (no clock), which grows linearly when no pattern re-scans what another code already saw."""
    box = [0]
    # knowledge.textscan is a package: every module of it holds (or imports) the patterns it uses
    modules = [_ts] + [_importlib.import_module(f"knowledge.textscan.{m.name}") for m in _pkgutil.iter_modules(_ts.__path__)]
    for mod in modules:
        for name, value in list(vars(mod).items()):
            if isinstance(value, _re.Pattern):
                monkeypatch.setattr(mod, name, _CountingPattern(value, box))
            elif name in ("_REPLY_BEFORE", "_ENH_BEFORE"):
                monkeypatch.setattr(mod, name, [(n, _CountingPattern(p, box)) for n, p in value])
            elif name in ("_RCPT_BEFORE_RES", "_HOST_RES", "_HOST_BEFORE_RES", "_CMD_BEFORE_RES"):
                monkeypatch.setattr(mod, name, [_CountingPattern(p, box) for p in value])

    def work(text: str) -> tuple[int, ScanStats]:
        box[0] = 0
        _, stats = failures_limited(text, max_tokens=10**9, max_failures=10**9)  # no bound: the raw growth
        return box[0], stats

    return work


@pytest.mark.parametrize("unit", [u for u, _ in DENSE_ONE] + DENSE_NONE + [
    _POSTFIX.format(s=1, i=7), "** a@example.com R=x T=y: Unrouteable address\n",
    "rejected: [ 'a@example.com' ] 550 5.1.1 x\n\n", "(451) x 4.7.1 y (550) ",
])
def test_scan_work_grows_linearly_with_the_size(regex_work, unit):
    # linear (affine) growth: each added block of 8,000 characters costs the same as the one before
    # (a quadratic path makes each block dearer than the previous: 2x, 3x ...)
    block = _fill(unit, 8_000)
    (w1, s1), (w2, s2), (w4, s4) = (regex_work(block * k) for k in (1, 2, 4))
    assert s2.tokens == 2 * s1.tokens and s4.tokens == 4 * s1.tokens  # every candidate examined once
    assert (w4 - w2) / 2 <= 1.1 * (w2 - w1) + 100, (w1, w2, w4)
    assert w4 <= 5 * w1, (w1, w4)
    assert s4.rule_searches <= 4 * max(s1.rule_searches, 1)


def test_scan_work_is_bounded_by_the_token_and_failure_caps():
    text = _fill("550 5.1.1 ", 1_000_000)
    _, stats = failures_limited(text)
    assert stats.tokens == _ts.MAX_TOKENS and stats.token_limit_hit is True
    assert stats.units == _ts.MAX_FAILURES and stats.failure_limit_hit is True
    assert stats.chars == 1_000_000 and stats.text_cut is False


def test_a_long_log_of_deliveries_does_not_hide_the_bounce_at_its_end():
    # thousands of successful deliveries (250 2.0.0, dsn=2.0.0) must not use up the bound on
    # code-like numbers before the one failure at the end
    from knowledge.annotate import annotate_rows

    lines = [f"Nov 29 10:{i % 60:02d}:00 mx postfix/smtp[{1000 + i}]: {i:08X}: to=<user{i}@example.com>, "
             f"relay=mx.example.net[192.0.2.5]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=2.0.0, "
             f"status=sent (250 2.0.0 Ok: queued as {i:06X})" for i in range(4000)]
    lines.append("Nov 29 11:00:00 mx postfix/smtp[9999]: DEADBEEF: to=<gone@example.org>, "
                 "relay=mx.example.org[192.0.2.9]:25, delay=1, delays=0.1/0/0.2/0.7, dsn=5.1.1, status=bounced "
                 "(host mx.example.org[192.0.2.9] said: 550 5.1.1 <gone@example.org>: Recipient address "
                 "rejected: User unknown (in reply to RCPT TO command))")
    kind, findings, notes = annotate_rows("\n".join(lines).encode())
    assert kind == "log"
    assert [(f["recipient"], f["reply_code"], f["enhanced_status"], f["reason"]) for f in findings] == [
        ("gone@example.org", "550", "5.1.1", "userunknown")]
    assert notes == []

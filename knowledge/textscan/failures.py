"""Stage 4, failures: the SMTP failures of a text, one per server reply (and per failed recipient).

Failure-class codes (4xx/5xx, 4.x.x/5.x.x, and a reply a client did not expect) are grouped into one
failure per server reply (the repeated codes of a multi-line reply are one reply), DSN ``Status:`` /
Postfix ``dsn=`` fields are attached to the reply of the same record, and each failure gets its
recipient, the SMTP command it answered, the remote host and the reply text
(:mod:`knowledge.textscan.records`, :mod:`~knowledge.textscan.replytext`,
:mod:`~knowledge.textscan.context`, :mod:`~knowledge.textscan.merge`).
"""

from __future__ import annotations

import re

from knowledge.textscan.doc import Doc
from knowledge.textscan.merge import add_log_lines, attach_fields, dedupe, expand_lists, join_apart, merge_repeats
from knowledge.textscan.results import MAX_FAILURES, MAX_SCAN_CHARS, MAX_TOKENS, ScanStats, TextFailure
from knowledge.textscan.tokens import Tok
from knowledge.textscan.units import Builder, Unit

__all__ = ["failures_from_text", "failures_limited"]

_REPLY_START_RE = re.compile(r"(?:[ \t]*[-:][ \t]*|[ \t]+)[A-Z<#\[\"']")
_PHPMAILER_DETAIL_RE = re.compile(r"(?i)\bDetail:[ \t]*([^\n]{1,1000}?)[ \t]*SMTP code:")


def _unit_of(doc: Doc, b: Builder, t: Tok) -> Unit:
    """The candidate failure of failure token ``t`` (a reply code with its paired enhanced code, or an
    enhanced code alone), with its reply text."""
    reply = t.code if t.kind == "reply" else None
    enh = t.paired.code if (t.kind == "reply" and t.paired is not None) else (t.code if t.kind == "enhanced" else None)
    code_end = t.paired.e if (t.kind == "reply" and t.paired is not None) else t.e
    u = Unit(reply, enh, t, t.s, code_end, b.record_of(t.s), t.context)
    u.text, u.text_end = b.reply_text(t, t.s, code_end)
    if t.context in ("error-word", "glued") and not _REPLY_START_RE.match(doc.text, code_end):
        u.text = None  # "failed with 550 yesterday": what follows is prose, not the server's reply
    if not u.text or re.match(r"(?i)additional smtp info", u.text):
        ls, _ = doc.line_bounds(t.s)
        dm = _PHPMAILER_DETAIL_RE.search(doc.text, ls, t.s)
        if dm:
            u.text = b.clean(dm.group(1), t)
    return u


def _collect(doc: Doc, b: Builder, max_failures: int) -> tuple[list[Unit], list[Tok]]:
    """``(units, fields)``: a unit per failure token (at most ``max_failures``), and the DSN field tokens
    (``Status:``, ``dsn=``, ``#x.y.z``) kept apart to be attached later."""
    units: list[Unit] = []
    field_enh: list[Tok] = []
    for t in doc.toks:
        if not doc.counts_as_failure(t):
            continue
        if t.kind == "enhanced" and t.paired is not None:
            continue  # part of its reply code's unit
        if t.kind == "enhanced" and t.context in ("dsn-status", "dsn-field", "hash"):
            field_enh.append(t)
            continue
        if len(units) >= max_failures:
            doc.truncated = True
            break
        units.append(_unit_of(doc, b, t))
    return units, field_enh


def _to_failure(doc: Doc, u: Unit) -> TextFailure:
    """The public :class:`TextFailure` of unit ``u``, its span mapped back to the caller's text."""
    if u.enh and u.text and u.text.startswith(u.enh + " "):
        u.text = u.text[len(u.enh) + 1:]  # PHPMailer's "Detail: 5.7.57 Client not ..." repeats the code
    if u.reply and u.text and u.text.endswith(")"):
        u.text = re.sub(r"[ \t]*\([ \t]*" + u.reply + r"[ \t]*\)\Z", "", u.text) or None  # "... exceeded (451)"
    s = doc.omap.to_original(u.start)
    e = max(s, doc.omap.to_original(u.code_end - 1) + 1)
    return TextFailure(u.reply, u.enh, u.recipient, u.command, u.host, u.text or None, u.action, u.evidence, s, e)


def _build_failures(doc: Doc, max_failures: int = MAX_FAILURES, stats: dict | None = None) -> list[TextFailure]:
    b = Builder(doc)
    units, field_enh = _collect(doc, b, max_failures)
    if stats is not None:
        stats["units"] = len(units)
    # context per unit; markers before a previous unit belong to it
    prev_end = 0
    for u in units:
        b.fill_context(u, prev_end)
        prev_end = max(prev_end, u.code_end)
    merged = join_apart(merge_repeats(units))
    attach_fields(b, merged, field_enh)
    add_log_lines(b, merged, max_failures)
    expanded = expand_lists(b, dedupe(b, merged))
    return [_to_failure(doc, u) for u in expanded[:max_failures]]


def failures_from_text(text: str) -> list[TextFailure]:
    """The SMTP failures a pasted text shows: one per failed recipient, or per failed reply.

    Input: any str (never raises).  Output: :class:`TextFailure` items in text
    order.  Each per-recipient MTA log line (Postfix / Sendmail ``to=<addr>,
    ... dsn=X.Y.Z, status=...``, Exim ``** addr`` / ``== addr``, qmail
    ``delivery N: failure:``) is a record of its own, so N failing lines give
    N failures, each with its recipient and ``action`` (``failed`` for
    bounced, ``delayed`` for deferred); a reply that names its recipient
    (``550 5.1.1 <addr>: ...``) is one failure per recipient.  A reply code and the enhanced code sent with it, and the repeated
    codes of a multi-line reply (``550-5.7.1 ...`` / ``550 5.7.1 ...``), make
    one failure; a DSN ``Status:`` or Postfix ``dsn=`` field fills in the
    enhanced code of the reply in the same record (or stands alone when the
    record has no reply code).  Success codes (2xx/3xx, e.g. in a session
    transcript) and the code a client *expected* are not failures; the reply
    it got instead is one, whatever its class.  Empty list
    when the text has no SMTP failure.
    Sources: RFC 5321 §4.2 (reply codes, multi-line replies §4.2.1), RFC 3463
    (enhanced status codes), RFC 3464 §2.3 (per-recipient DSN fields).
    """
    return failures_limited(text)[0]

def failures_limited(text: str, *, max_tokens: int = MAX_TOKENS,
                     max_failures: int = MAX_FAILURES) -> tuple[list[TextFailure], ScanStats]:
    """:func:`failures_from_text` with explicit bounds, and a measure of the work done.

    Input: any str; ``max_tokens`` the most code-shaped tokens examined (the rest of the text is not
    looked at), ``max_failures`` the most replies turned into failures.  Output: ``(failures, stats)``
    (:class:`ScanStats`).  The work is linear in the text's length and bounded by ``max_tokens`` and
    ``max_failures`` whatever the text holds (every context window and reply search has a fixed reach,
    and merging repeated replies uses indexes, not a pass over the failures found so far).  The same
    failures as :func:`failures_from_text` when no bound is hit.  Never raises.
    """
    try:
        doc = Doc(text, max_tokens=max_tokens)
        info: dict = {}
        cut = isinstance(text, str) and len(text) > MAX_SCAN_CHARS
        if not doc.toks and "**" not in doc.text and "==" not in doc.text:
            return [], ScanStats(len(doc.raw), 0, doc.rule_searches, 0, False, False, cut)
        res = _build_failures(doc, max_failures, info)
        units = info.get("units", 0)
        return res, ScanStats(len(doc.raw), len(doc.toks), doc.rule_searches, units, doc.token_cut,
                              units >= max_failures or len(res) >= max_failures, cut)
    except Exception:  # pragma: no cover - defensive: never raise on user text
        return [], ScanStats()


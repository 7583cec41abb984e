"""Stage 4d, merging: the candidate failures of a text made into one failure per server reply (and per
recipient).

In order: the repeated codes of one reply (a multi-line reply, RFC 5321 §4.2.1, a code echoed in its
record) are one unit; an enhanced code given apart from its reply code (``"code": 550 ... "message":
"5.1.1 ..."``) joins it; DSN ``Status:`` / Postfix ``dsn=`` / ``#x.y.z`` fields fill in the enhanced code
of a reply of the same record, or stand alone; an MTA log line that records a failure with no code (Exim
``** addr ...: Unrouteable address``) is a failure with unknown codes; the same failure logged twice is
one; a client's refused list with one reply for all gives one failure per recipient.  Repeated failures
are found through indexes, never by comparing each with all found before, so the work stays linear.
"""

from __future__ import annotations

import copy
import re

from knowledge.smtp.addresses import FREE_TEXT_ADDRESS as _ADDR
from knowledge.smtp.commands import NO_RECIPIENT_COMMANDS
from knowledge.textscan.context import _HOST_RES, _LOG_ACTION_WORDS
from knowledge.textscan.tokens import Tok
from knowledge.textscan.units import Builder, Unit

__all__ = ["merge_repeats", "join_apart", "attach_fields", "add_log_lines", "dedupe", "expand_lists"]

_FIELD_CONTEXTS = ("dsn-status", "dsn-field", "hash")
_LOG_STAT_TEXT_RE = re.compile(r"\bstat(?:us)?=(?:[A-Za-z]+[ \t]+\(([^\n]{1,2000})\)[ \t]*$|([A-Za-z][^,\n]{0,500}))")
# Exim main log delivery failure line: "[msgid] ** addr [<orig>] [R=router T=transport]: text" (failed) or
# "== addr ... defer (errno): text" (deferred); https://www.exim.org/exim-html-current/doc/html/spec_html/ch-log_files.html
_EXIM_NOCODE_RE = re.compile(r"(?m)(?:^|[ \t])(\*\*|==)[ \t]+<?(" + _ADDR + r")>?(?:[ \t]+<[^>\n]{1,300}>)?"
                             r"[^\n:]{0,600}?:[ \t]+([^\n]{1,2000})")
_EXIM_FIELDS_RE = re.compile(r"(?m)\b[RT]=[A-Za-z0-9_-]|\bdefer[ \t]+\(-?\d{1,4}\)|^[ \t]*(?:\S+[ \t]+){0,2}"
                             r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}[ \t]+(?:\*\*|==)")


def _same_rcpt(a: Unit, b: Unit) -> bool:
    return a.recipient is None or b.recipient is None or a.recipient == b.recipient


def _absorb(keep: Unit, u: Unit) -> None:
    """``u`` is the same failure as ``keep``: fill ``keep``'s missing recipient, command, host and action
    from it, and take its reply text when that is longer."""
    keep.recipient = keep.recipient or u.recipient
    keep.command = keep.command or u.command
    keep.host = keep.host or u.host
    keep.action = keep.action or u.action
    if u.text and (not keep.text or len(u.text) > len(keep.text)):
        keep.text = u.text


def merge_repeats(units: list[Unit]) -> list[Unit]:
    """The repeated codes of one reply (multi-line replies, a code echoed in the same record) as one unit."""
    merged: list[Unit] = []
    for u in units:
        p = merged[-1] if merged else None
        if p is not None and p.record == u.record and u.reply is None and u.enh == p.enh and _same_rcpt(p, u):
            continue  # an enhanced code repeated inside the reply it belongs to
        if (p is not None and p.record == u.record and p.reply == u.reply
                and (p.enh is None or u.enh is None or p.enh == u.enh) and _same_rcpt(p, u)
                and (p.host is None or u.host is None or p.host == u.host)):  # another server: another reply
            p.enh = p.enh or u.enh
            _absorb(p, u)
            if p.tok.strength != "strong" and u.tok.strength == "strong":
                p.evidence = u.evidence
            continue
        merged.append(u)
    return merged


def _reply_for_enh(joined: list[Unit], u: Unit) -> Unit | None:
    """The reply unit without enhanced code, of ``u``'s class and record, at most 600 characters back."""
    for p in reversed(joined):  # starts never decrease along joined: stop 600 characters back
        if u.start - p.start >= 600:
            return None
        if p.record == u.record and p.reply and p.enh is None and p.reply[0] == u.enh[0] and _same_rcpt(p, u):
            return p
    return None


def join_apart(merged: list[Unit]) -> list[Unit]:
    """An enhanced code given apart from its reply code (``"code": 550 ... "message": "5.1.1 ..."``) joins it."""
    joined: list[Unit] = []
    by_rec_enh: dict[tuple[int, str], list[Unit]] = {}  # (record, enhanced code) -> units of joined (kept current)
    for u in merged:
        if u.reply is None and u.enh and any(_same_rcpt(p, u) for p in by_rec_enh.get((u.record, u.enh), ())):
            continue  # the same enhanced code given twice (JSON "message" and "enhanced-code")
        if u.reply is None and u.enh and u.tok.context != "pair":
            host = _reply_for_enh(joined, u)
            if host is not None:
                host.enh = u.enh
                by_rec_enh.setdefault((host.record, host.enh), []).append(host)
                host.recipient = host.recipient or u.recipient
                host.command = host.command or u.command
                if not host.text or re.match(r"(?i)additional smtp info", host.text):
                    host.text = u.text or host.text
                continue
        if u.reply and u.enh is None and joined:
            p = joined[-1]
            if (p.reply is None and p.enh and p.record == u.record and p.enh[0] == u.reply[0]
                    and u.start - p.start < 600 and p.tok.context not in _FIELD_CONTEXTS):
                p.reply, p.evidence = u.reply, u.evidence
                p.recipient = p.recipient or u.recipient
                p.command = p.command or u.command
                continue
        joined.append(u)
        if u.enh:
            by_rec_enh.setdefault((u.record, u.enh), []).append(u)
    return joined


def attach_fields(b: Builder, merged: list[Unit], field_enh: list[Tok]) -> None:
    """DSN Status / dsn= / #x.y.z fields: attach to a reply of the same record, else stand alone (in place)."""
    by_record: dict[int, list[Unit]] = {}
    for u in merged:
        by_record.setdefault(u.record, []).append(u)
    added = False
    for f in field_enh:
        rid = b.record_of(f.s)
        same = by_record.get(rid, [])
        targets = [u for u in same if u.enh is None and u.reply and u.reply[0] == f.code[0]]
        for u in targets:
            u.enh = f.code
        if targets or same:
            continue
        u = _field_unit(b, f, rid)
        merged.append(u)
        by_record.setdefault(rid, []).append(u)
        added = True
    if added:
        merged.sort(key=lambda x: x.start)  # stable: the same order as sorting after each addition


def _field_unit(b: Builder, f: Tok, rid: int) -> Unit:
    """A failure of its own for a Status / dsn= / #x.y.z field with no reply in its record."""
    u = Unit(None, f.code, f, f.s, f.e, rid, f.context)
    dm = b.record_info(rid)["diag"]
    if dm:
        u.text = b.clean(dm.group(1), f)
        u.text_end = dm.end()
    else:
        u.text, u.text_end = b.reply_text(f, f.s, f.e)
        if f.context in ("dsn-status", "dsn-field"):
            ls, le = b.doc.line_bounds(f.s)
            sm = _LOG_STAT_TEXT_RE.search(b.text, ls, le)
            u.text = b.clean(sm.group(1) or sm.group(2), f) if sm else None
    b.fill_context(u, 0)
    return u


def add_log_lines(b: Builder, merged: list[Unit], max_failures: int) -> None:
    """An MTA log line that records a failure with no code at all (Exim ``** addr ...: Unrouteable
    address``, ``== addr ... defer (-53): retry time not reached``): one failure for that recipient,
    codes unknown (in place)."""
    text = b.text
    if "**" not in text and "==" not in text:
        return
    have = {u.record for u in merged}
    for m in _EXIM_NOCODE_RE.finditer(text):
        rid = b.record_of(m.start(1))
        ls, _ = b.doc.line_bounds(m.start(1))
        if rid in have or not _EXIM_FIELDS_RE.search(text, ls, m.end()):
            continue
        if len(merged) >= max_failures:
            break
        have.add(rid)
        s = m.start(1)
        u = Unit(None, None, Tok("none", "", s, s), s, m.end(2), rid, "log-line")
        u.recipient = m.group(2)
        u.action = _LOG_ACTION_WORDS[m.group(1)]
        u.text = b.clean(m.group(3), u.tok) if m.group(3) else None
        hm = _HOST_RES[5].search(m.group(0))
        u.host = hm.group(1) if hm else None
        merged.append(u)
    merged.sort(key=lambda x: x.start)


def dedupe(b: Builder, merged: list[Unit]) -> list[Unit]:
    """The same failure logged twice (once with, once without recipient) is one failure.

    Indexed by codes and recipient, so that thousands of findings cost linear time, not a pass over all."""
    out: list[Unit] = []
    same_codes: dict[tuple, list[tuple[int, Unit]]] = {}  # (reply, enh) -> (index in out, unit)
    same_rcpt: dict[tuple, list[tuple[int, Unit]]] = {}  # (reply, enh, recipient or None) -> (index, unit)
    for u in merged:
        key = (u.reply, u.enh)
        if u.recipient is None:
            pools = [same_codes.get(key, ())]
        else:
            pools = [same_rcpt.get((*key, u.recipient), ()), same_rcpt.get((*key, None), ())]
        dup = _first_fitting(b, u, pools)
        if dup is not None:
            _absorb(dup, u)
            # (a unit whose recipient was just filled in stays in the pool of its codes without recipient:
            # the fit test reads the current fields, so later units of that recipient still find it there)
            continue
        same_codes.setdefault(key, []).append((len(out), u))
        same_rcpt.setdefault((*key, u.recipient), []).append((len(out), u))
        out.append(u)
    return out


def _first_fitting(b: Builder, u: Unit, pools) -> Unit | None:
    """The earliest unit of ``pools`` that ``u`` repeats (same recipient, command and host where both say)."""
    log_line = b.is_log_record(u.record)

    def fits(o: Unit) -> bool:
        return (not (log_line and o.record != u.record and b.is_log_record(o.record))
                and (o.recipient == u.recipient or u.recipient is None or o.recipient is None)
                and (o.command == u.command or o.command is None or u.command is None)
                and (o.host == u.host or o.host is None or u.host is None))  # another server's reply

    dup = None
    best = -1
    for pool in pools:
        hit = next(((i, o) for i, o in pool if fits(o)), None)
        if hit is not None and (best < 0 or hit[0] < best):
            best, dup = hit
    return dup


def expand_lists(b: Builder, out: list[Unit]) -> list[Unit]:
    """A client's list of refused recipients with one reply for all of them: one failure per recipient."""
    named = {u.recipient for u in out if u.recipient}
    expanded: list[Unit] = []
    for u in out:
        if u.recipient is None and u.command not in NO_RECIPIENT_COMMANDS:
            rest = [a for a in b.rejected_list(u.record) if a not in named]
            if len(rest) > 1:
                for a in rest:
                    c = copy.copy(u)
                    c.recipient = a
                    expanded.append(c)
                continue
        expanded.append(u)
    return expanded

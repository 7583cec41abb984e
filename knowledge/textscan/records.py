"""Stage 4a, records: the paragraphs and per-recipient log lines a text is made of, and their DSN fields.

A record is a paragraph (a blank line or a ``Final-Recipient:`` line starts the next one), and each
per-recipient MTA log line (Postfix / Sendmail ``to=<addr>``, Courier ``addr=<addr>``, Exim ``** addr`` /
``== addr``, qmail ``delivery N:``, Postfix smtpd ``reject: RCPT from``) is a record of its own, so that N
failing lines give N failures.  Record-wide fields: RFC 3464 §2.3 ``Final-Recipient`` /
``Original-Recipient``, ``Remote-MTA``, ``Action``, ``Diagnostic-Code``; a client's list of refused
recipients (nodemailer ``rejected: [...]``).
"""

from __future__ import annotations

import bisect
import re

from knowledge.smtp.addresses import FREE_TEXT_ADDRESS as _ADDR
from knowledge.smtp.hosts import REMOTE_MTA_RE
from knowledge.textscan.results import LINE_REACH

__all__ = ["RecordsMixin"]

_RECORD_BREAK_RE = re.compile(r"\n[ \t>]*\n|\n(?=[ \t>]*final-recipient:)", re.I)
_FINAL_RCPT_RE = re.compile(r"(?im)^[ \t>]*final-recipient:[ \t]*(?:[a-z0-9-]+[ \t]*;)?[ \t]*<?(" + _ADDR + r")>?")
_ORIG_RCPT_RE = re.compile(r"(?im)^[ \t>]*original-recipient:[ \t]*(?:[a-z0-9-]+[ \t]*;)?[ \t]*<?(" + _ADDR + r")>?")
_REMOTE_MTA_RE = REMOTE_MTA_RE
_DSN_ACTION_RE = re.compile(r"(?im)^[ \t>]*action:[ \t]*(failed|delayed|delivered|relayed|expanded)\b")
_DIAG_TEXT_RE = re.compile(r"(?im)^[ \t>]*(?:diagnostic-code|x-supplementary-info):[ \t]*(?:[a-z0-9-]+[ \t]*;)?"
                           r"[ \t]*([^\n]*(?:\n[ \t]+[^\n]*){0,20})")
# a log line about one recipient's delivery: each such line is a record of its own (N lines -> N failures)
_LOG_RECORD_RE = re.compile(
    r"(?i)\bto=<?[^\s@<>,]{1,64}@"  # Postfix / Sendmail "to=<addr>"
    r"|\baddr=<[^\s@<>,]{1,64}@"  # Courier
    r"|(?:^|[ \t])(?:\*\*|==|=>|->)[ \t]+<?[^\s@<>]{1,64}@"  # Exim delivery lines
    r"|\bdelivery[ \t]+\d{1,12}:[ \t]+(?:failure|deferral|success):"  # qmail
    r"|\breject:[ \t]+(?:RCPT|MAIL|DATA|END-OF-MESSAGE|CONNECT|HELO|EHLO|VRFY|ETRN)[ \t]+from\b",  # Postfix smtpd
    re.M)
# nodemailer's result / error objects: "rejected: [ 'a@x' ]" and "envelope: { from: ..., to: [ 'a@x' ] }"
_REJECTED_LIST_RE = re.compile(r"(?i)\brejected['\"]?[ \t]*[:=][ \t]*\[([^\]\[]{0,3000})\]")
_ENVELOPE_TO_RE = re.compile(r"(?i)\benvelope['\"]?[ \t]*[:=][ \t]*\{[^{}\[\]]{0,500}?\bto['\"]?[ \t]*[:=][ \t]*"
                             r"\[([^\]\[]{0,3000})\]")
_QUOTED_ADDR_RE = re.compile(r"['\"<](" + _ADDR + r")['\">]")


class RecordsMixin:
    """Record boundaries and record-wide fields, as methods of the failure builder (which provides
    ``text``, ``breaks``, ``_rec``, ``_rejected``, ``_log_rec`` and ``_may_list``)."""

    __slots__ = ()

    def find_breaks(self) -> list[int]:
        """The sorted positions where a record ends (a paragraph break, or the line before a log line)."""
        t = self.text
        breaks = {m.start() for m in _RECORD_BREAK_RE.finditer(t)}
        for m in _LOG_RECORD_RE.finditer(t):
            nl = t.rfind("\n", max(0, m.start() - LINE_REACH), m.start())
            if nl >= 0:
                breaks.add(nl)  # the log line starts a record of its own
        return sorted(breaks)

    def record_info(self, rid: int) -> dict:
        """Record-wide DSN fields (Final-Recipient, Remote-MTA, Action, Diagnostic-Code), cached.

        Output: ``{"rcpt": str | None, "host": str | None, "action": str | None, "diag": Match | None}``."""
        info = self._rec.get(rid)
        if info is None:
            t = self.text
            rs, re_ = self.record_bounds(rid)
            fm = _FINAL_RCPT_RE.search(t, rs, re_) or _ORIG_RCPT_RE.search(t, rs, re_)
            hm = _REMOTE_MTA_RE.search(t, rs, re_)
            am = _DSN_ACTION_RE.search(t, rs, re_) if fm else None
            info = {"rcpt": fm.group(1) if fm else None, "host": hm.group(1).rstrip(".") if hm else None,
                    "action": am.group(1).lower() if am else None, "diag": _DIAG_TEXT_RE.search(t, rs, re_)}
            self._rec[rid] = info
        return info

    def record_of(self, pos: int) -> int:
        """The index of the record holding normalised position ``pos``."""
        return bisect.bisect_right(self.breaks, pos)

    def record_bounds(self, rid: int) -> tuple[int, int]:
        """``(start, end)`` of record ``rid`` in the normalised text."""
        s = self.breaks[rid - 1] + 1 if rid > 0 else 0
        e = self.breaks[rid] if rid < len(self.breaks) else len(self.text)
        return s, e

    def is_log_record(self, rid: int) -> bool:
        """True when record ``rid`` is one per-recipient MTA log line (its own failure, never merged with another's)."""
        got = self._log_rec.get(rid)
        if got is None:
            rs, re_ = self.record_bounds(rid)
            le = self.text.find("\n", rs, re_)
            got = self._log_rec[rid] = _LOG_RECORD_RE.search(self.text, rs, re_ if le < 0 else le) is not None
        return got

    def rejected_list(self, rid: int) -> list[str]:
        """The addresses a client says were refused (nodemailer ``rejected: [...]``, else a one-address
        ``envelope.to``) in record ``rid``, in order."""
        got = self._rejected.get(rid)
        if got is not None:
            return got
        rs, re_ = self.record_bounds(rid)
        t = self.text
        got = []
        if self._may_list:
            m = _REJECTED_LIST_RE.search(t, rs, re_)
            if m is None:
                m = _ENVELOPE_TO_RE.search(t, rs, re_)
                if m is not None and len(_QUOTED_ADDR_RE.findall(m.group(1))) != 1:
                    m = None
            if m is not None:
                got = list(dict.fromkeys(_QUOTED_ADDR_RE.findall(m.group(1))))
        self._rejected[rid] = got
        return got

"""Rows from RFC 3464 delivery-status fields, completed with the notice's text.

One row per recipient block of :func:`knowledge.bounce.dsn.parse_dsn`:
Final-Recipient (or Original-Recipient / X-Actual-Recipient), Action,
Status, Remote-MTA, Diagnostic-Code and X-Supplementary-Info, with the
human-readable part's text about the same recipient (Postfix's "(in reply to
RCPT TO command)", Sendmail's transcript) filling in what the fields leave
out: the reply code, the command, the remote host.  Formats whose own
extension field states the reason (PowerMTA) are listed in
:data:`knowledge.bounce.formats.registry.DSN_FIELDS`.
"""

from __future__ import annotations

import re

from knowledge.bounce.codes import find_codes, find_command, find_remote_host, reply_line
from knowledge.bounce.dsn import parse_dsn, strip_addr_type
from knowledge.bounce.formats.registry import DSN_FIELDS
from knowledge.bounce.rows import addr_only, row, status_ok
from knowledge.bounce.text import recipient_blocks
from knowledge.reasons import ASSERTED_UNKNOWN, LATE_UNKNOWN, classify, is_hard

__all__ = ["rows_from_dsn", "rows_from_pasted_dsn", "INLINE_DSN"]

_SUBJECT_1 = re.compile(r"(?<![\d.])[45]\.1\.\d")
# DSN fields pasted inside a notice (or as the whole text).
INLINE_DSN = re.compile(r"^(?:Reporting-MTA|Final-Recipient|Original-Recipient):[ \t]", re.M | re.I)
_PASTED_DSN = re.compile(r"^(?:Action|Status|Diagnostic-Code):[ \t]", re.M | re.I)
_FAILING = ("failed", "delayed")
_SUCCESS = ("delivered", "relayed", "expanded")


def rows_from_pasted_dsn(text: str) -> list[dict]:
    """Rows from RFC 3464 fields pasted as text (``Final-Recipient:``,
    ``Status:``, ``Diagnostic-Code:`` ... lines, without the message around
    them); [] when the text holds none."""
    m = INLINE_DSN.search(text) or _PASTED_DSN.search(text)
    if not m:
        return []
    return rows_from_dsn([text[m.start():]], text[: m.start()])


def rows_from_dsn(dsn_texts: list[str], notice: str) -> list[dict]:
    """Rows (:data:`knowledge.bounce.rows.ROW_KEYS`) of every recipient block of the
    delivery-status texts ``dsn_texts``, in order; ``notice``: the human-readable part
    (cut before the returned message), searched for each recipient's own text."""
    rows: list[dict] = []
    blocks: dict[str, str] | None = None
    for text in dsn_texts:
        _per_msg, rcpts = parse_dsn(text)
        for fields in rcpts:
            if blocks is None:
                blocks = recipient_blocks(notice)
            rcpt = _recipient(fields)
            ntext = blocks.get((rcpt or "").lower(), "")
            if not ntext and len(rcpts) == 1 and len(dsn_texts) == 1:
                ntext = notice
            out = _row(fields, rcpt, ntext)
            if out is not None:
                rows.append(out)
    return rows


def _recipient(fields: dict) -> str | None:
    rcpt = strip_addr_type(fields.get("final-recipient") or fields.get("original-recipient")
                           or fields.get("x-actual-recipient") or "")
    return addr_only(rcpt) or (rcpt or None)


def _action(fields: dict) -> str | None:
    action = (fields.get("action") or "").strip().lower() or None
    return action.split()[0].rstrip(";") if action else None


def _diagnostic(fields: dict) -> tuple[str, str]:
    """(Diagnostic-Code text without its type, the lower-cased type such as "smtp" or "x-unix")."""
    diag = fields.get("diagnostic-code") or ""
    if diag:
        typ, sep, rest = diag.partition(";")
        if sep and len(typ) < 20 and " " not in typ.strip():
            return rest.strip(), typ.strip().lower()
    return diag, ""


def _codes(diag: str, supp: str, ntext: str, status: str | None, classes: str) -> tuple[str | None, str | None]:
    """Reply and enhanced code from the diagnostic, else the supplementary info; the notice's text
    about this recipient may carry the codes the DSN fields left out (OpenSMTPD, Postfix "said:")."""
    rc, enh = find_codes(diag, classes)
    if not rc and not enh and supp:
        rc, enh = find_codes(supp, classes)
    if ntext and (not rc or (not enh and (not status or status.endswith(".0.0")))):
        rc2, enh2 = find_codes(ntext, classes)
        if rc2 and (not status or rc2[0] == status[0]) and (not rc or rc2 == rc):
            rc = rc2
            if not enh and enh2 and enh2[0] == rc2[0]:
                enh = enh2
    return rc, enh


def _enhanced(status: str | None, enh: str | None, rc: str | None, action: str | None, named: bool) -> str | None:
    """The enhanced status code to report: the DSN Status, or the remote server's own code when
    more precise.  ``named``: a Diagnostic-Code or X-Supplementary-Info was given."""
    enhanced = status
    # The remote server's own code (in Diagnostic-Code) is more precise than the reporting MTA's
    # summary Status (Sendmail puts 4.4.7 or 5.1.1 there for any failure) when both are of the same class.
    if enh and (not status or enh[0] == status[0]) and (named or (status or "").endswith(".0.0")):
        if not enh.endswith(".0.0") or not status or status.endswith(".0.0"):
            enhanced = enh
    if not enhanced and enh:
        enhanced = enh
    if action == "failed" and enhanced and enhanced[0] == "4" and enh and enh[0] == "5" and rc and rc[0] == "5":
        # A permanent failure whose Status says "transient" while the remote server's own reply is
        # 5xx 5.x.x: the reply is the consistent one (RFC 3464 §2.3.3: a failed Action is not retried).
        enhanced = enh
    return enhanced


def _after_accept(reason: str | None, command: str | None, action: str | None, enhanced: str | None,
                  diag: str) -> bool:
    """Sisimai's rule for a DSN that names neither the command nor a mailbox status (X.1.x): an
    "unknown user" text is taken as a refusal after acceptance ("filtered", soft)."""
    return (reason == "userunknown" and command is None and action == "failed" and bool(enhanced)
            and enhanced.endswith(".0.0") and not _SUBJECT_1.search(diag)
            and not LATE_UNKNOWN.search(diag.lower())
            and not ASSERTED_UNKNOWN.search(" ".join(diag.split()).lower()))


def _field_reason(fields: dict) -> str | None:
    for fmt in DSN_FIELDS:
        value = fields.get(fmt.FIELD)
        if value:
            reason = fmt.field_reason(value)
            if reason:
                return reason
    return None


def _reason(fields: dict, rc, enhanced, text: str, command, action, diag: str, diag_type: str):
    reason, hard = classify(rc, enhanced, text, command, action)
    if diag_type == "x-unix" and action in _FAILING and reason in (None, "undefined", "systemerror", "expired",
                                                                    "onhold"):
        # RFC 3464 diagnostic type X-Unix: the local delivery program (a pipe, procmail) failed and
        # its output names nothing else.
        reason, hard = "mailererror", False
    if _after_accept(reason, command, action, enhanced, diag):
        reason, hard = "filtered", False
    if action in _FAILING:
        stated = _field_reason(fields)
        if stated:
            reason, hard = stated, is_hard(stated)
    if action in _SUCCESS:
        reason, hard = "delivered", False
    if reason is None and action in _FAILING:
        reason, hard = "undefined", False
    return reason, hard


def _row(fields: dict, rcpt: str | None, ntext: str) -> dict | None:
    """The row of one recipient block, or None when it names no failure nor success."""
    action = _action(fields)
    status = status_ok(fields.get("status") or "")
    diag, diag_type = _diagnostic(fields)
    supp = fields.get("x-supplementary-info") or ""
    rc, enh = _codes(diag, supp, ntext, status, "45" if action in _FAILING else "245")
    enhanced = _enhanced(status, enh, rc, action, bool(diag or supp))
    command = find_command(diag) or find_command(ntext) or find_command(supp)
    remote = strip_addr_type(fields.get("remote-mta") or "") or find_remote_host(ntext)
    reply_text = " ".join(diag.split()) or reply_line(ntext) or None
    if rc and rc[0] == "2" and action == "failed":
        rc = None
    text = " ".join(x for x in (diag, supp) if x) or ntext
    reason, hard = _reason(fields, rc, enhanced, text, command, action, diag, diag_type)
    if reason is None:
        return None
    return row(recipient=rcpt, reply_code=rc, enhanced_status=enhanced, reason=reason, hard_bounce=hard,
               action=action, command=command, remote_mta=remote,
               reply_text=reply_text[:1000] if reply_text else None)

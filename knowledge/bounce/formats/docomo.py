"""NTT DOCOMO's mail servers (mfsmax.docomo.ne.jp) answer every refusal with
"550 Unknown user"; the stage and the DSN Status say what it was: X.1.1 an
unknown mailbox, 5.2.0 the recipient's filter, a few reply texts of their
own (knowledge/data/formats/docomo.toml), and with a bare 5.0.0 the command
decides (RCPT TO: unknown mailbox; end of DATA: the sender refused).

Source: Sisimai rhost/nttdocomo.rb (BSD).  Fixture:
tests/fixtures/bounces/docomo/docomo.eml.
"""

from __future__ import annotations

from knowledge.bounce.formats.base import Context
from knowledge.bounce.formats.data import reason_table
from knowledge.reasons import is_hard

__all__ = ["adjust", "row_reason"]


def row_reason(r: dict) -> str | None:
    """The reason DOCOMO's own answer means for one row, or None (not DOCOMO, or nothing to change)."""
    host = (r.get("remote_mta") or "").lower().rstrip(".")
    rcpt = (r.get("recipient") or "").lower()
    if not (host.endswith("docomo.ne.jp") or rcpt.endswith("@docomo.ne.jp")):
        return None
    if r.get("action") not in ("failed", "delayed"):
        return None
    status = r.get("enhanced_status") or ""
    if status == "5.1.1":
        return "userunknown"
    if status == "5.2.0":
        return "filtered"
    text = r.get("reply_text") or ""
    reason = next((x for pat, x in reason_table("docomo") if pat.search(text)), None)
    if reason is None and status == "5.0.0":
        command = (r.get("command") or "").upper()
        reason = "userunknown" if command.startswith("RCPT") else "rejected" if command.endswith("DATA") else None
    return reason


def adjust(ctx: Context, rows: list[dict]) -> None:
    """Set the reason of DOCOMO's rows from their stage and status (in place)."""
    for r in rows:
        reason = row_reason(r)
        if reason:
            r["reason"] = reason
            r["hard_bounce"] = is_hard(reason)

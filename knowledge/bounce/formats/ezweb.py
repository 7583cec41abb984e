"""au EZweb (KDDI) notices, from Postmaster@ezweb.ne.jp / Postmaster@au.com.

They name the condition in fixed English sentences (listed, in order, in
knowledge/data/formats/ezweb.toml) and mark a message refused by the
recipient's own spam / domain filter with the header "X-SPASIGN: NG".  A
refusal at RCPT TO in the notice's transcript keeps the reply's own reason.

Source: Sisimai lhost/ezweb.rb (BSD).  Fixtures:
tests/fixtures/bounces/ezweb/ezweb-disabled.eml, ezweb-spasign.eml.
"""

from __future__ import annotations

import re

from knowledge.bounce.formats.base import Context
from knowledge.bounce.formats.data import reason_table
from knowledge.reasons import is_hard

__all__ = ["adjust"]

_FROM = re.compile(r"postmaster@(?:ezweb\.ne\.jp|au\.com)", re.I)
_TRANSCRIPT_RCPT = re.compile(r"^[ \t]*>>>[ \t]*RCPT", re.I | re.M)


def _reason(ctx: Context) -> str | None:
    if ctx.header("X-SPASIGN").strip().upper() == "NG":
        return "filtered"
    head = ctx.notice[:20000]
    if _TRANSCRIPT_RCPT.search(head):
        return None  # refused at RCPT TO in the transcript: keep the reply's reason
    return next((r for pat, r in reason_table("ezweb") if pat.search(head)), None)


def adjust(ctx: Context, rows: list[dict]) -> None:
    """Apply au EZweb's own failure sentences to the failed / delayed ``rows`` (in place)."""
    if not rows or not _FROM.search(ctx.header("From")):
        return
    reason = _reason(ctx)
    if reason is None:
        return
    for r in rows:
        if r.get("action") in (None, "failed", "delayed"):
            r["reason"] = reason
            r["hard_bounce"] = is_hard(reason)

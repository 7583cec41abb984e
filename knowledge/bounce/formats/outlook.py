"""Outlook.com (Hotmail) DSNs, from postmaster@hotmail.* / msn.* / live.*.

"Requested action not taken: mailbox unavailable" is Outlook.com's wording
for a mailbox that does not exist: a row read as "filtered" / "onhold" with
that wording is an unknown mailbox (the phrases are in
knowledge/data/formats/outlook.toml).

Source: Sisimai lhost/outlook.rb (BSD).  Fixture:
tests/fixtures/bounces/outlook/hotmail-dsn.eml.
"""

from __future__ import annotations

import re

from knowledge.bounce.formats.base import Context
from knowledge.bounce.formats.data import reason_table

__all__ = ["adjust"]

_FROM = re.compile(r"postmaster@(?:hotmail|msn|live)\.[a-z.]{2,6}\b", re.I)
_VAGUE = ("filtered", "onhold")


def adjust(ctx: Context, rows: list[dict]) -> None:
    """Turn Outlook.com's vague rows whose reply says "mailbox unavailable" into unknown mailboxes (in place)."""
    if not _FROM.search(ctx.header("From")):
        return
    for r in rows:
        if r.get("reason") not in _VAGUE:
            continue
        text = r.get("reply_text") or ""
        reason = next((x for pat, x in reason_table("outlook") if pat.search(text)), None)
        if reason:
            r["reason"], r["hard_bounce"] = reason, True

"""McAfee Email Gateway notices ("--- The following addresses had delivery
problems ---") quote the remote refusal per recipient; an unknown-user
refusal there (phrases in knowledge/data/formats/mcafee.toml) is an unknown
mailbox, not a filter.

Source: Sisimai lhost/mcafee.rb (BSD).  Fixture:
tests/fixtures/bounces/mcafee/mcafee.eml.
"""

from __future__ import annotations

import re

from knowledge.bounce.formats.base import Context
from knowledge.bounce.formats.data import reason_table

__all__ = ["adjust", "is_mcafee"]

_NOTICE = re.compile(r"^[ \t]*--- The following addresses had delivery problems ---[ \t]*$", re.M)


def is_mcafee(notice: str) -> bool:
    """True when ``notice`` carries McAfee's heading line within its first 5,000 characters."""
    return bool(_NOTICE.search(notice[:5000]))


def adjust(ctx: Context, rows: list[dict]) -> None:
    """Turn McAfee's "filtered" rows whose reply names an unknown user into unknown mailboxes (in place)."""
    if not is_mcafee(ctx.notice):
        return
    for r in rows:
        if r.get("reason") != "filtered":
            continue
        text = r.get("reply_text") or ""
        reason = next((x for pat, x in reason_table("mcafee") if pat.search(text)), None)
        if reason:
            r["reason"], r["hard_bounce"] = reason, True

"""Google Groups: the group refused a post (no such group, or the sender may
not post to it).  The notice gives no SMTP code; X-Failed-Recipients names
the group's address (…@googlegroups.com) and the text links groups.google.

Source: Sisimai lhost/googlegroups.rb (BSD); phrases in
knowledge/data/formats/googlegroups.toml.  Fixture:
tests/fixtures/bounces/googlegroups/googlegroups.eml.
"""

from __future__ import annotations

from knowledge.bounce.formats.base import Context, Reading
from knowledge.bounce.rows import row

__all__ = ["read"]


def read(ctx: Context) -> Reading | None:
    """One "rejected" row per failed group address, or None when not a Google Groups notice."""
    failed = ctx.failed
    if not failed or not all(a.endswith("@googlegroups.com") for a in failed) or "groups.google" not in ctx.notice:
        return None
    text = " ".join(ctx.notice_cut.split())[:600] or None
    return Reading([row(recipient=a, reason="rejected", hard_bounce=False, action="failed", reply_text=text)
                    for a in failed])

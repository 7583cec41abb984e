"""fml (a Japanese mailing-list manager) answers posts it refuses with a
notice from LIST-admin / LIST-ctl / LIST-request whose subject ends in
"(LIST ML)"; the reason is in its own English sentences, listed (in order)
in knowledge/data/formats/fml.toml.

Source: Sisimai lhost/fml.rb (BSD).  Fixture: none yet (tests use a built message).
"""

from __future__ import annotations

import re

from knowledge.bounce.formats.base import Context, Reading
from knowledge.bounce.formats.data import reason_table
from knowledge.bounce.rows import ANGLE_ADDRESS, row

__all__ = ["read"]

_SUBJECT = re.compile(r"\([^()]{1,80} ML\)\s*$")
_SENDER = re.compile(r"-(?:admin|ctl|request)@", re.I)
_RECIPIENT = re.compile(ANGLE_ADDRESS)


def read(ctx: Context) -> Reading | None:
    """One row for an fml refusal notice, or None (not fml, or no known sentence)."""
    if not (_SUBJECT.search(ctx.subject) and _SENDER.search(ctx.sender)):
        return None
    notice = ctx.notice_cut
    text = ctx.subject + "\n" + notice
    reason = next((r for pat, r in reason_table("fml") if pat.search(text)), None)
    if reason is None:
        return None
    m = _RECIPIENT.search(notice)
    return Reading([row(recipient=m.group(1).lower() if m else None, reason=reason, hard_bounce=False,
                        action="failed", reply_text=" ".join(notice.split())[:600] or None)])

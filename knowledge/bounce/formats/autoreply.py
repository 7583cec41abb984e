"""Automatic replies (RFC 3834: out of office, vacation): not a delivery failure.

A message not sent by a mail system and without a non-delivery subject is an
auto-reply when its headers say so (Auto-Submitted: auto-replied,
X-Autoreply, X-Autorespond, Precedence: auto_reply) or its subject reads
like one (the phrases below, in the languages seen).  It gives one row with
reason "vacation" for the replying address.
Fixture: tests/fixtures/bounces/autoreply/autoreply.eml.
"""

from __future__ import annotations

import re

from knowledge.bounce.formats.base import BOUNCE_SUBJECT, Context, Reading
from knowledge.bounce.rows import addr_only, row

__all__ = ["read", "KIND", "NOTE"]

KIND = "auto-reply"
NOTE = "automatic reply (RFC 3834, e.g. out of office): not a delivery failure"
_AUTO_SUBJECT = re.compile(r"out of (?:the )?office|auto(?:matic)?[ -]?(?:reply|response|responder|antwort)|"
                           r"vacation|away from|away until|abwesenheit|absence|absent|r[ée]ponse automatique|"
                           r"自動(?:応答|返信)|不在", re.I)


def read(ctx: Context) -> Reading | None:
    """A :class:`Reading` of kind "auto-reply" for an RFC 3834 reply, else None."""
    if ctx.from_daemon() or BOUNCE_SUBJECT.search(ctx.subject):
        return None
    auto = ctx.header("Auto-Submitted").lower()
    if not (auto.startswith("auto-replied") or ctx.msg.get("X-Autoreply") or ctx.msg.get("X-Autorespond")
            or ctx.header("Precedence").lower() == "auto_reply" or _AUTO_SUBJECT.search(ctx.subject)):
        return None
    return Reading([row(recipient=addr_only(ctx.sender) or None, reason="vacation", hard_bounce=False)],
                   kind=KIND, note=NOTE)

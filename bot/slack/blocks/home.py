"""The App Home tab view (``views.publish``, type ``home``)."""

from __future__ import annotations

from typing import Sequence

from slack_sdk.models.blocks import Block, DividerBlock

from bot.slack.blocks.layout import MAX_CONTEXT, trim
from bot.slack.blocks.messages import HELP_EXAMPLES
from bot.slack.blocks.primitives import BlockPrimitives as _P
from bot.slack.text import escape_mrkdwn


def home_view(quick_reference: Sequence = (), providers: Sequence[str] = ()) -> dict:
    """The App Home tab (``views.publish`` view, type ``home``): what the bot does, how to use it,
    and a quick reference built from ``CodeExplanation`` items of the knowledge base."""
    blocks: list[Block] = [
        _P.header("smtpbot"),
        _P.section("I explain SMTP reply codes (RFC 5321), enhanced status codes (RFC 3463 and the IANA "
                         "registry) and annotate pasted bounces and mail logs: who failed, why, hard or soft bounce, "
                         "and what to do next."),
        _P.section("*How to use me*\n" + "\n".join(
            f"• `{escape_mrkdwn(u)}` — {d}" for u, d in HELP_EXAMPLES if u != "/smtp help")
            + "\n• `/smtp help` — usage and examples in any channel"
            + "\n• Mention me or DM me: the answer comes in the thread."
            + "\n• Paste a bounce in a channel I am in: I annotate it in its thread."),
        DividerBlock(),
        _P.header("Quick reference"),
    ]
    r = _P()
    lines = [f"`{r.clean(i.code)}` — {r.clean(i.title)}" for i in quick_reference]
    # group lines into sections of at most ~2,800 characters
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append(_P.section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(_P.section("\n".join(chunk)))
    if providers:
        blocks.append(_P.context(trim("Providers I know: " + ", ".join(providers), MAX_CONTEXT)))
    blocks.append(_P.context("Sources: RFC 5321 §4.2, RFC 3463, RFC 3464, IANA SMTP Enhanced Status Codes "
                                   "registry, providers' public documentation."))
    return {"type": "home", "blocks": [b.to_dict() for b in blocks[:100]]}

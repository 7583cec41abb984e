"""Turning Slack's message markup back into the plain text a user pasted.

Slack delivers message text with its own markup
(https://api.slack.com/reference/surfaces/formatting#retrieving-messages):
``&amp; &lt; &gt;`` escapes, ``<mailto:a@b|a@b>`` and ``<https://x|label>`` links,
``<@U123>`` user mentions, ``<#C123|name>`` channel links, ``<!here>`` commands.
The knowledge engine wants the text as the mail server wrote it, so a bounce
``<john@example.com>... 550 5.1.1`` arrives intact.
"""

from __future__ import annotations

import re

_LINK_RE = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>")
_MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def mentions_user(text: str, user_id: str | None) -> bool:
    """True when ``text`` (Slack markup) contains ``<@user_id>``."""
    return bool(user_id) and f"<@{user_id}" in text


def unslack(text: str, *, drop_user: str | None = None) -> str:
    """Slack message markup -> plain text.

    ``drop_user``: a user id whose mentions are removed (the bot's own, so
    ``@smtpbot what's 421`` becomes ``what's 421``); other mentions become ``@U123``.
    Links keep their label (or their target when there is none), ``mailto:`` is
    dropped, and the three HTML escapes are undone last.
    """

    def mention(m: re.Match[str]) -> str:
        return "" if drop_user and m.group(1) == drop_user else f"@{m.group(1)}"

    def link(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith(("#C", "#G")):
            return f"#{label}" if label else target
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        if label:
            return label
        return target.removeprefix("mailto:")

    out = _MENTION_RE.sub(mention, text)
    out = _LINK_RE.sub(link, out)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def escape_mrkdwn(text: str) -> str:
    """Escape ``& < >`` so user-supplied text shows literally in Block Kit mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

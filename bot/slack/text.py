"""Turning Slack's message markup back into the plain text a user pasted.

Slack delivers message text with its own markup
(https://api.slack.com/reference/surfaces/formatting#retrieving-messages):
``&amp; &lt; &gt;`` escapes, ``<mailto:a@b|a@b>`` and ``<https://x|label>`` links,
``<@U123>`` user mentions, ``<#C123|name>`` channel links, ``<!here>`` commands.
The knowledge engine wants the text as the mail server wrote it, so a bounce
``<john@example.com>... 550 5.1.1`` arrives intact: every Slack path (events,
``/smtp``, the message shortcut) calls :func:`unslack` once, and ``knowledge``
takes what it gets literally (the grammar itself is in :mod:`bot.slack.markup`).
"""

from __future__ import annotations

import re

from bot.slack.markup import unslack as _unslack


def mentions_user(text: str, user_id: str | None) -> bool:
    """True when ``text`` (Slack markup) contains ``<@user_id>``."""
    return bool(user_id) and f"<@{user_id}" in text


def unslack(text: str, *, drop_user: str | None = None) -> str:
    """Slack message markup -> plain text: :func:`bot.slack.markup.unslack` (links keep their
    label, ``mailto:`` dropped, code marks and quote markers removed, escapes undone), after
    removing the mentions of ``drop_user`` (the bot's own id, so ``@smtpbot what's 421``
    becomes ``what's 421``); other mentions become ``@U123``."""
    if drop_user:
        text = re.sub(rf"<@{re.escape(drop_user)}(?:\|[^<>]*)?>", "", text)
    return _unslack(text).strip()


def escape_mrkdwn(text: str) -> str:
    """Escape ``& < >`` so user-supplied text shows literally in Block Kit mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


MAX_EXTRACTED = 40_000  # characters of text taken from one message (text + attachments + blocks)
_ATTACHMENT_KEYS = ("pretext", "title", "text", "fallback", "footer")


def _rich_text(element: object, out: list[str], budget: list[int]) -> None:
    """Walk a ``rich_text`` element tree, appending its visible text (bounded by ``budget``)."""
    if budget[0] <= 0 or not isinstance(element, dict):
        return
    etype = element.get("type")
    if etype in ("text", "link"):
        piece = str(element.get("text") or element.get("url") or "")
    elif etype == "user":
        piece = f"@{element.get('user_id', '')}"
    elif etype == "channel":
        piece = f"#{element.get('channel_id', '')}"
    elif etype == "emoji":
        piece = f":{element.get('name', '')}:"
    else:
        piece = ""
    if piece:
        out.append(piece)
        budget[0] -= len(piece)
    children = element.get("elements")
    if isinstance(children, list):
        for child in children[:500]:
            _rich_text(child, out, budget)
        if etype in ("rich_text_section", "rich_text_preformatted", "rich_text_quote", "rich_text_list"):
            out.append("\n")


def _block_texts(blocks: object, budget: list[int]) -> list[str]:
    """Visible text of Block Kit blocks (section text and fields, header, context, rich_text)."""
    texts: list[str] = []
    if not isinstance(blocks, list):
        return texts
    for block in blocks[:100]:
        if budget[0] <= 0 or not isinstance(block, dict):
            break
        parts: list[str] = []
        btype = block.get("type")
        if btype == "rich_text":
            _rich_text(block, parts, budget)
        else:
            for obj in [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]:
                if isinstance(obj, dict) and isinstance(obj.get("text"), str) and obj.get("type") in (
                        "mrkdwn", "plain_text"):
                    parts.append(obj["text"])
                    budget[0] -= len(obj["text"])
        piece = "".join(parts) if btype == "rich_text" else "\n".join(parts)
        if piece.strip():
            texts.append(piece.strip())
    return texts


def message_text(message: dict, *, limit: int = MAX_EXTRACTED) -> str:
    """All the text a Slack message shows, as Slack markup: its ``text``, then the text of its
    ``blocks`` (``rich_text``, ``section`` text and fields, ``header``, ``context``) and of its
    ``attachments`` (``pretext``, ``title``, ``text``, ``fields[].title/value``, ``footer``,
    ``fallback`` and their ``blocks``); the ``text`` is taken whole (Slack caps it at 40,000
    characters), the rest at most ``limit`` characters.

    Alerts from other apps often carry the mail error only in attachments or blocks
    (https://api.slack.com/reference/messaging/attachments, .../block-kit/blocks).
    A piece whose words are already in the text gathered so far is skipped (a person's
    message repeats its ``text`` as ``rich_text`` blocks; ``fallback`` repeats ``text``).
    Never raises on odd shapes.
    """
    budget = [limit]
    pieces: list[str] = []
    seen = ""

    def add(piece: object) -> None:
        nonlocal seen
        if not isinstance(piece, str) or budget[0] <= 0:
            return
        piece = piece.strip()
        if not piece:
            return
        norm = " ".join(unslack(piece).split())
        if norm and norm in seen:
            return
        piece = piece[: max(0, budget[0])]
        pieces.append(piece)
        seen += " " + " ".join(unslack(piece).split())
        budget[0] -= len(piece) + 1

    text = message.get("text")
    if isinstance(text, str) and text.strip():
        # the message's own text is taken whole (Slack caps it); the budget bounds the rest
        pieces.append(text.strip())
        seen = " " + " ".join(unslack(text).split())
    for text in _block_texts(message.get("blocks"), [limit]):
        add(text)
    attachments = message.get("attachments")
    if isinstance(attachments, list):
        for att in attachments[:20]:
            if not isinstance(att, dict):
                continue
            for key in _ATTACHMENT_KEYS[:3]:
                add(att.get(key))
            for fld in (att.get("fields") or [])[:20] if isinstance(att.get("fields"), list) else []:
                if isinstance(fld, dict):
                    title, value = fld.get("title"), fld.get("value")
                    add(f"{title}: {value}" if title and value else value or title)
            for text in _block_texts(att.get("blocks"), [limit]):
                add(text)
            add(att.get("footer"))
            add(att.get("fallback"))
    return "\n".join(pieces)

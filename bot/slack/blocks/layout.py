"""Slack's message limits and the layout helpers every renderer uses.

Limits (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks per message
(:data:`MAX_BLOCKS`); section text at most 3,000 characters (:data:`MAX_SECTION`), a section
field at most 2,000 (:data:`MAX_FIELD`) and at most 10 fields; header text at most 150
characters (plain text); about 12,000 characters of block text per message
(:data:`MAX_MESSAGE_TEXT`): longer content is split into several messages by
:func:`split_blocks` (the caller posts the extra ones in the thread) or trimmed with an ellipsis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, MarkdownTextObject

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_CONTEXT = 2000
MAX_MESSAGE_TEXT = 12000
MAX_FALLBACK = 3000
ELLIPSIS = "…"
QUOTE_MAX = 600  # characters of a server's reply text quoted per finding


def trim(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with ``…`` when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + ELLIPSIS


@dataclass
class Message:
    """One Slack message: ``blocks`` (slack_sdk models) and the ``text`` fallback."""

    blocks: list[Block]
    text: str

    def payload(self) -> dict:
        """``{"blocks": [...], "text": ...}`` ready for ``chat.postMessage`` / ``respond``;
        ``to_dict()`` runs slack_sdk's validators (raises ``SlackObjectFormationError``)."""
        return {"blocks": [b.to_dict() for b in self.blocks], "text": trim(self.text, MAX_FALLBACK)}


def block_text_length(block: Block) -> int:
    """Characters of text a block carries (section text + fields, header, context elements)."""
    total = 0
    text = getattr(block, "text", None)
    if text is not None:
        total += len(getattr(text, "text", "") or "")
    for f in getattr(block, "fields", None) or []:
        total += len(getattr(f, "text", "") or "")
    for e in getattr(block, "elements", None) or []:
        total += len(getattr(e, "text", "") or "")
    return total


def split_blocks(blocks: Sequence[Block], max_blocks: int = MAX_BLOCKS,
                 max_text: int = MAX_MESSAGE_TEXT) -> list[list[Block]]:
    """Split ``blocks`` into consecutive chunks of at most ``max_blocks`` blocks and
    ``max_text`` characters each (a single block never exceeds 3,000 + 10 x 2,000,
    so every chunk is valid). Leading dividers of a chunk are dropped."""
    chunks: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for block in blocks:
        n = block_text_length(block)
        if current and (len(current) >= max_blocks or size + n > max_text):
            chunks.append(current)
            current, size = [], 0
        if not current and isinstance(block, DividerBlock):
            continue
        current.append(block)
        size += n
    if current:
        chunks.append(current)
    return chunks



COMPACT_OVER = 3  # more codes than this: one short line per code in the main message, detail in the thread
SECTION_ROOM = 2900  # packed section text stays this far under MAX_SECTION
MESSAGE_ROOM = 10000  # block text of a message we build stays this far under MAX_MESSAGE_TEXT
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s")


def trim_sentence(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at the last sentence (or word) end that fits,
    with ``…`` when cut; never mid-word."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 1)]
    ends = [m.start() for m in _SENTENCE_END.finditer(head)]
    cut = ends[-1] if ends and ends[-1] > limit // 3 else head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip() + ELLIPSIS


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of ``text`` (up to and including its full stop), at most ``limit`` chars."""
    m = _SENTENCE_END.search(text)
    return trim_sentence(text[: m.start()] if m else text, limit)


def code_span(text: str) -> str:
    """``text`` made safe inside a mrkdwn inline code span: backticks become ``'``, line
    breaks spaces (escape ``& < >`` separately with :func:`escape_mrkdwn`)."""
    return " ".join(text.replace("`", "'").split())


def pack_lines(lines: Sequence[str], *, head: str = "", limit: int = SECTION_ROOM) -> list[str]:
    """Lines packed into as few section texts of at most ``limit`` characters as possible,
    ``head`` leading the first; a line is never split between sections (one longer than
    ``limit`` on its own is cut at a sentence end, :func:`trim_sentence`)."""
    out: list[str] = []
    current = head
    for line in lines:
        line = trim_sentence(line, limit - len(head) - 1)
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def fit_one_message(lead: Sequence[Block], tail: Sequence[Block] = (), *,
                    max_blocks: int = MAX_BLOCKS - 5, max_text: int = MESSAGE_ROOM) -> list[Block]:
    """``lead`` + ``tail`` as one message's blocks within ``max_blocks`` / ``max_text``: blocks
    of ``lead`` that do not fit are dropped from its end (``tail``, the warnings and the
    "asked" line, is always kept) and a context line says so."""
    tail_size = sum(block_text_length(b) for b in tail)
    kept: list[Block] = []
    size = tail_size
    room_blocks = max_blocks - len(tail) - 1
    for n, block in enumerate(lead):
        bl = block_text_length(block)
        if len(kept) >= room_blocks or size + bl > max_text - 200:
            kept.append(ContextBlock(elements=[MarkdownTextObject(
                text=f"… {len(lead) - n} more part(s) left out to stay within Slack's message size.")]))
            break
        kept.append(block)
        size += bl
    return kept + list(tail)

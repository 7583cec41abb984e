"""The block primitives (header, section, context) and the escaping/masking of user text.

Blocks are ``slack_sdk.models.blocks`` models, whose validators check Slack's limits when
``to_dict()`` runs; text is trimmed to the limits of :mod:`bot.slack.blocks.layout` first.
Every user-supplied string goes through :meth:`BlockPrimitives.clean` (mrkdwn escaping, and
address masking when ``mask`` is true: :mod:`bot.slack.masking`).
"""

from __future__ import annotations

from typing import Iterable

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock

from bot.slack.blocks.layout import MAX_CONTEXT, MAX_FIELD, MAX_FIELDS, MAX_HEADER, MAX_SECTION, trim
from bot.slack.masking import mask_text
from bot.slack.text import escape_mrkdwn


class BlockPrimitives:
    """Builds blocks; ``mask`` masks addresses in every user-derived string."""

    def __init__(self, mask: bool = False) -> None:
        self.mask = mask

    def clean(self, text: str | None) -> str:
        """Escaped (and masked when asked) mrkdwn-safe text; ``None`` -> ``""``."""
        if not text:
            return ""
        return escape_mrkdwn(mask_text(text) if self.mask else text)

    def plain(self, text: str | None) -> str:
        """Masked (when asked) text for the plain fallback and headers (no escaping)."""
        if not text:
            return ""
        return mask_text(text) if self.mask else text

    @staticmethod
    def header(text: str) -> HeaderBlock:
        """A header block (plain text, at most 150 characters)."""
        return HeaderBlock(text=PlainTextObject(text=trim(text, MAX_HEADER) or "smtpbot", emoji=False))

    @staticmethod
    def section(md: str, fields: Iterable[str] = ()) -> SectionBlock:
        """A section of mrkdwn ``md`` and up to 10 mrkdwn ``fields``, each trimmed to its limit."""
        fields = [MarkdownTextObject(text=trim(f, MAX_FIELD)) for f in fields if f][:MAX_FIELDS]
        if not md and not fields:
            md = " "
        return SectionBlock(text=MarkdownTextObject(text=trim(md, MAX_SECTION)) if md else None,
                            fields=fields or None)

    @staticmethod
    def context(*parts: str) -> ContextBlock:
        """A context block of up to 10 mrkdwn elements."""
        elements = [MarkdownTextObject(text=trim(p, MAX_CONTEXT)) for p in parts if p][:10]
        return ContextBlock(elements=elements or [MarkdownTextObject(text=" ")])

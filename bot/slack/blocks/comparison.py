"""Comparison blocks: two or more codes in one answer (``explain`` of several codes).

Two or three codes: the comparison summary, then one compact section per aspect (class,
meaning, what to do, retry ...), plus each code's sources; no thread. More than
:data:`bot.slack.blocks.layout.COMPACT_OVER` codes: the summary and one short line per code
(title and retry) in the main message, the rest of each code's detail in the thread.
Input shape: ``knowledge.results.ExplainResult`` with its ``Comparison``.
"""

from __future__ import annotations

from typing import Sequence

from slack_sdk.models.blocks import Block, DividerBlock

from bot.slack.blocks.layout import COMPACT_OVER, first_sentence, pack_lines
from bot.slack.blocks.primitives import BlockPrimitives


class ComparisonBlocks(BlockPrimitives):
    """Blocks comparing several codes (mixed into :class:`bot.slack.blocks.Renderer`; the per-code
    parts, ``detail_blocks`` / ``extra_blocks``, come from the explanation blocks)."""

    def _aspect_sections(self, title: str, pairs: Sequence[tuple[str, str]]) -> list[Block]:
        """One section per aspect (``*Title*`` then ``• `code`: value`` lines); when the lines do
        not fit one section they are packed into several, split between codes, never mid-sentence."""
        lines = [f"• `{self.clean(c)}`: {self.clean(v)}" for c, v in pairs]
        return [self.section(t) for t in pack_lines(lines, head=f"*{self.clean(title)}*")]

    def comparison_blocks(self, result) -> tuple[list[Block], list[Block], str]:
        """Several codes -> (main message's blocks, thread blocks, plain fallback text)."""
        items = list(result.items)
        codes = [i.code for i in items]
        cmp = result.comparison
        compact = len(items) > COMPACT_OVER
        lead: list[Block] = [self.header(" vs ".join(codes))]
        text_parts = []
        if cmp is not None:
            lead.append(self.section(self.clean(cmp.summary)))
            text_parts.append(cmp.summary)
        if compact:
            lead += self.compact_lines(items)
        elif cmp is not None:
            for diff in cmp.differences:
                lead += self._aspect_sections(diff.aspect.capitalize(), list(zip(cmp.codes, diff.values)))
        else:
            lead.append(self.section("\n".join(f"• `{self.clean(i.code)}` — {self.clean(i.title)}"
                                                for i in items)))
        if cmp is not None:
            if cmp.which_matters:
                lead.append(self.section(f"*Which matters when:* {self.clean(cmp.which_matters)}"))
                text_parts.append(cmp.which_matters)
            for note in cmp.notes:
                lead.append(self.section(f":bulb: {self.clean(note)}"))
        details: list[Block] = []
        if compact:
            lead.append(self.context("Meaning, when it is sent, what to do and sources for each code "
                                     "are in the thread."))
            for n, item in enumerate(items):
                if n:
                    details.append(DividerBlock())
                details.extend(self.detail_blocks(item))
        else:
            for item in items:
                lead += self.extra_blocks(item, label=True)
        return lead, details, " | ".join([" vs ".join(codes)] + text_parts) or " vs ".join(codes)

    def compact_lines(self, items: Sequence) -> list[Block]:
        """One short line per code (title, and the first sentence of its retry advice), packed."""
        lines = []
        for i in items:
            line = f"• `{self.clean(i.code)}` — *{self.clean(i.title)}*"
            if i.retry:
                line += f"\n      _Retry:_ {self.clean(first_sentence(i.retry))}"
            lines.append(line)
        return [self.section(t) for t in pack_lines(lines)]

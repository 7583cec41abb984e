"""Explanation blocks: one code (reply code or enhanced status code) and the ``explain`` answer.

Input shape: ``knowledge.results.ExplainResult`` / ``CodeExplanation``. One code is shown whole
in the main message; two or more codes go through :mod:`bot.slack.blocks.comparison`.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.slack.blocks.comparison import ComparisonBlocks
from bot.slack.blocks.layout import MAX_BLOCKS, MAX_MESSAGE_TEXT, Message, code_span, fit_one_message, split_blocks, trim


class ExplanationBlocks(ComparisonBlocks):
    """Blocks for code explanations (mixed into :class:`bot.slack.blocks.Renderer`)."""

    def fact_fields(self, item, *, with_retry: bool) -> list[str]:
        """Section fields for one ``CodeExplanation``: class, subject, when, retry (optional),
        who acts and standing, each as ``*Label*\\nvalue`` mrkdwn."""
        facts = [f"*Class*\n{self.clean(item.class_)}"]
        if item.subject:
            facts.append(f"*Subject*\n{self.clean(item.subject)}")
        if item.when:
            facts.append(f"*When*\n{self.clean(item.when)}")
        if with_retry and item.retry:
            facts.append(f"*Retry*\n{self.clean(item.retry)}")
        if item.who_acts:
            facts.append(f"*Who acts*\n{self.clean(', '.join(item.who_acts))}")
        facts.append(f"*Standing*\n{self.clean(item.standing)}{' (derived from the digits)' if item.derived else ''}")
        return facts

    def code_blocks(self, item, *, with_header: bool = True) -> list[Block]:
        """Blocks for one ``CodeExplanation``: header, meaning, facts, what to do, provider, sources."""
        blocks: list[Block] = []
        if with_header:
            blocks.append(self.header(f"{item.code} · {item.title}"))
        else:
            blocks.append(self.section(f"*`{self.clean(item.code)}` — {self.clean(item.title)}*"))
        blocks.append(self.section(self.clean(item.meaning)))
        blocks.append(self.section("", self.fact_fields(item, with_retry=True)))
        if item.fix:
            blocks.append(self.section(f"*What to do:* {self.clean(item.fix)}"))
        if item.provider is not None:
            # meaning and fix already lead with the provider's words (explain_with_provider)
            blocks.append(self.context(self.provider_line(item.provider)))
        notes = getattr(item, "notes", None) or []
        if notes:
            blocks.append(self.context(*(self.clean(n) for n in notes[:5])))
        foot = self.footer(item)
        if foot:
            blocks.append(self.context(*foot))
        return blocks

    def footer(self, item) -> list[str]:
        """The "Related: ..." and "Source: ..." lines of a code explanation (either may be absent)."""
        foot = []
        if item.related:
            foot.append("Related: " + ", ".join(f"`{self.clean(r)}`" for r in item.related[:12]))
        if item.source:
            foot.append("Source: " + self.clean("; ".join(item.source)))
        return foot

    def provider_line(self, note) -> str:
        """One context line for a matched provider rule: name, retry verdict, documentation link."""
        retry = ""
        if note.retry_helps is True:
            retry = " Retrying later can help."
        elif note.retry_helps is False:
            retry = " Retrying unchanged will not help."
        return (f"Provider rule `{self.clean(note.rule_id)}` ({self.clean(note.provider)}).{retry} "
                f"<{note.doc_url}|{self.clean(note.provider)} documentation>")

    def explain(self, result, *, asked_by: str | None = None, query: str | None = None,
                ) -> tuple[Message, list[Message]]:
        """``ExplainResult`` -> (main message, thread messages).

        One code: everything in the main message, no thread. Two or three codes: the main
        message leads with the comparison summary, then one compact section per aspect
        (class, meaning, what to do, retry ...), plus each code's sources: everything is
        shown, so there is no thread. More than :data:`COMPACT_OVER` codes: the main message
        has the summary and one short line per code (title and retry); the thread carries
        the rest of each code's detail (meaning, when, what to do, facts, sources), which the
        main message does not repeat. Warnings (``errors``) and the "asked" line are always
        in the main message, which always fits one message.
        """
        items = list(result.items)
        details: list[Block] = []
        if len(items) == 1:
            lead = self.code_blocks(items[0])
            text = f"{items[0].code}: {items[0].title}. {items[0].meaning}"
        elif items:
            lead, details, text = self.comparison_blocks(result)
        else:
            lead, text = [], "No valid code found."
        tail = self.explain_tail(result, asked_by, query)
        if result.errors and not items:
            text = " ".join(result.errors)
        main = Message(fit_one_message(lead, tail), self.plain(text))
        extra = [Message(c, "Per-code detail: " + ", ".join(i.code for i in items))
                 for c in split_blocks(details, MAX_BLOCKS - 5, MAX_MESSAGE_TEXT - 2000)]
        return main, extra

    def explain_tail(self, result, asked_by: str | None, query: str | None) -> list[Block]:
        """The blocks always kept at the end of an explanation: warnings and the "asked" line."""
        tail: list[Block] = []
        if result.errors:
            tail.append(self.context(*(f":warning: {self.clean(e)}" for e in result.errors[:9])))
        if asked_by or query:
            who = f"<@{asked_by}> asked" if asked_by else "Asked"
            tail.append(self.context(f"{who}: `/smtp {self.clean(code_span(trim(query or '', 200)))}`"))
        return tail

    def extra_blocks(self, item, *, label: bool) -> list[Block]:
        """Context lines a comparison does not carry: provider rule, notes, related codes, sources."""
        prefix = f"`{self.clean(item.code)}` " if label else ""
        parts = []
        if item.provider is not None:
            parts.append(prefix + self.provider_line(item.provider))
        for n in (getattr(item, "notes", None) or [])[:3]:
            parts.append(prefix + self.clean(n))
        foot = self.footer(item)
        if foot:
            parts.append(prefix + " · ".join(foot))
        return [self.context(*parts)] if parts else []

    def detail_blocks(self, item) -> list[Block]:
        """Thread detail of one code when the main message showed only its title and retry:
        meaning, what to do, facts (class, subject, when, who acts, standing), extras."""
        lines = [f"*`{self.clean(item.code)}` — {self.clean(item.title)}*", self.clean(item.meaning)]
        if item.fix:
            lines.append(f"*What to do:* {self.clean(item.fix)}")
        blocks: list[Block] = [self.section("\n".join(lines))]
        blocks.append(self.section("", self.fact_fields(item, with_retry=False)))
        blocks += self.extra_blocks(item, label=False)
        return blocks

    # -- annotations --------------------------------------------------------

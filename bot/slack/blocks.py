"""Block Kit rendering of the knowledge results, within Slack's limits.

Every reply is a :class:`Message`: Block Kit blocks built with
``slack_sdk.models.blocks`` (whose validators check the documented limits when
``to_dict()`` runs) plus a plain ``text`` fallback for notifications and
clients that cannot show blocks.

Limits enforced here (https://api.slack.com/reference/block-kit/blocks):

* at most 50 blocks per message (:data:`MAX_BLOCKS`);
* section text at most 3,000 characters (:data:`MAX_SECTION`), a section field
  at most 2,000 (:data:`MAX_FIELD`) and at most 10 fields;
* header text at most 150 characters (plain text);
* about 12,000 characters of block text per message (:data:`MAX_MESSAGE_TEXT`):
  longer content is split into several messages by :func:`split_blocks`
  (the caller posts the extra ones in the thread) or trimmed with an ellipsis.

Input shapes are the shared result contract in :mod:`knowledge.results`.
Every user-supplied string is escaped for mrkdwn, and, when ``mask`` is true,
e-mail addresses are masked (:mod:`bot.slack.masking`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.masking import mask_text
from bot.slack.text import escape_mrkdwn

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


class Renderer:
    """Builds blocks; ``mask`` masks addresses in every user-derived string."""

    def __init__(self, mask: bool = False) -> None:
        self.mask = mask

    # -- primitives --------------------------------------------------------

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
        return HeaderBlock(text=PlainTextObject(text=trim(text, MAX_HEADER) or "smtpbot", emoji=False))

    @staticmethod
    def section(md: str, fields: Iterable[str] = ()) -> SectionBlock:
        fields = [MarkdownTextObject(text=trim(f, MAX_FIELD)) for f in fields if f][:MAX_FIELDS]
        if not md and not fields:
            md = " "
        return SectionBlock(text=MarkdownTextObject(text=trim(md, MAX_SECTION)) if md else None,
                            fields=fields or None)

    @staticmethod
    def context(*parts: str) -> ContextBlock:
        elements = [MarkdownTextObject(text=trim(p, MAX_CONTEXT)) for p in parts if p][:10]
        return ContextBlock(elements=elements or [MarkdownTextObject(text=" ")])

    # -- explanations -------------------------------------------------------

    def code_blocks(self, item, *, with_header: bool = True) -> list[Block]:
        """Blocks for one ``CodeExplanation``: header, meaning, facts, what to do, provider, sources."""
        blocks: list[Block] = []
        if with_header:
            blocks.append(self.header(f"{item.code} · {item.title}"))
        else:
            blocks.append(self.section(f"*`{self.clean(item.code)}` — {self.clean(item.title)}*"))
        blocks.append(self.section(self.clean(item.meaning)))
        facts = [f"*Class*\n{self.clean(item.class_)}"]
        if item.subject:
            facts.append(f"*Subject*\n{self.clean(item.subject)}")
        if item.when:
            facts.append(f"*When*\n{self.clean(item.when)}")
        if item.retry:
            facts.append(f"*Retry*\n{self.clean(item.retry)}")
        if item.who_acts:
            facts.append(f"*Who acts*\n{self.clean(', '.join(item.who_acts))}")
        facts.append(f"*Standing*\n{self.clean(item.standing)}{' (derived from the digits)' if item.derived else ''}")
        blocks.append(self.section("", facts))
        if item.fix:
            blocks.append(self.section(f"*What to do:* {self.clean(item.fix)}"))
        if item.provider is not None:
            # meaning and fix already lead with the provider's words (explain_with_provider)
            blocks.append(self.context(self.provider_line(item.provider)))
        notes = getattr(item, "notes", None) or []
        if notes:
            blocks.append(self.context(*(self.clean(n) for n in notes[:5])))
        foot = []
        if item.related:
            foot.append("Related: " + ", ".join(f"`{self.clean(r)}`" for r in item.related[:12]))
        if item.source:
            foot.append("Source: " + self.clean("; ".join(item.source)))
        if foot:
            blocks.append(self.context(*foot))
        return blocks

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

        One code: everything in the main message. Several: the main message leads
        with the comparison summary and the differences, the full per-code detail
        goes to thread messages. ``errors`` lines are shown as a warning context.
        """
        items = list(result.items)
        lead: list[Block] = []
        details: list[Block] = []
        if len(items) == 1:
            lead = self.code_blocks(items[0])
            text = f"{items[0].code}: {items[0].title}. {items[0].meaning}"
        elif items:
            codes = [i.code for i in items]
            lead.append(self.header(" vs ".join(codes)))
            cmp = result.comparison
            text_parts = []
            if cmp is not None:
                lead.append(self.section(self.clean(cmp.summary)))
                text_parts.append(cmp.summary)
                rows = []
                for diff in cmp.differences:
                    values = "\n".join(f"• `{self.clean(c)}`: {self.clean(v)}"
                                       for c, v in zip(cmp.codes, diff.values))
                    rows.append(f"*{self.clean(diff.aspect.capitalize())}*\n{values}")
                for row in rows:
                    lead.append(self.section(row))
                if cmp.which_matters:
                    lead.append(self.section(f"*Which matters when:* {self.clean(cmp.which_matters)}"))
                    text_parts.append(cmp.which_matters)
                for note in cmp.notes:
                    lead.append(self.section(f":bulb: {self.clean(note)}"))
            if cmp is None or not any(d.aspect.lower() == "title" for d in cmp.differences):
                lead.append(self.section("\n".join(f"• `{self.clean(i.code)}` — {self.clean(i.title)}"
                                                    for i in items)))
            lead.append(self.context("Full detail for each code is in the thread."))
            text = " | ".join([" vs ".join(codes)] + text_parts) or " vs ".join(codes)
            for i, item in enumerate(items):
                if i:
                    details.append(DividerBlock())
                details.extend(self.code_blocks(item, with_header=False))
        else:
            text = "No valid code found."
        if result.errors:
            lead.append(self.context(*(f":warning: {self.clean(e)}" for e in result.errors[:9])))
            if not items:
                text = " ".join(result.errors)
        if asked_by or query:
            who = f"<@{asked_by}> asked" if asked_by else "Asked"
            lead.append(self.context(f"{who}: `/smtp {self.clean(trim(query or '', 200))}`"))
        main_chunks = split_blocks(lead)
        main = Message(main_chunks[0], self.plain(text))
        extra = [Message(c, self.plain(text)) for c in main_chunks[1:]]
        extra += [Message(c, "Per-code detail: " + ", ".join(i.code for i in items))
                  for c in split_blocks(details)]
        return main, extra

    # -- annotations --------------------------------------------------------

    KIND_TITLES = {
        "bounce": "Bounce",
        "delivery-report": "Delivery report",
        "auto-reply": "Auto-reply (not a bounce)",
        "feedback-report": "Feedback (abuse) report",
        "log": "Mail log",
        "none": "No SMTP failure found",
    }

    def finding_blocks(self, f) -> tuple[list[Block], str]:
        """Blocks and a one-line plain summary for one ``Finding``."""
        code = " ".join(c for c in (f.reply_code, f.enhanced_status) if c)
        if not f.enhanced_status and f.inferred_status:
            code = f"{code} (≈{f.inferred_status})".strip()
        from knowledge.severity import describe

        bounce = {True: "hard bounce", False: "soft bounce", None: None}[f.hard_bounce]
        severity = describe(f.reply_code, f.enhanced_status, f.action, f.hard_bounce)
        who = self.clean(f.recipient) if f.recipient else "Failure"
        bits = [b for b in (f"`{self.clean(code)}`" if code else None, severity or None,
                            f"reason: {f.reason}" if f.reason else None) if b]
        lines = [f"*{who}* — " + " · ".join(bits) if bits else f"*{who}*"]
        if f.title:
            lines.append(f"*{self.clean(f.title)}*")
        if f.explanation:
            lines.append(self.clean(f.explanation))
        if f.next_step:
            lines.append(f"*Next step:* {self.clean(f.next_step)}")
        blocks: list[Block] = [self.section("\n".join(lines))]
        ctx = []
        if f.provider:
            doc = getattr(f, "provider_doc_url", None)
            ctx.append(f"Provider: <{doc}|{self.clean(f.provider)}>" if doc else f"Provider: {self.clean(f.provider)}")
        if f.remote_mta:
            ctx.append(f"Remote-MTA: {self.clean(f.remote_mta)}")
        if f.command:
            ctx.append(f"Answer to: {self.clean(f.command)}")
        if f.action:
            ctx.append(f"Action: {self.clean(f.action)}")
        if f.reply_text:
            ctx.append("Server said: " + self.clean(trim(" ".join(f.reply_text.split()), QUOTE_MAX)))
        if ctx:
            blocks.append(self.context(*ctx))
        summary = " ".join(x for x in (self.plain(f.recipient) or "failure", code, bounce or "", f.title or "") if x)
        return blocks, summary

    def annotation(self, annotation, *, max_messages: int = 1) -> list[Message]:
        """``Annotation`` -> messages (usually one; more only when ``max_messages`` > 1 and it
        does not fit). Findings beyond what fits are counted in a final context line."""
        findings = list(annotation.findings)
        title = self.KIND_TITLES.get(annotation.kind, annotation.kind)
        if findings and annotation.kind in ("bounce", "log", "delivery-report"):
            n = len(findings)
            title = f"{title}: {n} failure{'s' if n != 1 else ''}"
        blocks: list[Block] = [self.header(title)]
        summaries: list[str] = []
        for i, f in enumerate(findings):
            if i:
                blocks.append(DividerBlock())
            fb, s = self.finding_blocks(f)
            blocks.extend(fb)
            summaries.append(s)
        if annotation.notes:
            blocks.append(self.context(*(self.clean(n) for n in annotation.notes[:10])))
        if not findings and not annotation.notes:
            blocks.append(self.section("I found no SMTP failure (reply code, enhanced status code or DSN) "
                                       "in this text. Try `/smtp 550 5.1.1` to explain a code."))
        text = title + (": " + "; ".join(summaries) if summaries else "")
        chunks = split_blocks(blocks)
        if len(chunks) > max_messages:
            kept = chunks[: max_messages]
            last = kept[-1]
            note = self.context(f"… and more: the text has {len(findings)} findings; "
                                "paste fewer lines to see the rest.")
            if len(last) >= MAX_BLOCKS:
                last = last[: MAX_BLOCKS - 1]
            kept[-1] = last + [note]
            chunks = kept
        return [Message(c, self.plain(text)) for c in chunks]


# -- fixed messages ----------------------------------------------------------

HELP_EXAMPLES = [
    ("/smtp 550 5.7.26", "explain a reply code with its enhanced status code"),
    ("/smtp 252 502", "explain several codes and how they differ"),
    ("/smtp gmail 5.7.26", "what a provider means by a code"),
    ("/smtp <pasted bounce or log line>", "annotate it: who failed, why, hard or soft, what next"),
    ("/smtp help", "this help"),
]


def help_message(extra: Sequence[tuple[str, str]] = ()) -> Message:
    """Usage of ``/smtp`` with examples; ``extra`` adds (usage, description) lines for
    registered sub-commands."""
    lines = [f"• `{u}` — {d}" for u, d in list(HELP_EXAMPLES) + list(extra)]
    blocks: list[Block] = [
        Renderer.header("smtpbot: SMTP codes and bounces, explained"),
        Renderer.section("*Usage*\n" + "\n".join(line.replace("<", "&lt;").replace(">", "&gt;") for line in lines)),
        Renderer.section("Mention me (`@smtpbot what's 421 vs 450?`) or send me a direct message, and I answer "
                         "in the thread. When a bounce or mail log with a failure is pasted in a channel I am in, "
                         "I annotate it in its thread."),
        Renderer.context("Reply codes: RFC 5321 §4.2 · Enhanced status codes: RFC 3463 and the IANA registry"),
    ]
    text = "smtpbot usage: " + "; ".join(f"{u} ({d})" for u, d in list(HELP_EXAMPLES) + list(extra))
    return Message(blocks, text)


def short_help_message() -> Message:
    """The reply to a mention or DM with no code and no SMTP failure in it."""
    text = ("Ask me about SMTP codes: `550 5.7.26`, `421 vs 450`, or paste a bounce or mail log line. "
            "Type `/smtp help` for more.")
    return Message([Renderer.section(text)], text.replace("`", ""))


def error_message(lines: Sequence[str]) -> Message:
    """An ephemeral error: each line escaped, plus a pointer to ``/smtp help``."""
    body = "\n".join(f":warning: {escape_mrkdwn(line)}" for line in lines[:20]) or ":warning: Nothing to do."
    blocks: list[Block] = [Renderer.section(body), Renderer.context("Type `/smtp help` for usage and examples.")]
    return Message(blocks, " ".join(lines) or "Nothing to do.")


APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a minute."


def apology_message() -> Message:
    """What a user sees instead of a traceback."""
    return Message([Renderer.section(f":warning: {APOLOGY}")], APOLOGY)


def home_view(quick_reference: Sequence = (), providers: Sequence[str] = ()) -> dict:
    """The App Home tab (``views.publish`` view, type ``home``): what the bot does, how to use it,
    and a quick reference built from ``CodeExplanation`` items of the knowledge base."""
    blocks: list[Block] = [
        Renderer.header("smtpbot"),
        Renderer.section("I explain SMTP reply codes (RFC 5321), enhanced status codes (RFC 3463 and the IANA "
                         "registry) and annotate pasted bounces and mail logs: who failed, why, hard or soft bounce, "
                         "and what to do next."),
        Renderer.section("*How to use me*\n" + "\n".join(
            f"• `{u.replace('<', '&lt;').replace('>', '&gt;')}` — {d}" for u, d in HELP_EXAMPLES)
            + "\n• Mention me or DM me: the answer comes in the thread."
            + "\n• Paste a bounce in a channel I am in: I annotate it in its thread."),
        DividerBlock(),
        Renderer.header("Quick reference"),
    ]
    r = Renderer()
    lines = [f"`{r.clean(i.code)}` — {r.clean(i.title)}" for i in quick_reference]
    # group lines into sections of at most ~2,800 characters
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append(Renderer.section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(Renderer.section("\n".join(chunk)))
    if providers:
        blocks.append(Renderer.context(trim("Providers I know: " + ", ".join(providers), MAX_CONTEXT)))
    blocks.append(Renderer.context("Sources: RFC 5321 §4.2, RFC 3463, RFC 3464, IANA SMTP Enhanced Status Codes "
                                   "registry, providers' public documentation."))
    return {"type": "home", "blocks": [b.to_dict() for b in blocks[:100]]}

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

import re
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
from knowledge.reasons import REASON_LABELS, reason_label  # noqa: F401 - re-exported for the renderer's users
from knowledge.vocabulary import NOT_FAILURE_REASONS  # delivered, vacation, feedback: not failures
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

    def _aspect_sections(self, title: str, pairs: Sequence[tuple[str, str]]) -> list[Block]:
        """One section per aspect (``*Title*`` then ``• `code`: value`` lines); when the lines do
        not fit one section they are packed into several, split between codes, never mid-sentence."""
        lines = [f"• `{self.clean(c)}`: {self.clean(v)}" for c, v in pairs]
        return [self.section(t) for t in pack_lines(lines, head=f"*{self.clean(title)}*")]

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
            compact = len(items) > COMPACT_OVER
            if cmp is not None:
                lead.append(self.section(self.clean(cmp.summary)))
                text_parts.append(cmp.summary)
            if compact:
                lines = []
                for i in items:
                    line = f"• `{self.clean(i.code)}` — *{self.clean(i.title)}*"
                    if i.retry:
                        line += f"\n      _Retry:_ {self.clean(first_sentence(i.retry))}"
                    lines.append(line)
                lead += [self.section(t) for t in pack_lines(lines)]
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
            text = " | ".join([" vs ".join(codes)] + text_parts) or " vs ".join(codes)
        else:
            text = "No valid code found."
        tail: list[Block] = []
        if result.errors:
            tail.append(self.context(*(f":warning: {self.clean(e)}" for e in result.errors[:9])))
            if not items:
                text = " ".join(result.errors)
        if asked_by or query:
            who = f"<@{asked_by}> asked" if asked_by else "Asked"
            tail.append(self.context(f"{who}: `/smtp {self.clean(code_span(trim(query or '', 200)))}`"))
        main_blocks = fit_one_message(lead, tail)
        main = Message(main_blocks, self.plain(text))
        extra = [Message(c, "Per-code detail: " + ", ".join(i.code for i in items))
                 for c in split_blocks(details, MAX_BLOCKS - 5, MAX_MESSAGE_TEXT - 2000)]
        return main, extra

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

    KIND_TITLES = {
        "bounce": "Bounce",
        "delay-warning": "Delay warning (still being retried, nothing to resend yet)",
        "delivery-report": "Delivery status",
        "auto-reply": "Auto-reply (not a bounce)",
        "feedback-report": "Feedback (abuse) report",
        "log": "Mail log / error",
        "none": "No SMTP failure found",
    }
    MAX_GROUPS = 10  # distinct failures shown in one annotation reply; the rest are counted
    MAX_LISTED = 3  # recipients named per group; the rest are counted ("and 37 more")

    def kind_title(self, annotation) -> str:
        """Header words for ``Annotation.kind`` (:data:`KIND_TITLES`)."""
        return self.KIND_TITLES.get(annotation.kind, annotation.kind)

    @staticmethod
    def group_key(f) -> tuple:
        """Findings with the same key (codes, reason, severity, provider rule, explanation) are one
        group: explained once, with their recipients, SMTP commands and actions listed compactly."""
        return (f.reply_code, f.enhanced_status, f.inferred_status, f.reason, f.hard_bounce,
                f.provider, f.provider_rule, f.title, f.explanation, f.next_step)

    @staticmethod
    def finding_code(f) -> str:
        code = " ".join(c for c in (f.reply_code, f.enhanced_status) if c)
        if not f.enhanced_status and f.inferred_status:
            code = f"{code} (≈{f.inferred_status})".strip()
        return code

    def recipients_line(self, recipients: Sequence[str]) -> str:
        """``"`j***@example.com`, `b***@example.net` and 37 more (example.com ×20, example.net ×19)"``:
        distinct recipients in order, at most :data:`MAX_LISTED` named, the rest counted by domain."""
        distinct = list(dict.fromkeys(r.strip().lower() for r in recipients if r and r.strip()))
        if not distinct:
            return ""
        named = ", ".join(f"`{escape_mrkdwn(code_span(self.plain(r)))}`" for r in distinct[: self.MAX_LISTED])
        rest = len(distinct) - self.MAX_LISTED
        if rest <= 0:
            return named
        domains: dict[str, int] = {}
        for r in distinct[self.MAX_LISTED:]:
            d = r.rpartition("@")[2].lower() or "?"
            domains[d] = domains.get(d, 0) + 1
        top = sorted(domains.items(), key=lambda kv: -kv[1])[:3]
        by_domain = ", ".join(f"{escape_mrkdwn(d)} ×{n}" for d, n in top)
        if len(domains) > 3:
            by_domain += ", …"
        return f"{named} and {rest} more ({by_domain})"

    def group_blocks(self, group: Sequence) -> tuple[list[Block], str]:
        """Blocks and a short plain summary for findings that share :meth:`group_key`."""
        from knowledge.severity import describe

        f = group[0]
        code = self.finding_code(f)
        severity = describe(f.reply_code, f.enhanced_status, f.action, f.hard_bounce)
        label = reason_label(f.reason)
        count = f" ×{len(group)}" if len(group) > 1 else ""
        bits = [b for b in (f"`{self.clean(code)}`{count}" if code else None, severity or None, label) if b]
        lines = [" · ".join(bits) or f"*Failure*{count}"]
        who = self.recipients_line([x.recipient for x in group if x.recipient])
        if who:
            several = len({x.recipient.strip().lower() for x in group if x.recipient}) > 1
            lines.append(f"*Recipient{'s' if several else ''}:* {who}")
        if f.title:
            lines.append(f"*{self.clean(f.title)}*")
        if f.explanation:
            lines.append(self.clean(f.explanation))
        if f.next_step:
            lines.append(f"*Next step:* {self.clean(f.next_step)}")
        blocks: list[Block] = [self.section("\n".join(lines))]
        ctx = []
        if f.reason:
            ctx.append(f"Bounce reason tag: `{self.clean(f.reason)}`")
        if f.provider:
            doc = getattr(f, "provider_doc_url", None)
            ctx.append(f"Provider: <{doc}|{self.clean(f.provider)}>" if doc else f"Provider: {self.clean(f.provider)}")
        mtas = list(dict.fromkeys(x.remote_mta for x in group if x.remote_mta))
        if mtas:
            ctx.append("Remote-MTA: " + ", ".join(f"`{self.clean(code_span(m))}`" for m in mtas[:3])
                       + (f" and {len(mtas) - 3} more" if len(mtas) > 3 else ""))
        commands = list(dict.fromkeys(command_label(x.command) for x in group if x.command))
        if commands:
            ctx.append("Answer to: " + self.clean(", ".join(commands[:4])))
        actions = list(dict.fromkeys(x.action for x in group if x.action))
        if actions:
            ctx.append("Action: " + self.clean(", ".join(actions[:4])))
        said = list(dict.fromkeys(" ".join(x.reply_text.split()) for x in group if x.reply_text))
        if said:
            quote = self.clean(code_span(trim(said[0], QUOTE_MAX)))
            others = len(set(map(wording, said))) - 1
            more = f" (and {others} other wording{'s' if others > 1 else ''})" if others > 0 else ""
            ctx.append(f"Server said: `{quote}`{more}")
        if ctx:
            blocks.append(self.context(*ctx))
        summary = " ".join(x for x in (code, label or "", f"×{len(group)}" if len(group) > 1 else "") if x)
        return blocks, summary or "failure"

    def finding_blocks(self, f) -> tuple[list[Block], str]:
        """Blocks and a one-line plain summary for one ``Finding`` (a group of one)."""
        return self.group_blocks([f])

    def annotation(self, annotation, *, max_messages: int = 1, asked_by: str | None = None) -> list[Message]:
        """``Annotation`` -> one message. Findings are grouped (:meth:`group_key`): each distinct
        failure is explained once, with a count and its recipients listed compactly; at most
        :data:`MAX_GROUPS` groups are shown (and whatever fits :data:`MESSAGE_ROOM`), the rest
        are counted in a context line. ``asked_by``: a user id shown as "@user asked" (``/smtp``).
        ``max_messages`` is accepted for compatibility; the answer is always one message."""
        findings = [f for f in annotation.findings if is_failure(f)]
        others = [f for f in annotation.findings if not is_failure(f)]
        title = self.kind_title(annotation)
        if not findings and others and annotation.kind in ("bounce", "log"):
            title = self.KIND_TITLES["delivery-report" if any(
                f.reason not in ("vacation", "feedback") for f in others) else "auto-reply"]
        groups: dict[tuple, list] = {}
        for f in findings:
            groups.setdefault(self.group_key(f), []).append(f)
        ordered = list(groups.values())
        n = len(findings)
        header = title
        if findings and annotation.kind in ("bounce", "log", "delivery-report"):
            header = f"{title}: {n} failure{'s' if n != 1 else ''}"
            if len(ordered) > 1 and len(ordered) < n:
                header += f", {len(ordered)} kinds"
        lead: list[Block] = [self.header(header)]
        not_failures = self.not_failure_lines(others)
        summaries: list[str] = []
        shown = 0
        size = 0
        for i, group in enumerate(ordered[: self.MAX_GROUPS]):
            gb, summary = self.group_blocks(group)
            gsize = sum(block_text_length(b) for b in gb)
            if i and (size + gsize > MESSAGE_ROOM - 1500 or len(lead) + len(gb) + 1 > MAX_BLOCKS - 8):
                break
            if i:
                lead.append(DividerBlock())
            lead.extend(gb)
            summaries.append(summary)
            size += gsize
            shown += 1
        tail: list[Block] = []
        if not_failures:
            # delivered / relayed / expanded recipients and auto-replies: plain lines, never a
            # hard/soft label, never counted as failures (RFC 3464 §2.3.3, RFC 3834)
            if findings:
                tail.append(self.context("*Not failures:* " + "; ".join(not_failures)))
            else:
                lead.append(self.section("\n".join(not_failures)))
        if shown < len(ordered):
            rest = ordered[shown:]
            tail.append(self.context(
                f"… and {len(rest)} more kind{'s' if len(rest) != 1 else ''} of failure "
                f"({sum(len(g) for g in rest)} finding{'s' if sum(len(g) for g in rest) != 1 else ''}) not shown; "
                "paste fewer lines to see them."))
        if annotation.notes:
            tail.append(self.context(*(self.clean(x) for x in annotation.notes[:10])))
        if not annotation.findings and not annotation.notes:
            lead.append(self.section("I found no SMTP failure (reply code, enhanced status code or DSN) "
                                     "in this text. Try `/smtp 550 5.1.1` to explain a code."))
        if asked_by:
            tail.append(self.context(f"<@{asked_by}> asked about a pasted text: `/smtp …`"))
        text = self.annotation_text(title, ordered, summaries)
        if not_failures:
            plain = "; ".join(x.replace("`", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                              for x in not_failures)  # already masked by recipients_line
            text = trim(f"{text} {plain}." if findings else f"{title}: {plain}.", 400)
        return [Message(fit_one_message(lead, tail), text)]

    # what a non-failure finding's RFC 3464 Action (or reason) says happened to the recipient
    OUTCOMES = {"delivered": "delivered", "relayed": "relayed (no further report will come)",
                "expanded": "expanded (a mailing list or alias)"}

    def not_failure_lines(self, findings: Sequence) -> list[str]:
        """Plain lines for findings that are not failures (:func:`is_failure` false), in order of
        first appearance: ``"1 recipient delivered: `o***@example.net`"``, ``"2 recipients relayed
        (no further report will come): …"``, ``"auto-reply (out of office) from `p***@example.com`:
        not a failure"``, ``"abuse feedback report: not a failure"``. Recipients are listed as in
        :meth:`recipients_line` (masked when asked). Empty list for no findings."""
        buckets: dict[str, list] = {}
        for f in findings:
            act = (f.action or "").strip().lower()
            key = ("vacation" if f.reason == "vacation" else "feedback" if f.reason == "feedback"
                   else act if act in self.OUTCOMES else "delivered")
            buckets.setdefault(key, []).append(f)
        lines = []
        for key, group in buckets.items():
            recipients = [f.recipient for f in group if f.recipient]
            who = self.recipients_line(recipients)
            if key == "vacation":
                lines.append(f"auto-reply (out of office){' from ' + who if who else ''}: not a failure")
            elif key == "feedback":
                lines.append(f"abuse feedback report{' about ' + who if who else ''}: not a failure")
            else:
                n = len({r.strip().lower() for r in recipients}) or len(group)
                lines.append(f"{n} recipient{'s' if n != 1 else ''} {self.OUTCOMES[key]}{': ' + who if who else ''}")
        return lines

    def annotation_text(self, title: str, groups: Sequence[Sequence], summaries: Sequence[str]) -> str:
        """The plain fallback of an annotation: one short sentence (notifications show it)."""
        n = sum(len(g) for g in groups)
        if not n:
            return f"{title}."
        if len(groups) == 1:
            f = groups[0][0]
            recipients = list(dict.fromkeys(x.recipient for x in groups[0] if x.recipient))
            code = self.finding_code(f)
            what = ", ".join(x for x in (code, reason_label(f.reason) or "") if x) or "a failure"
            if n == 1:
                to = f"{',' if ',' in what else ''} for {self.plain(recipients[0])}" if recipients else ""
                sentence = f"{title}: {what}{to}."
            else:
                to = f" for {len(recipients)} recipient{'s' if len(recipients) != 1 else ''}" if recipients else ""
                sentence = f"{title}: {n} failures ({what}){to}."
            if f.title:
                sentence += f" {f.title}."
            return trim(sentence, 400)
        listed = "; ".join(summaries[:5]) + ("; …" if len(summaries) > 5 else "")
        return trim(f"{title}: {n} failures of {len(groups)} kinds: {listed}.", 400)


# Findings that report what happened to a message rather than a failure: reason tags (success DSN,
# auto-reply RFC 3834, feedback report RFC 5965) and RFC 3464 §2.3.3 Actions of recipients that got the message.
NOT_FAILURE_ACTIONS = frozenset({"delivered", "relayed", "expanded"})


def is_failure(finding) -> bool:
    """False for a ``Finding`` that is not a delivery failure: reason ``delivered`` / ``vacation`` /
    ``feedback``, or an RFC 3464 Action ``delivered`` / ``relayed`` / ``expanded``; True otherwise
    (``failed``, ``delayed`` and findings with no Action are failures)."""
    return (finding.reason not in NOT_FAILURE_REASONS
            and (finding.action or "").strip().lower() not in NOT_FAILURE_ACTIONS)


_ADDRESS_RE = re.compile(r"<?[^\s<>()\[\]@,;:\"]+@[^\s<>()\[\],;:\"]+>?")


def wording(reply_text: str) -> str:
    """A server reply's wording with its e-mail addresses removed and spaces collapsed, lowercased:
    replies that differ only by the recipient address are one wording."""
    return " ".join(_ADDRESS_RE.sub(" ", reply_text).lower().split())


# Human labels for Sisimai's bounce reason tags (https://libsisimai.org/en/reason/), in our words.
# What the server's reply answered (RFC 5321 §3 and §4.1.1 command names)
COMMAND_LABELS = {
    "CONN": "connection greeting",
    "HELO": "HELO greeting",
    "EHLO": "EHLO greeting",
    "MAIL": "MAIL FROM (sender)",
    "MAIL FROM": "MAIL FROM (sender)",
    "RCPT": "RCPT TO (recipient)",
    "RCPT TO": "RCPT TO (recipient)",
    "DATA": "DATA (message content)",
    "BDAT": "BDAT (message content)",
    "STARTTLS": "STARTTLS",
    "AUTH": "AUTH (login)",
}


def command_label(command: str) -> str:
    """``"CONN"`` -> ``"connection greeting"``, ``"RCPT"`` -> ``"RCPT TO (recipient)"``; others as given."""
    key = " ".join(command.upper().replace(":", " ").split())
    return COMMAND_LABELS.get(key, command)


# -- fixed messages ----------------------------------------------------------

HELP_EXAMPLES = [
    ("/smtp 550 5.7.26", "explain a reply code with its enhanced status code"),
    ("/smtp 252 502", "explain several codes and how they differ"),
    ("/smtp gmail 5.7.26", "what a provider means by a code"),
    ("/smtp …your pasted bounce or log line…", "annotate it: who failed, why, hard or soft, what next"),
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
    text = "smtpbot usage: " + "; ".join(f"{u} — {d}" for u, d in list(HELP_EXAMPLES) + list(extra))
    return Message(blocks, text)


def short_help_message() -> Message:
    """The reply to a mention or DM with no code and no SMTP failure in it."""
    text = ("Ask me about SMTP codes: `550 5.7.26`, `421 vs 450`, or paste a bounce or mail log line. "
            "Type `/smtp help` for more.")
    return Message([Renderer.section(text)], text.replace("`", ""))


def error_message(lines: Sequence[str]) -> Message:
    """An ephemeral error: each line escaped, plus a pointer to ``/smtp help``."""
    body = "\n".join(f":warning: {escape_mrkdwn(line)}" if not n else escape_mrkdwn(line)
                     for n, line in enumerate(lines[:20])) or ":warning: Nothing to do."
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
            f"• `{escape_mrkdwn(u)}` — {d}" for u, d in HELP_EXAMPLES if u != "/smtp help")
            + "\n• `/smtp help` — usage and examples in any channel"
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

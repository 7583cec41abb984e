"""Annotation blocks: the findings of a pasted bounce, log or shared file, grouped.

Input shape: ``knowledge.results.Annotation`` / ``Finding``. Findings that describe the same
failure are grouped (:meth:`AnnotationBlocks.group_key`) and explained once; findings that are
no failure (delivered, relayed, auto-replies: :func:`is_failure`) are plain lines, never
labelled hard or soft.
"""

from __future__ import annotations

import re
from typing import Sequence

from slack_sdk.models.blocks import Block, DividerBlock

from bot.slack.blocks.layout import (
    MAX_BLOCKS, MESSAGE_ROOM, QUOTE_MAX, Message, block_text_length, code_span, fit_one_message, trim,
)
from bot.slack.blocks.primitives import BlockPrimitives
from bot.slack.text import escape_mrkdwn
from knowledge.reasons import reason_label
from knowledge.smtp.commands import command_label
from knowledge.vocabulary import NOT_FAILURE_REASONS  # delivered, vacation, feedback: not failures


class AnnotationBlocks(BlockPrimitives):
    """Blocks for annotations (mixed into :class:`bot.slack.blocks.Renderer`)."""

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
        """``"550 5.1.1"``, or ``"550 (≈5.1.1)"`` when the enhanced status code is only inferred."""
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
        lead: list[Block] = [self.header(self.annotation_header(title, annotation.kind, len(findings), len(ordered)))]
        summaries = self.add_groups(lead, ordered)
        not_failures = self.not_failure_lines(others)
        tail: list[Block] = []
        if not_failures:
            # delivered / relayed / expanded recipients and auto-replies: plain lines, never a
            # hard/soft label, never counted as failures (RFC 3464 §2.3.3, RFC 3834)
            if findings:
                tail.append(self.context("*Not failures:* " + "; ".join(not_failures)))
            else:
                lead.append(self.section("\n".join(not_failures)))
        tail += self.annotation_tail(annotation, ordered[len(summaries):], asked_by)
        if not annotation.findings and not annotation.notes:
            lead.append(self.section("I found no SMTP failure (reply code, enhanced status code or DSN) "
                                     "in this text. Try `/smtp 550 5.1.1` to explain a code."))
        text = self.annotation_text(title, ordered, summaries)
        if not_failures:
            plain = "; ".join(x.replace("`", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                              for x in not_failures)  # already masked by recipients_line
            text = trim(f"{text} {plain}." if findings else f"{title}: {plain}.", 400)
        return [Message(fit_one_message(lead, tail), text)]

    @staticmethod
    def annotation_header(title: str, kind: str, n: int, kinds: int) -> str:
        """``"Bounce: 3 failures, 2 kinds"`` for a bounce, log or delivery report with failures; else ``title``."""
        if not n or kind not in ("bounce", "log", "delivery-report"):
            return title
        header = f"{title}: {n} failure{'s' if n != 1 else ''}"
        if 1 < kinds < n:
            header += f", {kinds} kinds"
        return header

    def add_groups(self, lead: list[Block], ordered: Sequence[Sequence]) -> list[str]:
        """Append the blocks of as many groups as fit (at most :data:`MAX_GROUPS`, within
        :data:`MESSAGE_ROOM` and the block limit; the first always) to ``lead``, a divider between
        them; return the one-line summary of each group shown, in order."""
        summaries: list[str] = []
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
        return summaries

    def annotation_tail(self, annotation, rest: Sequence[Sequence], asked_by: str | None) -> list[Block]:
        """Context lines after the groups: the groups not shown (counted), the annotation's notes,
        and who asked."""
        tail: list[Block] = []
        if rest:
            found = sum(len(g) for g in rest)
            tail.append(self.context(
                f"… and {len(rest)} more kind{'s' if len(rest) != 1 else ''} of failure "
                f"({found} finding{'s' if found != 1 else ''}) not shown; "
                "paste fewer lines to see them."))
        if annotation.notes:
            tail.append(self.context(*(self.clean(x) for x in annotation.notes[:10])))
        if asked_by:
            tail.append(self.context(f"<@{asked_by}> asked about a pasted text: `/smtp …`"))
        return tail

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




# -- fixed messages ----------------------------------------------------------

"""Fixed messages: ``/smtp`` help, the short help, errors and the apology."""

from __future__ import annotations

from typing import Sequence

from slack_sdk.models.blocks import Block

from bot.slack.blocks.layout import Message
from bot.slack.blocks.primitives import BlockPrimitives as _P
from bot.slack.text import escape_mrkdwn

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
        _P.header("smtpbot: SMTP codes and bounces, explained"),
        _P.section("*Usage*\n" + "\n".join(line.replace("<", "&lt;").replace(">", "&gt;") for line in lines)),
        _P.section("Mention me (`@smtpbot what's 421 vs 450?`) or send me a direct message, and I answer "
                         "in the thread. When a bounce or mail log with a failure is pasted in a channel I am in, "
                         "I annotate it in its thread."),
        _P.context("Reply codes: RFC 5321 §4.2 · Enhanced status codes: RFC 3463 and the IANA registry"),
    ]
    text = "smtpbot usage: " + "; ".join(f"{u} — {d}" for u, d in list(HELP_EXAMPLES) + list(extra))
    return Message(blocks, text)


def short_help_message() -> Message:
    """The reply to a mention or DM with no code and no SMTP failure in it."""
    text = ("Ask me about SMTP codes: `550 5.7.26`, `421 vs 450`, or paste a bounce or mail log line. "
            "Type `/smtp help` for more.")
    return Message([_P.section(text)], text.replace("`", ""))


def error_message(lines: Sequence[str]) -> Message:
    """An ephemeral error: each line escaped, plus a pointer to ``/smtp help``."""
    body = "\n".join(f":warning: {escape_mrkdwn(line)}" if not n else escape_mrkdwn(line)
                     for n, line in enumerate(lines[:20])) or ":warning: Nothing to do."
    blocks: list[Block] = [_P.section(body), _P.context("Type `/smtp help` for usage and examples.")]
    return Message(blocks, " ".join(lines) or "Nothing to do.")


APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a minute."


def apology_message() -> Message:
    """What a user sees instead of a traceback."""
    return Message([_P.section(f":warning: {APOLOGY}")], APOLOGY)

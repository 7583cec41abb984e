"""Deciding what a piece of user text asks for, and building the reply messages.

:func:`answer_for_text` is shared by ``/smtp``, mentions, DMs and the message
shortcut; :func:`auto_annotation` is the stricter path for channel messages
nobody addressed to the bot (only real SMTP failure evidence is annotated, see
``knowledge.textscan.has_smtp_evidence``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.slack.blocks import Message, Renderer, error_message, short_help_message

PASTE_MIN_CHARS = 300  # longer (or multi-line) text is treated as a paste: annotation first


@dataclass
class Answer:
    """``kind``: explain / annotate / help / error; ``main`` is posted first, ``thread``
    messages go in the thread under it (or after it in the same thread)."""

    kind: Literal["explain", "annotate", "help", "error"]
    main: Message
    thread: list[Message] = field(default_factory=list)


def _looks_pasted(text: str) -> bool:
    return "\n" in text.strip() or len(text) > PASTE_MIN_CHARS


def _explain(engine, text: str, r: Renderer, asked_by: str | None, query: str | None) -> Answer | None:
    codes, word = engine.extract_queries(text)
    if not codes:
        return None
    provider = engine.resolve_provider(word) if word else None
    result = engine.explain(codes, provider=provider)
    if not result.items:
        return Answer("error", error_message(result.errors or ["No valid code found."]))
    main, thread = r.explain(result, asked_by=asked_by, query=query)
    return Answer("explain", main, thread)


def _annotate(engine, text: str, r: Renderer, source: str | None) -> Answer | None:
    annotation = engine.annotate_text(text, source=source)
    if not annotation.findings:
        return None
    messages = r.annotation(annotation, max_messages=3)
    return Answer("annotate", messages[0], messages[1:])


def answer_for_text(engine, text: str, *, mask: bool, asked_by: str | None = None,
                    query: str | None = None, source: str | None = None) -> Answer:
    """Text a user addressed to the bot -> the answer.

    Short single-line text: codes are explained when it names any (``421 vs 450``),
    else it is annotated. Pasted text (multi-line or long): annotated first, codes
    explained when no failure is found. Neither: short help.
    """
    r = Renderer(mask=mask)
    text = text.strip()
    if not text:
        return Answer("help", short_help_message())
    steps = ((_annotate, _explain) if _looks_pasted(text) else (_explain, _annotate))
    for step in steps:
        if step is _explain:
            answer = _explain(engine, text[:4000], r, asked_by, query)
        else:
            answer = _annotate(engine, text, r, source)
        if answer is not None:
            return answer
    return Answer("help", short_help_message())


def auto_annotation(engine, text: str, *, mask: bool) -> Answer | None:
    """Annotation of a channel message nobody addressed to the bot, or None for chatter."""
    if not text.strip() or not engine.has_smtp_evidence(text):
        return None
    return _annotate(engine, text, Renderer(mask=mask), None)

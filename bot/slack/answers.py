"""Deciding what a piece of user text asks for, and building the reply messages.

:func:`answer_for_text` is shared by ``/smtp``, mentions, DMs and the message
shortcut; :func:`auto_annotation` is the stricter path for channel messages
nobody addressed to the bot (only real SMTP failure evidence is annotated, see
``knowledge.textscan.has_smtp_evidence``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot import observability as _obs
from bot.slack.blocks import Message, Renderer, error_message, is_failure, short_help_message

PASTE_MIN_CHARS = 300  # longer (or multi-line) text is treated as a paste: annotation first


@dataclass
class Answer:
    """``kind``: explain / annotate / help / error; ``main`` is posted first, ``thread``
    messages go in the thread under it (or after it in the same thread)."""

    kind: Literal["explain", "annotate", "help", "error"]
    main: Message
    thread: list[Message] = field(default_factory=list)


# words of a question about codes ("what's the difference between 421 and 450?")
QUESTION_WORDS = frozenset("""
    what whats what's is are was the a an of vs v versus and or with mean means meaning meant difference
    differences between explain explained code codes smtp reply replies status enhanced error errors
    compare how why does do it this that to for in on about please pls thanks hi hey
""".split())
MAX_LEFTOVER_WORDS = 3
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")


def _looks_pasted(text: str) -> bool:
    return "\n" in text.strip() or len(text) > PASTE_MIN_CHARS


def is_code_question(text: str, codes: list[str], provider_word: str | None) -> bool:
    """True when ``text`` is a question about codes rather than a pasted server reply:
    single line, no address, and at most :data:`MAX_LEFTOVER_WORDS` words left once the
    codes, the provider word and question words are removed (``"what's 421 vs 450?"``,
    ``"gmail 5.7.26"``, ``"550 5.7.26"`` yes; ``"550 5.1.1 <a@b.example>: Recipient
    address rejected"`` no)."""
    if not codes or _looks_pasted(text) or "@" in text:
        return False
    rest = text
    for token in [*codes, provider_word or ""]:
        if token:
            rest = rest.replace(token, " ", 1)
    leftover = [w for w in _WORD_RE.findall(rest) if w.lower().replace("’", "'") not in QUESTION_WORDS]
    return len(leftover) <= MAX_LEFTOVER_WORDS


# words that make a short line about codes a question ("what does 550 5.7.26 mean")
_ASKING_RE = re.compile(r"(?i)\b(?:what|what's|whats|why|how|mean|means|meaning|difference|vs|versus|explain)\b")
QUESTION_MAX_CHARS = 200  # a "?"-ending single line this short, naming codes, is a question
_URL_RE = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>]+|\bwww\.[^\s<>]+")


def without_urls(text: str) -> str:
    """``text`` with URLs replaced by a space (a code in a URL path is not a question about it)."""
    return _URL_RE.sub(" ", text)


def reads_as_question(text: str, codes: list[str]) -> bool:
    """True for a short single line that names codes and ends with ``?`` ("5.1.1 for
    jane.doe@example.com?", "anyone know what 550 5.7.26 means?"): a question, not a paste."""
    t = text.strip()
    return bool(codes) and "\n" not in t and len(t) <= QUESTION_MAX_CHARS and t.endswith("?")


def _explain(engine, text: str, r: Renderer, asked_by: str | None, query: str | None,
             found: tuple[list[str], str | None] | None = None) -> Answer | None:
    codes, word = found if found is not None else engine.extract_queries(text)
    if not codes:
        return None
    provider = engine.resolve_provider(word) if word else None
    result = engine.explain(codes, provider=provider)
    if not result.items:
        return Answer("error", error_message(result.errors or ["No valid code found."]))
    main, thread = r.explain(result, asked_by=asked_by, query=query)
    return Answer("explain", main, thread)


def _annotate(engine, text: str, r: Renderer, source: str | None, asked_by: str | None = None) -> Answer | None:
    return _annotation_answer(engine.annotate_text(text, source=source), r, asked_by)


def message_annotation(engine, data: bytes, *, mask: bool, source: str | None = None,
                       asked_by: str | None = None, failures_only: bool = False) -> Answer | None:
    """A whole RFC 5322 message shared as a file (an ``.eml`` bounce) -> its annotation, or None
    when it holds no finding (with ``failures_only``: no failure, as for automatic annotation,
    where a success DSN or an out-of-office reply stays unanswered). The raw bytes go to the
    bounce parser (``knowledge.annotate.annotate_bytes``), so the MIME parts' own charsets and
    transfer encodings are honoured (RFC 2045 / RFC 2046) instead of a UTF-8 guess."""
    annotation = engine.annotate_bytes(data, source=source)
    if failures_only and not any(is_failure(f) for f in annotation.findings):
        return None
    return _annotation_answer(annotation, Renderer(mask=mask), asked_by)


def _annotation_answer(annotation, r: Renderer, asked_by: str | None = None) -> Answer | None:
    if not annotation.findings:
        return None
    messages = r.annotation(annotation, asked_by=asked_by)
    _obs.record_annotation(_obs.current_context().get("kind", "other"))  # metric, by request kind
    return Answer("annotate", messages[0], messages[1:])


def answer_for_text(engine, text: str, *, mask: bool, asked_by: str | None = None,
                    query: str | None = None, source: str | None = None) -> Answer:
    """Text a user addressed to the bot -> the answer.

    A question about codes (:func:`is_code_question`: ``421 vs 450``, ``gmail 5.7.26``)
    is explained. Anything else (a pasted bounce, log line, client error) is annotated;
    when the annotation finds no failure but the text names codes, they are explained.
    Neither: short help.
    """
    r = Renderer(mask=mask)
    text = text.strip()
    if not text:
        return Answer("help", short_help_message())
    head = without_urls(text[:4000]).strip()
    found = engine.extract_queries(head)
    if is_code_question(head, *found) or reads_as_question(head, found[0]):
        answer = _explain(engine, head, r, asked_by, query, found)
        if answer is not None:
            return answer
    answer = _annotate(engine, text, r, source, asked_by)
    if answer is None and found[0]:
        answer = _explain(engine, head, r, asked_by, query, found)
    return answer or Answer("help", short_help_message())


def auto_annotation(engine, text: str, *, mask: bool) -> Answer | None:
    """Annotation of a channel message nobody addressed to the bot, or None for chatter.

    A message that reads as a question about codes (:func:`is_code_question` or
    :func:`reads_as_question`: "anyone know what 550 5.7.26 means?"; or a short line with
    a question word, "what does 550 5.7.26 mean") is not a paste:
    nobody asked the bot, so it stays silent (a mention or ``/smtp`` would explain it)."""
    if not text.strip():
        return None
    head = without_urls(text[:4000]).strip()
    if "\n" not in head:
        found = engine.extract_queries(head)
        asks = bool(_ASKING_RE.search(head)) and is_code_question(head, *found)
        if asks or reads_as_question(head, found[0]):
            return None
    if not engine.has_smtp_evidence(text):
        return None
    annotation = engine.annotate_text(text, source=None)
    if not any(is_failure(f) for f in annotation.findings):
        return None  # only deliveries or auto-replies: nobody asked, nothing failed
    return _annotation_answer(annotation, Renderer(mask=mask))


def file_annotation(engine, text: str, *, mask: bool, source: str | None = None) -> Answer | None:
    """The annotation of text read from files (snippets, logs) a user shared with the bot, or None
    when it holds no finding. File content is never taken as a question about codes (a CSV with
    ``550`` and ``421`` in its cells is not "550 vs 421"): only the message's typed text can be."""
    if not text.strip():
        return None
    return _annotate(engine, text, Renderer(mask=mask), source)

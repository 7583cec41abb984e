"""Answering the files shared with a message: what to annotate, what to say about the others.

:func:`addressed_answers` (a mention, DM or the message shortcut: someone asked) and
:func:`auto_answers` (a channel message nobody addressed: only real failures) take the files
:func:`bot.slack.files.read_files` downloaded and decide which texts go to the engine, how
(free text joined, each whole message on its own) and which notices go with the answers
(rendered by :mod:`bot.slack.blocks.files`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from bot.slack.answers import Answer, answer_for_text, auto_annotation, file_annotation, message_annotation
from bot.slack.blocks import MAX_BLOCKS, Renderer
from bot.slack.blocks.files import file_names, notice_message, skipped_lines, truncation_note
from bot.slack.files import MAX_TEXT_CHARS, FileText, Skipped


def combine(text: str, files: Iterable[FileText]) -> tuple[str, list[FileText]]:
    """Message text + file texts -> (free text, whole messages).

    Free-text files (snippets, logs) join the message text, separated by blank lines, so
    one answer covers the comment and the paste. A file that is a whole RFC 5322 message
    (an ``.eml`` bounce) is returned apart: joined to other text it would no longer start
    with its header fields, and only then does the annotator read it as a message (MIME
    parts, DSN fields)."""
    pieces = [text.strip()] if text and text.strip() else []
    messages: list[FileText] = []
    for f in files:
        if f.whole_message:
            messages.append(f)
        else:
            pieces.append(f.text.strip())
    return "\n\n".join(p for p in pieces if p), messages



def _with_context(answer: Answer, lines: Sequence[str], *, last: bool = True) -> Answer:
    """``answer`` with a context line made of ``lines`` under its last (or main) message."""
    target = (answer.thread[-1] if answer.thread else answer.main) if last else answer.main
    if lines and len(target.blocks) < MAX_BLOCKS:
        target.blocks.append(Renderer.context("\n".join(lines)))
    return answer


def _noted(answer: Answer | None, files: list[FileText]) -> Answer | None:
    """``answer`` with a context line under its last message when one of ``files`` was cut
    (only for annotations: the part read is what was annotated)."""
    note = truncation_note(files)
    if answer is not None and note and answer.kind == "annotate":
        _with_context(answer, [note])
    return answer



def _notice(lines: Sequence[str]) -> Answer:
    """An answer made only of notices about the files (kind ``help``: shown to the asker only)."""
    return Answer("help", notice_message(lines))


def addressed_answers(engine: Any, text: str, files: list[FileText], *, mask: bool,
                      answer: Callable[..., Answer] = answer_for_text,
                      skipped: Sequence[Skipped] = ()) -> list[Answer]:
    """Answers to a message addressed to the bot (mention, DM, message shortcut) with files.

    Input: ``text`` the message's plain text (Slack markup undone), ``files`` and ``skipped``
    from :func:`read_files`. Only the typed text can be a question about codes: it is answered
    by ``answer`` (:func:`bot.slack.answers.answer_for_text`). File content is only annotated:
    the free-text files together (:func:`bot.slack.answers.file_annotation`), each whole-message
    file on its own (labelled with its name); a file with no finding gets "I found no SMTP
    failure in `s.csv`." Files that could not be read are named with the reason
    (:func:`skipped_lines`). Output: the explanations / annotations found, in that order, the
    notices in a context line under the first; when there are none, one answer of kind ``help``
    / ``error`` (the notices alone, or help / an error when there are no notices), which the
    caller shows to the asker only."""
    typed = text.strip()
    loose = [f for f in files if not f.whole_message]
    messages = [f for f in files if f.whole_message]
    first = answer(engine, typed, mask=mask) if typed or not files else None
    notes: list[str] = []
    found_files: list[Answer | None] = []
    if loose:
        free = combine("", loose)[0]
        got = _noted(file_annotation(engine, free, mask=mask, source=loose[0].name if len(loose) == 1 else None),
                     loose)
        if got is None:
            notes.append(f"I found no SMTP failure (reply code, enhanced status code or DSN) in "
                         f"{file_names([f.name for f in loose])}.")
        found_files.append(got)
    for m in messages:
        got = _noted(_message_answer(engine, m, mask), [m])
        if got is None:
            notes.append(f"I found no SMTP failure (reply code, enhanced status code or DSN) in "
                         f"{file_names([m.name])}.")
        found_files.append(got)
    notes += skipped_lines(skipped)
    found = [a for a in [first, *found_files] if a is not None and a.kind in ("explain", "annotate")]
    if found:
        return [_with_context(found[0], notes, last=False) if notes else found[0], *found[1:]]
    if notes:
        return [_notice(notes)]
    return [first or answer(engine, "", mask=mask)]


def _message_answer(engine: Any, m: FileText, mask: bool) -> Answer | None:
    """A whole-message file: annotated from its bytes when the engine can (see
    :func:`bot.slack.answers.message_annotation`: delivered recipients and auto-replies are shown,
    since someone asked); otherwise, or when that finds nothing, its text is annotated. Never
    explained as a question: None when it holds no finding."""
    if m.data and hasattr(engine, "annotate_bytes"):
        found = message_annotation(engine, m.data, mask=mask, source=m.name)
        if found is not None:
            return found
    text = m.text
    if len(text) > MAX_TEXT_CHARS:  # cut here at a line end, so the annotator adds no second truncation note
        cut = text.rfind("\n", 0, MAX_TEXT_CHARS + 1)
        text = text[: cut if cut > 0 else MAX_TEXT_CHARS]
    return file_annotation(engine, text, mask=mask, source=m.name)


def auto_answers(engine: Any, text: str, files: list[FileText], *, mask: bool,
                 judge: Callable[..., Answer | None] = auto_annotation) -> list[Answer]:
    """Annotations for a channel message nobody addressed to the bot, with files (may be empty).

    The same rules as :func:`bot.slack.answers.auto_annotation`: only SMTP failure evidence is
    annotated. Free-text files join the message text only when the files themselves carry
    evidence (``engine.has_smtp_evidence``); otherwise the message text is judged alone, as
    without files (a question about codes next to a spreadsheet stays unanswered). Each
    whole-message file is judged on its own. ``judge``: the function annotating one text or
    returning None (the listener's own reference, so tests can replace it there). Files that
    could not be read are never mentioned (nobody asked)."""
    free, messages = combine("", files)
    loose = [f for f in files if not f.whole_message]
    if free and engine.has_smtp_evidence(free):
        first = _noted(judge(engine, combine(text, loose)[0], mask=mask), loose)
    else:
        first = judge(engine, text, mask=mask) if text.strip() else None
    del free
    more = [_noted(message_annotation(engine, m.data, mask=mask, failures_only=True)
                   if m.data and hasattr(engine, "annotate_bytes")
                   else judge(engine, m.text, mask=mask), [m]) for m in messages]
    return [a for a in [first, *more] if a is not None]

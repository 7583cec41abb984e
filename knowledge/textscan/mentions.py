"""Mentions: every reply code and enhanced status code of a text, with its role, context and strength
(:func:`scan`), including the weak ones that are never failures."""

from __future__ import annotations

from knowledge.textscan.doc import Doc
from knowledge.textscan.results import CodeMention

__all__ = ["scan", "scan_limited"]


def scan_limited(text: str) -> tuple[list[CodeMention], bool]:
    """Like :func:`scan`, and also say whether the text was cut.

    Output: ``(mentions, truncated)``; ``truncated`` is True when the text was
    longer than :data:`MAX_SCAN_CHARS` or held more than :data:`MAX_TOKENS`
    code-shaped tokens, so codes after that point were not looked at.
    """
    try:
        doc = Doc(text)
        return [doc.mention(t) for t in doc.toks if t.keep], doc.truncated
    except Exception:  # pragma: no cover - defensive: never raise on user text
        return [], False


def scan(text: str) -> list[CodeMention]:
    """Every reply code and enhanced status code in ``text``, in text order.

    Input: any plain str (a log, a bounce, an exception; never raises).
    Output: a list of :class:`CodeMention` with span, kind, role, the context
    rule that made the token a code and its strength.  Numbers that are not
    codes (ports, HTTP statuses, durations, sizes, counts, pids, line numbers,
    errno, versions, RFC numbers, IP pieces, ids) are left out.  Weak mentions
    (a bare ``550`` with no context) are included with ``strength="weak"``.
    Reply codes: RFC 5321 §4.2; enhanced status codes: RFC 3463 §2.
    """
    return scan_limited(text)[0]


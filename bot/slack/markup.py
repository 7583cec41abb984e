"""Slack's message markup undone, so pasted mail errors read as the server sent them.

Pure text: no Slack SDK import.  Slack's raw message text (the ``text`` field of
an event, a slash command's ``text``) escapes ``&``, ``<`` and ``>`` as ``&amp;``,
``&lt;`` and ``&gt;`` (once: nothing else is escaped), wraps links, e-mail
addresses and mentions in angle brackets (``<mailto:user@example.com|user@example.com>``,
``<https://x|label>``, ``<@U123>``, ``<#C123|general>``, ``<!here>``), marks code
with backticks and ``` fences, and quotes lines with a leading ``&gt;``.
Source: Slack API documentation, "Formatting text for app surfaces"
(https://api.slack.com/reference/surfaces/formatting), sections "Escaping text",
"Linking to URLs", "Linking to email addresses", "Mentioning users/channels".

This is the only place that reads Slack markup: the Slack listeners (and
``smtpbot annotate --slack-text``) turn a message into plain text here before
handing it to ``knowledge``, which never sees Slack markup.  Every rewrite keeps
a map from positions in the plain text back to positions in the message
(:class:`knowledge.offsets.OffsetMap`), so a code found in the plain text can be
located in the original message.
"""

from __future__ import annotations

import re

from knowledge.offsets import OffsetMap, rewrite

__all__ = ["OffsetMap", "rewrite", "unslack", "unslack_with_map"]


# Order matters: links are recognised on the raw text (where a literal < or >
# is always escaped), entities after them.
_SLACK_RE = re.compile(
    r"(?P<fence>```)"
    r"|(?P<tick>`)"
    r"|(?P<quote>(?:(?<=\n)|^)[ \t]*&gt;(?:[ \t]?&gt;)*[ \t]?)"
    r"|<(?P<link>(?:https?://|mailto:|tel:|ftp://|[@#!])[^<>|\n]{0,2000})(?:\|(?P<label>[^<>\n]{0,2000}))?>"
    r"|(?P<ent>&(?:gt|lt|amp|quot|apos|#39|#x27|nbsp);)"
)

_ENTITIES = {"&gt;": ">", "&lt;": "<", "&amp;": "&", "&quot;": '"', "&apos;": "'",
             "&#39;": "'", "&#x27;": "'", "&nbsp;": " "}


def _slack_repl(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if kind == "fence":
        return "\n"
    if kind == "tick":
        return ""
    if kind == "quote":
        return ""
    if kind == "ent":
        return _ENTITIES[m.group("ent")]
    link = m.group("link") or ""
    label = m.group("label")
    if link.startswith("mailto:"):
        return label or link[len("mailto:"):]
    if link.startswith("tel:"):
        return label or link[len("tel:"):]
    if link[:1] in "@#":
        return (link[0] + label) if label else link
    if link.startswith("!"):
        return "@" + (label or link[1:].split("^")[0])
    return label or link


def unslack_with_map(text: str) -> tuple[str, OffsetMap]:
    """Undo Slack formatting; return ``(plain_text, OffsetMap to the input)``.

    Input: a message's raw ``text`` (str; any str accepted, never raises).
    Output: the text with backticks and code fences removed (a fence becomes a
    line break so a fenced reply starts its own line), line-start ``&gt;``
    quote markers removed, ``&lt; &gt; &amp;`` unescaped, and links replaced by
    their label (``<mailto:a@b|a@b>`` -> ``a@b``, ``<https://x|y>`` -> ``y``,
    ``<https://x>`` -> ``https://x``, ``<@U1>`` -> ``@U1``, ``<!here>`` -> ``@here``).
    Text that carries no Slack formatting comes back unchanged, so calling this
    on plain text (a log file, a bounce) is harmless: a bare ``<user@example.com>``
    is not a Slack link and is kept.
    Source: https://api.slack.com/reference/surfaces/formatting
    """
    if not isinstance(text, str):
        text = str(text)
    if "`" not in text and "&" not in text and "<" not in text:
        return text, OffsetMap()
    return rewrite(text, _SLACK_RE, _slack_repl)


def unslack(text: str) -> str:
    """Undo Slack formatting (see :func:`unslack_with_map`); return only the plain text."""
    return unslack_with_map(text)[0]

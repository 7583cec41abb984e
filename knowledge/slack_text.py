"""Undo Slack message formatting so pasted mail errors read as the server sent them.

Pure text: no Slack SDK import.  Slack's raw message text (the ``text`` field of
an event) escapes ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;`` and ``&gt;``,
wraps links, e-mail addresses and mentions in angle brackets
(``<mailto:user@example.com|user@example.com>``, ``<https://x|label>``,
``<@U123>``, ``<#C123|general>``, ``<!here>``), marks code with backticks and
``` fences, and quotes lines with a leading ``&gt;``.
Source: Slack API documentation, "Formatting text for app surfaces"
(https://api.slack.com/reference/surfaces/formatting), sections "Escaping text",
"Linking to URLs", "Linking to email addresses", "Mentioning users/channels".

Every rewrite here keeps a map from positions in the rewritten text back to
positions in the input (:class:`OffsetMap`), so a code found in the plain text
can be highlighted in the original message.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["OffsetMap", "rewrite", "unslack", "unslack_with_map"]


@dataclass(frozen=True)
class OffsetMap:
    """Maps character offsets of a rewritten text back to the text it came from.

    Built by :func:`rewrite`.  ``pieces`` holds, for every replaced stretch,
    ``(new_start, new_end, old_start, old_end)`` in increasing order; text
    between replacements was copied unchanged.  ``parent`` chains maps when a
    text was rewritten several times (the result is an offset in the first
    input).  Offsets are Python ``str`` indexes (code points).
    """

    pieces: tuple[tuple[int, int, int, int], ...] = ()
    parent: "OffsetMap | None" = None
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def to_original(self, pos: int) -> int:
        """Return the offset in the original input of rewritten offset ``pos`` (an int >= 0).

        A position inside a replacement maps to the corresponding place in the
        replaced stretch, clamped to its end.  Never raises for ``pos >= 0``.
        """
        starts = self._starts or tuple(p[0] for p in self.pieces)
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            out = pos
        else:
            ns, ne, os_, oe = self.pieces[i]
            out = min(os_ + (pos - ns), oe) if pos < ne else oe + (pos - ne)
        return self.parent.to_original(out) if self.parent is not None else out


def rewrite(
    text: str,
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
    parent: OffsetMap | None = None,
) -> tuple[str, OffsetMap]:
    """Replace every match of ``pattern`` in ``text`` by ``repl(match)``; keep an offset map.

    Input: a str, a compiled pattern, a function returning the replacement str.
    Output: ``(new_text, OffsetMap)`` whose ``to_original`` maps offsets in
    ``new_text`` to offsets in ``text`` (or in the text before ``parent``'s
    rewrite, when ``parent`` is given).  Linear in ``len(text)``; raises only
    what ``repl`` raises.
    """
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    pos = 0
    npos = 0
    for m in pattern.finditer(text):
        s, e = m.span()
        rep = repl(m)
        if rep == text[s:e]:
            continue
        if s > pos:
            out.append(text[pos:s])
            npos += s - pos
        out.append(rep)
        pieces.append((npos, npos + len(rep), s, e))
        npos += len(rep)
        pos = e
    if not pieces:
        return text, OffsetMap(parent=parent)
    out.append(text[pos:])
    return "".join(out), OffsetMap(tuple(pieces), parent, tuple(p[0] for p in pieces))


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

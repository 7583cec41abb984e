"""Offset maps: where a character of a rewritten text came from in the text before the rewrite.

Generic and pure (no Slack, no SMTP): :func:`rewrite` replaces every match of a
pattern and returns an :class:`OffsetMap`, so a code found in the rewritten text
can be located in the caller's text.  Used by the free-text scanner's
normalisation (``knowledge.textscan``) and by the Slack markup reader
(``bot.slack.markup``), whose maps chain (``parent``) back to the message as
Slack sent it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["OffsetMap", "rewrite"]


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

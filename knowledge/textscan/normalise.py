"""Stage 1, normalise: the caller's text as plain text, with an offset map back to it.

Turns literal ``\\r\\n`` / ``\\n`` escapes (Python / PHP / JS / JSON string literals, also escaped twice,
Exim logs) into line breaks, drops e-mail quoting (``> ``), and reads qmail's ``_``-for-space log lines
with spaces.  Every rewrite keeps an :class:`~knowledge.offsets.OffsetMap`, so spans found later
are reported in the caller's text.
"""

from __future__ import annotations

import re

from knowledge.offsets import OffsetMap, rewrite

__all__ = ["normalise"]

_ESCAPES_RE = re.compile(r"\\{1,2}r(?:\\{1,2}n)?|\\{1,2}n|\\t|\\\"|\\'")
_ESC_MAP = {"\\t": " ", '\\"': '"', "\\'": "'"}


def _unescape(m: re.Match[str]) -> str:
    """A literal line-break escape (``\\r\\n``, ``\\n``, ``\\r``, also written twice-escaped as
    ``\\\\r\\\\n`` in the JSON of a repr) is a line break; ``\\t`` a space; ``\\"`` a quote."""
    g = m.group(0)
    return _ESC_MAP.get(g) or "\n"


_QMAIL_LINE_RE = re.compile(r"(?m)^[^\n]{0,4000}?said:_[^\n]*")
_QUOTE_RE = re.compile(r"(?m)^[ \t]{0,8}>(?:[ \t]?>)*[ \t]?")


def normalise(text: str) -> tuple[str, OffsetMap]:
    """``(plain, omap)``: ``text`` (plain text: Slack markup is undone by the Slack app before it calls
    knowledge, see ``bot/slack/markup.py``) with string-literal escapes read as the characters they stand for, e-mail quoting dropped and qmail's underscores read
    as spaces; ``omap.to_original`` maps a position in ``plain`` to one in ``text``.  Linear; never raises
    on a str."""
    plain, omap = text, OffsetMap()
    if "\\" in plain:
        plain, omap = rewrite(plain, _ESCAPES_RE, _unescape, omap)
    if "\r" in plain:
        plain = plain.replace("\r\n", " \n").replace("\r", "\n")  # length-preserving
    if ">" in plain:  # e-mail style quoting ("> host ... said: 553 ...")
        plain, omap = rewrite(plain, _QUOTE_RE, lambda m: "", omap)
    if "said:_" in plain:  # qmail logs write spaces as underscores
        plain, omap = rewrite(plain, _QMAIL_LINE_RE, lambda m: m.group(0).replace("_", " "), omap)
    return plain, omap

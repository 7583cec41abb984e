"""Stage 1, normalise: the caller's text as plain text, with an offset map back to it.

Turns literal ``\\r\\n`` / ``\\n`` escapes (Python / PHP / JS / JSON string literals, also escaped twice,
Exim logs) into line breaks, drops e-mail quoting (``> ``), and reads qmail's ``_``-for-space log lines
with spaces.  Every rewrite keeps an :class:`~knowledge.textscan.offsets.OffsetMap`, so spans found later
are reported in the caller's text.
"""

from __future__ import annotations

import re

from knowledge.textscan.offsets import OffsetMap, rewrite

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


# ---------------------------------------------------------------------------------------------------
# SLACK MARKUP (to be removed by the integrator): the only place the domain undoes Slack formatting.
# Once every Slack path unslacks before calling knowledge (bot/slack/), replace the body of this
# function by ``return text, OffsetMap()`` (or delete it and its call in normalise()).
def _undo_slack_markup(text: str) -> tuple[str, OffsetMap]:
    """Slack's raw message markup undone (``&lt;`` ``<mailto:a|a>`` backticks, ``&gt;`` quotes), with an
    offset map back to ``text``.  Delegates to :func:`knowledge.slack_text.unslack_with_map`; once that
    module has left ``knowledge/`` (Slack paths unslack before calling knowledge), ``text`` is plain
    already and is returned as it is."""
    try:
        from knowledge.slack_text import unslack_with_map
    except ImportError:
        return text, OffsetMap()
    return unslack_with_map(text)
# ---------------------------------------------------------------------------------------------------


def normalise(text: str) -> tuple[str, OffsetMap]:
    """``(plain, omap)``: ``text`` with Slack markup undone (:func:`_undo_slack_markup`), string-literal
    escapes read as the characters they stand for, e-mail quoting dropped and qmail's underscores read
    as spaces; ``omap.to_original`` maps a position in ``plain`` to one in ``text``.  Linear; never raises
    on a str."""
    plain, omap = _undo_slack_markup(text)
    if "\\" in plain:
        plain, omap = rewrite(plain, _ESCAPES_RE, _unescape, omap)
    if "\r" in plain:
        plain = plain.replace("\r\n", " \n").replace("\r", "\n")  # length-preserving
    if ">" in plain:  # e-mail style quoting ("> host ... said: 553 ...")
        plain, omap = rewrite(plain, _QUOTE_RE, lambda m: "", omap)
    if "said:_" in plain:  # qmail logs write spaces as underscores
        plain, omap = rewrite(plain, _QMAIL_LINE_RE, lambda m: m.group(0).replace("_", " "), omap)
    return plain, omap

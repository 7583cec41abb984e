"""Stage 2, tokens: every token shaped like a reply code or an enhanced status code, and the pairs.

One linear regex (:data:`_TOKEN_RE`, built from :mod:`knowledge.smtp.codes`) finds reply codes (RFC 5321
§4.2: three digits, first 2-5, second 0-5) and enhanced status codes (RFC 3463 §2, subjects 0-7 as the
IANA registry defines them, details of 1-3 digits).  The boundaries are ASCII-only, so ``失败550`` is
found while ``v2.7.4``, ``_nodemailer@4.7.0@``, ``4.16.55.1``, ``554.30``, ``192.0.2.250`` and
``index.js:605:19`` are not.  A reply code followed, within a short gap, by an enhanced code of the same
class is a pair (``550 5.7.1``, ``550-5.7.1``, ``(450, b'4.1.2``, wrapped over a line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.smtp.codes import REGISTRY_ENHANCED_CODE, REPLY_CODE

__all__ = ["Tok", "tokenise", "pair"]

_TOKEN_RE = re.compile(
    r"(?<![0-9A-Za-z_.@$/\\])(?<!\d,)"
    r"(?:(?P<enh>" + REGISTRY_ENHANCED_CODE + r")(?![0-9A-Za-z_@%]|\.[0-9]|-[0-9])"
    r"|(?P<rep>" + REPLY_CODE + r")(?![0-9A-Za-z_@%]|[.:/][0-9]|,[0-9]{3}|-[0-9]{2}|-[0-9]\b(?!\.)))"
)
# a cheap first test: does the text hold anything code-shaped at all?
_QUICK_RE = re.compile(REPLY_CODE + r"|[245]\.[0-7]\.[0-9]")

# gap allowed between a reply code and the enhanced code sent with it
_PAIR_GAP_RE = re.compile(r"(?:[ \t]*(?:-|,[ \t]*b?['\"]|\r?\n[ \t>]*|[ \t]+|#|\)?[ \t]*:))?[ \t]*\Z")


@dataclass(slots=True)
class Tok:
    """One code-shaped token of the normalised text and what the context rules decided about it.

    ``kind``: ``"reply"`` / ``"enhanced"`` (``"none"`` for a code-less log-line failure); ``s``/``e``:
    span in the normalised text; ``paired``: the token of the other family sent with it; ``context``,
    ``strength``, ``role``: see :class:`~knowledge.textscan.results.CodeMention`; ``keep``: False when a
    rule rejected it; ``paren``: ``(451)``, a reply code only when an enhanced code of its class is on
    the line."""

    kind: str
    code: str
    s: int
    e: int
    paired: "Tok | None" = None
    context: str = "bare"
    strength: str = "weak"
    role: str = "mention"
    keep: bool = True
    paren: bool = False


def quick_check(text: str) -> bool:
    """True when ``text`` holds something code-shaped (one regex search)."""
    return _QUICK_RE.search(text) is not None


def tokenise(text: str, max_tokens: int) -> tuple[list[Tok], bool]:
    """``(tokens, cut)``: the code-shaped tokens of ``text`` in order, and whether the bound was hit.

    The bound counts the tokens that can be a failure (class 4 or 5).  Success and intermediate codes
    (class 2 / 3: ``status=sent (250 2.0.0 Ok)``) are examined only up to the same number: beyond it
    they are passed over, so a long log of deliveries cannot use the budget up before the one bounce at
    its end."""
    toks: list[Tok] = []
    failing = passing = 0
    for m in _TOKEN_RE.finditer(text):
        if m.group(0)[0] in "45":
            failing += 1
            if failing > max_tokens:
                return toks, True
        else:
            passing += 1
            if passing > max_tokens:
                continue
        kind = "enhanced" if m.group("enh") else "reply"
        toks.append(Tok(kind, m.group(0), m.start(), m.end()))
    return toks, False


def pair(text: str, toks: list[Tok]) -> None:
    """Link each reply token to the enhanced token of its class that follows it within a pair gap."""
    for i in range(len(toks) - 1):
        a, b = toks[i], toks[i + 1]
        if a.kind != "reply" or b.kind != "enhanced" or a.code[0] != b.code[0]:
            continue
        if b.s - a.e > 24:
            continue
        gap = text[a.e:b.s]
        if _PAIR_GAP_RE.match(gap) and _PAIR_GAP_RE.match(gap).end() == len(gap):
            a.paired, b.paired = b, a

"""Reject duplicated and shadowed phrases of one tier of phrase families.

Within a tier the first family that matches decides, so a phrase of a later family can never
decide when an earlier family has a literal phrase contained in it (or equal to it: a duplicate).
A pattern is shadowed the same way when each of its literal triggers contains an earlier literal.
Holds no phrase.
"""

from __future__ import annotations

import re

from knowledge.reasons.triggers import literal_triggers
from knowledge.reasons.validate import ReasonDataError

# Assertions: a pattern with one may match a phrase alone but not the same phrase inside a longer text.
_ASSERTION = re.compile(r"\\[bBAZ]|\(\?<?[=!]|[\^$]")


class _Earlier:
    """The literal phrases of the families seen so far, indexed by their first three characters."""

    def __init__(self) -> None:
        self.patterns: list[tuple[re.Pattern[str], str, dict]] = []  # patterns without assertions
        self.owner: dict[str, dict] = {}
        self.by_gram: dict[str, list[str]] = {}
        self.short: list[str] = []

    def add(self, fam: dict) -> None:
        self.patterns += [(re.compile(src), pname, fam) for pname, src in fam["patterns"] if not _ASSERTION.search(src)]
        for p in fam["phrases"]:
            self.owner.setdefault(p, fam)
            if len(p) < 3:
                self.short.append(p)
            else:
                self.by_gram.setdefault(p[:3], []).append(p)

    def inside(self, s: str) -> str | None:
        """An earlier phrase that occurs in ``s`` (``s`` itself first), or None."""
        if s in self.owner:
            return s
        by_gram = self.by_gram
        for i in range(len(s) - 2):
            for p in by_gram.get(s[i:i + 3], ()):
                if s.startswith(p, i):
                    return p
        return next((p for p in self.short if p in s), None)


def _check_patterns(earlier: _Earlier, phrase: str, where: str, tier: str) -> None:
    """Reject ``phrase`` when an earlier pattern without assertions matches it: such a pattern then
    matches every text that contains the phrase."""
    for pat, pname, other in earlier.patterns:
        if pat.search(phrase):
            raise ReasonDataError(
                f"{where}: phrase {phrase!r} can never decide: family {other['name']!r} ({other['file']}), "
                f"tried before it in tier {tier!r}, has the pattern {pname!r} that matches it")


def check_tier(tier: str, families: list[dict]) -> None:
    """Raise :class:`ReasonDataError` for the first phrase or pattern of ``families`` (in order of
    precedence; dicts with name, file, phrases, patterns) that an earlier family always pre-empts."""
    earlier = _Earlier()
    for fam in families:
        where = f"{fam['file']}: family {fam['name']!r}"
        for p in fam["phrases"]:
            hit = earlier.inside(p)
            if hit is None:
                _check_patterns(earlier, p, where, tier)
                continue
            other = earlier.owner[hit]
            by = f"family {other['name']!r} ({other['file']}), tried before it in tier {tier!r}"
            if hit == p:
                raise ReasonDataError(f"{where}: phrase {p!r} duplicates a phrase of {by}")
            raise ReasonDataError(f"{where}: phrase {p!r} can never decide: {by}, has the phrase {hit!r}")
        for pname, src in fam["patterns"]:
            trig = literal_triggers(src)
            hits = [earlier.inside(t) for t in trig or ()]
            if trig and all(hits):
                other = earlier.owner[hits[0]]  # type: ignore[index]
                raise ReasonDataError(
                    f"{where}: pattern {pname!r} can never decide: family {other['name']!r} ({other['file']}), "
                    f"tried before it in tier {tier!r}, has the phrase {hits[0]!r}")
        earlier.add(fam)

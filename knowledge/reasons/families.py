"""Phrase families and the literal-trigger index that makes matching fast.

A family (one ``[[family]]`` of knowledge/data/reasons/<reason>.toml, or one ``[[reason_phrases]]``
of a provider file) decides its reason when one of its literal phrases occurs in the normalised,
lower-cased text, or one of its few named patterns matches.  The phrases themselves are the
triggers: one pass over the text's three-character substrings finds every phrase present
(:class:`TriggerIndex`), and an ordered :class:`FamilyIndex` then looks only at the families
that own a present trigger.  A pattern runs only when one of its own literal triggers
(:func:`knowledge.reasons.triggers.literal_triggers`) is present, or always when it has none.
Holds no phrase: everything comes from the data files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.reasons.triggers import literal_triggers


def family_triggers(phrases: Iterable[str], patterns: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The triggers of a family: its phrases, then its patterns' literal triggers."""
    out = list(phrases)
    for _, src in patterns:
        out.extend(literal_triggers(src) or ())
    return tuple(dict.fromkeys(out))


def gram_index(triggers: Iterable[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Index ``triggers`` by the three-character substring of each that the fewest others share:
    returns ``(gram -> triggers, triggers under three characters)``; see :class:`TriggerIndex`."""
    triggers = list(dict.fromkeys(triggers))
    count: dict[str, int] = {}
    for t in triggers:
        for g in {t[i:i + 3] for i in range(len(t) - 2)}:
            count[g] = count.get(g, 0) + 1
    by_gram: dict[str, list[str]] = {}
    short: list[str] = []
    for t in triggers:
        if len(t) < 3:
            short.append(t)
            continue
        rare = min((t[i:i + 3] for i in range(len(t) - 2)), key=count.__getitem__)
        by_gram.setdefault(rare, []).append(t)
    return by_gram, short


class Family:
    """One phrase family: ``name``, ``reason``, literal ``phrases`` and named ``patterns``.

    ``patterns``: ``((name, regex source), ...)``, compiled on first use.  ``triggers`` are the
    literals whose presence lets the family match (its phrases and its patterns' triggers);
    ``source`` is the equivalent single regex (the family matches exactly where it does).
    """

    __slots__ = ("name", "reason", "phrases", "patterns", "triggers", "_phrase_set", "_gated", "_ungated",
                 "_compiled", "_keys")

    def __init__(self, name: str, reason: str, phrases: Iterable[str],
                 patterns: Iterable[tuple[str, str]] = ()) -> None:
        self.name = name
        self.reason = reason
        self.phrases = tuple(phrases)
        self.patterns = tuple(patterns)
        self._phrase_set = frozenset(self.phrases)
        self._compiled: dict[int, re.Pattern[str]] = {}
        gated: dict[str, list[int]] = {}
        ungated: list[int] = []
        for i, (_, src) in enumerate(self.patterns):
            trig = literal_triggers(src)
            if trig is None:
                ungated.append(i)
            for t in trig or ():
                gated.setdefault(t, []).append(i)
        self._gated = {t: tuple(v) for t, v in gated.items()}
        self._ungated = tuple(ungated)
        self._keys = self._phrase_set | frozenset(gated)
        self.triggers = family_triggers(self.phrases, self.patterns)

    @property
    def source(self) -> str:
        """The family as one regex (for tests and tools: the verdict of :meth:`search` equals its ``re.search``)."""
        return "|".join([re.escape(p) for p in self.phrases] + [src for _, src in self.patterns])

    @property
    def gated(self) -> bool:
        """True when the family can match only where one of its triggers occurs."""
        return not self._ungated

    def _pattern(self, i: int) -> re.Pattern[str]:
        pat = self._compiled.get(i)
        if pat is None:
            pat = self._compiled[i] = re.compile(self.patterns[i][1])
        return pat

    def search(self, low: str, present: set[str] | frozenset[str] | None = None) -> bool:
        """True when a phrase of the family occurs in ``low`` or one of its patterns matches it.

        ``low``: lower-cased, normalised text.  ``present``: the triggers (of all families of the
        index) that occur in ``low``, from :meth:`TriggerIndex.present`; when given it is read
        instead of testing each trigger.  The verdict is the same either way.
        """
        if present is None:
            if any(p in low for p in self.phrases):
                return True
            present = {t for t in self._gated if t in low}
        elif not self._phrase_set.isdisjoint(present):
            return True
        tried: set[int] = set()
        for t in self._gated.keys() & present:
            for i in self._gated[t]:
                if i not in tried:
                    tried.add(i)
                    if self._pattern(i).search(low) is not None:
                        return True
        return any(self._pattern(i).search(low) is not None for i in self._ungated)


class TriggerIndex:
    """The triggers of some families, each indexed by its rarest three-character substring.

    :meth:`present` finds every trigger that occurs in a text in one pass: the set of the text's
    three-character substrings picks the candidates, each is confirmed with ``in`` (cost linear in
    the text's length, not one substring test per trigger).  Indexing a trigger by the gram that
    the fewest other triggers share keeps the candidates of a common gram ("mai") few.
    """

    __slots__ = ("_by_gram", "_grams", "_short")

    def __init__(self, families: Iterable[Family] = (), index: tuple[dict, list] | None = None) -> None:
        by_gram, short = index if index is not None else gram_index(t for fam in families for t in fam.triggers)
        self._by_gram = {g: tuple(ts) for g, ts in by_gram.items()}
        self._grams = frozenset(self._by_gram)
        self._short = tuple(short)

    def present(self, low: str) -> set[str]:
        """The indexed triggers that occur in ``low``."""
        grams = set(map("".join, zip(low, low[1:], low[2:])))  # every 3-character substring
        by_gram = self._by_gram
        found = {t for g in grams & self._grams for t in by_gram[g] if t in low}
        found.update(t for t in self._short if t in low)
        return found


class FamilyIndex:
    """An ordered list of families with a map from each trigger to the families that use it, so
    that only the families whose triggers occur in a text are searched (in list order), plus the
    ungated ones."""

    __slots__ = ("families", "by_trigger", "keys", "ungated")

    def __init__(self, families: list[Family]) -> None:
        self.families = families
        by: dict[str, list[int]] = {}
        for i, fam in enumerate(families):
            for t in fam._keys:
                by.setdefault(t, []).append(i)
        self.by_trigger = {t: tuple(v) for t, v in by.items()}
        self.keys = frozenset(by)
        self.ungated = frozenset(i for i, fam in enumerate(families) if not fam.gated)

    def first(self, low: str, present: set[str] | frozenset[str]) -> str | None:
        """The reason of the first family (in list order) that matches ``low``, whose present
        triggers are ``present``; None when none does."""
        cand = set(self.ungated)
        for t in self.keys & present:
            cand.update(self.by_trigger[t])
        fams = self.families
        for i in sorted(cand):
            if fams[i].search(low, present):
                return fams[i].reason
        return None


class PhraseSet(Family):
    """A named set of phrases and patterns that a rule consults (knowledge/data/reasons/evidence.toml).

    ``search(text)`` returns True or False, like ``bool(re.search(...))`` of the equivalent regex,
    so that callers written for a compiled pattern keep working."""

    __slots__ = ()

    def __init__(self, name: str, phrases: Iterable[str], patterns: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(name, "", phrases, patterns)

    def strip(self, low: str) -> str:
        """``low`` with every occurrence of the set's phrases replaced by a space (patterns are not used)."""
        for p in self.phrases:
            if p in low:
                low = low.replace(p, " ")
        return low

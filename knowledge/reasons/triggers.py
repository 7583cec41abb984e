"""Literal triggers of a regex pattern: strings of which one must occur for the pattern to match.

Used to gate the few named patterns of the phrase families (knowledge/data/reasons/*.toml): a
pattern is run only when one of its triggers occurs in the text (a cheap ``in`` test; Python's
engine has no multi-literal search).  Also used by the loader to find patterns that an earlier
family's literal phrase always pre-empts.  Holds no phrase.
"""

from __future__ import annotations

import re

# What split_alternatives must look at: an escape, the start of a class, a
# group bracket or a bar; everything between them is copied as it is.
_SPLIT_TOKEN = re.compile(r"\\.|[\[()|]", re.S)
# The characters _alt_triggers treats specially; all others extend a literal run.
_TRIGGER_SYNTAX = re.compile(r"[\\\[(?*{+.^$)]")


def split_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level ``|`` (escapes and character classes
    are skipped; a class may start with ``]``)."""
    alts: list[str] = []
    depth = 0
    start = pos = 0
    while True:
        m = _SPLIT_TOKEN.search(pattern, pos)
        if m is None:
            break
        tok = m.group()
        pos = m.end()
        if tok == "[":
            pos = pattern.index("]", m.start() + 2) + 1
        elif tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif tok == "|" and depth == 0:
            alts.append(pattern[start:m.start()])
            start = pos
    alts.append(pattern[start:])
    return alts


def _group_end(alt: str, i: int) -> int:
    """The index just past the group that opens at ``alt[i]`` ("(")."""
    depth = 1
    j = i + 1
    n = len(alt)
    while j < n and depth:
        if alt[j] == "\\":
            j += 2
            continue
        if alt[j] == "[":
            j = alt.index("]", j + 2) + 1
            continue
        if alt[j] == "(":
            depth += 1
        elif alt[j] == ")":
            depth -= 1
        j += 1
    return j


def _group_candidate(alt: str, i: int, j: int) -> tuple[str, ...] | None:
    """The triggers a group ``alt[i:j]`` contributes: one of its alternatives' triggers must occur,
    unless the group is optional or an assertion (then None)."""
    inner = alt[i + 1:j - 1]
    if inner.startswith("?:"):
        inner = inner[2:]
    optional = j < len(alt) and alt[j] in "?*" or alt[j:j + 3] in ("{0,",)
    if optional or inner.startswith(("?=", "?!", "?<")):
        return None
    subs = [_alt_triggers(a) for a in split_alternatives(inner)]
    if not all(subs):
        return None
    return tuple(t for sub in subs for t in sub)  # type: ignore[union-attr]


def _skip_escape(alt: str, i: int) -> int:
    """The index past an escape at ``alt[i]`` and its quantifier."""
    i += 2
    if i < len(alt) and alt[i] in "?*":
        return i + 1
    if i < len(alt) and alt[i] == "{":
        return alt.index("}", i) + 1
    return i


def _alt_triggers(alt: str) -> tuple[str, ...] | None:
    """Strings of which one must occur for the regex ``alt`` (no top-level
    ``|``) to match, or None when none can be derived."""
    candidates: list[tuple[str, ...]] = []
    run = ""
    i = 0
    n = len(alt)
    while i < n:
        m = _TRIGGER_SYNTAX.search(alt, i)
        j = n if m is None else m.start()
        if j > i:  # a run of literal characters: taken whole
            run += alt[i:j]
            i = j
            continue
        ch = alt[i]
        if ch in "?*{":
            run = run[:-1]  # the quantified character is optional
        if len(run) >= 3:
            candidates.append((run,))
        run = ""
        if ch == "\\":
            i = _skip_escape(alt, i)
        elif ch == "[":
            i = alt.index("]", i + 2) + 1
        elif ch == "(":
            j = _group_end(alt, i)
            cand = _group_candidate(alt, i, j)
            if cand:
                candidates.append(cand)
            i = j
        elif ch == "{":
            i = alt.index("}", i) + 1
        else:  # ? * + . ^ $ )
            i += 1
    if len(run) >= 3:
        candidates.append((run,))
    if not candidates:
        return None
    # Prefer the candidate whose shortest string is longest (fewest false hits).
    return max(candidates, key=lambda c: (min(len(t) for t in c), -len(c)))


def minimal_triggers(triggers: list[str]) -> tuple[str, ...]:
    """Drop every trigger that contains a shorter one of the same list: where
    it occurs, the shorter one occurs too, so it adds nothing to the test."""
    kept: list[str] = []
    for t in sorted(dict.fromkeys(triggers), key=len):
        if not any(k in t for k in kept):
            kept.append(t)
    return tuple(kept)


def literal_triggers(pattern: str) -> tuple[str, ...] | None:
    """Return substrings of which at least one must occur for ``pattern`` to
    match, or None when some alternative yields none (the pattern is then run on every text)."""
    out: list[str] = []
    for alt in split_alternatives(pattern):
        t = _alt_triggers(alt)
        if t is None:
            return None
        out.extend(t)
    return minimal_triggers(out)

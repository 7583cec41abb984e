"""Compare two or more explained codes.

:func:`compare` builds a :class:`~knowledge.results.Comparison` from the
structured fields of each :class:`~knowledge.results.CodeExplanation`, so any
set of codes can be compared: a class-difference sentence (RFC 5321 §4.2.1,
RFC 3463 §2), one row per aspect (class, meaning, when, what to do, retry,
who acts) and a one-line "which one matters when".  Curated notes from
``knowledge/data/comparisons.toml`` are added for the classic confusions
(252/502, 450/550, 421/451 ...).
"""

from __future__ import annotations

from knowledge.kb import get_kb
from knowledge.results import CodeExplanation, Comparison, Difference

# Most severe first: what needs a person's action comes first in "which matters".
_SEVERITY = {"5": 0, "4": 1, "3": 2, "2": 3, "X": 4}


def _class_digit(item: CodeExplanation) -> str:
    return item.code[0].upper()


def _class_info(digit: str, item: CodeExplanation):
    kb = get_kb()
    if item.kind == "enhanced":
        return kb.enhanced_class(digit)
    return kb.reply_class(digit)


def _codes_of(items: list[CodeExplanation]) -> set[str]:
    out: set[str] = set()
    for it in items:
        out.add(it.code)
        for p in it.parts:
            out.add(p.code)
    # an enhanced code given with any class also matches its X form and vice versa
    for c in list(out):
        if c.count(".") == 2:
            out.add("X." + c.split(".", 1)[1])
    return out


def _join(codes: list[str]) -> str:
    if len(codes) == 1:
        return codes[0]
    return ", ".join(codes[:-1]) + " and " + codes[-1]


def _summary(items: list[CodeExplanation]) -> str:
    digits = [_class_digit(i) for i in items]
    both = "Both" if len(items) == 2 else "All"
    if len(set(digits)) == 1 and len({i.class_ for i in items}) == 1:
        info = _class_info(digits[0], items[0])
        gist = f" ({info.gist})" if info else ""
        return (f"{both} {_join([i.code for i in items])} are {items[0].class_}{gist}; "
                "they differ in what failed or happened and where, not in class.")
    if len(set(digits)) == 1 and digits[0] != "X":
        # e.g. 550 and 5.7.1: different code families, same class digit
        info = _class_info(digits[0], items[0])
        gist = f" ({info.gist})" if info else ""
        each = "; ".join(f"{it.code} is {it.class_}" for it in items)
        return f"{both} {_join([i.code for i in items])} have class digit {digits[0]}{gist}: {each}."
    parts = []
    for it, d in zip(items, digits):
        info = _class_info(d, it)
        gist = f" ({info.gist})" if info else ""
        parts.append(f"{it.code} is {it.class_}{gist}")
    return "; ".join(parts) + "."


def _which_matters(items: list[CodeExplanation]) -> str:
    groups: dict[str, list[str]] = {}
    for it in items:
        groups.setdefault(_class_digit(it), []).append(it.code)
    ordered = sorted(groups, key=lambda d: _SEVERITY.get(d, 9))
    if len(ordered) == 1:
        d = ordered[0]
        info = _class_info(d, items[0])
        action = info.action if info else "depends on the class the server sends"
        return (f"Same class, so they matter alike ({action}); the text after each code and the "
                "enhanced status code tell you which problem you actually have.")
    phrases = []
    for d in ordered:
        sample = next(i for i in items if _class_digit(i) == d)
        info = _class_info(d, sample)
        action = info.action if info else "depends on the class the server sends"
        # the class actions are worded for one code ("needs ...", "usually clears ...")
        who = _join(groups[d]) if len(groups[d]) == 1 else f"each of {_join(groups[d])}"
        phrases.append(f"{who} {action}")
    text = "; ".join(phrases)
    return text[:1].upper() + text[1:] + "."


def compare(items: list[CodeExplanation]) -> Comparison:
    """Compare explained codes (two or more, in the order given).

    Input: a list of :class:`CodeExplanation` (any kinds, derived or not).
    Output: a :class:`Comparison` whose ``differences`` rows hold one value per
    code, in input order.  Raises ``ValueError`` for fewer than two items.
    """
    if len(items) < 2:
        raise ValueError("compare needs at least two explained codes")
    rows = [
        Difference(aspect="class", values=[i.class_ for i in items]),
    ]
    if any(i.subject for i in items):
        rows.append(Difference(aspect="subject", values=[i.subject or "-" for i in items]))
    rows += [
        Difference(aspect="title", values=[i.title for i in items]),
        Difference(aspect="meaning", values=[i.meaning for i in items]),
        Difference(aspect="when", values=[i.when for i in items]),
        Difference(aspect="what to do", values=[i.fix for i in items]),
        Difference(aspect="who acts", values=[", ".join(i.who_acts) or "-" for i in items]),
        Difference(aspect="retry", values=[i.retry for i in items]),
    ]
    if len({i.standing for i in items}) > 1:
        rows.append(Difference(aspect="standing", values=[i.standing for i in items]))

    notes, which, sources = [], None, []
    for note in get_kb().curated_for(_codes_of(items)):
        notes.append(note.note)
        sources.extend(note.source)
        # the curated one-liner only speaks for the codes it names
        if which is None and all(_codes_of([it]) & set(note.codes) for it in items):
            which = note.which_matters
    generated = _which_matters(items)
    if which is None:
        which = generated
    for it in items:
        sources.extend(it.source)
    return Comparison(
        codes=[i.code for i in items],
        summary=_summary(items),
        differences=rows,
        which_matters=which,
        notes=notes,
        source=list(dict.fromkeys(sources)),
    )

"""Field checks of the reason data files (knowledge/data/reasons/, provider [[reason_phrases]] /
[[reason_codes]]).  Every error is a :class:`ReasonDataError` whose message names the file and the
entry.  Holds no phrase."""

from __future__ import annotations

import re

from knowledge.provenance import is_checked_date, is_source_url
from knowledge.vocabulary import REASONS

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

REASON_KEYS = frozenset({"label", "hard", "next_step", "deferral_hint", "sources", "checked", "family"})
FAMILY_KEYS = frozenset({"name", "note", "phrases", "patterns", "sources", "checked"})
SET_KEYS = frozenset({"note", "phrases", "patterns", "sources", "checked"})


class ReasonDataError(ValueError):
    """A reason data file is malformed; the message names the file and the entry."""


def check_keys(d: object, allowed: frozenset[str], where: str) -> dict:
    """``d`` as a table whose keys are all in ``allowed``, else ReasonDataError."""
    if not isinstance(d, dict):
        raise ReasonDataError(f"{where}: must be a table")
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise ReasonDataError(f"{where}: unknown key(s) {unknown}")
    return d


def text(d: dict, key: str, where: str, required: bool = True) -> str | None:
    """A non-empty string field (None when absent and not ``required``)."""
    v = d.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v.strip():
        raise ReasonDataError(f"{where}: {key!r} must be a non-empty string")
    return v


def reason_name(v: object, where: str) -> str:
    """``v`` when it is one of Sisimai's reasons (knowledge.vocabulary.REASONS)."""
    if v not in REASONS:
        raise ReasonDataError(f"{where}: {v!r} is not a Sisimai reason (knowledge.vocabulary.REASONS)")
    return v  # type: ignore[return-value]


def provenance(d: dict, where: str) -> None:
    """``sources`` (a non-empty list of http(s) URLs) and ``checked`` (YYYY-MM-DD) must be present."""
    src = d.get("sources")
    if not isinstance(src, list) or not src or not all(is_source_url(u) for u in src):
        raise ReasonDataError(f"{where}: 'sources' must be a non-empty list of http(s) URLs")
    if not is_checked_date(d.get("checked")):
        raise ReasonDataError(f"{where}: 'checked' must be a date written YYYY-MM-DD")


def name(v: object, where: str) -> str:
    """A family or pattern name: lower-case letters, digits, '-' and '_'."""
    if not isinstance(v, str) or not _NAME_RE.match(v):
        raise ReasonDataError(f"{where}: name {v!r} must be lower-case letters, digits, '-' or '_'")
    return v


def phrases(d: dict, where: str) -> list[str]:
    """The ``phrases`` list: lower-case literals, single-spaced (texts are matched lower-cased and
    with runs of white space folded), none containing another of the same list."""
    v = d.get("phrases", [])
    if not isinstance(v, list) or not all(isinstance(p, str) and p.strip() for p in v):
        raise ReasonDataError(f"{where}: 'phrases' must be a list of non-empty strings")
    seen: set[str] = set()
    for p in v:
        if p != p.lower():
            raise ReasonDataError(f"{where}: phrase {p!r} must be lower-case")
        if "  " in p or any(c in p for c in "\t\r\n"):
            raise ReasonDataError(f"{where}: phrase {p!r} must use single spaces (texts are matched with white space folded)")
        if p in seen:
            raise ReasonDataError(f"{where}: phrase {p!r} is listed twice")
        seen.add(p)
    for p in v:
        inner = next((q for q in v if q != p and q in p), None)
        if inner is not None:
            raise ReasonDataError(f"{where}: phrase {p!r} can never decide: it contains the family's phrase {inner!r}")
    return v


def pattern(src: object, where: str) -> str:
    """A regex source that compiles."""
    if not isinstance(src, str) or not src:
        raise ReasonDataError(f"{where}: must be a non-empty regex string")
    try:
        re.compile(src)
    except re.error as exc:
        raise ReasonDataError(f"{where}: does not compile: {exc}") from None
    return src


def named_patterns(d: dict, where: str) -> list[tuple[str, str]]:
    """The ``patterns`` table of a family or set: name -> regex."""
    v = d.get("patterns", {})
    if not isinstance(v, dict):
        raise ReasonDataError(f"{where}: 'patterns' must be a table of name = regex")
    return [(name(k, f"{where}: pattern"), pattern(src, f"{where}: pattern {k!r}")) for k, src in v.items()]

"""Loading the provider data files: the parsed-TOML marshal cache, the index of prefilters, the reason tables.

The data files (``knowledge/data/providers/*.toml``, shape in :mod:`knowledge.providers.schema`) are read
once per process, on first use, and checked every time they are read.  Their parsed form is cached with
:mod:`marshal` under ``$SMTPBOT_CACHE_DIR`` (default ``$XDG_CACHE_HOME/smtpbot`` or ``~/.cache/smtpbot``),
keyed by the files' names, sizes and mtimes; ``SMTPBOT_NO_CACHE=1`` disables it.  ``tomllib`` is imported
only when the cache is cold.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from knowledge.datacache import cached, read_toml

from knowledge.providers.records import (
    ProviderDataError,
    ReasonCodes,
    ReasonPhrases,
    _Index,
    _Provider,
    _Rule,
)
from knowledge.providers.schema import build_provider, compile_pattern, phrase_entry_where

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "providers"

_INDEX: _Index | None = None
_LOCK = threading.Lock()
_CACHE_VERSION = 3  # 3: rules may carry a "reason"


def norm_word(word: str) -> str:
    """A provider word as the alias table keys it: lower case, no leading "@", no spaces, "_", "/", "-"."""
    w = word.strip().lower().lstrip("@")
    return re.sub(r"[\s_/-]+", "", w)


# --------------------------------------------------------------------------- parsed-file cache


def _read_files(paths: list[Path], use_cache: bool) -> list[dict]:
    """Parse every TOML file; a marshal cache of the parsed dicts avoids re-parsing unchanged files."""
    return cached("providers", _CACHE_VERSION, paths, lambda: [_parse(path) for path in paths],
                  accept=lambda data: isinstance(data, list) and len(data) == len(paths), use_cache=use_cache)


def _parse(path: Path) -> dict:
    return read_toml(path, ProviderDataError)


# --------------------------------------------------------------------------- the index


def _register(prov: _Provider, providers: dict, rules: dict, aliases: dict, where: str) -> None:
    """Add one provider to the id, rule and alias tables; duplicates raise naming the file."""
    if prov.id in providers:
        raise ProviderDataError(f"{where}: duplicate provider id {prov.id!r}")
    providers[prov.id] = prov
    for rule in prov.rules:
        if rule.id in rules:
            raise ProviderDataError(f"{where}: duplicate rule id {rule.id!r}")
        rules[rule.id] = rule
    for word in (prov.id, prov.name, *prov.aliases):
        key = norm_word(word)
        other = aliases.get(key)
        if other is not None and other != prov.id:
            raise ProviderDataError(f"{where}: alias {word!r} already names {other!r}")
        aliases[key] = prov.id


def _check_phrases(providers: dict[str, _Provider]) -> None:
    """A reason phrase written in two entries (of one or two files) is an error naming both.  Whether a
    phrase can never decide depends on the precedence of knowledge/data/reasons/order.toml, so that check
    belongs to the reasons loader (:mod:`knowledge.reasons.shadow`), which checks every tier."""
    seen: dict[str, str] = {}
    for prov in providers.values():
        for i, e in enumerate(prov.reason_phrases):
            where = phrase_entry_where(prov.file, i, e)
            for phrase in e.get("phrases", ()):
                first = seen.setdefault(phrase, where)
                if first != where:
                    raise ProviderDataError(f"{where}: phrase {phrase!r} is already listed in {first}")


def _prefilters(providers: dict[str, _Provider]) -> dict:
    """The keyword arguments of :class:`_Index` besides providers, aliases and rules."""
    identifying = [r for p in providers.values() for r in p.rules if r.identifies]
    literals: list[tuple[str, _Provider, bool]] = []
    for prov in providers.values():
        literals.extend((sig, prov, True) for sig in prov.signatures)
        literals.extend((anc, prov, False) for anc in prov.host_anchors)
    marker_pairs: dict[str, list[tuple[str, _Rule]]] = {}
    for cls in "45":
        marker_pairs[cls] = [
            (mk, r) for r in identifying if not r.classes or cls in r.classes for mk in r.id_markers
        ]
    marker_pairs[""] = [(mk, r) for r in identifying for mk in r.id_markers]
    exact: dict[str, _Provider] = {}
    suffixes: dict[str, list[tuple[str, _Provider]]] = {}
    for prov in providers.values():
        for pre, suf in prov.host_globs:
            if suf:
                suffixes.setdefault(suf, []).append((pre, prov))
            else:
                exact.setdefault(pre, prov)
    return {"identifying": identifying, "provider_literals": literals, "marker_pairs": marker_pairs,
            "exact_hosts": exact, "host_suffixes": suffixes}


def _load(data_dir: Path = DATA_DIR, use_cache: bool = True, compile_patterns: bool = False) -> _Index:
    """Read, check and index every ``*.toml`` file of ``data_dir`` (file order = rule order)."""
    providers: dict[str, _Provider] = {}
    aliases: dict[str, str] = {}
    rules: dict[str, _Rule] = {}
    order = 0
    paths = sorted(data_dir.glob("*.toml"))
    if not paths:
        raise ProviderDataError(f"no provider data files in {data_dir}")
    for path, data in zip(paths, _read_files(paths, use_cache)):
        if not isinstance(data, dict):
            raise ProviderDataError(f"{path.name}: not a TOML table")
        prov = build_provider(data, path, order, compile_patterns)
        order += len(prov.rules)
        _register(prov, providers, rules, aliases, path.name)
    _check_phrases(providers)
    idx = _Index(providers=providers, aliases=aliases, rules=rules, **_prefilters(providers))
    if compile_patterns:
        idx.reason_tables = _compile_reason_tables(idx)
    return idx


def _index() -> _Index:
    """The process-wide index, loaded on first use (thread-safe)."""
    global _INDEX
    idx = _INDEX
    if idx is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _load()
            idx = _INDEX
    return idx


def _reset_index() -> None:
    """Forget the loaded index (benchmarks and tests that time or change loading)."""
    global _INDEX
    with _LOCK:
        _INDEX = None


def validate_provider_data(data_dir: Path | str = DATA_DIR) -> list[str]:
    """Load and check every ``*.toml`` file in ``data_dir``.

    Returns the sorted list of rule ids.  Raises :class:`ProviderDataError`
    naming the file and entry on the first problem: unknown or missing field,
    duplicate provider/rule id, alias or reason phrase, malformed reply code (three digits) or
    enhanced status code (``class.subject.detail``, RFC 3463 section 2),
    missing documentation URL, a pattern that does not compile, a rule that has
    neither codes nor markers, a ``reason`` that is not a Sisimai failure reason
    (the message names the file, the rule and the field ``reason``), a
    ``[[reason_phrases]]`` / ``[[reason_codes]]`` entry of the wrong shape (see
    :mod:`knowledge.providers.schema`).
    """
    idx = _load(Path(data_dir), use_cache=False, compile_patterns=True)
    return sorted(idx.rules)


# --------------------------------------------------------------------------- reason tables


def _compile_reason_tables(idx: _Index) -> tuple[tuple[ReasonPhrases, ...], tuple[ReasonCodes, ...]]:
    phrases: list[ReasonPhrases] = []
    codes: list[ReasonCodes] = []
    for prov in idx.providers.values():  # file order
        for i, e in enumerate(prov.reason_phrases):
            where = phrase_entry_where(prov.file, i, e)
            phrases.append(ReasonPhrases(
                provider_id=prov.id, file=prov.file, entry=i + 1, reason=e["reason"],
                phrases=tuple(e.get("phrases", ())),
                patterns=tuple(compile_pattern(p, where, f"pattern {p!r}") for p in e.get("patterns", ())),
                sources=tuple(e["sources"]), checked=e["checked"],
            ))
        for i, e in enumerate(prov.reason_codes):
            where = f"{prov.file} reason_codes #{i + 1}"
            pattern = compile_pattern(e["pattern"], where, "pattern")
            if pattern.groups != 1:
                raise ProviderDataError(f"{where}: pattern has {pattern.groups} capture groups; it needs exactly one")
            codes.append(ReasonCodes(
                provider_id=prov.id, file=prov.file, entry=i + 1, pattern=pattern, codes=dict(e.get("codes", {})),
                ranges=tuple((lo, hi, reason) for lo, hi, reason in e.get("ranges", ())),
                sources=tuple(e["sources"]), checked=e["checked"],
            ))
    return tuple(phrases), tuple(codes)


def _reason_tables() -> tuple[tuple[ReasonPhrases, ...], tuple[ReasonCodes, ...]]:
    idx = _index()
    tables = idx.reason_tables
    if tables is None:
        with _LOCK:
            if idx.reason_tables is None:
                idx.reason_tables = _compile_reason_tables(idx)
            tables = idx.reason_tables
    return tables


def reason_phrase_tables() -> tuple[ReasonPhrases, ...]:
    """Every provider's ``[[reason_phrases]]`` entries, validated and compiled, in file then entry order.

    Output: a tuple of :class:`~knowledge.providers.records.ReasonPhrases` (``provider_id``, ``file``,
    ``entry``, ``reason``, ``phrases`` lower-case literals, ``patterns`` compiled regexes for lower-cased
    text, ``sources``, ``checked``).  These are the provider reply families whose text decides a bounce
    reason (Sisimai's ``rhost`` tables): the reasons engine tests them against the lower-cased diagnostic
    text, in this order, and the first entry that matches gives the reason.  Loaded with the rest of the
    provider data on first use and compiled once.  Raises :class:`ProviderDataError` (naming file and
    entry) when the data is invalid.  Source: each entry's ``sources``.
    """
    return _reason_tables()[0]


def reason_code_tables() -> tuple[ReasonCodes, ...]:
    """Every provider's ``[[reason_codes]]`` entries (internal code number -> reason), in file then entry order.

    Output: a tuple of :class:`~knowledge.providers.records.ReasonCodes`; ``entry.pattern.search(lower)``
    captures the provider's code in a lower-cased text and ``entry.reason_for(code)`` gives its reason
    (``codes`` first, then the inclusive ``ranges``) or None.  Same loading and errors as
    :func:`reason_phrase_tables`.  Source: each entry's ``sources``.
    """
    return _reason_tables()[1]


def _note(rule: _Rule):
    """The rule as a :class:`knowledge.results.ProviderNote` (pydantic; built once per rule)."""
    note = rule.note
    if note is None:
        from knowledge.results import ProviderNote

        prov = _index().providers[rule.provider_id]
        note = ProviderNote(
            provider=prov.name, provider_id=prov.id, rule_id=rule.id, title=rule.title, meaning=rule.meaning,
            remedy=rule.remedy, retry_helps=rule.retry_helps, doc_url=rule.doc_url, reason=rule.reason,
        )
        rule.note = note
    return note

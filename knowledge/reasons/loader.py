"""Load and validate the reason data: knowledge/data/reasons/ and the provider files' reason keys.

Files read (all TOML, parsed with :mod:`tomllib` only when the cache is cold):

- ``<reason>.toml`` for every Sisimai reason (knowledge.vocabulary.REASONS): ``label``, ``hard``,
  ``next_step``, optional ``deferral_hint``, and its ``[[family]]`` phrase families;
- ``order.toml``: the precedence of the families, tier by tier, and which provider files'
  ``[[reason_codes]]`` / ``[[reason_phrases]]`` the provider tier reads;
- ``status.toml``: enhanced status code -> reason (RFC 3463, IANA registry);
- ``steps.toml``: the next steps that are not one reason's (greylisting, deferred ...);
- ``evidence.toml``: named phrase sets the command rules consult.

:func:`load` returns the validated data as plain dicts and lists (cached with :mod:`marshal`,
keyed by the files' names, sizes and mtimes, like knowledge.providers) and raises
:class:`ReasonDataError` naming file and entry for anything malformed, unknown, unsourced,
duplicated or shadowed.  Holds no phrase.
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.datacache import cached, read_toml

from knowledge.reasons import validate as v
from knowledge.reasons.families import family_triggers, gram_index
from knowledge.reasons.shadow import check_tier
from knowledge.reasons.validate import ReasonDataError
from knowledge.vocabulary import REASONS

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reasons"
PROVIDERS_DIR = Path(__file__).resolve().parent.parent / "data" / "providers"
_SPECIAL = ("order.toml", "status.toml", "steps.toml", "evidence.toml")
TIERS = ("strong", "generic", "weak")
ORDER_KEYS = frozenset({"sources", "checked", "provider_codes", "provider_phrases", *TIERS})
STATUS_KEYS = frozenset({"sources", "checked", "generic", "specific_over_text", "address_status",
                         "subject_detail", "class_specific"})
STEP_KEYS = frozenset({"id", "note", "text", "nothing_to_resend", "sources", "checked"})
CODE_STEP_KEYS = frozenset({"status", "text", "sources", "checked"})
REQUIRED_STEPS = ("greylisting", "greylisting-failed", "deferred", "relayed")
REQUIRED_SETS = ("asserted_unknown", "late_unknown", "expiry_evidence", "connect_failure", "bare_rcpt_refusal",
                 "greylisting", "mail_from_access_denied", "mail_from_reputation", "weak_excluded", "queue_state")
_CACHE_VERSION = 2  # 2: with the trigger index
_SUBJECT_DETAIL_RE = re.compile(r"^\d{1,3}\.\d{1,3}$")
_STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")


def _parse(path: Path) -> dict:
    return read_toml(path, ReasonDataError)


def _family(d: object, file: str, index: int) -> dict:
    where = f"{file}: family[{index}]"
    if not isinstance(d, dict):
        raise ReasonDataError(f"{where}: must be a table")
    name = v.name(d.get("name"), where)
    where = f"{file}: family {name!r}"
    v.check_keys(d, v.FAMILY_KEYS, where)
    v.text(d, "note", where, required=False)
    v.provenance(d, where)
    fam = {"name": name, "file": file, "phrases": v.phrases(d, where), "patterns": v.named_patterns(d, where)}
    if not fam["phrases"] and not fam["patterns"]:
        raise ReasonDataError(f"{where}: needs phrases or patterns")
    return fam


def _reason_file(reason: str, d: dict, file: str) -> tuple[dict, list[dict]]:
    v.check_keys(d, v.REASON_KEYS, file)
    if not isinstance(d.get("hard"), bool):
        raise ReasonDataError(f"{file}: 'hard' must be true or false")
    v.provenance(d, file)
    entry = {"label": v.text(d, "label", file), "hard": d["hard"], "next_step": v.text(d, "next_step", file),
             "deferral_hint": v.text(d, "deferral_hint", file, required=False)}
    fams = d.get("family", [])
    if not isinstance(fams, list):
        raise ReasonDataError(f"{file}: 'family' must be an array of tables ([[family]])")
    out = [_family(f, file, i) for i, f in enumerate(fams)]
    for f in out:
        f["reason"] = reason
    return entry, out


def _reasons(files: dict[str, dict]) -> tuple[dict, dict]:
    reasons: dict[str, dict] = {}
    families: dict[str, dict] = {}
    for file, d in files.items():
        if file in _SPECIAL:
            continue
        reason = v.reason_name(file[:-5], f"{file}: file name")
        reasons[reason], fams = _reason_file(reason, d, file)
        for f in fams:
            if f["name"] in families:
                raise ReasonDataError(f"{file}: family {f['name']!r} is also defined in {families[f['name']]['file']}")
            families[f["name"]] = f
    missing = [r for r in REASONS if r not in reasons]
    if missing:
        raise ReasonDataError(f"no data file for reason(s) {missing}: add {missing[0]}.toml")
    return reasons, families


def _provider_entries(pid: str, d: dict, key: str) -> list[dict]:
    """The ``[[key]]`` entries of provider ``pid``'s file, each checked by the provider schema
    (:mod:`knowledge.providers.schema`, the one definition of their shape); its errors are re-raised as
    :class:`ReasonDataError` with the same message (file and entry named)."""
    from knowledge.providers.records import ProviderDataError
    from knowledge.providers.schema import check_code_entry, check_phrase_entry, code_entry_where, phrase_entry_where

    file = f"{pid}.toml"
    entries = d.get(key, [])
    if not isinstance(entries, list) or not entries:
        raise ReasonDataError(f"{file}: order.toml names provider {pid!r} but the file has no [[{key}]]")
    try:
        for i, e in enumerate(entries):
            if not isinstance(e, dict):
                raise ProviderDataError(f"{file} {key} #{i + 1}: not a table")
            if key == "reason_phrases":
                check_phrase_entry(e, phrase_entry_where(file, i, e), compile_patterns=True)
            else:
                check_code_entry(e, code_entry_where(file, i), compile_patterns=True)
    except ProviderDataError as exc:
        raise ReasonDataError(str(exc)) from None
    return entries


def _provider_phrases(pid: str, d: dict) -> list[dict]:
    """Provider ``pid``'s reply families as families of the ``provider_phrases`` tier."""
    return [{"name": f"{pid}.reason_phrases[{i}]", "file": f"{pid}.toml", "reason": e["reason"],
             "phrases": list(e.get("phrases", [])),
             "patterns": [(f"pattern-{j}", src) for j, src in enumerate(e.get("patterns", []))]}
            for i, e in enumerate(_provider_entries(pid, d, "reason_phrases"))]


def _provider_codes(pid: str, d: dict) -> list[dict]:
    """Provider ``pid``'s internal code tables, in file order."""
    return [{"pattern": e["pattern"], "codes": dict(e.get("codes", {})), "ranges": [tuple(rg) for rg in e.get("ranges", [])]}
            for e in _provider_entries(pid, d, "reason_codes")]


def _names(d: dict, key: str, where: str) -> list[str]:
    val = d.get(key, [])
    if not isinstance(val, list) or not all(isinstance(x, str) and x for x in val):
        raise ReasonDataError(f"{where}: {key!r} must be a list of names")
    return val


def _order(d: dict, families: dict, read_provider) -> dict:
    v.check_keys(d, ORDER_KEYS, "order.toml")
    v.provenance(d, "order.toml")
    placed: dict[str, str] = {}
    tiers: dict[str, list[str]] = {}
    for tier in (*TIERS, "provider_phrases"):
        tiers[tier] = []
        for n in _names(d, tier, "order.toml"):
            if n.startswith("provider:"):
                if tier != "provider_phrases":
                    raise ReasonDataError(f"order.toml: {tier}: {n!r}: providers belong in provider_phrases")
                tiers[tier].append(n)
                continue
            if n not in families:
                raise ReasonDataError(f"order.toml: {tier}: {n!r} is not a family of any <reason>.toml")
            if n in placed:
                raise ReasonDataError(f"order.toml: {tier}: family {n!r} is already listed in {placed[n]}")
            placed[n] = tier
            tiers[tier].append(n)
    unplaced = [n for n in families if n not in placed]
    if unplaced:
        raise ReasonDataError(f"{families[unplaced[0]]['file']}: family {unplaced[0]!r} is not listed in order.toml")
    out = {tier: [families[n] for n in tiers[tier]] for tier in TIERS}
    prov: list[dict] = []
    for n in tiers["provider_phrases"]:
        prov += _provider_phrases(n[9:], read_provider(n[9:])) if n.startswith("provider:") else [families[n]]
    out["provider_phrases"] = prov
    out["provider_codes"] = [c for pid in _names(d, "provider_codes", "order.toml")
                             for c in _provider_codes(pid, read_provider(pid))]
    for tier in (*TIERS, "provider_phrases"):
        check_tier(tier, out[tier])
    return out


def _status(d: dict) -> dict:
    f = "status.toml"
    v.check_keys(d, STATUS_KEYS, f)
    v.provenance(d, f)
    out: dict = {}
    for key, key_re in (("subject_detail", _SUBJECT_DETAIL_RE), ("class_specific", _STATUS_RE)):
        table = d.get(key)
        if not isinstance(table, dict) or not table:
            raise ReasonDataError(f"{f}: [{key}] must be a table of code = reason")
        for code, reason in table.items():
            if not key_re.match(code):
                raise ReasonDataError(f"{f}: [{key}] {code!r} is not an enhanced status code of that form")
            v.reason_name(reason, f"{f}: [{key}] {code!r}")
        out[key] = dict(table)
    for key in ("generic", "specific_over_text"):
        codes = _names(d, key, f)
        bad = [c for c in codes if not _SUBJECT_DETAIL_RE.match(c)]
        if bad:
            raise ReasonDataError(f"{f}: {key}: {bad[0]!r} is not a subject.detail code")
        out[key] = codes
    out["address_status"] = v.pattern(d.get("address_status"), f"{f}: address_status")
    return out


def _steps(d: dict) -> tuple[dict, dict]:
    f = "steps.toml"
    v.check_keys(d, frozenset({"step", "code_step"}), f)
    steps: dict[str, dict] = {}
    for i, s in enumerate(d.get("step", [])):
        s = v.check_keys(s, STEP_KEYS, f"{f}: step[{i}]")
        sid = v.name(s.get("id"), f"{f}: step[{i}]")
        where = f"{f}: step {sid!r}"
        v.provenance(s, where)
        if not isinstance(s.get("nothing_to_resend"), bool):
            raise ReasonDataError(f"{where}: 'nothing_to_resend' must be true or false")
        steps[sid] = {"text": v.text(s, "text", where), "nothing_to_resend": s["nothing_to_resend"]}
    missing = [s for s in REQUIRED_STEPS if s not in steps]
    if missing:
        raise ReasonDataError(f"{f}: missing step(s) {missing}")
    code_steps: dict[str, str] = {}
    for i, s in enumerate(d.get("code_step", [])):
        where = f"{f}: code_step[{i}]"
        s = v.check_keys(s, CODE_STEP_KEYS, where)
        v.provenance(s, where)
        code = v.text(s, "status", where)
        if not _SUBJECT_DETAIL_RE.match(code):  # type: ignore[arg-type]
            raise ReasonDataError(f"{where}: status {code!r} is not a subject.detail code")
        code_steps[code] = v.text(s, "text", where)  # type: ignore[index]
    return steps, code_steps


def _sets(d: dict) -> dict:
    f = "evidence.toml"
    v.check_keys(d, frozenset({"set"}), f)
    out = {}
    for sname, s in (d.get("set") or {}).items():
        where = f"{f}: set {v.name(sname, f)!r}"
        s = v.check_keys(s, v.SET_KEYS, where)
        v.provenance(s, where)
        out[sname] = {"phrases": v.phrases(s, where), "patterns": v.named_patterns(s, where)}
        if not out[sname]["phrases"] and not out[sname]["patterns"]:
            raise ReasonDataError(f"{where}: needs phrases or patterns")
    missing = [s for s in REQUIRED_SETS if s not in out]
    if missing:
        raise ReasonDataError(f"{f}: missing set(s) {missing}")
    return out


def build(reasons_dir: Path, providers_dir: Path) -> dict:
    """Parse and validate every file; the plain-data form :func:`load` returns."""
    files = {p.name: _parse(p) for p in sorted(reasons_dir.glob("*.toml"))}
    for special in _SPECIAL:
        if special not in files:
            raise ReasonDataError(f"{special}: missing from {reasons_dir}")
    reasons, families = _reasons(files)

    def read_provider(pid: str) -> dict:
        path = providers_dir / f"{pid}.toml"
        if not v._NAME_RE.match(pid) or not path.is_file():
            raise ReasonDataError(f"order.toml: provider {pid!r} has no file {path.name} in {providers_dir}")
        return _parse(path)

    steps, code_steps = _steps(files["steps.toml"])
    order = _order(files["order.toml"], families, read_provider)
    # the trigger index of the three text tiers, computed once here and kept in the cache
    index = gram_index(t for tier in TIERS for f in order[tier] for t in family_triggers(f["phrases"], f["patterns"]))
    return {"reasons": reasons, "order": order, "trigger_index": index, "status": _status(files["status.toml"]),
            "steps": steps, "code_steps": code_steps, "sets": _sets(files["evidence.toml"])}


def load(reasons_dir: Path = DATA_DIR, providers_dir: Path = PROVIDERS_DIR, use_cache: bool = True) -> dict:
    """The validated reason data (see :func:`build`), from the parsed-data cache
    (:mod:`knowledge.datacache`) when the files are unchanged.  Raises :class:`ReasonDataError` (file and
    entry named) for malformed data."""
    paths = sorted(reasons_dir.glob("*.toml")) + sorted(providers_dir.glob("*.toml"))
    return cached("reasons", _CACHE_VERSION, paths, lambda: build(reasons_dir, providers_dir),
                  accept=lambda data: isinstance(data, dict) and "order" in data, use_cache=use_cache)

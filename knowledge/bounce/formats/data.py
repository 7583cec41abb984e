"""Loader of the bounce-format data files ``knowledge/data/formats/<id>.toml``.

One file per bounce format (the MTA or service that wrote the notice): its
name, its ``sources``, the ``checked`` date, and the phrases and tables of
that format.  Keys every file may hold (all optional except the first four):

* ``id`` (the file's stem), ``name``, ``sources`` (non-empty list of str),
  ``checked`` ("YYYY-MM-DD");
* ``module``: the module of ``knowledge.bounce.formats`` that reads the
  format, when it needs a reading of its own (else the generic reader of
  :mod:`knowledge.bounce.text` serves, guided by the phrases here);
* ``notice_phrases``: literal phrases (matched case-insensitively) that mark a
  notice of this format, so that a notice without any SMTP code is still
  read (:func:`knowledge.bounce.text.is_known_format`);
* ``notice_patterns``: the few markers a literal cannot express (regexes);
* ``delay_subjects`` (literals) / ``delay_subject_patterns`` (regexes): how the
  Subject of the format's delay warning starts; ``delay_subject_phrases``:
  literals anywhere in that Subject; ``delay_phrases`` / ``delay_patterns``:
  sentences only its delay warning uses (:func:`knowledge.bounce.text.is_delay_notice`);
* ``recipient_intro_patterns``: sentences that end right before the failed
  recipient's address, so that even a postmaster@ address there is the
  recipient (:mod:`knowledge.bounce.text`);
* ``reasons``: an ordered list of ``{pattern = "...", reason = "..."}`` (or
  ``phrase`` for a literal): the format's own sentences and the Sisimai
  reason each one means; the first match wins;
* ``categories``: a table of a field value -> Sisimai reason.

Files are read lazily, all at once, the first time a caller needs one, and
the checked contents are cached in a marshal file keyed by the files' names,
sizes and modification times (``$SMTPBOT_CACHE_DIR`` or ``~/.cache/smtpbot``;
``SMTPBOT_NO_CACHE=1`` disables it, as for the provider data): importing
tomllib and parsing some twenty files costs 10-30 ms, the cache well under
one.  Every problem raises :class:`FormatDataError` naming the file and the entry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from knowledge.datacache import cached, read_toml
from knowledge.provenance import is_checked_date

__all__ = ["FormatDataError", "DATA_DIR", "load", "reason_table", "category_table", "all_ids", "validate_all"]

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "formats"
_LISTS = ("notice_phrases", "notice_patterns", "delay_subjects", "delay_subject_patterns", "delay_subject_phrases",
          "delay_phrases", "delay_patterns", "recipient_intro_patterns")
_PATTERN_LISTS = ("notice_patterns", "delay_subject_patterns", "delay_patterns", "recipient_intro_patterns")
_KEYS = frozenset({"id", "name", "sources", "checked", "module", "reasons", "categories", *_LISTS})


class FormatDataError(ValueError):
    """A format data file is missing, not valid TOML, or holds a bad entry (the message names both)."""


def _reasons() -> frozenset[str]:
    from knowledge.reasons import REASON_LABELS

    return frozenset(REASON_LABELS)


def _strings(name: str, key: str, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FormatDataError(f"{name}: {key} must be a list of non-empty strings")
    if len(set(v.lower() for v in value)) != len(value):
        raise FormatDataError(f"{name}: {key} holds a duplicated entry")
    return value


def _compile(name: str, entry: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.I)
    except re.error as exc:
        raise FormatDataError(f"{name}: {entry}: not a valid pattern ({exc})") from None


def _check(name: str, stem: str, data: dict) -> dict:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise FormatDataError(f"{name}: unknown key(s) {', '.join(unknown)}")
    if data.get("id") != stem:
        raise FormatDataError(f"{name}: id must be {stem!r} (the file's name)")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise FormatDataError(f"{name}: name missing")
    if not _strings(name, "sources", data.get("sources")):
        raise FormatDataError(f"{name}: sources must be a list of non-empty strings (at least one)")
    if not is_checked_date(data.get("checked")):
        raise FormatDataError(f"{name}: checked must be a date written YYYY-MM-DD")
    for key in _LISTS:
        if key in data:
            _strings(name, key, data[key])
    for key in _PATTERN_LISTS:
        for i, pattern in enumerate(data.get(key, ())):
            _compile(name, f"{key}[{i}]", pattern)
    known = _reasons()
    for i, entry in enumerate(data.get("reasons", ())):
        where = f"reasons[{i}]"
        if not isinstance(entry, dict) or set(entry) not in ({"pattern", "reason"}, {"phrase", "reason"}):
            raise FormatDataError(f"{name}: {where} must hold reason and one of pattern / phrase")
        if entry["reason"] not in known:
            raise FormatDataError(f"{name}: {where}: unknown reason {entry['reason']!r}")
        if "pattern" in entry:
            _compile(name, where, entry["pattern"])
    for key, value in (data.get("categories") or {}).items():
        if value not in known:
            raise FormatDataError(f"{name}: categories.{key}: unknown reason {value!r}")
    return data


_CACHE_VERSION = 2  # bump when _check's rules change (2: recipient_intro_patterns)


def _parse(path: Path) -> dict:
    data = read_toml(path, FormatDataError)
    return _check(path.name, path.stem, data)


@lru_cache(maxsize=None)
def _all(data_dir: Path, use_cache: bool | None = None) -> dict[str, dict]:
    """Every data file of ``data_dir``, checked: {id: contents}.  ``use_cache`` None: the marshal
    cache serves the shipped files (:data:`DATA_DIR`) only."""
    paths = sorted(data_dir.glob("*.toml"))
    if use_cache is None:
        use_cache = data_dir == DATA_DIR
    stems = [p.stem for p in paths]
    return cached("formats", _CACHE_VERSION, paths, lambda: {path.stem: _parse(path) for path in paths},
                  accept=lambda data: isinstance(data, dict) and sorted(data) == stems, use_cache=use_cache)


def load(format_id: str, data_dir: Path = DATA_DIR) -> dict:
    """Return the checked contents of ``<data_dir>/<format_id>.toml`` (a dict).

    Raises :class:`FormatDataError` (file and entry named) on a missing file,
    invalid TOML or an entry that breaks the rules in this module's docstring.
    """
    try:
        return _all(data_dir)[format_id]
    except KeyError:
        raise FormatDataError(f"{format_id}.toml: no such format data file in {data_dir}") from None


@lru_cache(maxsize=None)
def reason_table(format_id: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The ``reasons`` list of a format as ``((compiled pattern, reason), ...)``, in file order."""
    out = []
    for entry in load(format_id).get("reasons", ()):
        pattern = entry.get("pattern") or re.escape(entry["phrase"])
        out.append((re.compile(pattern, re.I), entry["reason"]))
    return tuple(out)


def category_table(format_id: str) -> dict[str, str]:
    """The ``categories`` table of a format (field value -> Sisimai reason)."""
    return load(format_id).get("categories") or {}


def all_ids(data_dir: Path = DATA_DIR) -> list[str]:
    """The ids of every format data file in ``data_dir``, sorted."""
    return sorted(_all(data_dir))


def validate_all(data_dir: Path = DATA_DIR) -> list[str]:
    """Load and check every format data file; return their ids (raises :class:`FormatDataError`)."""
    ids = sorted(p.stem for p in data_dir.glob("*.toml"))
    if not ids:
        raise FormatDataError(f"no format data files in {data_dir}")
    for format_id in ids:
        _parse(data_dir / f"{format_id}.toml")  # never from the cache
    return ids

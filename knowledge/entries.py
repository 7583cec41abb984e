"""Pydantic v2 models of the knowledge data files, and their strict loader.

Data layout (``knowledge/data``)::

    reply/2xx.toml ... reply/5xx.toml   one file per reply class: a [class] table
                                        and [[entry]] tables, one per reply code
    reply/digits.toml                   meanings of the second digit (RFC 5321 §4.2.1)
    enhanced/classes.toml               enhanced classes, subjects, vendor ranges (RFC 3463 §3)
    enhanced/subject-N-NAME.toml        [[entry]] tables, one per X.N.D code
    comparisons.toml                    [[pair]] curated notes for classic confusions

:func:`load_data` validates everything and raises :class:`KnowledgeDataError`
whose message names the file, the code and the field at fault: code format,
class (or subject) digit consistent with the file, required fields present and
non-empty, no duplicates, every ``related`` code resolving to an entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Who = Literal["sender", "sending admin", "receiving admin", "recipient", "nobody"]
IANA_URL = "https://www.iana.org/assignments/smtp-enhanced-status-codes"


class KnowledgeDataError(ValueError):
    """A data file is broken.  ``str()`` is ``"<file>: code <code>: field <field>: <problem>"``
    (parts that do not apply are left out)."""

    def __init__(self, file: str, problem: str, code: str | None = None, field: str | None = None) -> None:
        parts = [file]
        if code:
            parts.append(f"code {code}")
        if field:
            parts.append(f"field '{field}'")
        parts.append(problem)
        super().__init__(": ".join(parts))
        self.file, self.code, self.field, self.problem = file, code, field, problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ReplyClass(_Strict):
    """First digit of a reply code (RFC 5321 §4.2.1)."""

    digit: Literal["2", "3", "4", "5"]
    name: Text  # e.g. "positive completion"
    gist: Text  # a few words: "the command succeeded"
    action: Text  # completes "502 ...": "needs someone to change something before resending"
    meaning: Text
    fix: Text  # generic advice, used for derived answers
    who_acts: list[Who] = Field(min_length=1)
    retry: Text
    source: list[Text] = Field(min_length=1)


class SecondDigit(_Strict):
    """Second digit of a reply code (RFC 5321 §4.2.1)."""

    digit: Annotated[str, StringConstraints(pattern=r"^[0-9]$")]
    name: Text
    meaning: Text


class ReplyEntry(_Strict):
    """One reply code.  ``standing``: standard (RFC 5321), extension (an SMTP
    extension RFC), registry (only associated with codes in the IANA enhanced
    registry) or non-standard; ``label`` says what kind of non-standard
    (folklore, draft, vendor)."""

    code: Annotated[str, StringConstraints(pattern=r"^[2-5][0-9][0-9]$")]
    standing: Literal["standard", "extension", "registry", "non-standard"]
    label: Literal["folklore", "draft", "vendor"] | None = None
    title: Text
    meaning: Text
    when: Text
    fix: Text
    who_acts: list[Who] = Field(min_length=1)
    retry: Text
    related: list[Text] = Field(default_factory=list)
    source: list[Text] = Field(min_length=1)


class EnhancedClass(_Strict):
    """Class digit of an enhanced status code (RFC 3463 §2)."""

    digit: Literal["2", "4", "5"]
    name: Text  # "success", "persistent transient failure", "permanent failure"
    gist: Text
    action: Text
    meaning: Text
    fix: Text
    who_acts: list[Who] = Field(min_length=1)
    retry: Text


class Subject(_Strict):
    """Subject digit of an enhanced status code (RFC 3463 §2)."""

    digit: Annotated[str, StringConstraints(pattern=r"^[0-7]$")]
    name: Text
    meaning: Text


class VendorRange(_Strict):
    """Detail numbers used by a vendor outside the registry (never claimed as IANA)."""

    subject: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}$")]
    detail_from: int = Field(ge=0, le=999)
    detail_to: int = Field(ge=0, le=999)
    note: Text
    source: list[Text] = Field(min_length=1)


class EnhancedEntry(_Strict):
    """One ``X.subject.detail`` code.  ``standing``: registry (in the IANA
    registry), provider (a mailbox provider's own number) or non-standard
    (e.g. a draft that never became an RFC).  ``basic_codes``: reply codes the
    registry associates with it.  ``retry`` adds to the class's retry text.
    ``class_meaning``: optional meaning per class digit ("2", "4", "5") used
    instead of ``meaning`` when the code is given with that class, for codes
    whose sense changes with the class (4.4.7 delay warning vs 5.4.7 bounce;
    2.5.0 success vs 5.5.0 failure).  ``meaning`` stays the any-class (X) text.
    ``class_fix``: the same for ``fix`` (wait for the retries vs resend)."""

    code: Annotated[str, StringConstraints(pattern=r"^X\.[0-9]{1,3}\.[0-9]{1,3}$")]
    standing: Literal["registry", "provider", "non-standard"]
    label: Literal["draft", "gmail", "microsoft"] | None = None
    title: Text
    meaning: Text
    when: Text
    fix: Text
    who_acts: list[Who] = Field(min_length=1)
    retry: str | None = None
    class_meaning: dict[Literal["2", "4", "5"], Text] = Field(default_factory=dict)
    class_fix: dict[Literal["2", "4", "5"], Text] = Field(default_factory=dict)
    basic_codes: list[Text] = Field(default_factory=list)
    related: list[Text] = Field(default_factory=list)
    source: list[Text] = Field(min_length=1)


class CuratedNote(_Strict):
    """A hand-written note on a classic confusion between two or more codes."""

    codes: list[Text] = Field(min_length=2)
    note: Text
    which_matters: Text
    source: list[Text] = Field(min_length=1)


@dataclass(frozen=True)
class KnowledgeData:
    """Everything loaded from the data directory, keyed by normalised code
    (reply ``"550"``, enhanced ``"X.7.1"``, reply classes ``"5"``, subjects ``"7"``)."""

    reply_classes: dict[str, ReplyClass]
    second_digits: dict[str, SecondDigit]
    replies: dict[str, ReplyEntry]
    enhanced_classes: dict[str, EnhancedClass]
    subjects: dict[str, Subject]
    vendor_ranges: list[VendorRange]
    enhanced: dict[str, EnhancedEntry]
    curated: list[CuratedNote]


# ---------------------------------------------------------------------------
# loader

def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent.parent)) if root.name == "data" else str(path)
    except ValueError:
        return str(path)


def _read(path: Path, shown: str) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeDataError(shown, f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise KnowledgeDataError(shown, f"cannot read: {exc.strerror}") from None


def _validate(model: type[_Strict], raw: object, shown: str, code: str | None):
    if not isinstance(raw, dict):
        raise KnowledgeDataError(shown, "expected a table", code)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "string_too_short":
            msg = "must not be empty"
        elif err["type"] == "string_pattern_mismatch":
            msg = f"bad format {err.get('input')!r} (expected pattern {err['ctx']['pattern']})"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise KnowledgeDataError(shown, msg + more, code, field) from None


def _entries(doc: dict, shown: str, key: str = "entry") -> list:
    unknown = set(doc) - {key, "class"}
    if unknown:
        raise KnowledgeDataError(shown, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise KnowledgeDataError(shown, f"'{key}' must be an array of tables ([[{key}]])")
    return items


_REPLY_FILE = re.compile(r"^([2-5])xx\.toml$")
_SUBJECT_FILE = re.compile(r"^subject-([0-9])-[a-z-]+\.toml$")


def _resolves(code: str, replies: dict, enhanced: dict) -> bool:
    from knowledge.codes import MalformedCode, parse_code

    try:
        parsed = parse_code(code)
    except MalformedCode:
        return False
    ok = True
    if parsed.reply:
        ok &= parsed.reply in replies
    if parsed.enhanced:
        ok &= "X." + parsed.enhanced.split(".", 1)[1] in enhanced
    return ok


def _load_reply_dir(root: Path, where: dict[str, str]):
    """Read ``reply/``: return ``(reply_classes, second_digits, replies)``; fill ``where``."""
    reply_classes: dict[str, ReplyClass] = {}
    second_digits: dict[str, SecondDigit] = {}
    replies: dict[str, ReplyEntry] = {}
    reply_dir = root / "reply"
    if not reply_dir.is_dir():
        raise KnowledgeDataError(str(reply_dir), "directory is missing")
    for path in sorted(reply_dir.glob("*.toml")):
        shown = _rel(path, root)
        doc = _read(path, shown)
        if path.name == "digits.toml":
            for raw in _entries(doc, shown, "second_digit"):
                sd = _validate(SecondDigit, raw, shown, None)
                second_digits[sd.digit] = sd
            continue
        _load_reply_file(path, shown, doc, reply_classes, replies, where)
    return reply_classes, second_digits, replies


def _load_reply_file(path: Path, shown: str, doc: dict, reply_classes: dict, replies: dict, where: dict) -> None:
    """One ``reply/Nxx.toml``: its [class] table into ``reply_classes``, its entries into ``replies``."""
    m = _REPLY_FILE.match(path.name)
    if not m:
        raise KnowledgeDataError(shown, "unexpected file name (expected 2xx.toml ... 5xx.toml or digits.toml)")
    digit = m.group(1)
    if "class" not in doc:
        raise KnowledgeDataError(shown, "required table is missing", field="class")
    cls = _validate(ReplyClass, doc["class"], shown, f"{digit}xx")
    if cls.digit != digit:
        raise KnowledgeDataError(shown, f"class digit {cls.digit} does not match the file {path.name}", field="class.digit")
    reply_classes[digit] = cls
    for raw in _entries(doc, shown):
        code = raw.get("code") if isinstance(raw, dict) else None
        entry = _validate(ReplyEntry, raw, shown, str(code) if code else "(no code)")
        if entry.code[0] != digit:
            raise KnowledgeDataError(shown, f"class digit {entry.code[0]} does not belong in {path.name}", entry.code, "code")
        if entry.code in replies:
            raise KnowledgeDataError(shown, f"duplicate entry (first defined in {where[entry.code]})", entry.code, "code")
        if entry.standing == "non-standard" and entry.label is None:
            raise KnowledgeDataError(shown, "non-standard entries need a label (folklore, draft or vendor)", entry.code, "label")
        replies[entry.code] = entry
        where[entry.code] = shown


def _load_enhanced_classes(root: Path):
    """Read ``enhanced/classes.toml``: return ``(enhanced_classes, subjects, vendor_ranges)``."""
    enhanced_classes: dict[str, EnhancedClass] = {}
    subjects: dict[str, Subject] = {}
    vendor_ranges: list[VendorRange] = []
    classes_path = root / "enhanced" / "classes.toml"
    shown = _rel(classes_path, root)
    doc = _read(classes_path, shown)
    unknown = set(doc) - {"class", "subject", "vendor_range"}
    if unknown:
        raise KnowledgeDataError(shown, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    for raw in doc.get("class", []):
        c = _validate(EnhancedClass, raw, shown, f"{raw.get('digit', '?')}.X.X" if isinstance(raw, dict) else None)
        enhanced_classes[c.digit] = c
    for raw in doc.get("subject", []):
        s = _validate(Subject, raw, shown, f"X.{raw.get('digit', '?')}.X" if isinstance(raw, dict) else None)
        subjects[s.digit] = s
    for raw in doc.get("vendor_range", []):
        vendor_ranges.append(_validate(VendorRange, raw, shown, None))
    for need in ("2", "4", "5"):
        if need not in enhanced_classes:
            raise KnowledgeDataError(shown, "class is missing", f"{need}.X.X", "class")
    return enhanced_classes, subjects, vendor_ranges


def _load_subject_files(root: Path, subjects: dict, where: dict[str, str]) -> dict[str, EnhancedEntry]:
    """Read every ``enhanced/subject-N-name.toml``: return the enhanced entries by code; fill ``where``."""
    enhanced: dict[str, EnhancedEntry] = {}
    for path in sorted((root / "enhanced").glob("*.toml")):
        if path.name == "classes.toml":
            continue
        shown = _rel(path, root)
        m = _SUBJECT_FILE.match(path.name)
        if not m:
            raise KnowledgeDataError(shown, "unexpected file name (expected subject-N-name.toml or classes.toml)")
        subj = m.group(1)
        if subj not in subjects:
            raise KnowledgeDataError(shown, f"subject {subj} is not declared in classes.toml")
        for raw in _entries(_read(path, shown), shown):
            code = raw.get("code") if isinstance(raw, dict) else None
            entry = _validate(EnhancedEntry, raw, shown, str(code) if code else "(no code)")
            _check_enhanced_entry(entry, path, shown, subj, enhanced, where)
            enhanced[entry.code] = entry
            where[entry.code] = shown
    return enhanced


def _check_enhanced_entry(entry: EnhancedEntry, path: Path, shown: str, subj: str, enhanced: dict, where: dict) -> None:
    """Raise :class:`KnowledgeDataError` if ``entry`` does not belong in its subject file or cites wrongly."""
    if entry.code.split(".")[1] != subj:
        raise KnowledgeDataError(shown, f"subject digit does not belong in {path.name}", entry.code, "code")
    if entry.code in enhanced:
        raise KnowledgeDataError(shown, f"duplicate entry (first defined in {where[entry.code]})", entry.code, "code")
    if entry.standing == "registry" and not any(IANA_URL in s for s in entry.source):
        raise KnowledgeDataError(shown, f"registry entries must cite {IANA_URL}", entry.code, "source")
    if entry.standing != "registry" and any(IANA_URL in s for s in entry.source):
        raise KnowledgeDataError(shown, "entry not in the IANA registry must not cite it", entry.code, "source")
    for b in entry.basic_codes:
        if not re.fullmatch(r"[2-5][0-9X][0-9X]", b):
            raise KnowledgeDataError(shown, f"bad reply code {b!r}", entry.code, "basic_codes")


def _load_curated(root: Path, replies: dict, enhanced: dict) -> list[CuratedNote]:
    """Read ``comparisons.toml`` if present: its [[pair]] notes, every code resolving to an entry."""
    curated: list[CuratedNote] = []
    comp_path = root / "comparisons.toml"
    if not comp_path.exists():
        return curated
    shown = _rel(comp_path, root)
    doc = _read(comp_path, shown)
    for raw in _entries(doc, shown, "pair"):
        note = _validate(CuratedNote, raw, shown, "/".join(map(str, raw.get("codes", []))) if isinstance(raw, dict) else None)
        for c in note.codes:
            if not _resolves(c, replies, enhanced):
                raise KnowledgeDataError(shown, f"code {c!r} has no entry", "/".join(note.codes), "codes")
        curated.append(note)
    return curated


def _check_related(replies: dict, enhanced: dict, where: dict[str, str]) -> None:
    """Raise :class:`KnowledgeDataError` for the first ``related`` code that has no entry."""
    for table in (replies, enhanced):
        for code, entry in table.items():
            for rel in entry.related:
                if not _resolves(rel, replies, enhanced):
                    raise KnowledgeDataError(where[code], f"related code {rel!r} has no entry", code, "related")


def load_data(root: Path) -> KnowledgeData:
    """Load and validate every data file under ``root`` (normally ``knowledge/data``).

    Returns a :class:`KnowledgeData`.  Raises :class:`KnowledgeDataError` on
    the first problem found, naming file, code and field.
    """
    root = Path(root)
    where: dict[str, str] = {}  # code -> the file that defined it
    reply_classes, second_digits, replies = _load_reply_dir(root, where)
    enhanced_classes, subjects, vendor_ranges = _load_enhanced_classes(root)
    enhanced = _load_subject_files(root, subjects, where)
    curated = _load_curated(root, replies, enhanced)
    _check_related(replies, enhanced, where)
    return KnowledgeData(
        reply_classes=reply_classes, second_digits=second_digits, replies=replies,
        enhanced_classes=enhanced_classes, subjects=subjects, vendor_ranges=vendor_ranges,
        enhanced=enhanced, curated=curated,
    )

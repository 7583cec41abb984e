"""The shipped knowledge data: loads, covers every reference code with the right standing."""

import csv
import re
from pathlib import Path

import pytest

from knowledge.entries import IANA_URL
from knowledge.explain import explain_code
from knowledge.kb import DATA_DIR, get_kb, load_kb

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference"


def _rows(name):
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_every_data_file_loads():
    kb = load_kb(DATA_DIR)
    files = sorted(p.name for p in (DATA_DIR / "reply").glob("*.toml"))
    assert files == ["2xx.toml", "3xx.toml", "4xx.toml", "5xx.toml", "digits.toml"]
    assert sorted(kb.data.reply_classes) == ["2", "3", "4", "5"]
    assert sorted(kb.data.subjects) == [str(i) for i in range(8)]
    assert sorted(kb.data.enhanced_classes) == ["2", "4", "5"]
    assert len(kb.data.curated) >= 10


def test_rfc5321_reply_codes_all_present():
    kb = get_kb()
    rfc5321 = "211 214 220 221 250 251 252 354 421 450 451 452 455 500 501 502 503 504 550 551 552 553 554 555"
    for code in rfc5321.split():
        assert kb.reply(code).standing == "standard", code


STANDING = {"standard": "standard", "extension": "extension", "registry-assoc": "registry"}


def test_every_reference_reply_code_resolves_with_its_standing():
    rows = _rows("basic-reply-codes.tsv")
    assert len(rows) > 50
    for row in rows:
        code, kind = row["code"], row["kind"]
        item = explain_code(code, None)
        assert item.code == code
        assert not item.derived, code
        assert item.title and item.meaning and item.when and item.fix and item.retry and item.source
        if kind in STANDING:
            assert item.standing == STANDING[kind], code
        else:  # draft, non-standard, folklore: recognised and labelled, with a plain warning
            assert item.standing == "non-standard", code
            assert item.meaning.startswith(f"Warning: {code} is not a standard SMTP reply code."), code
            label = get_kb().reply(code).label
            assert label in ({"draft"} if kind == "draft" else {"folklore", "vendor"}), code


def test_every_enhanced_class_and_subject_is_known():
    kb = get_kb()
    for row in _rows("enhanced-status-codes.tsv"):
        if row["part"] == "class":
            assert kb.enhanced_class(row["code"][0]) is not None, row["code"]
        elif row["part"] == "subject":
            assert kb.subject(row["code"].split(".")[1]) is not None, row["code"]


def test_every_registry_code_resolves_as_registry():
    rows = [r for r in _rows("enhanced-status-codes.tsv") if r["part"] == "enumerated"]
    assert len(rows) == 81  # X.0.0, X.1.0-10, X.2.0-4, X.3.0-6, X.4.0-7, X.5.0-6, X.6.0-10, X.7.0-30
    for row in rows:
        x = row["code"]
        for cls in "245":
            code = cls + x[1:]
            item = explain_code(None, code)
            assert item.code == code
            assert item.standing == "registry", code
            assert not item.derived, code
            assert IANA_URL in item.source, code
            assert item.class_.startswith(f"{cls}.X.X "), code
            assert item.subject.startswith(f"X.{x.split('.')[1]}.X "), code


def test_not_in_registry_codes_are_never_claimed_as_iana():
    rows = [r for r in _rows("enhanced-status-codes.tsv") if r["part"] == "not-in-registry"]
    assert rows
    seen = 0
    for row in rows:
        for m in re.finditer(r"X\.(\d+)\.(\d+)(?![\dxX])", row["code"]):
            code = f"5.{m.group(1)}.{m.group(2)}"
            item = explain_code(None, code)
            seen += 1
            assert item.standing in ("derived", "provider", "non-standard"), code
            assert IANA_URL not in item.source, code
            assert "IANA" in item.meaning or item.derived, code
    assert seen >= 12


def test_classes_and_retry_semantics_follow_the_first_digit():
    kb = get_kb()
    assert kb.reply_class("2").name == "positive completion"
    assert kb.reply_class("3").name == "positive intermediate"
    assert kb.reply_class("4").name == "transient negative completion"
    assert kb.reply_class("5").name == "permanent negative completion"
    assert kb.enhanced_class("4").name == "persistent transient failure"
    assert kb.enhanced_class("5").name == "permanent failure"
    assert kb.subject("7").name == "security or policy"
    assert kb.subject("1").name == "addressing"


def test_related_codes_resolve():
    kb = get_kb()
    for code in kb.reply_codes():
        for rel in kb.reply(code).related:
            item = explain_code(*((rel, None) if "." not in rel else (None, rel)))
            assert not item.derived, (code, rel)
    for code in kb.enhanced_codes():
        for rel in kb.enhanced(code).related:
            item = explain_code(*((rel, None) if "." not in rel else (None, rel)))
            assert not item.derived, (code, rel)


def test_sources_name_an_rfc_iana_draft_or_url():
    kb = get_kb()
    entries = [kb.reply(c) for c in kb.reply_codes()] + [kb.enhanced(c) for c in kb.enhanced_codes()]
    for e in entries:
        for s in e.source:
            assert re.match(r"^(RFC \d+|https://|draft-)", s), (e.code, s)

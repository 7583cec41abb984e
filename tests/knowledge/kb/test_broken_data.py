"""Broken data entries fail loading with a message naming file, code and field."""

import shutil
from pathlib import Path

import pytest

from knowledge.entries import KnowledgeDataError
from knowledge.kb import DATA_DIR, load_kb


def _reply_block(code, *, drop=(), **over):
    fields = {
        "code": f'"{code}"', "standing": '"standard"', "title": '"T"', "meaning": '"M"', "when": '"W"',
        "fix": '"F"', "who_acts": '["sender"]', "retry": '"R"', "related": "[]", "source": '["RFC 5321 §4.2.3"]',
    }
    fields.update(over)
    body = "\n".join(f"{k} = {v}" for k, v in fields.items() if k not in drop)
    return f"\n[[entry]]\n{body}\n"


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA_DIR, root)
    return root


def _append(path: Path, text: str):
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _fails(root) -> str:
    with pytest.raises(KnowledgeDataError) as info:
        load_kb(root)
    return str(info.value)


def test_copy_of_real_data_loads(data):
    assert load_kb(data).reply("550") is not None


def test_missing_required_field(data):
    _append(data / "reply" / "5xx.toml", _reply_block("599", drop=("title",)))
    msg = _fails(data)
    assert msg.endswith("data/reply/5xx.toml: code 599: field 'title': required field is missing")


def test_empty_field(data):
    _append(data / "reply" / "5xx.toml", _reply_block("599", fix='"  "'))
    msg = _fails(data)
    assert msg.endswith("5xx.toml: code 599: field 'fix': must not be empty")


def test_class_digit_must_match_file(data):
    _append(data / "reply" / "5xx.toml", _reply_block("499"))
    msg = _fails(data)
    assert msg.endswith("5xx.toml: code 499: field 'code': class digit 4 does not belong in 5xx.toml")


def test_bad_code_format(data):
    _append(data / "reply" / "4xx.toml", _reply_block("45O"))
    msg = _fails(data)
    assert "4xx.toml: code 45O: field 'code': bad format '45O'" in msg


def test_duplicate(data):
    _append(data / "reply" / "5xx.toml", _reply_block("550"))
    msg = _fails(data)
    assert "5xx.toml: code 550: field 'code': duplicate entry (first defined in" in msg


def test_related_must_resolve(data):
    _append(data / "reply" / "5xx.toml", _reply_block("599", related='["598"]'))
    msg = _fails(data)
    assert msg.endswith("5xx.toml: code 599: field 'related': related code '598' has no entry")


def test_unknown_field(data):
    _append(data / "reply" / "2xx.toml", _reply_block("299", colour='"red"'))
    msg = _fails(data)
    assert msg.endswith("2xx.toml: code 299: field 'colour': unknown field")


def test_bad_who_acts(data):
    _append(data / "reply" / "2xx.toml", _reply_block("299", who_acts='["the postman"]'))
    msg = _fails(data)
    assert "2xx.toml: code 299: field 'who_acts.0':" in msg


def test_non_standard_needs_label(data):
    _append(data / "reply" / "5xx.toml", _reply_block("599", standing='"non-standard"'))
    assert _fails(data).endswith("5xx.toml: code 599: field 'label': non-standard entries need a label (folklore, draft or vendor)")


def test_enhanced_subject_must_match_file(data):
    block = _reply_block("X.2.9", standing='"registry"',
                         source='["https://www.iana.org/assignments/smtp-enhanced-status-codes"]')
    _append(data / "enhanced" / "subject-1-addressing.toml", block)
    assert _fails(data).endswith("subject-1-addressing.toml: code X.2.9: field 'code': subject digit does not belong in subject-1-addressing.toml")


def test_registry_entry_must_cite_iana(data):
    _append(data / "enhanced" / "subject-1-addressing.toml", _reply_block("X.1.99", standing='"registry"'))
    assert _fails(data).endswith("subject-1-addressing.toml: code X.1.99: field 'source': registry entries must cite "
                                 "https://www.iana.org/assignments/smtp-enhanced-status-codes")


def test_invalid_toml(data):
    _append(data / "reply" / "3xx.toml", "\n[[entry]\ncode = \n")
    msg = _fails(data)
    assert "3xx.toml: not valid TOML:" in msg


def test_unexpected_file(data):
    (data / "reply" / "6xx.toml").write_text("")
    assert _fails(data).endswith("6xx.toml: unexpected file name (expected 2xx.toml ... 5xx.toml or digits.toml)")


def test_curated_note_codes_must_resolve(data):
    _append(data / "comparisons.toml", '\n[[pair]]\ncodes = ["550", "598"]\nnote = "n"\nwhich_matters = "w"\nsource = ["RFC 5321"]\n')
    assert _fails(data).endswith("comparisons.toml: code 550/598: field 'codes': code '598' has no entry")


def test_class_table_digit_must_match_file(data):
    path = data / "reply" / "5xx.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('digit = "5"', 'digit = "4"', 1), encoding="utf-8")
    assert _fails(data).endswith("5xx.toml: field 'class.digit': class digit 4 does not match the file 5xx.toml")


def test_missing_class_table(data):
    path = data / "reply" / "3xx.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[text.index("[[entry]]"):], encoding="utf-8")
    assert _fails(data).endswith("3xx.toml: field 'class': required table is missing")


def test_class_meaning_only_for_classes_2_4_5(data):
    _append(data / "enhanced" / "subject-1-addressing.toml",
            '\n[[entry]]\ncode = "X.1.99"\nstanding = "non-standard"\ntitle = "T"\nmeaning = "M"\nwhen = "W"\n'
            'fix = "F"\nwho_acts = ["sender"]\nsource = ["RFC 3463 §2"]\n[entry.class_meaning]\n"3" = "M3"\n')
    assert _fails(data).endswith("data/enhanced/subject-1-addressing.toml: code X.1.99: "
                                 "field 'class_meaning.3.[key]': Input should be '2', '4' or '5'")


def test_class_fix_must_not_be_empty(data):
    _append(data / "enhanced" / "subject-1-addressing.toml",
            '\n[[entry]]\ncode = "X.1.99"\nstanding = "non-standard"\ntitle = "T"\nmeaning = "M"\nwhen = "W"\n'
            'fix = "F"\nwho_acts = ["sender"]\nsource = ["RFC 3463 §2"]\n[entry.class_fix]\n"4" = " "\n')
    assert _fails(data).endswith("data/enhanced/subject-1-addressing.toml: code X.1.99: "
                                 "field 'class_fix.4': must not be empty")

"""The format data files (knowledge/data/formats/*.toml) validate, and a broken one is named."""

import importlib

import pytest

from knowledge.bounce.formats import data

GOOD = 'id = "x"\nname = "X"\nsources = ["https://example.com"]\nchecked = "2026-12-08"\n'


def test_every_shipped_file_is_valid_and_names_an_existing_module():
    ids = data.validate_all()
    assert "exim" in ids and "powermta" in ids
    for format_id in ids:
        module = data.load(format_id).get("module")
        if module:
            assert module == format_id
            importlib.import_module(f"knowledge.bounce.formats.{module}")


def test_no_phrase_is_in_two_files():
    seen: dict[str, str] = {}
    for format_id in data.all_ids():
        for phrase in data.load(format_id).get("notice_phrases", ()):
            assert phrase.lower() not in seen, (phrase, seen.get(phrase.lower()), format_id)
            seen[phrase.lower()] = format_id


@pytest.mark.parametrize("extra, message", [
    ('notice_phrases = ["a", "A"]\n', "x.toml: notice_phrases holds a duplicated entry"),
    ('notice_patterns = ["(unclosed"]\n', "x.toml: notice_patterns[0]: not a valid pattern"),
    ('[[reasons]]\nphrase = "p"\nreason = "nosuchreason"\n', "x.toml: reasons[0]: unknown reason 'nosuchreason'"),
    ('[[reasons]]\nphrase = "p"\n', "x.toml: reasons[0] must hold reason and one of pattern / phrase"),
    ('[categories]\nbad = "nope"\n', "x.toml: categories.bad: unknown reason 'nope'"),
    ('colour = "red"\n', "x.toml: unknown key(s) colour"),
])
def test_broken_entries_are_named(tmp_path, extra, message):
    (tmp_path / "x.toml").write_text(GOOD + extra)
    with pytest.raises(data.FormatDataError) as err:
        data.load("x", tmp_path)
    assert str(err.value).startswith(message)


def test_file_level_problems_are_named(tmp_path):
    (tmp_path / "y.toml").write_text(GOOD)
    with pytest.raises(data.FormatDataError, match=r"^y.toml: id must be 'y'"):
        data.load("y", tmp_path)
    (tmp_path / "z.toml").write_text('id = "z"\nname = "Z"\nsources = []\nchecked = "2026-12-08"\n')
    with pytest.raises(data.FormatDataError, match="^z.toml: sources must be a list of non-empty strings"):
        data.load("z", tmp_path)
    (tmp_path / "w.toml").write_text("id = ")
    with pytest.raises(data.FormatDataError, match="^w.toml: not valid TOML"):
        data.load("w", tmp_path)
    with pytest.raises(data.FormatDataError, match="^v.toml: no such format data file"):
        data.load("v", tmp_path)

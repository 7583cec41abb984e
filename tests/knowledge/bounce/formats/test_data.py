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


@pytest.mark.parametrize("key", ["notice_phrases", "delay_subjects", "delay_subject_phrases", "delay_phrases"])
def test_no_phrase_is_in_two_files(key):
    seen: dict[str, str] = {}
    for format_id in data.all_ids():
        for phrase in data.load(format_id).get(key, ()):
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


@pytest.mark.parametrize("name, text, message", [
    ("y", GOOD, "y.toml: id must be 'y'"),
    ("z", 'id = "z"\nname = "Z"\nsources = []\nchecked = "2026-12-08"\n', "z.toml: sources must be a list"),
    ("w", "id = ", "w.toml: not valid TOML"),
])
def test_file_level_problems_are_named(tmp_path, name, text, message):
    (tmp_path / f"{name}.toml").write_text(text)
    with pytest.raises(data.FormatDataError) as err:
        data.load(name, tmp_path)
    assert str(err.value).startswith(message)


def test_a_missing_file_is_named(tmp_path):
    (tmp_path / "x.toml").write_text(GOOD)
    with pytest.raises(data.FormatDataError) as err:
        data.load("v", tmp_path)
    assert str(err.value).startswith("v.toml: no such format data file")


def test_the_cache_gives_the_same_contents(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTPBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SMTPBOT_NO_CACHE", raising=False)
    (tmp_path / "x.toml").write_text(GOOD + 'notice_phrases = ["a phrase"]\n')
    first = data._all.__wrapped__(tmp_path, use_cache=True)
    assert list((tmp_path / "cache").glob("formats-*.marshal"))
    assert data._all.__wrapped__(tmp_path, use_cache=True) == first
    assert first["x"]["notice_phrases"] == ["a phrase"]

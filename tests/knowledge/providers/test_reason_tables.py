"""The provider data schema's reason tables: ``[[reason_phrases]]`` and ``[[reason_codes]]``.

A good file is accepted and read back in file / entry order; every bad shape is rejected by
validate_provider_data() with a message naming the file and the entry.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge import providers
from knowledge.providers import ProviderDataError, ReasonCodes, ReasonPhrases, validate_provider_data

HEAD = 'id = "{pid}"\nname = "{pid} mail"\nkind = "mailbox"\ndoc_url = "https://example.net/{pid}"\n'
PHRASES = """
[[reason_phrases]]
reason = "blocked"
phrases = ["unusual rate of mail", "ip not in whitelist for rcpt domain"]
sources = ["https://example.net/errors"]
checked = "2026-12-08"

[[reason_phrases]]
reason = "suspend"
phrases = ["account that you tried to reach is disabled"]
patterns = ['\\bdd \\S{1,254} is no longer valid']
sources = ["https://example.net/errors"]
checked = "2026-12-08"
"""
CODES = """
[[reason_codes]]
pattern = '\\b(?:ofr|lpn)(?:_|\\d{3}[-_])(\\d{3})\\b'
codes = { "101" = "blocked", "417" = "mailboxfull" }
sources = ["https://example.net/codes"]
checked = "2026-12-08"

[[reason_codes]]
pattern = 'aup#[a-z-]{0,8}(\\d{4})'
ranges = [[1000, 1000, "blocked"], [1010, 1080, "rejected"]]
sources = ["https://example.net/codes"]
checked = "2026-12-08"
"""


def _write(d: Path, pid: str, body: str) -> None:
    d.mkdir(exist_ok=True)
    (d / f"{pid}.toml").write_text(HEAD.format(pid=pid) + body, encoding="utf-8")


def _tables(d: Path) -> tuple[tuple[ReasonPhrases, ...], tuple[ReasonCodes, ...]]:
    validate_provider_data(d)
    idx = providers._load(d, use_cache=False, compile_patterns=True)
    assert idx.reason_tables is not None
    return idx.reason_tables


def test_good_tables_are_accepted_in_file_and_entry_order(tmp_path: Path) -> None:
    _write(tmp_path, "bb", PHRASES + CODES)
    _write(tmp_path, "aa", PHRASES.replace("unusual rate of mail", "rate of mail too high")
           .replace('"ip not in whitelist for rcpt domain"', '"ip not allowed"')
           .replace("account that you tried to reach is disabled", "mailbox is disabled")
           .replace('patterns = [', 'patterns = [\'x\', ', 1))
    phrases, codes = _tables(tmp_path)
    assert [(p.file, p.entry, p.reason) for p in phrases] == [
        ("aa.toml", 1, "blocked"), ("aa.toml", 2, "suspend"), ("bb.toml", 1, "blocked"), ("bb.toml", 2, "suspend")]
    last = phrases[-1]
    assert last.provider_id == "bb" and last.phrases == ("account that you tried to reach is disabled",)
    assert last.sources == ("https://example.net/errors",) and last.checked == "2026-12-08"
    assert last.patterns[0].search("550 dd user@example.net is no longer valid")
    assert [(c.file, c.entry) for c in codes] == [("bb.toml", 1), ("bb.toml", 2)]
    orange, spectrum = codes
    m = orange.pattern.search("550 5.7.1 ofr004_417 mailbox full")
    assert m and orange.reason_for(m.group(1)) == "mailboxfull"
    assert orange.reason_for("999") is None
    m = spectrum.pattern.search("554 aup#i-1050 refused")
    assert m and spectrum.reason_for(m.group(1)) == "rejected"
    assert spectrum.reason_for("1000") == "blocked" and spectrum.reason_for("1090") is None


def test_file_with_only_reason_tables_is_accepted(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path, "kddi", PHRASES)
    assert validate_provider_data(tmp_path) == []
    # it names a provider, but has no rules for the catalog (smtpbot providers, App Home)
    monkeypatch.setattr(providers.loader, "_INDEX", providers._load(tmp_path, use_cache=False))
    assert providers.resolve_provider("kddi") == "kddi"
    assert providers.catalog() == []


def test_shipped_tables_are_valid_tuples() -> None:
    phrases = providers.reason_phrase_tables()
    codes = providers.reason_code_tables()
    assert isinstance(phrases, tuple) and all(isinstance(p, ReasonPhrases) for p in phrases)
    assert isinstance(codes, tuple) and all(isinstance(c, ReasonCodes) for c in codes)
    for p in phrases:
        assert all(ph == ph.lower() for ph in p.phrases) and p.sources and p.checked


# (old text, new text, expected message after "zz.toml <entry>: ")
PHRASE_BREAKS = [
    ('reason = "blocked"', 'reason = "blocked"\nweight = 3', "reason_phrases #1 (blocked): unknown field(s) ['weight']"),
    ('reason = "blocked"\n', "", "reason_phrases #1: missing required field 'reason'"),
    ('reason = "blocked"', 'reason = "vacation"', "reason_phrases #1 (vacation): field 'reason' is 'vacation'"),
    ('reason = "blocked"', 'reason = "blockd"', "reason_phrases #1 (blockd): field 'reason' is 'blockd'"),
    ('"unusual rate of mail"', '"Unusual rate of mail"', "reason_phrases #1 (blocked): phrase 'Unusual rate of mail' "
                                                          "is not lower-case"),
    ('phrases = ["unusual rate of mail", "ip not in whitelist for rcpt domain"]', 'phrases = "unusual rate"',
     "reason_phrases #1 (blocked): field 'phrases' must be a list of non-empty strings"),
    ('phrases = ["unusual rate of mail", "ip not in whitelist for rcpt domain"]\n', "",
     "reason_phrases #1 (blocked): needs phrases (literals) and/or patterns"),
    ('"ip not in whitelist for rcpt domain"', '"unusual rate of mail"',
     "reason_phrases #1 (blocked): phrase 'unusual rate of mail' is listed twice"),
    ("patterns = ['", "patterns = ['(", "reason_phrases #2 (suspend): pattern '(\\\\bdd"),
    ('sources = ["https://example.net/errors"]\nchecked = "2026-12-08"\n\n[[reason_phrases]]',
     'checked = "2026-12-08"\n\n[[reason_phrases]]', "reason_phrases #1 (blocked): missing required field 'sources'"),
    ('sources = ["https://example.net/errors"]', 'sources = ["example.net/errors"]',
     "reason_phrases #1 (blocked): sources holds 'example.net/errors', which is not an http(s) URL"),
    ('checked = "2026-12-08"\n\n[[reason_phrases]]', '\n[[reason_phrases]]',
     "reason_phrases #1 (blocked): missing required field 'checked'"),
    ('checked = "2026-12-08"', "checked = 2026-12-08", "reason_phrases #1 (blocked): field 'checked' is "
                                                       "datetime.date(2026, 12, 8); write the date as a quoted string"),
    ('checked = "2026-12-08"', 'checked = "8 Dec 2026"', "reason_phrases #1 (blocked): field 'checked' is '8 Dec 2026'"),
]
CODE_BREAKS = [
    ("codes = {", "prefilter = \"ofr\"\ncodes = {", "reason_codes #1: unknown field(s) ['prefilter']"),
    ("pattern = '\\b(?:ofr|lpn)(?:_|\\d{3}[-_])(\\d{3})\\b'\n", "", "reason_codes #1: missing required field 'pattern'"),
    ("(\\d{3})\\b'", "\\d{3}\\b'", "reason_codes #1: pattern has 0 capture groups; it needs exactly one"),
    ("(?:ofr|lpn)", "(ofr|lpn)", "reason_codes #1: pattern has 2 capture groups; it needs exactly one"),
    ("(\\d{3})\\b'", "(\\d{3}\\b'", "reason_codes #1: pattern does not compile"),
    ('codes = { "101" = "blocked", "417" = "mailboxfull" }', 'codes = ["101"]', "reason_codes #1: codes must be a table"),
    ('"417" = "mailboxfull"', '"417" = "full"', "reason_codes #1 code '417': field 'reason' is 'full'"),
    ('"417" = "mailboxfull"', '"OFR417" = "mailboxfull"', "reason_codes #1: code 'OFR417' must be lower-case"),
    ('codes = { "101" = "blocked", "417" = "mailboxfull" }\n', "", "reason_codes #1: needs codes and/or ranges"),
    ("[1010, 1080, \"rejected\"]", "[1080, 1010, \"rejected\"]", "reason_codes #2: range [1080, 1010, 'rejected'] is "
                                                                "not [lo, hi, reason]"),
    ("[1010, 1080, \"rejected\"]", "[1010, \"rejected\"]", "reason_codes #2: range [1010, 'rejected'] is not"),
    ("[1010, 1080, \"rejected\"]", "[1010, 1080, \"refused\"]",
     "reason_codes #2 range [1010, 1080]: field 'reason' is 'refused'"),
    ('ranges = [[1000, 1000, "blocked"], [1010, 1080, "rejected"]]', 'ranges = "1000-1080"',
     "reason_codes #2: ranges must be a list of [lo, hi, reason]"),
    ('sources = ["https://example.net/codes"]\nchecked = "2026-12-08"\n\n[[reason_codes]]',
     'checked = "2026-12-08"\n\n[[reason_codes]]', "reason_codes #1: missing required field 'sources'"),
    ('checked = "2026-12-08"\n\n[[reason_codes]]', '\n[[reason_codes]]',
     "reason_codes #1: missing required field 'checked'"),
]


@pytest.mark.parametrize(("table", "old", "new", "message"),
                         [("phrases", *b) for b in PHRASE_BREAKS] + [("codes", *b) for b in CODE_BREAKS])
def test_bad_shape_is_rejected_naming_file_and_entry(tmp_path: Path, table: str, old: str, new: str,
                                                     message: str) -> None:
    good, broken = (CODES, PHRASES) if table == "phrases" else (PHRASES, CODES)
    assert old in broken
    _write(tmp_path, "zz", good + broken.replace(old, new, 1))
    with pytest.raises(ProviderDataError) as err:
        validate_provider_data(tmp_path)
    assert str(err.value).startswith("zz.toml " + message), str(err.value)


def test_tables_must_be_arrays_of_tables(tmp_path: Path) -> None:
    _write(tmp_path, "zz", 'reason_phrases = ["blocked"]\n')
    with pytest.raises(ProviderDataError, match=re.escape("zz.toml reason_phrases #1: not a table")):
        validate_provider_data(tmp_path)
    _write(tmp_path, "zz", 'reason_codes = "x"\n')
    with pytest.raises(ProviderDataError, match=re.escape("zz.toml: reason_codes must be written as [[reason_codes]]")):
        validate_provider_data(tmp_path)


def test_a_phrase_in_two_files_is_rejected_naming_both(tmp_path: Path) -> None:
    _write(tmp_path, "aa", PHRASES)
    _write(tmp_path, "bb", PHRASES.replace('"ip not in whitelist for rcpt domain"', '"ip refused"'))
    with pytest.raises(ProviderDataError) as err:
        validate_provider_data(tmp_path)
    assert str(err.value) == ("bb.toml reason_phrases #1 (blocked): phrase 'unusual rate of mail' is already listed "
                              "in aa.toml reason_phrases #1 (blocked)")


def test_a_phrase_containing_an_earlier_one_of_the_same_reason_is_allowed(tmp_path: Path) -> None:
    _write(tmp_path, "aa", PHRASES)
    _write(tmp_path, "bb", PHRASES.replace('"unusual rate of mail", "ip not in whitelist for rcpt domain"',
                                           '"an unusual rate of mail"')
           .replace("account that you tried to reach is disabled", "mailbox disabled"))
    assert validate_provider_data(tmp_path) == []


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "zz", "")
    with pytest.raises(ProviderDataError, match=re.escape("zz.toml: needs at least one [[rules]] entry")):
        validate_provider_data(tmp_path)

"""knowledge.reasons.loader: the reason data files are validated; every rejection names file and entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.reasons import loader
from knowledge.reasons.loader import ReasonDataError, build, load
from knowledge.vocabulary import NOT_FAILURE_REASONS, REASONS

SRC = 'sources = ["https://libsisimai.org/en/reason/"]\nchecked = "2026-12-08"\n'
SETS = "".join(f'[set.{n}]\nphrases = ["{n.replace("_", " ")}"]\n{SRC}\n' for n in loader.REQUIRED_SETS)
STEPS = "".join(f'[[step]]\nid = "{s}"\ntext = "step {s}"\nnothing_to_resend = {str(s == "deferred").lower()}\n{SRC}\n'
                for s in loader.REQUIRED_STEPS)
STATUS = (f'{SRC}generic = ["0.0"]\nspecific_over_text = ["2.2"]\naddress_status = \'^[45]\\.1\\.1$\'\n'
          '[subject_detail]\n"1.1" = "userunknown"\n"2.2" = "mailboxfull"\n[class_specific]\n"4.7.1" = "blocked"\n')
FAMILIES = {
    "mailboxfull": '[[family]]\nname = "full"\nphrases = ["mailbox full", "quota"]\n' + SRC,
    "blocked": '[[family]]\nname = "blocked"\nphrases = ["blocked"]\n' + SRC + '[family.patterns]\nrbl = \'\\brbl\\b\'\n',
    "rejected": '[[family]]\nname = "rejected-weak"\nphrases = ["rejected"]\n' + SRC,
}
ORDER = (f'{SRC}provider_codes = ["acme"]\nprovider_phrases = ["provider:acme"]\n'
         'strong = ["full", "blocked"]\ngeneric = []\nweak = ["rejected-weak"]\n')
ACME = ('id = "acme"\n[[reason_phrases]]\nreason = "speeding"\nphrases = ["slow down please"]\n' + SRC +
        '[[reason_codes]]\npattern = \'acme#(\\d{3})\'\ncodes = { "101" = "blocked" }\n'
        'ranges = [[200, 299, "speeding"]]\n' + SRC)


def make_data(tmp: Path, families: dict[str, str] | None = None, order: str = ORDER, acme: str = ACME,
              extra: dict[str, str] | None = None) -> tuple[Path, Path]:
    """A small complete data set: every reason file, order, status, steps, evidence, one provider."""
    rdir, pdir = tmp / "reasons", tmp / "providers"
    rdir.mkdir()
    pdir.mkdir()
    fams = dict(FAMILIES, **(families or {}))
    for r in REASONS:
        head = f'label = "{r} label"\nhard = {str(r == "userunknown").lower()}\nnext_step = "do {r}"\n{SRC}\n'
        (rdir / f"{r}.toml").write_text(head + fams.get(r, ""))
    files = {"order.toml": order, "status.toml": STATUS, "steps.toml": STEPS, "evidence.toml": SETS}
    for name, body in dict(files, **(extra or {})).items():
        (rdir / name).write_text(body)
    (pdir / "acme.toml").write_text(acme)
    return rdir, pdir


def rejects(tmp: Path, message: str, **kw) -> None:
    with pytest.raises(ReasonDataError) as exc:
        build(*make_data(tmp, **kw))
    assert str(exc.value) == message


def test_a_small_data_set_loads(tmp_path):
    d = build(*make_data(tmp_path))
    assert [f["name"] for f in d["order"]["strong"]] == ["full", "blocked"]
    assert d["order"]["strong"][1]["patterns"] == [("rbl", r"\brbl\b")]
    assert d["order"]["provider_codes"] == [{"pattern": r"acme#(\d{3})", "codes": {"101": "blocked"},
                                             "ranges": [(200, 299, "speeding")]}]
    assert d["reasons"]["userunknown"]["hard"] is True and d["reasons"]["blocked"]["label"] == "blocked label"


def test_duplicated_phrase_is_rejected(tmp_path):
    rejects(tmp_path, "blocked.toml: family 'blocked': phrase 'quota' duplicates a phrase of family 'full' "
            "(mailboxfull.toml), tried before it in tier 'strong'",
            families={"blocked": '[[family]]\nname = "blocked"\nphrases = ["blocked", "quota"]\n' + SRC})


def test_shadowed_phrase_is_rejected(tmp_path):
    rejects(tmp_path, "blocked.toml: family 'blocked': phrase 'daily quota exceeded' can never decide: family "
            "'full' (mailboxfull.toml), tried before it in tier 'strong', has the phrase 'quota'",
            families={"blocked": '[[family]]\nname = "blocked"\nphrases = ["daily quota exceeded"]\n' + SRC})


def test_shadowed_pattern_is_rejected(tmp_path):
    rejects(tmp_path, "blocked.toml: family 'blocked': pattern 'q' can never decide: family 'full' "
            "(mailboxfull.toml), tried before it in tier 'strong', has the phrase 'quota'",
            families={"blocked": '[[family]]\nname = "blocked"\nphrases = ["blocked"]\n' + SRC +
                      "[family.patterns]\nq = '\\bquota\\b'\n"})


def test_the_same_phrase_in_another_tier_is_allowed(tmp_path):
    d = build(*make_data(tmp_path, families={
        "rejected": '[[family]]\nname = "rejected-weak"\nphrases = ["rejected", "quota"]\n' + SRC}))
    assert d["order"]["weak"][0]["phrases"] == ["rejected", "quota"]


def test_phrase_containing_a_phrase_of_its_own_family_is_rejected(tmp_path):
    rejects(tmp_path, "mailboxfull.toml: family 'full': phrase 'over quota' can never decide: it contains the "
            "family's phrase 'quota'",
            families={"mailboxfull": '[[family]]\nname = "full"\nphrases = ["quota", "over quota"]\n' + SRC})


def test_shadowed_provider_phrase_is_rejected(tmp_path):
    acme = ACME.replace('[[reason_codes]]', '[[reason_phrases]]\nreason = "blocked"\nphrases = ["please slow down '
                        'please"]\n' + SRC + '[[reason_codes]]').replace('"slow down please"', '"slow down"')
    rejects(tmp_path, "acme.toml: family 'acme.reason_phrases[1]': phrase 'please slow down please' can never "
            "decide: family 'acme.reason_phrases[0]' (acme.toml), tried before it in tier 'provider_phrases', "
            "has the phrase 'slow down'", acme=acme)


def test_unknown_reason_file_is_rejected(tmp_path):
    rejects(tmp_path, "mailboxfool.toml: file name: 'mailboxfool' is not a Sisimai reason "
            "(knowledge.vocabulary.REASONS)", extra={"mailboxfool.toml": 'label = "x"\n'})


def test_missing_reason_file_is_rejected(tmp_path):
    rdir, pdir = make_data(tmp_path)
    (rdir / "vacation.toml").unlink()
    with pytest.raises(ReasonDataError, match=re.escape("no data file for reason(s) ['vacation']: add vacation.toml")):
        build(rdir, pdir)


@pytest.mark.parametrize(("message", "kw"), [
    ("mailboxfull.toml: family 'full': unknown key(s) ['phrase']",
     {"families": {"mailboxfull": '[[family]]\nname = "full"\nphrase = ["quota"]\n' + SRC}}),
    ("acme.toml reason_phrases #1 (speeding): unknown field(s) ['phrasess']", {"acme": ACME.replace("phrases =", "phrasess =")}),
    ("order.toml: unknown key(s) ['medium']", {"order": ORDER + "medium = []\n"}),
    ("vacation.toml: unknown key(s) ['hardness']", {"families": {"vacation": "hardness = 1\n"}}),
])
def test_unknown_keys_are_rejected(tmp_path, message, kw):
    rejects(tmp_path, message, **kw)


def test_unknown_reason_name_in_a_provider_table_is_rejected(tmp_path):
    # provider tables are checked by the provider schema (knowledge.providers.schema), the one definition
    rejects(tmp_path, "acme.toml reason_codes #1 code '101': field 'reason' is 'blockd', not a Sisimai failure "
            "reason (one of: " + ", ".join(r for r in REASONS if r not in NOT_FAILURE_REASONS) + ")", acme=ACME.replace('"101" = "blocked"', '"101" = "blockd"'))


def test_missing_sources_are_rejected(tmp_path):
    rejects(tmp_path, "mailboxfull.toml: family 'full': 'sources' must be a non-empty list of http(s) URLs",
            families={"mailboxfull": '[[family]]\nname = "full"\nphrases = ["quota"]\nchecked = "2026-12-08"\n'})


def test_missing_checked_date_is_rejected(tmp_path):
    rejects(tmp_path, "mailboxfull.toml: family 'full': 'checked' must be a date written YYYY-MM-DD",
            families={"mailboxfull": '[[family]]\nname = "full"\nphrases = ["quota"]\n'
                      'sources = ["https://libsisimai.org/en/reason/"]\n'})


def test_pattern_that_does_not_compile_is_rejected(tmp_path):
    rejects(tmp_path, "blocked.toml: family 'blocked': pattern 'rbl': does not compile: missing ), unterminated "
            "subpattern at position 0",
            families={"blocked": '[[family]]\nname = "blocked"\nphrases = ["blocked"]\n' + SRC +
                      "[family.patterns]\nrbl = '(rbl'\n"})


def test_code_pattern_needs_one_capture_group(tmp_path):
    rejects(tmp_path, "acme.toml reason_codes #1: pattern has 0 capture groups; it needs exactly one (the code), "
            "use (?:...) for the others",
            acme=ACME.replace("acme#(\\d{3})", "acme#\\d{3}"))


def test_phrase_must_be_lower_case(tmp_path):
    rejects(tmp_path, "mailboxfull.toml: family 'full': phrase 'Quota' must be lower-case",
            families={"mailboxfull": '[[family]]\nname = "full"\nphrases = ["Quota"]\n' + SRC})


def test_order_must_place_every_family_once(tmp_path):
    rejects(tmp_path, "order.toml: strong: 'fulll' is not a family of any <reason>.toml",
            order=ORDER.replace('"full", "blocked"', '"fulll", "blocked"'))


def test_unplaced_family_is_rejected(tmp_path):
    rejects(tmp_path, "mailboxfull.toml: family 'full' is not listed in order.toml",
            order=ORDER.replace('"full", "blocked"', '"blocked"'))


def test_family_listed_twice_is_rejected(tmp_path):
    rejects(tmp_path, "order.toml: weak: family 'full' is already listed in strong",
            order=ORDER.replace('weak = ["rejected-weak"]', 'weak = ["rejected-weak", "full"]'))


def test_status_table_names_reasons(tmp_path):
    rejects(tmp_path, "status.toml: [class_specific] '4.7.1': 'blokked' is not a Sisimai reason "
            "(knowledge.vocabulary.REASONS)", extra={"status.toml": STATUS.replace('= "blocked"', '= "blokked"')})


def test_the_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    monkeypatch.delenv("SMTPBOT_NO_CACHE", raising=False)
    monkeypatch.setenv("SMTPBOT_CACHE_DIR", str(tmp_path / "cache"))
    rdir, pdir = make_data(tmp_path)
    first = load(rdir, pdir)
    assert len(list((tmp_path / "cache").glob("reasons-*.marshal"))) == 1
    assert load(rdir, pdir) == first
    (rdir / "blocked.toml").write_text((rdir / "blocked.toml").read_text().replace('"do blocked"', '"do more"'))
    assert load(rdir, pdir)["reasons"]["blocked"]["next_step"] == "do more"


def test_shipped_data_has_every_reason_with_label_hard_and_next_step():
    d = load(use_cache=False)
    assert sorted(d["reasons"]) == sorted(REASONS)
    for r in REASONS:
        entry = d["reasons"][r]
        assert entry["label"] and isinstance(entry["hard"], bool) and entry["next_step"], r
    assert {r for r in REASONS if d["reasons"][r]["hard"]} == {"userunknown", "hostunknown", "hasmoved", "notaccept"}
    assert all(loader.DATA_DIR.joinpath(f"{r}.toml").is_file() for r in REASONS)


def test_phrase_matched_by_an_earlier_pattern_is_rejected(tmp_path):
    rejects(tmp_path, "blocked.toml: family 'blocked': phrase 'exceeded the message limit' can never decide: family "
            "'full' (mailboxfull.toml), tried before it in tier 'strong', has the pattern 'gap' that matches it",
            families={"mailboxfull": FAMILIES["mailboxfull"] + "[family.patterns]\ngap = 'exceeded .{0,30}limit'\n",
                      "blocked": '[[family]]\nname = "blocked"\nphrases = ["exceeded the message limit"]\n' + SRC})


def test_a_pattern_with_assertions_does_not_count_as_matching_a_phrase_everywhere(tmp_path):
    build(*make_data(tmp_path, families={
        "mailboxfull": FAMILIES["mailboxfull"] + "[family.patterns]\nspam = '\\bspam\\b'\n",
        "blocked": '[[family]]\nname = "blocked"\nphrases = ["spam source"]\n' + SRC}))


def test_every_shipped_phrase_decides_its_own_reason_in_its_tier():
    from knowledge.reasons import provider_reason
    from knowledge.reasons.runtime import tables

    t = tables()
    for tier in ("strong", "generic", "weak"):
        index = getattr(t, tier)
        for fam in index.families:
            for phrase in fam.phrases:
                assert index.first(phrase, t.triggers.present(phrase)) == fam.reason, (tier, fam.name, phrase)
    for fam in t.provider.families:
        for phrase in fam.phrases:
            assert provider_reason(phrase) == fam.reason, (fam.name, phrase)

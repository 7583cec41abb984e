"""Provider codes asked about directly: a code only providers define, and providers' own markers."""

import pytest

from knowledge.explain import explain, explain_code, extract_queries
from knowledge.providers import rule_for_token, rules_for_code

MS = "Microsoft 365 / Exchange Online / Outlook.com"


@pytest.mark.parametrize("query, enh, rule", [
    ("5.7.708", "5.7.708", "microsoft.tenant-blocked"),
    ("550 5.7.708", "5.7.708", "microsoft.tenant-blocked"),
    ("4.7.650", "4.7.650", "microsoft.ip-reputation-ratelimit"),
    ("5.7.620", "5.7.620", "microsoft.banned-ip-range"),
])
def test_code_only_one_provider_defines_gets_that_providers_meaning(query, enh, rule):
    [item] = explain([query]).items
    assert item.provider is not None and item.provider.rule_id == rule
    assert item.meaning.startswith(f"{MS} uses {enh} for this: {item.provider.meaning} Standard: {enh[0]}.7.x = ")
    assert "derived from its digits alone" not in item.meaning
    assert item.notes == [f"{enh} is not in the IANA registry; only {MS} is known to send it. "
                          "Another server could use the number differently."]
    assert item.code == query and item.derived is True  # still no standard entry
    # the same rule as when the provider is named
    assert explain([query], provider="microsoft").items[0].provider.rule_id == rule


def test_code_several_providers_define_lists_them_in_notes(monkeypatch):
    import knowledge.explain.provider as ex  # where _with_defining_provider looks the notes up
    from knowledge.results import ProviderNote

    notes = [ProviderNote(provider=p, provider_id=p.lower(), rule_id=f"{p.lower()}.x", title=f"{p} title",
                          meaning="m", remedy="r", doc_url="https://example.net/") for p in ("Alpha", "Beta")]
    monkeypatch.setattr(ex, "_rules_for_code", lambda enh: notes)
    [item] = explain(["5.7.777"]).items
    assert item.provider is None and item.derived is True
    assert item.meaning == explain_code(None, "5.7.777").meaning
    assert item.notes == ["5.7.777 is not in the IANA registry; providers with their own meaning for it: "
                          "Alpha (Alpha title); Beta (Beta title). Ask with the provider's name for its meaning."]


def test_registered_code_keeps_the_standard_meaning():
    [item] = explain(["5.7.1"]).items
    assert len(rules_for_code("5.7.1")) > 1  # many providers send it, each with their own texts
    assert item.provider is None and item.notes == [] and item == explain_code(None, "5.7.1")


@pytest.mark.parametrize("text, tokens, provider", [
    ("yahoo TSS04", ["TSS04"], "yahoo"),
    ("what does [TSS04] mean?", ["TSS04"], None),
    ("TS03 and CS01", ["TS03", "CS01"], None),
    ("HM08", ["HM08"], None),
    ("AS(201806281)", ["AS(201806281)"], None),
    ("outlook S3150", ["S3150"], "outlook"),
    ("421 4.7.0 [TSS04]", ["421 4.7.0", "TSS04"], None),
    ("ipv6 v2 s3 and 550", ["550"], None),
    ("office 365 5.7.708", ["5.7.708"], "office 365"),
])
def test_extract_queries_finds_provider_markers(text, tokens, provider):
    assert extract_queries(text) == (tokens, provider)


@pytest.mark.parametrize("token, rule, code", [
    ("TSS04", "yahoo.tss-deferred", "421 4.7.0"),
    ("[TSS04]", "yahoo.tss-deferred", "421 4.7.0"),
    ("tss10", "yahoo.tss-permanent", None),
    ("TS03", "yahoo.ts03-permanent", "421 4.7.1"),
    ("CS01", "icloud.local-policy-cs", None),
    ("HM08", "icloud.local-policy-hm", None),
    ("AS(201806281)", "microsoft.dbeb-as", "550 5.4.1"),
    ("S3150", "microsoft.outlook-blocklist", "550 5.7.1"),
])
def test_marker_is_explained_with_its_rule(token, rule, code):
    note, reply, enh = rule_for_token(token)
    assert note.rule_id == rule
    [item] = explain([token]).items
    assert item.provider == note
    assert item.code == " ".join(c for c in (reply, enh) if c)
    if code:
        assert item.code == code
    assert item.meaning.startswith(f"{note.provider}: {note.meaning} Standard: ")
    shown = token.strip("[]").upper()
    assert item.notes == [f"{shown} is {note.provider}'s own marker, not an SMTP code; it comes in the reply text, "
                          f"typically with {item.code}. The explanation below is {note.provider}'s meaning."]
    assert explain([token]).errors == []


def test_unknown_marker_like_words_are_errors_not_markers():
    assert rule_for_token("AS(42000)") is None and rule_for_token("XYZ99") is None
    r = explain(["XYZ99"])
    assert r.items == [] and len(r.errors) == 1


def test_same_marker_twice_is_explained_once():
    r = explain(["TSS04", "[TSS04]", "tss04"])
    assert [i.provider.rule_id for i in r.items] == ["yahoo.tss-deferred"] and r.comparison is None

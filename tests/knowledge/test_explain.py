"""knowledge.explain: single codes, combined codes, derived and malformed input, comparison."""

import pytest

from knowledge.explain import explain, explain_code, extract_queries


def test_252_vs_502_comparison():
    result = explain(["252", "502"])
    assert result.errors == []
    assert [i.code for i in result.items] == ["252", "502"]
    comp = result.comparison
    assert comp.codes == ["252", "502"]
    assert comp.summary == (
        "252 is 2xx positive completion (the command succeeded); "
        "502 is 5xx permanent negative completion (the command failed and will fail again if repeated unchanged)."
    )
    rows = {d.aspect: d.values for d in comp.differences}
    assert rows["class"] == ["2xx positive completion", "5xx permanent negative completion"]
    assert list(rows) == ["class", "title", "meaning", "when", "what to do", "who acts", "retry"]
    # 252 still attempts delivery
    assert "attempt delivery" in result.items[0].title
    assert "still attempted" in comp.which_matters
    assert "still attempts delivery" in comp.notes[0]
    assert "RFC 5321 §3.5.3" in comp.source and "RFC 5321 §4.2.4" in comp.source


def test_generated_comparison_for_a_pair_without_notes():
    comp = explain(["354", "455"]).comparison
    assert comp.notes == []
    assert comp.summary.startswith("354 is 3xx positive intermediate (the server accepted the command and waits for more input); "
                                   "455 is 4xx transient negative completion")
    assert comp.which_matters.startswith("455 usually clears through the sending MTA's retries")
    assert "354 is a normal step: the client simply continues" in comp.which_matters


def test_same_class_comparison():
    comp = explain(["550", "553", "554"]).comparison
    assert comp.summary.startswith("All 550, 553 and 554 are 5xx permanent negative completion")
    assert len(comp.notes) == 1 and comp.notes[0].startswith("550 is about the mailbox")
    assert comp.which_matters.startswith("All three are permanent")


@pytest.mark.parametrize("pair", [["450", "550"], ["421", "451"], ["251", "551"], ["452", "552"],
                                  ["530", "535"], ["521", "556"], ["5.1.1", "5.1.10"], ["4.7.0", "5.7.1"],
                                  ["502", "252"], ["550", "554"]])
def test_classic_confusions_have_curated_notes(pair):
    comp = explain(pair).comparison
    assert len(comp.notes) == 1
    assert comp.notes[0] and comp.which_matters


def test_curated_which_matters_only_when_it_covers_every_code():
    comp = explain(["252", "502", "421"]).comparison
    assert len(comp.notes) == 1 and comp.notes[0].startswith("Both usually answer VRFY")
    assert comp.which_matters == (
        "502 needs someone to change something before sending again; "
        "421 usually clears through the sending MTA's retries, so act only if it persists for hours or the text says it will not clear; "
        "252 needs no action: the server accepted the request."
    )


def test_curated_note_found_through_combined_parts():
    comp = explain(["550 5.1.1", "550 5.1.10"]).comparison
    assert any("null MX" in n for n in comp.notes)


def test_combined_code_is_one_explanation():
    result = explain(["550 5.7.26"])
    assert len(result.items) == 1 and result.comparison is None
    item = result.items[0]
    assert item.kind == "combined"
    assert item.code == "550 5.7.26"
    assert [p.code for p in item.parts] == ["550", "5.7.26"]
    assert [p.kind for p in item.parts] == ["reply", "enhanced"]
    assert item.title == "Multiple authentication checks failed (550, permanent failure)"
    assert item.class_ == "5xx permanent negative completion; 5.X.X permanent failure"
    assert item.subject == "X.7.X security or policy"
    assert item.meaning.startswith("More than one sender-authentication check failed")
    assert "Reply code 550 (5xx permanent negative completion) is the basic answer" in item.meaning
    assert item.standing == "registry" and item.derived is False
    assert "RFC 7372 §3.4" in item.source and "RFC 5321 §4.2.3" in item.source


def test_combined_with_disagreeing_classes_says_so():
    item = explain_code("550", "4.7.1")
    assert "The two class digits disagree (5xx vs 4.X.X)" in item.meaning
    assert item.retry.startswith("Permanent")


@pytest.mark.parametrize("code", ["5.7.912", "2.9.9", "4.4.399", "5.1.99"])
def test_derived_enhanced(code):
    from knowledge.providers import rules_for_code

    assert rules_for_code(code) == []  # no provider defines it: the digits are all there is
    item = explain([code]).items[0]
    assert item.derived is True and item.standing == "derived"
    assert item.meaning.startswith(f"{code} has no entry here")
    assert "derived from its digits alone (RFC 3463 §2)" in item.meaning
    assert item.source[0] == "RFC 3463 §2"
    assert "https://www.iana.org/assignments/smtp-enhanced-status-codes" not in item.source


def test_derived_enhanced_subject_and_class_text():
    item = explain_code(None, "2.9.9")
    assert item.class_ == "2.X.X success"
    assert item.subject == "X.9.X undefined subject"
    assert "Subject 9 is not defined by RFC 3463" in item.meaning
    ms = explain_code(None, "5.7.912")
    assert ms.title == "Unlisted security or policy code (permanent failure)"
    assert "Microsoft 365" in ms.meaning


@pytest.mark.parametrize("code, cls", [("256", "2xx positive completion"), ("459", None), ("599", "5xx permanent negative completion"),
                                       ("388", "3xx positive intermediate")])
def test_derived_reply(code, cls):
    item = explain_code(code, None)
    if cls is None:  # 459 has an entry (RFC 1985)
        assert item.derived is False and item.standing == "extension"
        return
    assert item.derived is True and item.standing == "derived"
    assert item.class_ == cls
    assert item.meaning.startswith(f"{code} has no entry here, so this answer is derived from its digits alone (RFC 5321 §4.2.1).")
    assert item.source == ["RFC 5321 §4.2.1"]


def test_derived_reply_undefined_second_digit():
    item = explain_code("589", None)
    assert "second digit 8 is not defined by RFC 5321" in item.meaning
    assert item.title == "Unlisted permanent negative completion reply (undefined category)"


@pytest.mark.parametrize("bad", ["999", "6.1.1", "25", "abc", "", "1.2.3.4", "550 9.9.9"])
def test_malformed_is_one_line_error(bad):
    result = explain([bad])
    assert result.items == [] and result.comparison is None
    assert len(result.errors) == 1
    assert "\n" not in result.errors[0]
    assert "is not an SMTP code" in result.errors[0]
    assert "e.g. 550" in result.errors[0] and "e.g. 5.7.1" in result.errors[0]


def test_mixed_valid_and_malformed_keep_order():
    result = explain(["999", "421", "abc", "5.7.1"])
    assert [i.code for i in result.items] == ["421", "5.7.1"]
    assert len(result.errors) == 2 and result.errors[0].startswith("'999'")
    assert result.comparison.codes == ["421", "5.7.1"]


def test_non_standard_code_is_labelled():
    item = explain_code("571", None)
    assert item.standing == "non-standard"
    assert item.meaning.startswith("Warning: 571 is not a standard SMTP reply code.")
    folk = explain_code("511", None)
    assert "No RFC defines it" in folk.meaning
    draft = explain_code("456", None)
    assert "Internet-Draft that never became an RFC" in draft.meaning


def test_provider_only_enhanced_code_is_not_iana():
    item = explain_code(None, "4.7.31")
    assert item.standing == "provider"
    assert item.meaning.startswith("Note: X.7.31 is not in the IANA enhanced status code registry.")


def test_explain_code_is_cached():
    assert explain_code("550", "5.7.1") is explain_code("550", "5.7.1")


def test_explain_code_rejects_wrong_slot():
    from knowledge.codes import MalformedCode

    with pytest.raises(MalformedCode):
        explain_code("5.7.1", None)
    with pytest.raises(ValueError):
        explain_code(None, None)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("what's 421 vs 450?", ["421", "450"]),
        ("252 502", ["252", "502"]),
        ("550 5.7.26 and 421", ["550 5.7.26", "421"]),
        ("got 550-5.1.1 then #4.7.0.", ["550 5.1.1", "4.7.0"]),
        ("999 and 6.1.1", ["999", "6.1.1"]),
        ("from 192.0.2.1 on 2024-01-02 at 10:15", []),
        ("X.7.1?", ["X.7.1"]),
        ("on port 587 I get 535 5.7.8", ["535 5.7.8"]),
        ("550-5.1.1 The email account\n550-5.1.1 does not exist\n550 5.1.1 gsmtp", ["550 5.1.1"]),
        ("252/502", ["252", "502"]),
        ("Diagnostic-Code: smtp; 550 5.7.1 relaying denied", ["550 5.7.1"]),
        ("RFC 821 and section 4.2.1 say 252", ["252"]),
        # durations, sizes and HTTP statuses in a question are not reply codes
        ("we got 550 5.1.1 on port 587 after 250 ms", ["550 5.1.1"]),
        ("HTTP 502 from the API, then 421 from the MX", ["421"]),
        ("HTTP/1.1 503 Service Unavailable", []),
        ("is 502 Bad Gateway the same as 502?", ["502"]),
        ("450 4.2.2 mailbox full, 552 MB used", ["450 4.2.2"]),
        ("550 user unknown", ["550"]),
        ("", []),
    ],
)
def test_extract_queries_tokens(text, tokens):
    assert extract_queries(text)[0] == tokens


def test_extract_queries_provider_word():
    try:
        from knowledge.providers import resolve_provider
    except ImportError:
        pytest.skip("knowledge.providers not available")
    assert resolve_provider("gmail")
    assert extract_queries("gmail 5.7.26") == (["5.7.26"], "gmail")
    assert extract_queries("what does Gmail mean by 421 4.7.0") == (["421 4.7.0"], "Gmail")
    assert extract_queries("plain 550") == (["550"], None)


def test_explain_with_provider_attaches_note():
    try:
        from knowledge.providers import resolve_provider  # noqa: F401
    except ImportError:
        pytest.skip("knowledge.providers not available")
    result = explain(["550 5.7.26"], provider="gmail")
    assert result.errors == []
    note = result.items[0].provider
    assert note is not None and note.provider_id == "gmail"
    unknown = explain(["550"], provider="nosuchprovider")
    assert unknown.errors and unknown.errors[0].startswith("unknown provider 'nosuchprovider'")
    assert unknown.items[0].provider is None


def test_combined_with_detail_free_enhanced_code_leads_with_reply():
    item = explain_code("250", "2.0.0")
    assert item.title == "Requested action OK, completed (2.0.0: no further detail)"
    assert item.when == explain_code("250", None).when
    derived = explain_code("550", "5.7.912")
    assert derived.title == "Mailbox unavailable (permanent), or refused by policy (5.7.912: unlisted detail)"
    assert derived.derived is True and derived.standing == "standard"
    assert "The enhanced code 5.7.912: 5.7.912 has no entry here" in derived.meaning


def test_reply_and_enhanced_with_same_class_digit():
    comp = explain(["550", "5.7.1"]).comparison
    assert comp.summary == (
        "Both 550 and 5.7.1 have class digit 5 (the command failed and will fail again if repeated unchanged): "
        "550 is 5xx permanent negative completion; 5.7.1 is 5.X.X permanent failure."
    )
    assert comp.which_matters.startswith("Same class, so they matter alike")

"""Nothing crashes: any text gives either an explanation or a one-line error."""

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.codes import MalformedCode, parse_code
from knowledge.explain import explain, extract_queries

code_like = st.one_of(
    st.from_regex(r"\A[0-9]{1,4}\Z"),
    st.from_regex(r"\A[0-9xX]\.[0-9]{1,4}\.[0-9]{1,4}\Z"),
    st.from_regex(r"\A[0-9]{3}[ -][0-9]\.[0-9]{1,3}\.[0-9]{1,3}\Z"),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(code_like)
def test_parse_code_only_raises_malformed(text):
    try:
        parsed = parse_code(text)
    except MalformedCode as exc:
        assert "\n" not in str(exc)
    else:
        assert parsed.reply or parsed.enhanced
        assert parse_code(parsed.normalized) == parsed  # normalising is idempotent


@settings(max_examples=200, deadline=None)
@given(st.lists(code_like, max_size=4))
def test_explain_answers_or_reports_each_input(queries):
    result = explain(queries)
    # identical inputs (or inputs naming the same code) are answered once
    distinct, bad = set(), 0
    for q in dict.fromkeys(queries):
        try:
            distinct.add(parse_code(q).normalized)
        except MalformedCode:
            bad += 1
    assert len(result.items) == len(distinct)
    assert len(result.errors) == bad
    assert all("\n" not in e for e in result.errors)
    assert (result.comparison is not None) == (len(result.items) >= 2)
    for item in result.items:
        assert item.title and item.meaning and item.retry and item.source
        assert item.derived == (item.standing == "derived") or item.kind == "combined"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_extract_queries_never_crashes(text):
    tokens, provider = extract_queries(text)
    assert all(isinstance(t, str) and t for t in tokens)
    assert provider is None or provider.lower() in text.lower()

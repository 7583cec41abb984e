"""knowledge.codes.parse_code: accepted shapes, normalisation, malformed input."""

import pytest

from knowledge.codes import MalformedCode, parse_code


@pytest.mark.parametrize(
    "text, reply, enhanced, normalized",
    [
        ("252", "252", None, "252"),
        ("5.7.26", None, "5.7.26", "5.7.26"),
        ("550 5.7.1", "550", "5.7.1", "550 5.7.1"),
        ("550-5.7.1", "550", "5.7.1", "550 5.7.1"),
        ("550  -  5.7.1", "550", "5.7.1", "550 5.7.1"),
        ("#5.1.1", None, "5.1.1", "5.1.1"),
        ("X.7.1", None, "X.7.1", "X.7.1"),
        ("x.7.1", None, "X.7.1", "X.7.1"),
        ("4.7.0", None, "4.7.0", "4.7.0"),
        ("  '550 5.1.1'. ", "550", "5.1.1", "550 5.1.1"),
        ("(421)", "421", None, "421"),
        ("5.07.001", None, "5.7.1", "5.7.1"),
        ("571", "571", None, "571"),
        ("2.9.9", None, "2.9.9", "2.9.9"),
    ],
)
def test_accepted_forms(text, reply, enhanced, normalized):
    parsed = parse_code(text)
    assert (parsed.reply, parsed.enhanced, parsed.normalized) == (reply, enhanced, normalized)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("999", "first digit 9 is not a reply class"),
        ("150", "first digit 1 is not a reply class"),
        ("6.1.1", "enhanced class must be 2, 4 or 5, not 6"),
        ("25", "a reply code has 3 digits, this has 2"),
        ("2500", "a reply code has 3 digits, this has 4"),
        ("abc", None),
        ("", None),
        ("5.1", None),
        ("5.1.1234", "the detail has at most 3 digits"),
        ("550 6.1.1", "enhanced class must be 2, 4 or 5, not 6"),
        ("\uff15\uff15\uff10", None),  # fullwidth digits
        ("5.\uff11.1", "the subject must be digits"),
    ],
)
def test_malformed(text, reason):
    with pytest.raises(MalformedCode) as info:
        parse_code(text)
    message = str(info.value)
    assert "\n" not in message
    assert "three digits starting with 2, 3, 4 or 5" in message
    assert "class.subject.detail" in message
    if reason:
        assert reason in message


def test_malformed_is_value_error():
    assert issubclass(MalformedCode, ValueError)


def test_kind():
    assert parse_code("550 5.7.1").kind == "combined"
    assert parse_code("550").kind == "reply"
    assert parse_code("5.7.1").kind == "enhanced"

"""knowledge.smtp.codes: the code token pieces (RFC 5321 §4.2, RFC 3463 §2) and the re-export in knowledge.codes."""

import re

import pytest

import knowledge.codes
from knowledge.smtp import codes
from knowledge.smtp.codes import (ENHANCED_CODE, FINAL_REPLY_CODE, NOT_IN_WORD_BEFORE, NOT_MORE_DIGITS_AFTER,
                                  REGISTRY_ENHANCED_CODE, REPLY_CODE, REPLY_SHAPE, MalformedCode, in_registry_range,
                                  parse_code)


def test_the_pieces_are_the_documented_strings():
    assert REPLY_CODE == "[2-5][0-5][0-9]"
    assert FINAL_REPLY_CODE == "[245][0-5][0-9]"
    assert REPLY_SHAPE == "[2-5][0-9][0-9]"
    assert ENHANCED_CODE == r"[245]\.[0-9]{1,3}\.[0-9]{1,3}"
    assert REGISTRY_ENHANCED_CODE == r"[245]\.[0-7]\.[0-9]{1,3}"


@pytest.mark.parametrize("token,ok", [("550", True), ("250", True), ("354", True), ("559", True), ("599", False), ("560", False),
                                      ("150", False), ("650", False), ("55", False), ("5500", False)])
def test_reply_code(token, ok):
    assert bool(re.fullmatch(REPLY_CODE, token)) is ok


@pytest.mark.parametrize("token,ok", [("550", True), ("354", False), ("221", True), ("460", False)])
def test_final_reply_code(token, ok):
    assert bool(re.fullmatch(FINAL_REPLY_CODE, token)) is ok


@pytest.mark.parametrize("token,ok", [("5.7.1", True), ("4.4.7", True), ("2.0.0", True), ("5.7.708", True),
                                      ("5.123.999", True), ("3.1.1", False), ("5.1", False), ("5.1.1000", False)])
def test_enhanced_code(token, ok):
    assert bool(re.fullmatch(ENHANCED_CODE, token)) is ok


@pytest.mark.parametrize("token,ok", [("5.7.1", True), ("5.8.1", False), ("4.0.0", True), ("5.10.1", False)])
def test_registry_enhanced_code(token, ok):
    assert bool(re.fullmatch(REGISTRY_ENHANCED_CODE, token)) is ok


def test_boundaries():
    pat = re.compile(NOT_IN_WORD_BEFORE + "(" + ENHANCED_CODE + ")" + NOT_MORE_DIGITS_AFTER)
    assert pat.findall("said: 550 5.1.1 user unknown") == ["5.1.1"]
    assert pat.findall("v2.7.4 and 192.0.2.250 and 4.16.55.1") == []
    assert pat.findall("x5.1.1 5.1.1.2") == []


def test_registry_range():
    assert in_registry_range("5.7.26") is True
    assert in_registry_range("5.7.30") is True
    assert in_registry_range("5.7.31") is False
    assert in_registry_range("5.7.708") is False
    assert in_registry_range("4.0.0") is True
    assert in_registry_range("4.0.1") is False


def test_server_reply_codes():
    assert "550" in codes.SERVER_REPLY_CODES and "404" not in codes.SERVER_REPLY_CODES
    assert len(codes.SERVER_REPLY_CODES) == 53
    assert codes.POSITIVE_REPLY_CODES == frozenset({"211", "214", "220", "221", "235", "250", "251", "252", "253",
                                                    "334", "354"})


def test_parse_code_lives_in_smtp_and_is_reexported():
    assert knowledge.codes.parse_code is parse_code
    assert knowledge.codes.MalformedCode is MalformedCode
    assert knowledge.codes.printable is codes.printable
    assert parse_code("550-5.07.001").normalized == "550 5.7.1"
    assert parse_code("#X.7.1").enhanced == "X.7.1"
    with pytest.raises(MalformedCode, match="first digit 6 is not a reply class"):
        parse_code("650")

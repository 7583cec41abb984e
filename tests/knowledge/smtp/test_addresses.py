"""knowledge.smtp.addresses: mailbox pieces (RFC 5321 §4.1.2, RFC 5322 §3.2.3, RFC 6531, RFC 5890)."""

import re

from knowledge.smtp import addresses as a


def test_atext_symbols_are_rfc_5322_atext():
    assert a.ATEXT_SYMBOLS == "!#$%&'*+/=?^_`{|}~-"
    assert re.fullmatch("[A-Za-z0-9" + a.ATEXT_SYMBOLS + "]+", "o'brien+tag=x{1}|~") is not None


def test_free_text_address():
    pat = re.compile(a.FREE_TEXT_ADDRESS)
    assert pat.search("550 5.1.1 <john.doe@example.com>: unknown").group(0) == "john.doe@example.com"
    assert pat.search("用户user@example.com失败").group(0) == "用户user@example.com"  # CJK after the TLD stays out
    assert pat.search('"john doe"@example.org').group(0) == '"john doe"@example.org'
    assert pat.search("почта@пример.рф").group(0) == "почта@пример.рф"
    assert pat.search("u@ไทย.ไทย").group(0) == "u@ไทย.ไทย"
    assert pat.search("a@localhost") is None


def test_free_text_address_is_the_old_textscan_pattern():
    label = "[\\w\u0300-\u036f\u0900-\u0dff\u0e00-\u0e7f-]"
    old = (r"(?:\"[^\"\r\n]{1,64}\"|[^\s<>()\[\]{}\"',;:@|`]{1,64})@[^\W_](?:" + label + r"{0,62}\.){1,8}"
           r"(?:[A-Za-z][A-Za-z0-9-]{1,62}(?![A-Za-z0-9-])|[^\x00-\x7f\W]" + label + r"{1,62})")
    assert a.FREE_TEXT_ADDRESS == old.replace('\\"', '"')


def test_latin_greek_cyrillic_leaves_cjk_out():
    cls = re.compile("[" + a.LATIN_GREEK_CYRILLIC + "]")
    assert [bool(cls.fullmatch(c)) for c in "éßΩжä×宛"] == [True, True, True, True, True, False, False]


def test_limits():
    assert (a.LOCAL_MAX, a.LABEL_MAX, a.DOMAIN_MAX) == (64, 63, 255)

"""knowledge.textscan's stages on their own: offsets, normalise, tokens (exact values)."""

import re

from knowledge.textscan.normalise import normalise
from knowledge.offsets import OffsetMap, rewrite
from knowledge.textscan.tokens import pair, quick_check, tokenise


def test_rewrite_keeps_an_offset_map():
    text = "a&amp;b 550"
    new, omap = rewrite(text, re.compile("&amp;"), lambda m: "&")
    assert new == "a&b 550"
    assert new.index("550") == 4 and omap.to_original(4) == 8
    assert rewrite("x", re.compile("y"), lambda m: "z") == ("x", OffsetMap())


def test_normalise_escapes_quotes_and_qmail_underscores():
    plain, omap = normalise("said: 550\\r\\n5.1.1")
    assert plain == "said: 550\n5.1.1"
    assert omap.to_original(plain.index("5.1.1")) == 13
    assert normalise("> host x said: 553 no")[0] == "host x said: 553 no"
    assert normalise("x said:_550_no_such_user")[0] == "x said: 550 no such user"


def test_normalise_reads_entities_literally():
    # knowledge/ receives plain text: Slack's markup is undone once, by bot/slack/markup.py
    plain, omap = normalise("&lt;a@example.com&gt;: 550")
    assert plain == "&lt;a@example.com&gt;: 550"
    assert omap.to_original(plain.index("550")) == 23


def test_tokens_and_pairs():
    toks, cut = tokenise("550 5.1.1 v2.7.4 192.0.2.250 失败421 4.16.55.1", 10)
    assert [(t.kind, t.code, t.s) for t in toks] == [("reply", "550", 0), ("enhanced", "5.1.1", 4),
                                                     ("reply", "421", 31)]
    assert cut is False
    pair("550 5.1.1 v2.7.4 192.0.2.250 失败421 4.16.55.1", toks)
    assert toks[0].paired is toks[1] and toks[1].paired is toks[0] and toks[2].paired is None
    assert quick_check("x 4.7.1") is True and quick_check("port 8080") is False


def test_token_bound_counts_failure_classes_only():
    toks, cut = tokenise("250 " * 5 + "550 " * 3, 2)
    assert [t.code for t in toks] == ["250", "250", "550", "550"] and cut is True

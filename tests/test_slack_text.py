"""knowledge.slack_text: undo Slack formatting, keep offsets into the original message.

Slack's formatting rules: https://api.slack.com/reference/surfaces/formatting
"""

from __future__ import annotations

import re

import pytest

from knowledge.slack_text import OffsetMap, rewrite, unslack, unslack_with_map


@pytest.mark.parametrize("raw, plain", [
    ("&lt;user@example.com&gt;: host mx said", "<user@example.com>: host mx said"),
    ("a &amp; b", "a & b"),
    ("<mailto:user@example.com|user@example.com>", "user@example.com"),
    ("<mailto:user@example.com>", "user@example.com"),
    ("see <https://support.google.com/mail/answer/81126|this page>", "see this page"),
    ("see <https://support.google.com/mail/answer/81126>", "see https://support.google.com/mail/answer/81126"),
    ("hi <@U024BE7LH> and <#C024BE7LR|general> <!here>", "hi @U024BE7LH and #general @here"),
    ("`550 5.1.1` is the code", "550 5.1.1 is the code"),
    ("```550-5.7.1 line one\n550 5.7.1 line two```", "\n550-5.7.1 line one\n550 5.7.1 line two\n"),
    ("&gt; quoted line\n&gt; &gt; nested\nnot quoted", "quoted line\nnested\nnot quoted"),
    ("a &gt; b stays mid-line", "a > b stays mid-line"),
    ("&amp;lt; is a literal entity", "&lt; is a literal entity"),
    ("plain <user@example.com> is not a Slack link", "plain <user@example.com> is not a Slack link"),
    ("", ""),
])
def test_unslack(raw, plain):
    assert unslack(raw) == plain


def test_plain_text_comes_back_unchanged_with_identity_map():
    text = "host mx.example.net said: 550 5.1.1 unknown"
    out, omap = unslack_with_map(text)
    assert out is text
    assert [omap.to_original(i) for i in (0, 10, len(text))] == [0, 10, len(text)]


def test_offsets_map_back_to_the_raw_message():
    raw = "`x` &lt;<mailto:a@example.com|a@example.com>&gt;: said 550"
    out, omap = unslack_with_map(raw)
    assert out == "x <a@example.com>: said 550"
    i = out.index("550")
    assert raw[omap.to_original(i):omap.to_original(i) + 3] == "550"
    j = out.index("a@example.com")
    assert omap.to_original(j) == raw.index("<mailto:")


def test_rewrite_chains_maps():
    first, m1 = rewrite("aaXXbb", re.compile("XX"), lambda m: "Y")
    second, m2 = rewrite(first, re.compile("b"), lambda m: "cc", m1)
    assert (first, second) == ("aaYbb", "aaYcccc")
    assert isinstance(m2, OffsetMap)
    # "c" at index 5 of the second text is the second b (index 5) of the original
    assert m2.to_original(5) == 5
    assert m2.to_original(2) == 2
    assert m2.to_original(3) == 4


def test_non_str_input_is_stringified():
    assert unslack(550) == "550"

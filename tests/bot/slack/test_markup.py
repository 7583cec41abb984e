"""bot.slack.markup: undo Slack formatting, keep offsets into the original message.

Slack's formatting rules: https://api.slack.com/reference/surfaces/formatting
(escaping: only ``&``, ``<`` and ``>`` are escaped, once).  Also the Slack paths
end to end: a message's markup is undone once, then ``knowledge`` reads the plain
text literally (the Slack-formatted pastes that used to be fed to the free-text
scanner directly are here, through :func:`unslack` first).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.slack.markup import unslack, unslack_with_map
from knowledge.offsets import OffsetMap, rewrite
from knowledge.textscan import CodeMention, TextFailure, failures_from_text, scan


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


# --------------------------------------------------------------------------- escapes are undone once

def test_slack_paths_unescape_once():
    # Slack escapes only & < > and only once: a user who typed "&lt;" is sent "&amp;lt;", which is
    # "&lt;" again, never "<" (https://api.slack.com/reference/surfaces/formatting#escaping).
    from bot.slack.text import unslack as message_unslack

    assert message_unslack("550 5.1.1 &amp;lt;u@example.com&amp;gt;: user unknown") == \
        "550 5.1.1 &lt;u@example.com&gt;: user unknown"


def test_knowledge_reads_the_plain_text_literally():
    # the double-unescape bug: knowledge used to undo Slack's escapes a second time, so the
    # literal "&lt;" a user typed became "<"
    from bot.slack.engine import KnowledgeEngine
    from bot.slack.text import unslack as message_unslack

    plain = message_unslack("host mx.example.net[192.0.2.1] said: 550 5.1.1 &amp;lt;u@example.com&amp;gt;: "
                            "Recipient address rejected (in reply to RCPT TO command)")
    (f,) = KnowledgeEngine().annotate_text(plain).findings
    assert (f.reply_code, f.enhanced_status) == ("550", "5.1.1")
    assert "&lt;u@example.com&gt;" in f.reply_text
    assert "<u@example.com>" not in f.reply_text


# --------------------------------------------------------------------------- Slack pastes, end to end
# (moved from tests/test_textscan.py and tests/test_bounce_robustness.py: knowledge receives plain text,
# so the Slack-formatted inputs go through the Slack side's unslack first)

ROOT = Path(__file__).resolve().parents[2]
SLACK_FIXTURES = ROOT / "fixtures" / "slack"
SLACK_EXPECTED = json.loads((SLACK_FIXTURES / "expected.json").read_text(encoding="utf-8"))
KEYS = ("reply_code", "enhanced_status", "recipient", "command", "remote_host")


@pytest.mark.parametrize("name", sorted(SLACK_EXPECTED))
def test_slack_fixture_failures(name):
    text = unslack((SLACK_FIXTURES / name).read_text(encoding="utf-8"))
    got = [{k: getattr(f, k) for k in KEYS} for f in failures_from_text(text)]
    assert got == SLACK_EXPECTED[name]


def test_every_slack_fixture_has_an_expectation():
    assert sorted(p.name for p in SLACK_FIXTURES.glob("*.txt")) == sorted(SLACK_EXPECTED)


@pytest.mark.parametrize("text, expected", [
    ("`550 5.1.1 &lt;<mailto:u@example.com|u@example.com>&gt;: Recipient address rejected`", [("550", "5.1.1")]),
    ("&gt; host mx.example.net[192.0.2.1] said: 553 5.7.2 blocked\n&gt;     (in reply to MAIL FROM command)",
     [("553", "5.7.2")]),
])
def test_slack_formatted_failures(text, expected):
    assert [(f.reply_code, f.enhanced_status) for f in failures_from_text(unslack(text))] == expected


def test_mention_spans_point_into_the_original_text():
    text = "`said: 550-5.7.1 &lt;x&gt;` and <mailto:a@example.com|a@example.com> Status: 5.0.0"
    plain, omap = unslack_with_map(text)
    ms = scan(plain)
    assert [(m.code, m.kind) for m in ms] == [("550", "reply"), ("5.7.1", "enhanced"), ("5.0.0", "enhanced")]
    for m in ms:
        assert isinstance(m, CodeMention)
        assert text[omap.to_original(m.start):omap.to_original(m.end)] == m.code
    assert ms[0].paired == "5.7.1" and ms[0].context == "pair" and ms[0].strength == "strong"
    assert ms[2].context == "dsn-status"


def test_failure_span_points_at_first_code():
    text = "blah\n&gt; host m.example.net[192.0.2.1] said: 452 4.2.2 full"
    plain, omap = unslack_with_map(text)
    [f] = failures_from_text(plain)
    assert isinstance(f, TextFailure)
    assert text[omap.to_original(f.start):omap.to_original(f.end)] == "452 4.2.2"


def test_bounce_pasted_into_slack_code_block():
    from bot.slack.text import unslack as message_unslack
    from knowledge.annotate import annotate_text

    raw = (ROOT / "fixtures" / "bounces" / "postfix" / "postfix-dsn.eml").read_text()
    slack = "```" + raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "```"
    ann = annotate_text(message_unslack(slack))
    assert ann.kind == "bounce"
    assert [(f.recipient, f.reason) for f in ann.findings] == [
        ("nobody@example.com", "userunknown"), ("full@example.org", "mailboxfull")]

"""Unit tests of the Block Kit rendering helpers and of reading a message's text."""

from __future__ import annotations

import pytest

from bot.slack.answers import reads_as_question, without_urls
from bot.slack.blocks import (
    code_span,
    command_label,
    first_sentence,
    help_message,
    home_view,
    REASON_LABELS,
    pack_lines,
    reason_label,
    trim_sentence,
)
from bot.slack.text import message_text
from knowledge.results import Reason


def test_trim_sentence_cuts_at_a_sentence_end_never_mid_word():
    text = "First sentence here. Second sentence is longer than that. Third one."
    assert trim_sentence(text, 100) == text
    assert trim_sentence(text, 40) == "First sentence here.…"
    assert trim_sentence("alpha beta gamma delta", 13) == "alpha beta…"


def test_first_sentence():
    assert first_sentence("Temporary: retried later. Faster does not help.") == "Temporary: retried later."
    assert first_sentence("No full stop at all") == "No full stop at all"


def test_pack_lines_never_splits_a_line_and_respects_the_limit():
    lines = [f"• line {i} " + "x" * 90 for i in range(40)]
    packed = pack_lines(lines, head="*Meaning*", limit=1000)
    assert all(len(p) <= 1000 for p in packed)
    assert packed[0].startswith("*Meaning*\n• line 0 ")
    assert "\n".join(packed).split("\n")[1:] == lines


def test_code_span_keeps_markup_literal():
    assert code_span("550 *boom* `x`\n  _y_") == "550 *boom* 'x' _y_"


def test_every_reason_tag_has_a_human_label():
    assert set(REASON_LABELS) == set(Reason.__args__)
    assert reason_label("userunknown") == "user unknown"
    assert reason_label("authfailure") == "authentication failure (SPF/DKIM/DMARC)"
    assert reason_label(None) is None


@pytest.mark.parametrize("command, label", [("CONN", "connection greeting"), ("RCPT", "RCPT TO (recipient)"),
                                            ("rcpt to", "RCPT TO (recipient)"), ("DATA", "DATA (message content)"),
                                            ("XFOO", "XFOO")])
def test_command_label(command, label):
    assert command_label(command) == label


def test_help_fallback_has_no_nested_brackets_and_home_has_no_this_help():
    text = help_message([("/smtp auto on|off|status", "automatic annotation here")]).text
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        assert depth <= 1
    assert "<" not in text
    home = str(home_view())
    assert "this help" not in home


@pytest.mark.parametrize("text, codes, expected", [
    ("5.1.1 for jane.doe@example.com?", ["5.1.1"], True),
    ("we got 550 5.7.1 yesterday?", ["550 5.7.1"], True),
    ("550 5.1.1 user unknown", ["550 5.1.1"], False),
    ("lunch?", [], False),
    ("line one 550?\nline two", ["550"], False),
])
def test_reads_as_question(text, codes, expected):
    assert reads_as_question(text, codes) is expected


def test_without_urls():
    assert without_urls("see https://example.com/bounce/550 and www.example.org/421 now").split() == ["see", "and", "now"]


def test_message_text_reads_attachments_and_blocks_once():
    msg = {
        "text": "550 5.1.1 user unknown",
        "blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
            {"type": "text", "text": "550 5.1.1 user unknown"}]}]},
                   {"type": "section", "text": {"type": "mrkdwn", "text": "*Host* mx.example.net"},
                    "fields": [{"type": "mrkdwn", "text": "Queue 4F1A"}]}],
        "attachments": [{"pretext": "Alert", "text": "452 4.2.2 mailbox full",
                         "fields": [{"title": "To", "value": "a@example.com"}],
                         "fallback": "452 4.2.2 mailbox full"}],
    }
    assert message_text(msg) == ("550 5.1.1 user unknown\n*Host* mx.example.net\nQueue 4F1A\nAlert\n"
                                 "452 4.2.2 mailbox full\nTo: a@example.com")


def test_message_text_is_bounded_and_survives_odd_shapes():
    big = {"text": "", "attachments": [{"text": "x" * 30_000}, {"text": "y" * 30_000}, "junk", None],
           "blocks": "not a list"}
    out = message_text(big, limit=40_000)
    assert len(out) <= 40_001 and out.startswith("x" * 30_000)
    assert message_text({}) == ""
    assert message_text({"blocks": [{"type": "rich_text", "elements": [{"type": "weird"}]}]}) == ""

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


# -- annotations: failures and non-failures; wordings (QA report 2, findings 6 and 19) -----------

from bot.slack import files as slack_files  # noqa: E402
from bot.slack.blocks import files as file_blocks  # noqa: E402
from bot.slack.blocks import Renderer, is_failure, wording  # noqa: E402
from knowledge.results import Annotation, Finding  # noqa: E402


def _f(**kw) -> Finding:
    return Finding(**kw)


@pytest.mark.parametrize("finding, failure", [
    (_f(reason="userunknown", action="failed", hard_bounce=True), True),
    (_f(reason="networkerror", action="delayed", hard_bounce=False), True),
    (_f(reason="mailboxfull"), True),
    (_f(reason="delivered", action="delivered", hard_bounce=False), False),
    (_f(reason="delivered", action="relayed"), False),
    (_f(reason="undefined", action="Expanded"), False),
    (_f(reason="vacation", hard_bounce=False), False),
    (_f(reason="feedback"), False),
])
def test_is_failure(finding, failure):
    assert is_failure(finding) is failure


def test_not_failure_lines_are_plain_and_never_labelled_hard_or_soft():
    r = Renderer(mask=True)
    lines = r.not_failure_lines([
        _f(recipient="ok@example.net", reason="delivered", action="delivered", hard_bounce=False),
        _f(recipient="ok2@example.net", reason="delivered", action="delivered", hard_bounce=False),
        _f(recipient="fwd@example.net", reason="delivered", action="relayed", hard_bounce=False),
        _f(recipient="list@example.net", reason="delivered", action="expanded"),
        _f(recipient="away@example.com", reason="vacation", hard_bounce=False),
        _f(reason="feedback"),
    ])
    assert lines == [
        "2 recipients delivered: `o***@example.net`, `o***@example.net`",
        "1 recipient relayed (no further report will come): `f***@example.net`",
        "1 recipient expanded (a mailing list or alias): `l***@example.net`",
        "auto-reply (out of office) from `a***@example.com`: not a failure",
        "abuse feedback report: not a failure",
    ]


def test_annotation_counts_only_failures():
    annotation = Annotation(kind="bounce", findings=[
        _f(recipient="ok@example.net", reply_code="250", enhanced_status="2.0.0", reason="delivered",
           action="delivered", hard_bounce=False),
        _f(recipient="gone@example.net", reply_code="550", enhanced_status="5.1.1", reason="userunknown",
           action="failed", hard_bounce=True),
        _f(recipient="away@example.com", reason="vacation", hard_bounce=False),
    ])
    [msg] = Renderer(mask=False).annotation(annotation)
    blocks = [b.to_dict() for b in msg.blocks]
    assert blocks[0]["text"]["text"] == "Bounce: 1 failure"
    assert blocks[1]["text"]["text"].startswith("`550 5.1.1` · permanent failure · hard bounce")
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        "*Not failures:* 1 recipient delivered: `ok@example.net`; "
        "auto-reply (out of office) from `away@example.com`: not a failure")}]}
    assert "soft bounce" not in str(blocks) and "250 2.0.0" not in str(blocks)
    assert msg.text == ("Bounce: 550 5.1.1, user unknown, for gone@example.net. 1 recipient delivered: "
                        "ok@example.net; auto-reply (out of office) from away@example.com: not a failure.")


def test_annotation_with_only_deliveries_is_a_delivery_status_with_no_failure():
    annotation = Annotation(kind="bounce", findings=[
        _f(recipient="ok@example.net", reply_code="250", enhanced_status="2.0.0", reason="delivered",
           action="delivered", hard_bounce=False)])
    [msg] = Renderer(mask=True).annotation(annotation)
    blocks = [b.to_dict() for b in msg.blocks]
    assert [b["type"] for b in blocks] == ["header", "section"]
    assert blocks[0]["text"]["text"] == "Delivery status"
    assert blocks[1]["text"]["text"] == "1 recipient delivered: `o***@example.net`"
    assert msg.text == "Delivery status: 1 recipient delivered: o***@example.net."


def test_replies_differing_only_by_address_are_one_wording():
    base = dict(reply_code="550", enhanced_status="5.1.1", reason="userunknown", hard_bounce=True, action="failed")
    same = [_f(recipient=f"u{i}@example.com", reply_text=f"550 5.1.1 <u{i}@example.com>: User unknown", **base)
            for i in range(200)]
    blocks, _ = Renderer(mask=True).group_blocks(same)
    said = blocks[-1].to_dict()["elements"][-1]["text"]
    assert said == "Server said: `550 5.1.1 &lt;u***@example.com&gt;: User unknown`"
    other = _f(recipient="x@example.com", reply_text="550 5.1.1 Mailbox x@example.com does not exist", **base)
    blocks, _ = Renderer(mask=True).group_blocks(same + [other])
    said = blocks[-1].to_dict()["elements"][-1]["text"]
    assert said == "Server said: `550 5.1.1 &lt;u***@example.com&gt;: User unknown` (and 1 other wording)"


def test_wording_removes_addresses():
    assert wording("550 5.1.1 <A@Example.com>:  User unknown") == "550 5.1.1 : user unknown"
    assert wording("550 5.1.1 b.c+d@example.org user unknown") == "550 5.1.1 user unknown"
    assert wording("452 4.2.2 Mailbox full") == "452 4.2.2 mailbox full"


# -- files: budget, notes ---------------------------------------------------------------------

def test_share_budget_gives_each_long_file_a_fair_share_at_line_ends():
    line = "x" * 99 + "\n"  # 100 characters
    texts = [slack_files.FileText("a.log", line * 10), slack_files.FileText("b.log", line * 50),
             slack_files.FileText("c.eml", "From: x\n" * 100, whole_message=True),
             slack_files.FileText("d.log", line * 50)]
    out = slack_files.share_budget(texts, budget=3000)
    assert [(f.name, len(f.text), f.truncated) for f in out] == [
        ("a.log", 1000, False), ("b.log", 999, True), ("c.eml", 800, False), ("d.log", 999, True)]
    assert out[1].text == line * 9 + "x" * 99  # cut after its last whole line
    assert out[2] is texts[2]


def test_truncation_note_and_skipped_lines_exact():
    files = [slack_files.FileText("mail.log", "x", truncated=True), slack_files.FileText("ok.log", "y"),
             slack_files.FileText("a`b<c>.txt", "z", truncated=True)]
    assert file_blocks.truncation_note(files) == (
        "Only the beginning of `mail.log` and `a'b&lt;c&gt;.txt` were read (at most 1,024 KiB of each file and "
        "1,000,000 characters of text per message); the rest was not annotated.")
    assert file_blocks.truncation_note(files[1:2]) is None
    skipped = [slack_files.Skipped("x.pdf", slack_files.NOT_TEXT),
               slack_files.Skipped("y.eml", slack_files.DOWNLOAD_FAILED)] + [
        slack_files.Skipped(f"z{n}.eml", slack_files.TOO_MANY) for n in range(5)]
    assert file_blocks.skipped_lines(skipped) == [
        "I could not read `x.pdf`: not a text file.",
        "I could not read `y.eml`: the download failed.",
        "I did not read `z0.eml`, `z1.eml`, `z2.eml` and 2 more: only the first 3 files of a message are read.",
    ]
    assert file_blocks.skipped_lines([]) == []

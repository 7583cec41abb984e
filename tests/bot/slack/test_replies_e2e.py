"""End to end: the shape of replies to long pastes, many codes, odd queries and app alerts.

Each test sends signed requests to the real HTTP server and asserts the exact Web API
calls (method, channel, thread_ts, user) and the text the blocks carry. Expected
knowledge (titles, explanations, reasons) comes from the engine itself.
"""

from __future__ import annotations

import time

import pytest

from bot.slack.blocks import REASON_LABELS, Renderer
from knowledge.annotate import annotate_text
from knowledge.explain import explain
from tests.bot.slack.checks import all_text, assert_valid_message, blocks_of
from tests.bot.slack.harness import new_ts, uid
from tests.bot.slack.checks import wait_response as _wait_response

NEGATIVE_WAIT_S = 0.4

LOG_LINES = [
    "Nov 29 07:12:01 mx1 postfix/smtp[2211]: 4F1A21C0042: to=<john.doe@example.com>, relay=mx.example.com"
    "[192.0.2.25]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.com"
    "[192.0.2.25] said: 550 5.1.1 <john.doe@example.com>: Recipient address rejected: User unknown in "
    "virtual mailbox table (in reply to RCPT TO command))",
    "Nov 29 07:12:02 mx1 postfix/smtp[2212]: 5A2B31C0043: to=<jane@example.org>, relay=mx.example.org"
    "[192.0.2.26]:25, delay=3.4, delays=0.1/0/1.1/2.2, dsn=4.7.1, status=deferred (host mx.example.org"
    "[192.0.2.26] said: 450 4.7.1 <jane@example.org>: Recipient address rejected: Greylisted "
    "(in reply to RCPT TO command))",
    "Nov 29 07:12:03 mx1 postfix/smtp[2213]: 6B3C41C0044: to=<ops@example.net>, relay=mx.example.net"
    "[192.0.2.27]:25, delay=0.9, delays=0.1/0/0.4/0.4, dsn=5.2.2, status=bounced (host mx.example.net"
    "[192.0.2.27] said: 552 5.2.2 <ops@example.net>: Mailbox full (in reply to RCPT TO command))",
]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slackify(text: str) -> str:
    """What Slack delivers for typed or pasted text (HTML escapes)."""
    return _esc(text)


def _settle() -> None:
    time.sleep(NEGATIVE_WAIT_S)


def _sections(params: dict) -> list[str]:
    return [b["text"]["text"] for b in blocks_of(params) if b["type"] == "section" and b.get("text")]


# -- 1: a long paste is one grouped reply ------------------------------------------------------

def test_long_repeated_log_is_one_message_with_one_explanation_per_distinct_failure(slack):
    channel = uid("C")
    block = "\n".join(LOG_LINES) + "\n"
    text = block * (40_000 // len(block))  # whole lines only: exactly three distinct failures
    assert len(text) > 39_000
    expected = annotate_text(text)
    assert len(expected.findings) > 100
    ev = slack.message(_slackify(text), channel=channel)
    assert slack.event(ev)[0] == 200
    [call] = slack.fake.wait("chat.postMessage", channel=channel, timeout=20)
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 1
    assert call.params["thread_ts"] == ev["ts"]
    assert_valid_message(call.params)
    blocks = blocks_of(call.params)
    assert len(blocks) <= 12
    groups: dict[tuple, list] = {}
    for f in expected.findings:
        groups.setdefault(Renderer.group_key(f), []).append(f)
    assert len(groups) == 3
    n = len(expected.findings)
    assert blocks[0]["text"]["text"] == f"Mail log / error: {n} failures, 3 kinds"
    body = all_text(call.params)
    for group in groups.values():
        f = group[0]
        # one explanation per distinct failure, with the count and the masked recipient once
        assert body.count(_esc(f.explanation)) == 1
        assert f"`{f.reply_code} {f.enhanced_status}` ×{len(group)}" in body
        local, _, domain = f.recipient.partition("@")
        assert f"*Recipient:* `{local[0]}***@{domain}`" in body
        assert REASON_LABELS[f.reason] in body
        assert f"Bounce reason tag: `{f.reason}`" in body
    assert "john.doe@example.com" not in body
    fallback = call.params["text"]
    assert fallback.startswith(f"Mail log / error: {n} failures of 3 kinds: 550 5.1.1 user unknown ×")
    assert len(fallback) <= 400


def test_many_recipients_with_one_failure_are_listed_compactly(slack):
    channel = uid("C")
    lines = [f"<user{i}@example.{'com' if i % 3 else 'net'}>: host mx.example.com[192.0.2.10] said: 550 5.1.1 "
             f"<user{i}@example.{'com' if i % 3 else 'net'}>: Recipient address rejected: User unknown "
             "(in reply to RCPT TO command)" for i in range(30)]
    text = "\n".join(lines)
    expected = annotate_text(text)
    assert len(expected.findings) == 30
    slack.event(slack.message(_slackify(text), channel=channel))
    [call] = slack.fake.wait("chat.postMessage", channel=channel, timeout=20)
    assert_valid_message(call.params)
    body = all_text(call.params)
    assert ("*Recipients:* `u***@example.net`, `u***@example.com`, `u***@example.com` and 27 more "
            "(example.com ×18, example.net ×9)") in body
    assert "`550 5.1.1` ×30" in body
    assert body.count(_esc(expected.findings[0].explanation)) == 1


# -- 6: help and errors are private ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["lunch?", "thanks all"])
def test_shortcut_on_a_message_without_codes_answers_only_the_user(slack, text):
    channel = uid("C")
    msg = {"type": "message", "user": "U0USER02", "ts": new_ts(), "text": text}
    status, body = slack.message_shortcut(msg, channel=channel)
    assert status == 200 and body == ""
    [call] = _wait_response(slack, f"sc-{channel}")
    assert call.params["response_type"] == "ephemeral"
    assert "/smtp help" in all_text(call.params)
    _settle()
    assert slack.fake.find("chat.postMessage", channel=channel) == []


# -- 7: attachments and blocks ---------------------------------------------------------------------

ALERT = {
    "type": "message", "subtype": "bot_message", "bot_id": "B0OTHER01", "ts": "",
    "text": "",
    "attachments": [{
        "color": "danger", "pretext": "Delivery alert",
        "fallback": "Delivery alert from mx1",
        "fields": [{"title": "Server reply", "value": "550 5.7.26 Unauthenticated email from example.com is "
                                                      "not accepted due to domain's DMARC policy", "short": False},
                   {"title": "Recipient", "value": "<mailto:jane.doe@example.com|jane.doe@example.com>"}],
    }],
}


def test_shortcut_reads_the_text_of_an_alert_attachment(slack):
    channel = uid("C")
    msg = dict(ALERT, ts=new_ts())
    slack.message_shortcut(msg, channel=channel)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == msg["ts"]
    assert_valid_message(call.params)
    body = all_text(call.params)
    assert "`550 5.7.26`" in body
    assert "jane.doe@example.com" not in body


def test_shortcut_reads_section_and_rich_text_blocks(slack):
    channel = uid("C")
    msg = {"type": "message", "bot_id": "B0OTHER02", "ts": new_ts(), "text": "New alert",
           "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Mail failure"}},
                      {"type": "rich_text", "elements": [{"type": "rich_text_preformatted", "elements": [
                          {"type": "text", "text": "<bob@example.net>: host mx.example.net[192.0.2.9] said: "
                                                   "552 5.2.2 <bob@example.net>: Mailbox full "
                                                   "(in reply to RCPT TO command)"}]}]}]}
    slack.message_shortcut(msg, channel=channel)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    body = all_text(call.params)
    assert "`552 5.2.2`" in body and "`b***@example.net`" in body


def test_alert_from_another_bot_is_still_never_auto_annotated(slack):
    channel = uid("C")
    assert slack.event(dict(ALERT, ts=new_ts(), channel=channel, channel_type="channel"))[0] == 200
    _settle()
    assert slack.fake.for_channel(channel) == []


def test_person_sharing_an_alert_attachment_is_auto_annotated(slack):
    channel = uid("C")
    ev = slack.message("", channel=channel, attachments=ALERT["attachments"])
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert "`550 5.7.26`" in all_text(call.params)


# -- 3: questions in a channel are not pastes ------------------------------------------------------

@pytest.mark.parametrize("text", ["anyone know what 550 5.7.26 means?", "we got 550 5.7.1 yesterday?",
                                  "what does 421 4.7.0 mean", "is 5.1.1 a hard bounce?"])
def test_unaddressed_questions_about_codes_get_no_annotation(slack, text):
    channel = uid("C")
    assert slack.event(slack.message(text, channel=channel))[0] == 200
    _settle()
    assert slack.fake.for_channel(channel) == []


# -- 9/10/11/12: /smtp queries -----------------------------------------------------------------------

def test_smtp_question_with_an_address_is_explained(slack):
    channel = uid("C")
    slack.command("5.1.1 for jane.doe@example.com?", channel=channel)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    item = explain(["5.1.1"]).items[0]
    assert blocks_of(call.params)[0]["text"]["text"] == f"{item.code} · {item.title}"
    assert blocks_of(call.params)[-1]["elements"][0]["text"] == (
        "<@U0USER01> asked: `/smtp 5.1.1 for j***@example.com?`")


@pytest.mark.parametrize("query", ["550 `5.7.1`", "`550 5.7.1`", "```550 5.7.1```"])
def test_smtp_code_in_backticks_is_one_code_and_echoed_safely(slack, query):
    channel = uid("C")
    slack.command(query, channel=channel)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    item = explain(["550 5.7.1"]).items[0]
    blocks = blocks_of(call.params)
    assert blocks[0]["text"]["text"] == f"{item.code} · {item.title}"
    assert blocks[-1]["elements"][0]["text"] == "<@U0USER01> asked: `/smtp 550 5.7.1`"


def test_smtp_paste_has_the_asked_line_and_a_sentence_fallback(slack):
    channel = uid("C")
    text = "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy"
    slack.command(text, channel=channel, user="U0PASTER")
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    f = annotate_text(text).findings[0]
    blocks = blocks_of(call.params)
    assert blocks[-1]["elements"][0]["text"] == "<@U0PASTER> asked about a pasted text: `/smtp …`"
    assert call.params["text"] == (f"Mail log / error: 550 5.7.26, {REASON_LABELS[f.reason]}. {f.title}.")
    assert f"Bounce reason tag: `{f.reason}`" in all_text(call.params)


def test_smtp_no_result_error_has_one_warning_sign(slack):
    channel = uid("C")
    slack.command("hello world", channel=channel)
    [call] = _wait_response(slack, channel)
    assert call.params["response_type"] == "ephemeral"
    first = blocks_of(call.params)[0]["text"]["text"]
    assert first.count(":warning:") == 1 and first.startswith(":warning: I found no SMTP code")


def test_smtp_masking_is_an_alias_of_mask(slack):
    channel = uid("C")
    slack.command("masking off", channel=channel)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    text = all_text(call.params)
    assert "off" in text and "I found no SMTP code" not in text
    assert "`" not in call.params["text"] and "*" not in call.params["text"]


def test_server_text_is_quoted_as_code_so_markup_does_not_render(slack):
    channel = uid("C")
    text = ("<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 *boom* _user_ ~gone~ "
            "(in reply to RCPT TO command)")
    slack.command(text, channel=channel)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    said = [e["text"] for b in blocks_of(call.params) if b["type"] == "context"
            for e in b["elements"] if e["text"].startswith("Server said:")]
    assert len(said) == 1
    assert said[0].startswith("Server said: `") and said[0].endswith("`")
    assert "*boom* _user_ ~gone~" in said[0]


def test_mention_with_a_url_does_not_explain_digits_of_the_url(slack):
    channel = uid("C")
    ev = slack.mention("<https://example.com/bounce/550>", channel=channel)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postEphemeral", channel=channel)
    assert "/smtp help" in all_text(call.params)
    _settle()
    assert slack.fake.find("chat.postMessage", channel=channel) == []

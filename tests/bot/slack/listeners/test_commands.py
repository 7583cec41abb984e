"""``/smtp`` end to end (bot/slack/listeners/commands/): signed commands in, exact Web API calls out.

The expected knowledge is taken from the engine itself, so these tests check the Slack behaviour.
"""

from __future__ import annotations

import json
import time

import pytest

from knowledge.annotate import annotate_text
from knowledge.explain import explain, extract_queries
from tests.bot.slack.checks import all_text, assert_valid_message, blocks_of
from tests.bot.slack.harness import uid
from tests.bot.slack.checks import BOUNCE, esc as _esc, settle as _settle, wait_response as _wait_response


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
def test_smtp_help_is_ephemeral_in_the_ack(slack, text):
    channel = uid("C")
    status, body = slack.command(text, channel=channel)
    assert status == 200
    payload = json.loads(body)
    assert payload["response_type"] == "ephemeral"
    assert_valid_message(payload)
    assert "/smtp 550 5.7.26" in all_text(payload)
    _settle()
    assert slack.fake.for_channel(channel) == []


def test_smtp_one_code_is_posted_in_channel(slack):
    channel = uid("C")
    t0 = time.monotonic()
    status, body = slack.command("550 5.7.26", channel=channel, user="U0ASKER1")
    assert status == 200 and body == ""
    assert time.monotonic() - t0 < 3.0
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert "thread_ts" not in call.params  # a new message in the channel, not a thread reply
    assert_valid_message(call.params)
    item = explain(["550 5.7.26"]).items[0]
    header = blocks_of(call.params)[0]
    assert header["type"] == "header" and header["text"]["text"].startswith("550 5.7.26")
    assert item.title[:100] in header["text"]["text"]
    assert "<@U0ASKER1>" in all_text(call.params)
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


def test_smtp_two_codes_show_everything_in_one_message_no_thread(slack):
    channel = uid("C")
    status, body = slack.command("252 502", channel=channel)
    assert status == 200 and body == ""
    [main] = slack.fake.wait("chat.postMessage", channel=channel)
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 1  # nothing to add in a thread
    result = explain(["252", "502"])
    assert result.comparison is not None
    assert not main.params.get("thread_ts")
    assert_valid_message(main.params)
    main_text = all_text(main.params)
    assert blocks_of(main.params)[0]["text"]["text"] == "252 vs 502"
    assert _esc(result.comparison.summary) in main_text
    for diff in result.comparison.differences:
        assert f"*{diff.aspect.capitalize()}*" in main_text
        for code, value in zip(result.comparison.codes, diff.values):
            assert f"• `{code}`: {_esc(value)}" in main_text  # whole, never cut
    for item in result.items:
        assert "Source: " + _esc("; ".join(item.source)) in main_text
    assert blocks_of(main.params)[-1]["elements"][0]["text"] == "<@U0USER01> asked: `/smtp 252 502`"


def test_smtp_many_codes_main_is_compact_with_warning_and_thread_has_only_the_rest(slack):
    channel = uid("C")
    query = "421 450 451 452 550 551 552 553 554 555 556 5.1.1"
    slack.command(query, channel=channel)
    calls = slack.fake.wait("chat.postMessage", channel=channel, count=2)
    _settle()
    calls = slack.fake.find("chat.postMessage", channel=channel)
    assert len(calls) == 2
    main, detail = calls
    result = explain(extract_queries(query)[0])
    assert len(result.items) == 10 and result.errors
    assert_valid_message(main.params)
    assert_valid_message(detail.params)
    blocks = blocks_of(main.params)
    assert len(blocks) <= 20
    # warning and "asked" line in the main message (in the channel), not in the thread
    assert blocks[-2]["elements"][0]["text"] == ":warning: " + _esc(result.errors[0])
    assert blocks[-1]["elements"][0]["text"] == f"<@U0USER01> asked: `/smtp {query}`"
    assert "asked" not in all_text(detail.params) and ":warning:" not in all_text(detail.params)
    main_text = all_text(main.params)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 2900
    for item in result.items:
        assert f"• `{item.code}` — *{_esc(item.title)}*" in main_text
        # the meaning is detail: in the thread once, not in the channel
        assert _esc(item.meaning) not in main_text
        assert all_text(detail.params).count(_esc(item.meaning)) == 1
    assert "*Meaning*" not in main_text
    assert detail.params["thread_ts"] == main.response["ts"]


def test_mention_comparison_is_one_reply_without_repeats(slack):
    channel = uid("C")
    ev = slack.mention("what's 421 vs 450?", channel=channel)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 1
    assert call.params["thread_ts"] == ev["ts"]
    text = all_text(call.params)
    for item in explain(["421", "450"]).items:
        assert text.count(_esc(item.meaning)) == 1


def test_smtp_pasted_bounce_is_annotated_and_masked(slack):
    channel = uid("C")
    status, _ = slack.command(BOUNCE, channel=channel)
    assert status == 200
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert_valid_message(call.params)
    text = all_text(call.params)
    assert "john.doe@example.com" not in text
    assert "j***@example.com" in text
    finding = annotate_text(BOUNCE).findings[0]
    assert f"`{finding.reply_code} {finding.enhanced_status}`" in text


def test_smtp_without_codes_answers_an_ephemeral_error(slack):
    channel = uid("C")
    slack.command("what is the weather like", channel=channel)
    [call] = _wait_response(slack, channel)
    assert call.params["response_type"] == "ephemeral"
    assert_valid_message(call.params)
    assert slack.fake.find("chat.postMessage", channel=channel) == []


def test_smtp_malformed_code_is_an_ephemeral_error_naming_it(slack):
    channel = uid("C")
    slack.command("999", channel=channel)
    [call] = _wait_response(slack, channel)
    assert call.params["response_type"] == "ephemeral"
    expected = explain(["999"]).errors
    assert expected and expected[0].split()[0] in all_text(call.params)
    assert slack.fake.find("chat.postMessage", channel=channel) == []


def test_smtp_not_in_channel_falls_back_to_response_url(slack):
    channel = uid("G")
    slack.fake.script("chat.postMessage", body={"ok": False, "error": "not_in_channel"},
                      when=lambda p: p.get("channel") == channel)
    slack.command("421 450", channel=channel)
    [call] = _wait_response(slack, channel)
    assert call.params["response_type"] == "in_channel"
    assert_valid_message(call.params)
    assert blocks_of(call.params)[0]["text"]["text"] == "421 vs 450"
    # one refused chat.postMessage, nothing else in the channel
    assert [c.method for c in slack.fake.for_channel(channel)] == ["chat.postMessage"]


def test_rate_limited_post_is_retried_after_retry_after(slack):
    channel = uid("C")
    slack.fake.script("chat.postMessage", status=429, headers={"Retry-After": "1"},
                      body={"ok": False, "error": "ratelimited"}, when=lambda p: p.get("channel") == channel)
    slack.command("421", channel=channel)
    calls = slack.fake.wait("chat.postMessage", channel=channel, count=2, timeout=8)
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.95
    assert calls[0].params == calls[1].params
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 2


def test_server_error_is_retried_a_bounded_number_of_times(slack):
    channel = uid("C")
    slack.fake.script("chat.postMessage", status=503, body={"ok": False, "error": "service_unavailable"},
                      times=10, when=lambda p: p.get("channel") == channel)
    slack.command("421", channel=channel)
    # 1 try + 2 retries, then the user gets an ephemeral apology instead of a traceback
    [apology] = _wait_response(slack, channel)
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 3
    assert apology.params["response_type"] == "ephemeral"
    assert "Traceback" not in all_text(apology.params)
    assert "Sorry" in all_text(apology.params)


def test_engine_failure_gives_an_apology_never_a_traceback(slack, monkeypatch):
    class Broken:
        def __getattr__(self, name):
            def boom(*a, **k):
                raise RuntimeError("internal detail that must not reach Slack")
            return boom

    monkeypatch.setattr(slack.deps, "engine", Broken())
    channel = uid("C")
    slack.command("550", channel=channel)
    [call] = _wait_response(slack, channel)
    assert call.params["response_type"] == "ephemeral"
    assert "internal detail" not in all_text(call.params)
    mention = slack.mention("550", channel=channel)
    slack.event(mention)
    [reply] = slack.fake.wait("chat.postMessage", channel=channel)
    assert reply.params["thread_ts"] == mention["ts"]
    assert "internal detail" not in all_text(reply.params) and "Sorry" in all_text(reply.params)

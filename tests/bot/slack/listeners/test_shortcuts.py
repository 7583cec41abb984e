"""The message shortcut end to end (bot/slack/listeners/shortcuts/)."""

from __future__ import annotations

from tests.bot.slack.checks import all_text, assert_valid_message
from tests.bot.slack.harness import new_ts, uid
from tests.bot.slack.checks import BOUNCE_SLACK, wait_response as _wait_response


def test_message_shortcut_annotates_in_the_thread(slack):
    channel = uid("C")
    msg = {"type": "message", "user": "U0USER02", "ts": new_ts(), "text": BOUNCE_SLACK}
    status, body = slack.message_shortcut(msg, channel=channel)
    assert status == 200 and body == ""
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == msg["ts"]
    assert "j***@example.com" in all_text(call.params)
    assert_valid_message(call.params)


def test_message_shortcut_not_in_channel_answers_ephemerally(slack):
    channel = uid("C")
    slack.fake.script("chat.postMessage", body={"ok": False, "error": "channel_not_found"},
                      when=lambda p: p.get("channel") == channel)
    msg = {"type": "message", "user": "U0USER02", "ts": new_ts(), "thread_ts": new_ts(), "text": "421 4.7.0"}
    slack.message_shortcut(msg, channel=channel)
    [call] = _wait_response(slack, f"sc-{channel}")
    assert call.params["response_type"] == "ephemeral"
    assert_valid_message(call.params)
    [refused] = slack.fake.find("chat.postMessage", channel=channel)
    assert refused.params["thread_ts"] == msg["thread_ts"]

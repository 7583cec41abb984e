"""Events end to end (bot/slack/listeners/events/): mentions, DMs, threads, duplicates, automatic
annotation, App Home. The expected knowledge is taken from the engine itself.
"""

from __future__ import annotations

import json
import time

import pytest

from bot.slack.blocks import Renderer
from bot.storage.base import ChannelSettings
from knowledge.annotate import annotate_text
from knowledge.explain import explain
from tests.bot.slack.checks import all_text, assert_valid_message, blocks_of
from tests.bot.slack.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID
from tests.bot.slack.harness import new_ts, uid
from tests.bot.slack.checks import BOUNCE_SLACK, esc as _esc, settle as _settle


def test_mention_answers_in_the_message_thread(slack):
    channel = uid("C")
    ev = slack.mention("what's 421 vs 450?", channel=channel)
    status, _ = slack.event(ev)
    assert status == 200
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert blocks_of(call.params)[0]["text"]["text"] == "421 vs 450"
    assert_valid_message(call.params)


def test_mention_inside_a_thread_replies_to_the_thread_root(slack):
    channel = uid("C")
    root = new_ts()
    ev = slack.mention("550 5.7.26", channel=channel, thread_ts=root)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == root


@pytest.mark.parametrize("text", ["hello there", "help", "", "```\n```", "lunch?"])
def test_mention_without_code_gets_short_help_only_for_the_asker(slack, text):
    channel = uid("C")
    ev = slack.mention(text, channel=channel, user="U0ASKER1")
    slack.event(ev)
    [call] = slack.fake.wait("chat.postEphemeral", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert call.params["user"] == "U0ASKER1"
    assert_valid_message(call.params)
    assert "/smtp help" in all_text(call.params)
    _settle()
    assert slack.fake.find("chat.postMessage", channel=channel) == []


def test_mention_with_a_malformed_code_answers_the_error_ephemerally(slack):
    channel = uid("C")
    root = new_ts()
    ev = slack.mention("999", channel=channel, thread_ts=root)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postEphemeral", channel=channel)
    assert call.params["thread_ts"] == root and call.params["user"] == "U0USER01"
    assert_valid_message(call.params)
    [first, hint] = blocks_of(call.params)
    assert first["text"]["text"] == ":warning: " + _esc(explain(["999"]).errors[0])
    assert hint["elements"][0]["text"] == "Type `/smtp help` for usage and examples."
    _settle()
    assert slack.fake.find("chat.postMessage", channel=channel) == []


def test_direct_message_help_stays_a_normal_reply(slack):
    channel = uid("D")
    ev = slack.message("hello", channel=channel, channel_type="im")
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert "/smtp help" in all_text(call.params)


def test_mention_also_delivered_as_message_is_answered_once(slack):
    channel = uid("C")
    ev = slack.mention("550 5.1.1", channel=channel)
    copy = slack.message(ev["text"], channel=channel, ts=ev["ts"])
    assert slack.event(copy)[0] == 200
    assert slack.event(ev)[0] == 200
    slack.fake.wait("chat.postMessage", channel=channel)
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 1


def test_slack_retries_never_produce_a_second_reply(slack):
    channel = uid("C")
    ev = slack.mention("451", channel=channel)
    event_id = uid("Ev")
    assert slack.event(ev, event_id=event_id)[0] == 200
    assert slack.event(ev, event_id=event_id, retry=1)[0] == 200
    assert slack.event(ev, event_id=event_id, retry=2)[0] == 200
    slack.fake.wait("chat.postMessage", channel=channel)
    _settle()
    assert len(slack.fake.find("chat.postMessage", channel=channel)) == 1


def test_direct_message_works_like_a_mention_and_is_not_masked(slack):
    channel = uid("D")
    ev = slack.message(BOUNCE_SLACK, channel=channel, channel_type="im")
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    assert "john.doe@example.com" in all_text(call.params)
    assert_valid_message(call.params)


def test_pasted_bounce_in_channel_is_annotated_once_in_thread_masked(slack):
    channel = uid("C")
    ev = slack.message(BOUNCE_SLACK, channel=channel)
    slack.event(ev)
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert call.params["thread_ts"] == ev["ts"]
    text = all_text(call.params)
    assert "john.doe@example.com" not in text and "j***@example.com" in text
    assert_valid_message(call.params)
    _settle()
    assert len(slack.fake.for_channel(channel)) == 1


def test_masking_off_for_a_channel_shows_addresses(slack):
    channel = uid("C")
    slack.deps.store.set_channel_settings(TEAM_ID, channel, ChannelSettings(mask_addresses=False))
    slack.event(slack.message(BOUNCE_SLACK, channel=channel))
    [call] = slack.fake.wait("chat.postMessage", channel=channel)
    assert "john.doe@example.com" in all_text(call.params)


def test_auto_annotation_off_for_a_channel_stays_silent(slack):
    channel = uid("C")
    slack.deps.store.set_channel_settings(TEAM_ID, channel, ChannelSettings(auto_annotate=False))
    slack.event(slack.message(BOUNCE_SLACK, channel=channel))
    _settle()
    assert slack.fake.for_channel(channel) == []


@pytest.mark.parametrize("text", [
    "deploy 250 took 421 ms",
    "the LB returned HTTP 502 again",
    "open port 587 on the firewall",
    "ticket 550 is done, 4 of 5.1.1 release notes merged",
])
def test_chatter_with_numbers_is_never_annotated(slack, text):
    channel = uid("C")
    assert slack.event(slack.message(text, channel=channel))[0] == 200
    _settle()
    assert slack.fake.for_channel(channel) == []


def test_bots_edits_deletes_and_joins_are_ignored_but_acked(slack):
    channel = uid("C")
    events = [
        slack.message(BOUNCE_SLACK, channel=channel, bot_id="B0OTHER1"),           # another bot
        slack.message(BOUNCE_SLACK, channel=channel, subtype="bot_message", bot_id="B0OTHER2"),
        slack.message(BOUNCE_SLACK, channel=channel, user=BOT_USER_ID, bot_id=BOT_ID),  # ourselves
        {"type": "message", "subtype": "message_changed", "channel": channel, "channel_type": "channel",
         "hidden": True, "ts": new_ts(),
         "message": {"type": "message", "user": "U0USER01", "text": BOUNCE_SLACK, "ts": new_ts()}},
        {"type": "message", "subtype": "message_deleted", "channel": channel, "channel_type": "channel",
         "hidden": True, "ts": new_ts(), "deleted_ts": new_ts()},
        slack.message(f"<@U0USER01> has joined the channel", channel=channel, subtype="channel_join"),
        {"type": "member_joined_channel", "user": "U0USER01", "channel": channel, "channel_type": "C",
         "team": TEAM_ID},
        {"type": "reaction_added", "user": "U0USER01", "reaction": "eyes",
         "item": {"type": "message", "channel": channel, "ts": new_ts()}, "event_ts": new_ts()},
    ]
    mention_by_bot = slack.mention("550", channel=channel)
    mention_by_bot["bot_id"] = "B0OTHER3"
    events.append(mention_by_bot)
    for ev in events:
        status, _ = slack.event(ev)
        assert status == 200, ev
    _settle()
    assert slack.fake.for_channel(channel) == []


def test_forty_thousand_character_message_stays_within_limits(slack):
    channel = uid("D")
    lines = []
    i = 0
    while sum(len(x) + 1 for x in lines) < 40_000:
        lines.append(f"Nov 29 07:00:{i % 60:02d} mx postfix/smtp[{1000 + i}]: 4{i:04X}: to=<user{i}@example.com>, "
                     f"relay=mx.example.net[192.0.2.10]:25, delay=0.5, dsn=5.1.1, status=bounced "
                     f"(host mx.example.net[192.0.2.10] said: 550 5.1.1 User unknown (in reply to RCPT TO command))")
        i += 1
    text = "\n".join(lines)[:40_000]
    assert len(text) == 40_000
    ev = slack.message(_esc(text), channel=channel, channel_type="im")  # as Slack delivers it
    t0 = time.monotonic()
    assert slack.event(ev)[0] == 200
    assert time.monotonic() - t0 < 3.0
    calls = slack.fake.wait("chat.postMessage", channel=channel, timeout=20)
    _settle()
    calls = slack.fake.find("chat.postMessage", channel=channel)
    assert len(calls) == 1  # one reply: identical failures are grouped
    [c] = calls
    assert c.params["thread_ts"] == ev["ts"]
    assert_valid_message(c.params)
    expected = annotate_text(text)
    n = len(expected.findings)
    # the 40,000th character cuts the last line: it may be a failure of its own kind
    first = [f for f in expected.findings if Renderer.group_key(f) == Renderer.group_key(expected.findings[0])]
    kinds = len({Renderer.group_key(f) for f in expected.findings})
    assert len(first) >= n - 1
    header = f"Mail log / error: {n} failures" + (f", {kinds} kinds" if kinds > 1 else "")
    assert blocks_of(c.params)[0]["text"]["text"] == header
    body = all_text(c.params)
    assert f"`550 5.1.1` ×{len(first)}" in body
    assert body.count(expected.findings[0].explanation.replace("&", "&amp;")) == 1
    assert f"and {len(first) - 3} more (example.com ×{len(first) - 3})" in body, body[:600]


def test_app_home_publishes_the_home_view(slack):
    user = uid("U")
    slack.event({"type": "app_home_opened", "user": user, "channel": uid("D"), "tab": "home",
                 "event_ts": new_ts()})
    [call] = slack.fake.wait("views.publish", user_id=user)
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    text = all_text({"blocks": view["blocks"], "text": "x"})
    assert "/smtp 550 5.7.26" in text
    for item in explain(["421", "550", "5.7.26"]).items:
        assert f"`{item.code}`" in text
    slack.event({"type": "app_home_opened", "user": user, "channel": uid("D"), "tab": "messages",
                 "event_ts": new_ts()})
    _settle()
    assert len(slack.fake.find("views.publish", user_id=user)) == 1

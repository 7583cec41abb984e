"""End to end over real HTTP: signed requests in, exact Web API calls out (fake Slack).

The expected knowledge (titles, comparison summaries, annotation findings) is taken
from the engine itself, so these tests check the Slack behaviour, not the wording.
"""

from __future__ import annotations

import json
import time

import pytest

from bot.slack.blocks import Renderer
from bot.storage.base import ChannelSettings
from knowledge.annotate import annotate_text
from knowledge.explain import explain, extract_queries
from tests.bot.slack.checks import all_text, assert_valid_message, blocks_of
from tests.bot.slack.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID
from tests.bot.slack import signing
from tests.bot.slack.harness import new_ts, uid

BOUNCE = ("<john.doe@example.com>: host mx.example.net[192.0.2.10] said: 550 5.1.1 "
          "<john.doe@example.com>: Recipient address rejected: User unknown in virtual mailbox table "
          "(in reply to RCPT TO command)")
# The same bounce as Slack delivers it: HTML escapes and mailto links.
BOUNCE_SLACK = BOUNCE.replace("<", "&lt;").replace(">", "&gt;").replace(
    "john.doe@example.com", "<mailto:john.doe@example.com|john.doe@example.com>")

NEGATIVE_WAIT_S = 0.4


def _settle() -> None:
    time.sleep(NEGATIVE_WAIT_S)


# -- request verification -------------------------------------------------------------

def test_url_verification_echoes_challenge(slack):
    status, body = signing.post_event(
        slack.events_url, {"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                           "token": "x"})
    assert status == 200
    assert json.loads(body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_forged_stale_and_unsigned_requests_get_401(slack):
    channel = uid("C")
    status, _ = slack.command("550", channel=channel, secret="not-the-signing-secret")
    assert status == 401
    status, _ = slack.command("550", channel=channel, timestamp=int(time.time()) - 60 * 10)
    assert status == 401
    status, _ = slack.command("550", channel=channel, signed=False)
    assert status == 401
    status, _ = slack.event(slack.mention("550", channel=channel), timestamp=int(time.time()) + 60 * 10)
    assert status == 401
    _settle()
    assert slack.fake.for_channel(channel) == []
    assert all(channel not in c.path for c in slack.fake.find("response_url"))


def test_healthz_is_200_once_ready(slack):
    import urllib.request

    with urllib.request.urlopen(slack.server.url + "/healthz", timeout=5) as resp:
        assert resp.status == 200
        assert json.loads(resp.read())["ok"] is True


# -- /smtp ------------------------------------------------------------------------------

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


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


def _wait_response(slack, name: str, count: int = 1):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [c for c in slack.fake.find("response_url") if c.path == f"/response/{name}"]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no response_url call for {name}")


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


# -- mentions, DMs, threading, duplicates -------------------------------------------------

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


# -- shortcut, App Home -------------------------------------------------------------------

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

"""``/smtp auto|mask on|off|status`` end to end over HTTP, stored in SqlStore (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest

from bot.slack import replies as slack_events  # the reply flows the event listeners call
from bot.storage.base import ChannelSettings
from bot.storage.sql import SqlStore
from tests.bot.slack.fake_slack import TEAM_ID
from tests.bot.slack.harness import SlackHarness, uid


@pytest.fixture
def harness_for(db_url):
    made: list[SlackHarness] = []

    def make(**overrides) -> SlackHarness:
        h = SlackHarness(store=SqlStore(db_url), **overrides).start()
        made.append(h)
        return h

    yield make
    for h in made:
        h.stop()
        h.deps.store.close()


def _wait_response(h: SlackHarness, name: str, count: int = 1) -> list:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        calls = [c for c in h.fake.find("response_url") if c.path == f"/response/{name}"]
        if len(calls) >= count:
            return calls
        time.sleep(0.02)
    raise AssertionError(f"no response_url call for {name}")


def test_status_defaults(harness_for):
    h = harness_for()
    ch = uid("C")
    assert h.command("auto status", channel=ch)[0] == 200
    (call,) = _wait_response(h, ch)
    assert call.params["response_type"] == "ephemeral"
    assert call.params["text"] == (
        "Automatic annotation of pasted bounces: on (default) — /smtp auto off\n"
        "Masking of recipient addresses: on (default) — /smtp mask off"
    )


def test_auto_off_is_stored_confirmed_and_survives_restart(harness_for, db_url):
    h = harness_for()
    ch = uid("C")
    assert h.command("auto off", channel=ch, user="U0ALICE1")[0] == 200
    (post,) = h.fake.wait("chat.postMessage", channel=ch)
    assert post.params["text"] == "<@U0ALICE1> turned automatic annotation of pasted bounces off in this channel."
    assert post.blocks[0]["type"] == "section"
    assert h.deps.store.get_channel_settings(TEAM_ID, ch) == ChannelSettings(auto_annotate=False, mask_addresses=None)
    assert h.deps.channel(TEAM_ID, ch).auto_annotate is False
    h.stop()

    h2 = harness_for()  # a restart (or another replica) on the same database
    assert h2.deps.channel(TEAM_ID, ch).auto_annotate is False
    h2.command("auto", channel=ch, response_name="after")
    (call,) = _wait_response(h2, "after")
    assert call.params["text"].splitlines()[0] == (
        "Automatic annotation of pasted bounces: off (set in this channel) — /smtp auto on"
    )


def test_mask_on_off_and_bad_argument(harness_for):
    h = harness_for(mask_addresses=True)
    ch = uid("C")
    h.command("mask off", channel=ch, user="U0BOB001")
    (post,) = h.fake.wait("chat.postMessage", channel=ch)
    assert post.params["text"] == "<@U0BOB001> turned masking of recipient addresses off in this channel."
    assert h.deps.channel(TEAM_ID, ch).mask_addresses is False
    h.command("mask sideways", channel=ch, response_name="bad")
    (call,) = _wait_response(h, "bad")
    assert call.params["response_type"] == "ephemeral"
    assert "Usage: /smtp mask on|off|status" in call.params["text"]
    assert h.deps.channel(TEAM_ID, ch).mask_addresses is False
    h.command("mask on", channel=ch)
    h.fake.wait("chat.postMessage", channel=ch, count=2)
    assert h.deps.channel(TEAM_ID, ch).mask_addresses is True


def test_admin_only_refuses_members_and_allows_admins(harness_for):
    h = harness_for(admin_only_settings=True)
    ch = uid("C")
    h.fake.script("users.info", body={"ok": True, "user": {"id": "U0MEMBER", "is_admin": False, "is_owner": False}})
    h.command("auto off", channel=ch, user="U0MEMBER", response_name="member")
    (call,) = _wait_response(h, "member")
    assert call.params["response_type"] == "ephemeral"
    assert "Only workspace admins and owners" in call.params["text"]
    assert h.fake.find("users.info")[0].params["user"] == "U0MEMBER"
    assert h.deps.store.get_channel_settings(TEAM_ID, ch) == ChannelSettings()
    assert h.fake.find("chat.postMessage", channel=ch) == []

    h.fake.script("users.info", body={"ok": True, "user": {"id": "U0ADMIN1", "is_admin": True}})
    h.command("auto off", channel=ch, user="U0ADMIN1")
    (post,) = h.fake.wait("chat.postMessage", channel=ch)
    assert post.params["text"].startswith("<@U0ADMIN1> turned automatic annotation")
    assert h.deps.store.get_channel_settings(TEAM_ID, ch).auto_annotate is False

    h.fake.script("users.info", body={"ok": False, "error": "missing_scope"})
    h.command("auto on", channel=ch, user="U0ADMIN1", response_name="noscope")
    (call,) = _wait_response(h, "noscope")
    assert "could not check" in call.params["text"]
    assert h.deps.store.get_channel_settings(TEAM_ID, ch).auto_annotate is False


def test_confirmation_falls_back_when_bot_not_in_channel(harness_for):
    h = harness_for()
    ch = uid("C")
    h.fake.script("chat.postMessage", body={"ok": False, "error": "not_in_channel"}, when=lambda p: p.get("channel") == ch)
    h.command("auto off", channel=ch, user="U0CAROL1")
    (call,) = _wait_response(h, ch)
    assert call.params["response_type"] == "in_channel"
    assert call.params["text"].startswith("<@U0CAROL1> turned automatic annotation")


def test_auto_annotation_and_masking_follow_channel_settings(harness_for, monkeypatch):
    """The listeners read the stored settings: off -> the engine is never asked; mask follows."""
    seen: list[tuple[str, bool]] = []

    def spy(engine, text, mask):  # noqa: ANN001 - replaces bot.slack.answers.auto_annotation
        seen.append((text, mask))
        return None  # nothing to post

    monkeypatch.setattr(slack_events, "auto_annotation", spy)
    h = harness_for(mask_addresses=True)
    quiet, masked, open_ = uid("C"), uid("C"), uid("C")
    h.deps.store.set_channel_settings(TEAM_ID, quiet, ChannelSettings(auto_annotate=False))
    h.deps.store.set_channel_settings(TEAM_ID, open_, ChannelSettings(mask_addresses=False))
    for ch in (quiet, masked, open_):
        assert h.event(h.message(f"550 5.1.1 user unknown in {ch}", channel=ch))[0] == 200
    deadline = time.monotonic() + 5
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert sorted(seen) == sorted([(f"550 5.1.1 user unknown in {masked}", True),
                                   (f"550 5.1.1 user unknown in {open_}", False)])

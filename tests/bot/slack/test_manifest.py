"""``manifest.yml`` and the registered listeners agree, both ways."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import Settings
from bot.slack.app import build_app, deps_of
from tests.bot.slack.fake_slack import FakeSlack

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"

# Bot scopes each subscribed event / feature needs (https://api.slack.com/events, /scopes)
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "app_home_opened": None,
    "app_uninstalled": None,
    "tokens_revoked": None,
}


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def _registry():
    fake = FakeSlack().start()
    try:
        app = build_app(Settings(_env_file=None, slack_bot_token="xoxb-test", slack_signing_secret="s",
                                 slack_api_url=fake.api_url))
        return deps_of(app).registry
    finally:
        fake.stop()


def test_manifest_events_commands_and_shortcuts_match_listeners():
    m = _manifest()
    reg = _registry()
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == reg.events
    assert {c["command"] for c in m["features"]["slash_commands"]} == reg.commands
    shortcuts = m["features"].get("shortcuts") or []
    assert {s["callback_id"] for s in shortcuts if s["type"] == "message"} == reg.message_shortcuts
    assert {s["callback_id"] for s in shortcuts if s["type"] == "global"} == reg.global_shortcuts


def test_manifest_scopes_are_the_minimal_set_for_its_features():
    m = _manifest()
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    needed = {EVENT_SCOPES[e] for e in m["settings"]["event_subscriptions"]["bot_events"]} - {None}
    needed |= {"chat:write", "commands", "files:read"}  # files:read: bounces shared as files (bot/slack/files.py)
    # users:read only for ADMIN_ONLY_SETTINGS (users.info is_admin check)
    assert scopes - needed <= {"users:read"}
    assert needed <= scopes


def test_manifest_modes_home_and_interactivity():
    m = _manifest()
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    text = MANIFEST.read_text()
    # HTTP-mode request URLs are documented (commented) for events, the command and interactivity
    assert text.count("/slack/events") >= 3

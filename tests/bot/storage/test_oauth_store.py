"""OAuth stores on the app's database, and deletion of a workspace's data on uninstall/revocation."""

from __future__ import annotations

import json
import time

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect

from bot.storage.base import ChannelSettings
from bot.storage.oauth import DEFAULT_BOT_SCOPES, build_oauth_settings, register_uninstall_listeners
from bot.storage.sql import SqlStore


@pytest.fixture
def setup(db_url):
    store = SqlStore(db_url)
    settings = build_oauth_settings(client_id="111.222", client_secret="s3cr3t", engine=store.engine)
    app = App(
        signing_secret="unused",
        oauth_settings=settings,
        request_verification_enabled=False,
        token_verification_enabled=False,
    )
    register_uninstall_listeners(app, store, settings.installation_store)
    for team in ("T1", "T2"):
        settings.installation_store.save(
            Installation(
                app_id="A1", team_id=team, user_id="U1", bot_token=f"xoxb-{team}-bot", bot_id=f"B{team}",
                bot_user_id=f"UB{team}", bot_scopes=list(DEFAULT_BOT_SCOPES), user_token=f"xoxp-{team}-user",
            )
        )
        store.set_channel_settings(team, "C1", ChannelSettings(auto_annotate=False, mask_addresses=False))
    yield app, store, settings.installation_store
    store.close()


def _event(team: str, event: dict) -> BoltRequest:
    body = {
        "token": "x", "team_id": team, "api_app_id": "A1", "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": team, "user_id": f"UB{team}", "is_bot": True, "enterprise_id": None}],
    }
    return BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})


def test_tables_and_settings(setup):
    app, store, installs = setup
    names = set(inspect(store.engine).get_table_names())
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= names
    assert app.oauth_flow.settings.install_path == "/slack/install"
    assert app.oauth_flow.settings.redirect_uri_path == "/slack/oauth_redirect"
    assert installs.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-T1-bot"


def test_app_uninstalled_deletes_that_workspace_only(setup):
    app, store, installs = setup
    resp = app.dispatch(_event("T1", {"type": "app_uninstalled"}))
    assert resp.status == 200
    deadline = time.time() + 5
    while installs.find_bot(enterprise_id=None, team_id="T1") is not None and time.time() < deadline:
        time.sleep(0.05)  # listeners run after the ack, in Bolt's thread pool
    time.sleep(0.1)
    assert installs.find_bot(enterprise_id=None, team_id="T1") is None
    assert installs.find_installation(enterprise_id=None, team_id="T1") is None
    assert store.get_channel_settings("T1", "C1") == ChannelSettings()
    assert installs.find_bot(enterprise_id=None, team_id="T2").bot_token == "xoxb-T2-bot"
    assert store.get_channel_settings("T2", "C1") == ChannelSettings(False, False)


def _wait(pred, timeout=5.0):
    deadline = time.time() + timeout
    while not pred() and time.time() < deadline:
        time.sleep(0.05)
    return pred()


def test_tokens_revoked_user_only_keeps_workspace(setup):
    app, store, installs = setup
    app.dispatch(_event("T1", {"type": "tokens_revoked", "tokens": {"oauth": ["U1"]}}))
    assert _wait(lambda: installs.find_installation(enterprise_id=None, team_id="T1", user_id="U1") is None)
    assert installs.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-T1-bot"
    assert store.get_channel_settings("T1", "C1") == ChannelSettings(False, False)


def test_tokens_revoked_bot_forgets_workspace(setup):
    app, store, installs = setup
    app.dispatch(_event("T2", {"type": "tokens_revoked", "tokens": {"bot": ["UBT2"]}}))
    assert _wait(lambda: store.get_channel_settings("T2", "C1") == ChannelSettings())
    assert installs.find_bot(enterprise_id=None, team_id="T2") is None
    assert installs.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-T1-bot"


def test_missing_credentials_refused(db_url):
    store = SqlStore(db_url)
    with pytest.raises(ValueError, match="SLACK_CLIENT_SECRET"):
        build_oauth_settings(client_id="111.222", client_secret="", engine=store.engine)
    store.close()

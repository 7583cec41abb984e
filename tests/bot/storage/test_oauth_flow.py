"""Multi-workspace install over real HTTP: /slack/install -> /slack/oauth_redirect -> oauth.v2.access on
the fake Slack API; then a second workspace is served with its own token; uninstall forgets it."""

from __future__ import annotations

import base64
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.config import Settings
from bot.slack.app import build_app, deps_of
from bot.slack.http_server import BackgroundServer
from bot.slack.operations import bolt_options
from bot.storage.base import ChannelSettings
from bot.storage.sql import SqlStore
from tests.bot.slack import signing
from tests.bot.slack.fake_slack import FakeSlack

TEAM2 = "T0SECOND"
BOT2 = "UBOT0002"
TOKEN2 = "xoxb-222-second-workspace-token"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.fixture
def oauth_app(db_url):
    fake = FakeSlack().start()
    settings = Settings(
        _env_file=None, slack_bot_token=None, slack_app_token=None, slack_signing_secret=signing.SIGNING_SECRET,
        slack_api_url=fake.api_url, slack_client_id="1111.2222", slack_client_secret="client-secret-value",
        database_url=db_url,
    )
    store = SqlStore(db_url)
    app = build_app(settings, store=store, bolt_options=bolt_options(settings, store))
    server = BackgroundServer(app).start()
    yield fake, app, server, store
    server.stop()
    fake.stop()
    store.close()


def _install(fake: FakeSlack, server: BackgroundServer) -> None:
    fake.oauth_response = {
        "ok": True, "app_id": "A0000001", "authed_user": {"id": "U0INSTALLER"},
        "scope": "app_mentions:read,channels:history,groups:history,im:history,chat:write,commands,users:read",
        "token_type": "bot", "access_token": TOKEN2, "bot_user_id": BOT2,
        "team": {"id": TEAM2, "name": "Second Workspace"}, "enterprise": None, "is_enterprise_install": False,
    }
    status, headers, page = _get(server.url + "/slack/install")
    assert status == 200
    m = re.search(r'https://slack\.com/oauth/v2/authorize\?[^"\']+', page)
    assert m, page
    query = urllib.parse.parse_qs(urllib.parse.urlparse(m.group(0).replace("&amp;", "&")).query)
    assert query["client_id"] == ["1111.2222"]
    assert query["scope"][0].split(",") == [
        "app_mentions:read", "channels:history", "groups:history", "im:history", "chat:write", "commands",
        "users:read",
    ]
    state = query["state"][0]
    cookie = headers["set-cookie"].split(";", 1)[0]
    assert cookie == f"slack-app-oauth-state={state}"

    status, _, page = _get(
        server.url + "/slack/oauth_redirect?" + urllib.parse.urlencode({"code": "code-from-slack", "state": state}),
        headers={"Cookie": cookie},
    )
    assert status == 200, page
    (exchange,) = fake.find("oauth.v2.access")
    assert exchange.params["code"] == "code-from-slack"
    # slack_sdk sends the app's credentials as HTTP Basic auth (https://api.slack.com/methods/oauth.v2.access)
    assert exchange.headers["Authorization"] == "Basic " + base64.b64encode(b"1111.2222:client-secret-value").decode()


def _event(server: BackgroundServer, team: str, bot: str, event: dict) -> int:
    body = {
        "token": "legacy-unused", "team_id": team, "api_app_id": "A0000001", "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": team, "user_id": bot, "is_bot": True, "enterprise_id": None}],
    }
    status, _ = signing.post_event(server.url + "/slack/events", body)
    return status


def test_install_then_serve_second_workspace_with_its_own_token(oauth_app):
    fake, app, server, store = oauth_app
    _install(fake, server)
    installs = app.oauth_flow.settings.installation_store
    bot = installs.find_bot(enterprise_id=None, team_id=TEAM2)
    assert (bot.bot_token, bot.bot_user_id, bot.team_id) == (TOKEN2, BOT2, TEAM2)

    # the second workspace mentions the bot: the reply is posted with that workspace's token
    assert _event(server, TEAM2, BOT2, {"type": "app_mention", "channel": "C0TEAM2", "user": "U0PERSON",
                                        "ts": "1800000400.000001", "text": f"<@{BOT2}> what is 421?"}) == 200
    (post,) = fake.wait("chat.postMessage", channel="C0TEAM2", timeout=10)
    assert post.headers["Authorization"] == f"Bearer {TOKEN2}"
    assert post.params["thread_ts"] == "1800000400.000001"

    # a workspace that never installed the app gets nothing posted
    assert _event(server, "T0UNKNOWN", "UBOT9999", {"type": "app_mention", "channel": "C0OTHER",
                                                   "user": "U0PERSON", "ts": "1800000400.000002",
                                                   "text": "<@UBOT9999> what is 421?"}) in (200, 401)
    time.sleep(0.5)
    assert fake.find("chat.postMessage", channel="C0OTHER") == []


def test_uninstall_forgets_the_workspace(oauth_app):
    fake, app, server, store = oauth_app
    _install(fake, server)
    store.set_channel_settings(TEAM2, "C0TEAM2", ChannelSettings(auto_annotate=False))
    installs = app.oauth_flow.settings.installation_store
    assert _event(server, TEAM2, BOT2, {"type": "app_uninstalled"}) == 200
    # the listener deletes after the ack (bot row, then installation rows): wait for both
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
            installs.find_bot(enterprise_id=None, team_id=TEAM2) is not None
            or installs.find_installation(enterprise_id=None, team_id=TEAM2) is not None):
        time.sleep(0.05)
    assert installs.find_bot(enterprise_id=None, team_id=TEAM2) is None
    assert installs.find_installation(enterprise_id=None, team_id=TEAM2) is None
    deadline = time.monotonic() + 5
    while store.get_channel_settings(TEAM2, "C0TEAM2") != ChannelSettings() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.get_channel_settings(TEAM2, "C0TEAM2") == ChannelSettings()


def test_single_workspace_mode_has_no_install_routes(fake_settings_token_mode):
    status, _, _ = _get(fake_settings_token_mode + "/slack/install")
    assert status == 404


@pytest.fixture
def fake_settings_token_mode(sqlite_url):
    fake = FakeSlack().start()
    settings = Settings(
        _env_file=None, slack_bot_token="xoxb-test-0000-token", slack_app_token=None,
        slack_signing_secret=signing.SIGNING_SECRET, slack_api_url=fake.api_url, database_url=sqlite_url,
    )
    store = SqlStore(sqlite_url)
    app = build_app(settings, store=store, bolt_options=bolt_options(settings, store))
    assert app.oauth_flow is None
    assert deps_of(app).store is store
    server = BackgroundServer(app).start()
    yield server.url
    server.stop()
    fake.stop()
    store.close()

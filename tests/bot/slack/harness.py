"""Start the real app over real HTTP against :class:`FakeSlack`; build Slack payloads.

Usage (module-scoped fixture in ``conftest.py``)::

    h = SlackHarness().start()          # fake Slack + app on free loopback ports
    status, _ = h.command("550 5.7.26", channel="C1")
    h.fake.wait("chat.postMessage", channel="C1")
    h.stop()

``SlackHarness(store=..., settings_overrides=...)`` plugs another store in.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.slack.app import build_app, deps_of
from bot.slack.http_server import BackgroundServer, free_port
from tests.bot.slack import signing
from tests.bot.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parents[3]
_ids = itertools.count(1)


def uid(prefix: str) -> str:
    """A fresh Slack-like id (``C000123`` ...), unique in the test run."""
    return f"{prefix}{next(_ids):07d}"


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ids):06d}"


class SlackHarness:
    """Fake Slack Web API + the app served by uvicorn on loopback."""

    def __init__(self, store: Any = None, **settings_overrides: Any) -> None:
        self.fake = FakeSlack().start()
        values = dict(slack_bot_token="xoxb-test-0000-token", slack_signing_secret=signing.SIGNING_SECRET,
                      slack_api_url=self.fake.api_url, slack_app_token=None, mask_addresses=True)
        values.update(settings_overrides)
        self.settings = Settings(_env_file=None, **values)
        self.app = build_app(self.settings, store=store)
        self.deps = deps_of(self.app)
        self.server = BackgroundServer(self.app)

    def start(self) -> "SlackHarness":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.fake.stop()

    @property
    def events_url(self) -> str:
        return f"{self.server.url}/slack/events"

    # -- requests -----------------------------------------------------------

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None,
              **kw: Any) -> tuple[int, str]:
        """Send an ``event_callback`` wrapping ``event``; ``retry`` sets ``X-Slack-Retry-Num``."""
        payload = {
            "token": "legacy-unused", "team_id": TEAM_ID, "api_app_id": "A0000001", "type": "event_callback",
            "event": event, "event_id": event_id or uid("Ev"), "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        headers = dict(kw.pop("headers", {}) or {})
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return signing.post_event(self.events_url, payload, headers=headers, **kw)

    def message(self, text: str, *, channel: str, channel_type: str = "channel", user: str = "U0USER01",
                ts: str | None = None, thread_ts: str | None = None, **extra: Any) -> dict:
        """A ``message`` event body."""
        ev = {"type": "message", "channel": channel, "channel_type": channel_type, "user": user,
              "text": text, "ts": ts or new_ts(), "team": TEAM_ID}
        if thread_ts:
            ev["thread_ts"] = thread_ts
        ev.update(extra)
        return ev

    def mention(self, text: str, *, channel: str, user: str = "U0USER01", ts: str | None = None,
                thread_ts: str | None = None) -> dict:
        """An ``app_mention`` event body (text starts with the bot's mention)."""
        ev = {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER_ID}> {text}",
              "ts": ts or new_ts(), "team": TEAM_ID}
        if thread_ts:
            ev["thread_ts"] = thread_ts
        return ev

    def command(self, text: str, *, channel: str, user: str = "U0USER01", response_name: str | None = None,
                **kw: Any) -> tuple[int, str]:
        """Send ``/smtp text``; the response URL is ``fake.response_url(response_name or channel)``."""
        form = {
            "token": "legacy-unused", "team_id": TEAM_ID, "team_domain": "example", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": "someone", "command": "/smtp",
            "text": text, "api_app_id": "A0000001", "is_enterprise_install": "false",
            "response_url": self.fake.response_url(response_name or channel),
            "trigger_id": "1.2.3",
        }
        return signing.post_command(self.events_url, form, **kw)

    def message_shortcut(self, message: dict, *, channel: str, user: str = "U0USER01",
                         callback_id: str = "explain_smtp_codes", **kw: Any) -> tuple[int, str]:
        """Send a ``message_action`` (message shortcut) on ``message``."""
        payload = {
            "type": "message_action", "callback_id": callback_id, "trigger_id": "1.2.3",
            "team": {"id": TEAM_ID, "domain": "example"}, "user": {"id": user, "team_id": TEAM_ID},
            "channel": {"id": channel, "name": "general"}, "message": message, "message_ts": message.get("ts"),
            "response_url": self.fake.response_url(f"sc-{channel}"), "token": "legacy-unused",
        }
        return signing.post_interaction(self.events_url, payload, **kw)


class ServerProcess:
    """``smtpbot serve --http`` in a child process against ``fake``; ``url``, ``pid``, ``stop()``.

    ``env_overrides`` adds or overrides environment variables (e.g. ``LOG_FORMAT``)."""

    def __init__(self, fake: FakeSlack, env_overrides: dict | None = None) -> None:
        self.port = free_port()
        self._tmp = tempfile.TemporaryDirectory()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env.update({
            "SLACK_BOT_TOKEN": "xoxb-bench-0000", "SLACK_SIGNING_SECRET": signing.SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url, "PORT": str(self.port), "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{self._tmp.name}/bench.sqlite3",
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        })
        env.update(env_overrides or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['serve', '--http']))"],
            env=env, cwd=self._tmp.name, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server did not start: {err.strip()[-500:]}")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> int:
        """SIGTERM, wait; returns the exit status (stderr in :attr:`stderr`)."""
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        self.stderr = err.decode(errors="replace") if err else ""
        self._tmp.cleanup()
        return self.proc.returncode

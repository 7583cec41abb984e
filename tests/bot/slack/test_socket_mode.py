"""Socket Mode against a local fake WebSocket server returned by the fake ``apps.connections.open``.

Envelope format: https://api.slack.com/apis/socket-mode#events (``envelope_id``, ``type``,
``payload``, ``retry_attempt``, ``accepts_response_payload``); the app must ack each
envelope by sending back ``{"envelope_id": ...}``.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time

import pytest

websockets = pytest.importorskip("websockets")
from websockets.asyncio.server import serve  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.slack.app import build_app  # noqa: E402
from bot.slack.socket_mode import make_handler  # noqa: E402
from tests.bot.slack.checks import all_text, assert_valid_message  # noqa: E402
from tests.bot.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack  # noqa: E402


class FakeSocketModeServer:
    """Accepts one connection, says hello, sends queued envelopes, collects acks."""

    def __init__(self) -> None:
        self.outbox: "queue.Queue[dict]" = queue.Queue()
        self.acks: list[dict] = []
        self.connected = threading.Event()
        self.port: int | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Future | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _handler(self, ws) -> None:  # noqa: ANN001
        await ws.send(json.dumps({"type": "hello", "num_connections": 1,
                                  "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                  "connection_info": {"app_id": "A0000001"}}))
        self.connected.set()

        async def sender() -> None:
            while True:
                try:
                    env = self.outbox.get_nowait()
                except queue.Empty:
                    await asyncio.sleep(0.01)
                    continue
                await ws.send(json.dumps(env))

        task = asyncio.create_task(sender())
        try:
            async for raw in ws:
                self.acks.append(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        finally:
            task.cancel()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        async with serve(self._handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop

    def start(self) -> "FakeSocketModeServer":
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(5)

    def wait_ack(self, envelope_id: str, timeout: float = 5) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for a in self.acks:
                if a.get("envelope_id") == envelope_id:
                    return a
            time.sleep(0.01)
        raise AssertionError(f"no ack for {envelope_id}")


def test_socket_mode_answers_once_and_acks_every_envelope():
    fake = FakeSlack().start()
    ws = FakeSocketModeServer().start()
    fake.ws_url = f"ws://127.0.0.1:{ws.port}/link/?ticket=fake"
    settings = Settings(_env_file=None, slack_bot_token="xoxb-test-0000-token", slack_app_token="xapp-1-test",
                        slack_api_url=fake.api_url, slack_signing_secret=None)
    app = build_app(settings)
    handler = make_handler(app, settings)
    try:
        handler.connect()
        assert ws.connected.wait(5)
        [opened] = fake.find("apps.connections.open")
        assert opened.headers.get("Authorization") == "Bearer xapp-1-test"

        event = {"type": "app_mention", "channel": "C0SOCKET", "user": "U0USER01", "ts": "1700000000.000100",
                 "text": f"<@{BOT_USER_ID}> 421 vs 450 vs 451 vs 452", "team": TEAM_ID}
        body = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": "A0000001", "event": event,
                "event_id": "Ev0SOCKET1", "event_time": 1700000000}
        ws.outbox.put({"envelope_id": "env-1", "type": "events_api", "payload": body,
                       "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""})
        ws.outbox.put({"envelope_id": "env-2", "type": "events_api", "payload": body,
                       "accepts_response_payload": False, "retry_attempt": 1, "retry_reason": "timeout"})
        assert ws.wait_ack("env-1") == {"envelope_id": "env-1"}
        assert ws.wait_ack("env-2") == {"envelope_id": "env-2"}
        calls = fake.wait("chat.postMessage", channel="C0SOCKET", count=2)
        assert {c.params["thread_ts"] for c in calls} == {"1700000000.000100"}
        for c in calls:
            assert_valid_message(c.params)
        # the retry (retry_attempt 1) produced nothing more: one answer = main + per-code detail
        time.sleep(0.4)
        assert len(fake.find("chat.postMessage", channel="C0SOCKET")) == 2

        # a slash command over Socket Mode: the help comes back in the envelope's ack payload
        cmd = {"command": "/smtp", "text": "help", "team_id": TEAM_ID, "channel_id": "C0SOCKET",
               "user_id": "U0USER01", "response_url": fake.response_url("sock"), "trigger_id": "1.2.3"}
        ws.outbox.put({"envelope_id": "env-3", "type": "slash_commands", "payload": cmd,
                       "accepts_response_payload": True})
        ack = ws.wait_ack("env-3")
        assert ack["payload"]["response_type"] == "ephemeral"
        assert "/smtp 550 5.7.26" in all_text(ack["payload"])
    finally:
        handler.close()
        ws.stop()
        fake.stop()

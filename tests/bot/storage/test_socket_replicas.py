"""Several Socket Mode connections on one database: an event delivered on both is answered by one only."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("websockets")

from bot.config import Settings  # noqa: E402
from bot.slack.app import build_app  # noqa: E402
from bot.slack.operations import bolt_options  # noqa: E402
from bot.slack.socket_mode import make_handler  # noqa: E402
from bot.storage.sql import SqlStore  # noqa: E402
from tests.bot.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack  # noqa: E402
from tests.bot.slack.test_socket_mode import FakeSocketModeServer  # noqa: E402


def test_two_socket_mode_connections_answer_once(db_url):
    stack = []
    try:
        conns = []
        for _ in range(2):  # two processes' worth: own fake Slack, own WebSocket, own store object
            fake = FakeSlack().start()
            ws = FakeSocketModeServer().start()
            fake.ws_url = f"ws://127.0.0.1:{ws.port}/link/?ticket=fake"
            settings = Settings(_env_file=None, slack_bot_token="xoxb-test-0000-token", slack_app_token="xapp-1-test",
                                slack_api_url=fake.api_url, slack_signing_secret=None)
            store = SqlStore(db_url)
            app = build_app(settings, store=store, bolt_options=bolt_options(settings, store))
            handler = make_handler(app, settings)
            stack.append((fake, ws, handler, store))
            handler.connect()
            assert ws.connected.wait(5)
            conns.append((fake, ws))

        for i in range(3):
            channel = f"C0SOCK{i:03d}"
            event = {"type": "app_mention", "channel": channel, "user": "U0USER01", "ts": f"1700000000.00010{i}",
                     "text": f"<@{BOT_USER_ID}> what is 421?", "team": TEAM_ID}
            body = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": "A0000001", "event": event,
                    "event_id": f"Ev0SOCKREP{i}", "event_time": 1700000000}
            barrier = threading.Barrier(2)

            def deliver(ws, attempt):  # noqa: ANN001
                barrier.wait()
                ws.outbox.put({"envelope_id": f"env-{i}-{attempt}", "type": "events_api", "payload": body,
                               "accepts_response_payload": False, "retry_attempt": attempt, "retry_reason": ""})

            threads = [threading.Thread(target=deliver, args=(ws, n)) for n, (_, ws) in enumerate(conns)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(5)
            for n, (_, ws) in enumerate(conns):
                assert ws.wait_ack(f"env-{i}-{n}") == {"envelope_id": f"env-{i}-{n}"}
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(f.find("chat.postMessage", channel=channel)
                                                          for f, _ in conns):
                time.sleep(0.02)
            time.sleep(0.5)
            answered = [len(f.find("chat.postMessage", channel=channel)) > 0 for f, _ in conns]
            assert sorted(answered) == [False, True]  # exactly one connection answered
    finally:
        for fake, ws, handler, store in stack:
            handler.close()
            ws.stop()
            fake.stop()
            store.close()

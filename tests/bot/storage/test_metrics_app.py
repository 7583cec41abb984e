"""Metrics counted by the running app (in-process harness): requests, annotations, Slack API errors."""

from __future__ import annotations

import time

from prometheus_client import REGISTRY

from bot.storage.sql import SqlStore
from tests.bot.slack.harness import SlackHarness, uid

BOUNCE = (
    "Delivery has failed to these recipients or groups:\n"
    "user@example.com\n"
    "Remote Server returned '550 5.1.1 <user@example.com>: Recipient address rejected: "
    "User unknown in virtual mailbox table'\n"
)


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _wait_for(name: str, expected: float, timeout: float = 10.0, **labels: str) -> float:
    """The metric's value once it reaches ``expected`` (or its last value after ``timeout``
    seconds): the handler records some metrics after its reply is posted."""
    deadline = time.monotonic() + timeout
    while (value := _value(name, **labels)) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return value


def test_requests_annotations_and_api_errors_are_counted(sqlite_url):
    h = SlackHarness(store=SqlStore(sqlite_url)).start()
    try:
        before = {
            "message": _value("smtpbot_requests_total", kind="message"),
            "mention": _value("smtpbot_requests_total", kind="mention"),
            "auto": _value("smtpbot_annotations_total", trigger="message"),
            "err": _value("smtpbot_slack_api_errors_total", method="chat.postMessage", code="not_in_channel"),
            "hist": _value("smtpbot_handling_seconds_count", kind="message"),
        }
        pasted = uid("C")
        assert h.event(h.message(BOUNCE, channel=pasted))[0] == 200
        h.fake.wait("chat.postMessage", channel=pasted, timeout=10)

        closed = uid("C")
        h.fake.script("chat.postMessage", body={"ok": False, "error": "not_in_channel"},
                      when=lambda p: p.get("channel") == closed)
        assert h.event(h.mention("what is 421?", channel=closed))[0] == 200
        h.fake.wait("chat.postEphemeral", channel=closed, timeout=10)  # the fallback
        assert _wait_for("smtpbot_handling_seconds_count", before["hist"] + 1, kind="message") == before["hist"] + 1
        assert _value("smtpbot_requests_total", kind="message") == before["message"] + 1
        assert _value("smtpbot_requests_total", kind="mention") == before["mention"] + 1
        assert _value("smtpbot_annotations_total", trigger="message") == before["auto"] + 1
        assert _value("smtpbot_slack_api_errors_total", method="chat.postMessage",
                      code="not_in_channel") == before["err"] + 1
        assert _value("smtpbot_handling_seconds_count", kind="message") == before["hist"] + 1

        status, ctype, body = h.deps.http_routes[("GET", "/metrics")]()
        assert status == 200 and ctype.startswith("text/plain")
        assert b"smtpbot_duplicate_events_total" in body
    finally:
        h.stop()
        h.deps.store.close()

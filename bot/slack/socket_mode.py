"""Socket Mode: the app opens a WebSocket to Slack instead of receiving HTTP requests.

``apps.connections.open`` (called with the app-level ``xapp-`` token) returns the
WebSocket URL; Bolt's :class:`~slack_bolt.adapter.socket_mode.SocketModeHandler`
(slack_sdk's built-in client, no extra dependency) connects, acks each envelope
and reconnects when Slack rotates the connection.  Retried envelopes carry
``retry_attempt``; Bolt mirrors it as ``X-Slack-Retry-Num`` and the listeners'
``event_id`` claims make sure a retry never produces a second reply.
https://api.slack.com/apis/socket-mode
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.web import WebClient

from bot.config import Settings
from bot.slack.app import build_client, deps_of, drain

log = logging.getLogger("bot.slack.socket_mode")


def make_handler(app: App, settings: Settings) -> SocketModeHandler:
    """A handler bound to ``app`` using ``SLACK_APP_TOKEN`` and ``SLACK_API_URL`` (not connected yet)."""
    if settings.slack_app_token is None:
        raise ValueError("SLACK_APP_TOKEN is required for Socket Mode")
    app_token = settings.slack_app_token.get_secret_value()
    web_client: WebClient = build_client(settings, token=app_token)
    handler = SocketModeHandler(app, app_token=app_token, web_client=web_client, trace_enabled=False)
    return handler


def run_socket_mode(app: App, settings: Settings) -> None:
    """Connect and serve until SIGINT/SIGTERM (blocking); then close the connection (no new
    envelopes) and let the replies in flight finish."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handler = make_handler(app, settings)
    log.info("Socket Mode: connecting")
    handler.connect()
    deps_of(app).ready = True
    log.info("Socket Mode: connected")
    stop.wait()
    log.info("Socket Mode: stopping; finishing replies in flight")
    handler.close()
    drain(app)

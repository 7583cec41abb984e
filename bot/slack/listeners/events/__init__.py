"""Events API listeners: ``app_mention``, ``message`` (channels, private channels, DMs),
``app_home_opened``, ``app_uninstalled`` / ``tokens_revoked``; and the catch-all.

Events are acked by Bolt before the listener runs (``process_before_response=False``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.slack.deps import BotDeps
from bot.slack.listeners.events import app_home_opened, app_mention, message, uninstall

log = logging.getLogger("bot.slack")


def register(app: Any, deps: BotDeps) -> None:
    """Register every event listener."""
    app_mention.register(app, deps)
    message.register(app, deps)
    app_home_opened.register(app, deps)
    uninstall.register(app, deps)


def register_catch_all(app: Any) -> None:
    """Ack (and ignore) every event no listener handled; registered after all of them."""

    @app.event(re.compile(".*"))
    def unhandled_event(event):  # noqa: ANN001
        log.debug("ignored event type=%s", event.get("type"))

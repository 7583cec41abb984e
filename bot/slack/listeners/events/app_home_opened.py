"""``app_home_opened``: publish the App Home tab (:class:`bot.slack.home.HomeTab`, built once)."""

from __future__ import annotations

from typing import Any

from bot.slack import delivery
from bot.slack.deps import BotDeps
from bot.slack.home import HomeTab


def register(app: Any, deps: BotDeps) -> None:
    """Register the ``app_home_opened`` listener (https://api.slack.com/events/app_home_opened)."""
    home = HomeTab(deps.engine)

    @app.event("app_home_opened")
    def on_home(event, client):  # noqa: ANN001
        if event.get("tab", "home") != "home":
            return
        try:
            client.views_publish(user_id=event["user"], view=home.view())
        except Exception as exc:  # noqa: BLE001
            delivery.log_failure("views.publish", exc)

    deps.registry.events.add("app_home_opened")

"""``app_uninstalled`` / ``tokens_revoked``: the workspace's stored data is deleted
(installations when OAuth is on, and the channel settings; :mod:`bot.storage.oauth`)."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import BotDeps


def register(app: Any, deps: BotDeps) -> None:
    """Register the uninstall listeners on the app's store and, with OAuth, its installation store."""
    from bot.storage.oauth import register_uninstall_listeners

    oauth_flow = getattr(app, "oauth_flow", None)
    installation_store = oauth_flow.settings.installation_store if oauth_flow is not None else None
    register_uninstall_listeners(app, deps.store, installation_store)
    deps.registry.events.update({"app_uninstalled", "tokens_revoked"})

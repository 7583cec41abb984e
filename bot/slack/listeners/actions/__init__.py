"""Interactive-component (``block_actions``) listeners.

Our messages carry no buttons or menus today, so no action has a listener of its own; the
catch-all acks any action (a link button, a click on an old message) so Slack shows no error.
Adding one: a module here with ``register(app, deps)`` (``@app.action("action_id")``, ``ack()``
first), called from :func:`register`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.slack.deps import BotDeps


def register(app: Any, deps: BotDeps) -> None:
    """Register every action listener (none yet)."""


def register_catch_all(app: Any) -> None:
    """Ack every action no listener handled with 200; registered after all listeners."""

    @app.action(re.compile(".*"))
    def unhandled_action(ack):  # noqa: ANN001
        ack()

"""``/smtp``: help acked at once; anything else acked empty, then answered (:mod:`bot.slack.commands`)."""

from __future__ import annotations

from typing import Any

from bot.slack import delivery
from bot.slack.commands import COMMAND, HELP_WORDS, handle_smtp, help_for
from bot.slack.deps import BotDeps


def register(app: Any, deps: BotDeps) -> None:
    """Register the ``/smtp`` listener (https://api.slack.com/interactivity/slash-commands)."""

    @app.command(COMMAND)
    def smtp_command(ack, body, client, respond):  # noqa: ANN001 - Bolt injects by name
        text = str(body.get("text") or "").strip()
        if text.lower() in HELP_WORDS:
            ack(response_type="ephemeral", **help_for(deps).payload())
            return
        ack()
        try:
            handle_smtp(deps, body, client, respond)
        except Exception as exc:  # noqa: BLE001 - the user gets an apology, the log the cause
            delivery.apologise(respond, "/smtp", exc)

    deps.registry.commands.add(COMMAND)

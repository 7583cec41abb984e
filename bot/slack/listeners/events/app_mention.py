"""``app_mention``: a person's message that mentions the bot is answered in its thread
(:func:`bot.slack.replies.answer_addressed`)."""

from __future__ import annotations

from typing import Any

from bot.slack import replies
from bot.slack.deps import BotDeps


def register(app: Any, deps: BotDeps) -> None:
    """Register the ``app_mention`` listener (https://api.slack.com/events/app_mention)."""

    @app.event("app_mention")
    def on_mention(body, event, client, context):  # noqa: ANN001
        if replies.is_from_bot(event, context.bot_user_id):
            return
        if event.get("subtype") not in replies.ANSWERABLE_SUBTYPES:
            return
        replies.answer_addressed(deps, client, body, event, context.bot_user_id)

    deps.registry.events.add("app_mention")

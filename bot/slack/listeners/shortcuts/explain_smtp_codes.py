"""The message shortcut "Explain SMTP codes" (callback id ``explain_smtp_codes``): acked at once,
then the message it is used on is answered in its thread (:func:`bot.slack.replies.answer_shortcut`).
https://api.slack.com/interactivity/shortcuts/using#message_shortcuts
"""

from __future__ import annotations

from typing import Any

from bot.slack import replies
from bot.slack.deps import BotDeps

CALLBACK_ID = "explain_smtp_codes"


def register(app: Any, deps: BotDeps) -> None:
    """Register the message shortcut listener."""

    @app.message_shortcut(CALLBACK_ID)
    def explain_message(ack, body, client, respond, context):  # noqa: ANN001
        ack()
        replies.answer_shortcut(deps, body, client, respond, context.bot_user_id)

    deps.registry.message_shortcuts.add(CALLBACK_ID)

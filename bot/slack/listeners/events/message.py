"""``message``: a DM is answered (:func:`bot.slack.replies.answer_addressed`); a channel message
that mentions the bot is left to ``app_mention``; any other person's channel message is annotated
when it carries a real SMTP failure (:func:`bot.slack.replies.auto_annotate`). Bots' messages,
edits, deletions, joins and other subtyped messages are never answered."""

from __future__ import annotations

from typing import Any

from bot.slack import replies
from bot.slack.deps import BotDeps
from bot.slack.text import mentions_user

MESSAGE_EVENTS = ("message.channels", "message.groups", "message.im")  # manifest names of "message"


def register(app: Any, deps: BotDeps) -> None:
    """Register the ``message`` listener (https://api.slack.com/events/message)."""

    @app.event("message")
    def on_message(body, event, client, context):  # noqa: ANN001
        if event.get("subtype") not in replies.ANSWERABLE_SUBTYPES or event.get("hidden"):
            return  # edits, deletions, joins, topic changes ...
        if replies.is_from_bot(event, context.bot_user_id):
            return
        raw = str(event.get("text") or "")
        if replies.is_direct(event):
            replies.answer_addressed(deps, client, body, event, context.bot_user_id)
        elif mentions_user(raw, context.bot_user_id):
            return  # answered by on_mention
        else:
            replies.auto_annotate(deps, client, body, event)

    deps.registry.events.update(MESSAGE_EVENTS)

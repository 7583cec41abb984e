"""The message shortcut "Explain SMTP codes" (callback id ``explain_smtp_codes``).

It annotates (or explains the codes of) the message it is used on, in that
message's thread; the text includes the message's attachments and blocks (alerts
from other apps keep it there, :func:`bot.slack.text.message_text`) and its text-like
files (snippets, ``.eml`` / ``.log`` files: :mod:`bot.slack.files`). Help and errors
(nothing to explain) go only to the user, through the ``response_url`` (ephemeral).
When the bot cannot post in the thread the answer goes to the user through the
shortcut's ``response_url`` as an ephemeral message.
https://api.slack.com/interactivity/shortcuts/using#message_shortcuts
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.slack import delivery, files
from bot.slack.answers import answer_for_text
from bot.slack.deps import BotDeps
from bot.slack.text import message_text, unslack

log = logging.getLogger("bot.slack.shortcuts")

CALLBACK_ID = "explain_smtp_codes"


def register(app: App, deps: BotDeps) -> None:
    """Register the message shortcut listener."""

    @app.message_shortcut(CALLBACK_ID)
    def explain_message(ack, body, client, respond, context):  # noqa: ANN001
        ack()
        message = body.get("message") or {}
        channel = str((body.get("channel") or {}).get("id") or "")
        user = str((body.get("user") or {}).get("id") or "")
        team = str((body.get("team") or {}).get("id") or "")
        thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
        try:
            eff = deps.channel(team, channel)
            text = unslack(message_text(message), drop_user=context.bot_user_id)
            with files.turn(message.get("files")):  # bounded: files cost memory while read and annotated
                shared = files.read_files(message.get("files"), client)  # snippets, .eml / .log files
                answers = files.addressed_answers(deps.engine, text, shared.texts, mask=eff.mask_addresses,
                                                  answer=answer_for_text, skipped=shared.skipped)
                del shared
            if answers[0].kind in ("help", "error"):
                # only the user who ran the shortcut sees help and errors
                delivery.respond_all(respond, [answers[0].main], "ephemeral")
                return
            for answer in answers:
                delivery.reply_in_thread(client, channel, thread_ts, [answer.main, *answer.thread],
                                         respond=respond, user=user)
        except Exception as exc:  # noqa: BLE001 - the user gets an apology, the log the cause
            delivery.apologise(respond, "the shortcut", exc)

    deps.registry.message_shortcuts.add(CALLBACK_ID)

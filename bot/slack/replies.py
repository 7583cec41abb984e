"""Answering a Slack message: a mention, a DM, the message shortcut, or a channel paste nobody addressed.

The listeners in :mod:`bot.slack.listeners` filter what Slack sends and call these flows
(https://api.slack.com/apis/events-api):

* replies go in the message's thread: ``thread_ts`` = the event's ``thread_ts``, else its ``ts``;
* the text looked at is the message's ``text`` plus its attachments and blocks
  (:func:`bot.slack.text.message_text`), bounded, with Slack's markup undone once
  (:func:`bot.slack.text.unslack`), plus its text-like files (snippets, ``.eml`` / ``.log``
  files: :mod:`bot.slack.files` downloads them, :mod:`bot.slack.file_answers` answers them);
* help and errors answering a mention go to the asker only (``chat.postEphemeral`` in the
  thread); in a DM they are normal replies; for the shortcut, through its ``response_url``;
* each message is answered at most once: the event is claimed under ``event:<event_id>``
  (Slack retries reuse the id) and the message under ``msg:<channel>:<ts>`` (a mention
  arrives both as ``app_mention`` and as ``message``; the ``message`` copy of a message
  that mentions the bot is left to ``app_mention``);
* events are acked by Bolt before the listener runs (``process_before_response=False``),
  so the work below never delays the ack.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_sdk.web import WebClient

from bot.slack import delivery, file_answers, files
from bot.slack.answers import answer_for_text, auto_annotation
from bot.slack.blocks import apology_message
from bot.slack.deps import BotDeps
from bot.slack.text import message_text, unslack

log = logging.getLogger("bot.slack.events")

# message subtypes that are still a person's message (https://api.slack.com/events/message#subtypes)
ANSWERABLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def is_from_bot(event: dict, bot_user_id: str | None) -> bool:
    """True for any bot's message (ours or another app's)."""
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message"
                or event.get("bot_profile") or (bot_user_id and event.get("user") == bot_user_id))


def is_direct(event: dict) -> bool:
    """True for a direct message (``channel_type`` ``im``, or a ``D…`` channel id)."""
    return event.get("channel_type") == "im" or str(event.get("channel") or "").startswith("D")


def thread_of(event: dict) -> str:
    """The ``thread_ts`` to reply under: the event's own thread, or the message itself."""
    return str(event.get("thread_ts") or event.get("ts") or "")


def claim_keys(body: dict, event: dict) -> list[str]:
    """The exactly-once keys of a message event: ``event:<event_id>`` and ``msg:<channel>:<ts>``."""
    keys = []
    if body.get("event_id"):
        keys.append(f"event:{body['event_id']}")
    if event.get("channel") and event.get("ts"):
        keys.append(f"msg:{event['channel']}:{event['ts']}")
    return keys


def answer_addressed(deps: BotDeps, client: WebClient, body: dict, event: dict, bot_user_id: str | None) -> None:
    """A mention or a DM: explain / annotate / short help, in the thread."""
    channel = str(event.get("channel") or "")
    if not deps.claim(*claim_keys(body, event)):
        return
    eff = deps.channel(str(body.get("team_id") or ""), channel)
    text = unslack(message_text(event), drop_user=bot_user_id)
    try:
        with files.turn(event.get("files")):  # bounded: files cost memory while read and annotated
            shared = files.read_files(event.get("files"), client)  # snippets, .eml / .log files
            answers = file_answers.addressed_answers(deps.engine, text, shared.texts, mask=eff.mask_addresses,
                                                     answer=answer_for_text, skipped=shared.skipped)
            del shared
        if answers[0].kind in ("help", "error") and not is_direct(event):
            # only the asker sees help and errors (a DM is already private)
            delivery.post_ephemeral(client, channel, str(event.get("user") or ""), answers[0].main,
                                    thread_ts=thread_of(event))
            return
        for answer in answers:
            delivery.reply_in_thread(client, channel, thread_of(event), [answer.main, *answer.thread],
                                     user=event.get("user"))
    except Exception as exc:  # noqa: BLE001
        log.error("reply failed: %s: %s", type(exc).__name__, delivery.slack_error(exc))
        log.debug("traceback", exc_info=True)
        try:
            delivery.post(client, channel, apology_message(), thread_ts=thread_of(event))
        except Exception:  # noqa: BLE001
            log.warning("could not post the apology")


def auto_annotate(deps: BotDeps, client: WebClient, body: dict, event: dict) -> None:
    """A channel message nobody addressed to the bot: annotate only real SMTP failures."""
    channel = str(event.get("channel") or "")
    eff = deps.channel(str(body.get("team_id") or ""), channel)
    if not eff.auto_annotate:
        return
    text = unslack(message_text(event))
    try:
        with files.turn(event.get("files")):  # bounded: files cost memory while read and annotated
            shared = files.read_files(event.get("files"), client)  # snippets, .eml / .log files
            # unreadable files are not mentioned: nobody asked
            answers = file_answers.auto_answers(deps.engine, text, shared.texts, mask=eff.mask_addresses,
                                                judge=auto_annotation)
            del shared
    except Exception as exc:  # noqa: BLE001 - stay silent in channels nobody asked us in
        log.error("auto annotation failed: %s", type(exc).__name__)
        log.debug("traceback", exc_info=True)
        return
    if not answers or not deps.claim(*claim_keys(body, event)):
        return
    try:
        for answer in answers:
            delivery.reply_in_thread(client, channel, thread_of(event), [answer.main, *answer.thread])
    except Exception as exc:  # noqa: BLE001
        log.error("auto annotation post failed: %s", delivery.slack_error(exc))


def answer_shortcut(deps: BotDeps, body: dict, client: WebClient, respond: Callable[..., Any],
                    bot_user_id: str | None) -> None:
    """The message shortcut, after its ack: annotate (or explain the codes of) the message it is
    used on, in that message's thread; help and errors (nothing to explain) go only to the user,
    through the ``response_url`` (ephemeral), as does the answer when the bot cannot post in the
    thread. Any failure: an apology through the ``response_url``."""
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or "")
    user = str((body.get("user") or {}).get("id") or "")
    team = str((body.get("team") or {}).get("id") or "")
    thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
    try:
        eff = deps.channel(team, channel)
        text = unslack(message_text(message), drop_user=bot_user_id)
        with files.turn(message.get("files")):  # bounded: files cost memory while read and annotated
            shared = files.read_files(message.get("files"), client)  # snippets, .eml / .log files
            answers = file_answers.addressed_answers(deps.engine, text, shared.texts, mask=eff.mask_addresses,
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

"""Events API listeners: ``app_mention``, ``message`` (channels, private channels, DMs), ``app_home_opened``.

Rules (https://api.slack.com/apis/events-api):

* replies go in the message's thread: ``thread_ts`` = the event's ``thread_ts``, else its ``ts``;
* never answer a bot (``bot_id`` set, subtype ``bot_message``; Bolt already drops the
  app's own events), nor edits (``message_changed``), deletions, joins or any other subtyped message;
* the text looked at is the message's ``text`` plus its attachments and blocks
  (:func:`bot.slack.text.message_text`), bounded, plus its text-like files (snippets,
  ``.eml`` / ``.log`` files: :mod:`bot.slack.files`);
* help and errors answering a mention go to the asker only (``chat.postEphemeral`` in the
  thread); in a DM they are normal replies;
* each message is answered at most once: the event is claimed under ``event:<event_id>``
  (Slack retries reuse the id) and the message under ``msg:<channel>:<ts>`` (a mention
  arrives both as ``app_mention`` and as ``message``; the ``message`` copy of a message
  that mentions the bot is left to ``app_mention``);
* events are acked by Bolt before the listener runs (``process_before_response=False``),
  so the work below never delays the ack.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_sdk.web import WebClient

from bot.slack import delivery, files
from bot.slack.answers import answer_for_text, auto_annotation
from bot.slack.blocks import apology_message, home_view
from bot.slack.deps import BotDeps
from bot.slack.text import mentions_user, message_text, unslack

log = logging.getLogger("bot.slack.events")

# message subtypes that are still a person's message (https://api.slack.com/events/message#subtypes)
ANSWERABLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
MESSAGE_EVENTS = ("message.channels", "message.groups", "message.im")  # manifest names of "message"

QUICK_REFERENCE = ["250", "421", "450", "451", "452", "550", "551", "552", "553", "554",
                   "4.2.2", "4.4.1", "4.7.0", "5.1.1", "5.1.2", "5.2.2", "5.4.1", "5.7.1", "5.7.26"]


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


def _keys(body: dict, event: dict) -> list[str]:
    keys = []
    if body.get("event_id"):
        keys.append(f"event:{body['event_id']}")
    if event.get("channel") and event.get("ts"):
        keys.append(f"msg:{event['channel']}:{event['ts']}")
    return keys


def _answer_addressed(deps: BotDeps, client: WebClient, body: dict, event: dict, bot_user_id: str | None) -> None:
    """A mention or a DM: explain / annotate / short help, in the thread."""
    channel = str(event.get("channel") or "")
    if not deps.claim(*_keys(body, event)):
        return
    eff = deps.channel(str(body.get("team_id") or ""), channel)
    text = unslack(message_text(event), drop_user=bot_user_id)
    try:
        with files.turn(event.get("files")):  # bounded: files cost memory while read and annotated
            shared = files.read_files(event.get("files"), client)  # snippets, .eml / .log files
            answers = files.addressed_answers(deps.engine, text, shared.texts, mask=eff.mask_addresses,
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


def _auto_annotate(deps: BotDeps, client: WebClient, body: dict, event: dict) -> None:
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
            answers = files.auto_answers(deps.engine, text, shared.texts, mask=eff.mask_addresses,
                                         judge=auto_annotation)
            del shared
    except Exception as exc:  # noqa: BLE001 - stay silent in channels nobody asked us in
        log.error("auto annotation failed: %s", type(exc).__name__)
        log.debug("traceback", exc_info=True)
        return
    if not answers or not deps.claim(*_keys(body, event)):
        return
    try:
        for answer in answers:
            delivery.reply_in_thread(client, channel, thread_of(event), [answer.main, *answer.thread])
    except Exception as exc:  # noqa: BLE001
        log.error("auto annotation post failed: %s", delivery.slack_error(exc))


def register(app: App, deps: BotDeps) -> None:
    """Register ``app_mention``, ``message`` and ``app_home_opened`` listeners."""

    @app.event("app_mention")
    def on_mention(body, event, client, context):  # noqa: ANN001
        if is_from_bot(event, context.bot_user_id) or event.get("subtype") not in ANSWERABLE_SUBTYPES:
            return
        _answer_addressed(deps, client, body, event, context.bot_user_id)

    @app.event("message")
    def on_message(body, event, client, context):  # noqa: ANN001
        if event.get("subtype") not in ANSWERABLE_SUBTYPES or event.get("hidden"):
            return  # edits, deletions, joins, topic changes ...
        if is_from_bot(event, context.bot_user_id):
            return
        raw = str(event.get("text") or "")
        if is_direct(event):
            _answer_addressed(deps, client, body, event, context.bot_user_id)
        elif mentions_user(raw, context.bot_user_id):
            return  # answered by on_mention
        else:
            _auto_annotate(deps, client, body, event)

    view_cache: dict[str, dict] = {}
    lock = threading.Lock()

    def build_home() -> dict:
        with lock:
            if "home" not in view_cache:
                items, providers = [], []
                try:
                    # codes with a knowledge-base entry only (no digit-derived text)
                    # explain() takes at most knowledge.explain.MAX_CODES codes per call
                    for start in range(0, len(QUICK_REFERENCE), 10):
                        batch = deps.engine.explain(QUICK_REFERENCE[start:start + 10]).items
                        items += [i for i in batch if not i.derived]
                except Exception as exc:  # noqa: BLE001
                    log.warning("quick reference unavailable: %s", type(exc).__name__)
                try:
                    from knowledge.providers import catalog

                    providers = [p.name for p in catalog()]
                except Exception:  # noqa: BLE001
                    providers = []
                view_cache["home"] = home_view(items, providers)
            return view_cache["home"]

    @app.event("app_home_opened")
    def on_home(event, client):  # noqa: ANN001
        if event.get("tab", "home") != "home":
            return
        try:
            client.views_publish(user_id=event["user"], view=build_home())
        except Exception as exc:  # noqa: BLE001
            delivery.log_failure("views.publish", exc)

    deps.registry.events.update({"app_mention", *MESSAGE_EVENTS, "app_home_opened"})

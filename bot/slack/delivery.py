"""Posting replies through the Web API, with Slack's failure modes handled.

* 429 / 5xx / connection errors are retried by the ``WebClient``'s retry handlers
  (see :func:`bot.slack.app.build_client`).
* ``not_in_channel`` / ``channel_not_found`` (the bot cannot post there): fall back
  to the ``response_url`` of a command or shortcut, else to ``chat.postEphemeral``.
* Every failure is logged with Slack's error code (``SlackApiError.response["error"]``)
  and the API method, never with a token or the message text.

Web API docs: https://api.slack.com/methods/chat.postMessage (errors section).
"""

from __future__ import annotations

import logging
from typing import Callable, Sequence

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import WebClient

from bot.slack.blocks import MAX_BLOCKS, Message, apology_message, split_blocks

log = logging.getLogger("bot.slack.delivery")

FALLBACK_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
                             "cannot_reply_to_message"})


def slack_error(exc: Exception) -> str:
    """Slack's error code of a failed call (``"not_in_channel"``), or the exception type."""
    if isinstance(exc, SlackApiError):
        try:
            return str(exc.response.get("error") or f"http_{exc.response.status_code}")
        except Exception:  # noqa: BLE001
            return "unknown_error"
    return type(exc).__name__


def log_failure(method: str, exc: Exception, channel: str | None = None) -> None:
    """One warning line: API method, Slack error code, channel id. Never text or tokens."""
    log.warning("slack %s failed: error=%s channel=%s", method, slack_error(exc), channel or "-")


def post(client: WebClient, channel: str, message: Message, thread_ts: str | None = None) -> str:
    """``chat.postMessage``; returns the posted message's ``ts``. Raises ``SlackApiError``."""
    resp = client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False,
                                   unfurl_media=False, **message.payload())
    return str(resp.get("ts") or "")


def post_ephemeral(client: WebClient, channel: str, user: str, message: Message,
                   thread_ts: str | None = None) -> bool:
    """``chat.postEphemeral`` of ``message`` to ``user`` (in the thread ``thread_ts`` when given).
    Failures are logged with Slack's error code; returns True when Slack accepted it.
    https://api.slack.com/methods/chat.postEphemeral"""
    if not user:
        return False
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **message.payload())
        return True
    except SlackApiError as exc:
        log_failure("chat.postEphemeral", exc, channel)
        return False


def merged(messages: Sequence[Message]) -> list[Message]:
    """Messages re-packed into as few valid messages as possible (for response_url replies)."""
    blocks = [b for m in messages for b in m.blocks]
    text = messages[0].text if messages else ""
    return [Message(chunk, text) for chunk in split_blocks(blocks, MAX_BLOCKS)]


def respond_all(respond: Callable[..., object], messages: Sequence[Message], response_type: str,
                limit: int = 5) -> None:
    """Send ``messages`` through a ``response_url`` (Slack accepts up to 5 uses in 30 minutes)."""
    for m in merged(messages)[:limit]:
        respond(response_type=response_type, replace_original=False, **m.payload())


def reply_in_thread(client: WebClient, channel: str, thread_ts: str, messages: Sequence[Message], *,
                    respond: Callable[..., object] | None = None, user: str | None = None) -> bool:
    """Post ``messages`` in the thread ``thread_ts`` of ``channel``.

    On ``not_in_channel``-like errors: ``respond`` (ephemeral) when given, else
    ``chat.postEphemeral`` to ``user`` when given. Returns True when something was delivered.
    Other API errors are logged and re-raised (the caller's error guard apologises).
    """
    try:
        for m in messages:
            post(client, channel, m, thread_ts=thread_ts)
        return True
    except SlackApiError as exc:
        log_failure("chat.postMessage", exc, channel)
        if slack_error(exc) not in FALLBACK_ERRORS:
            raise
    return fallback(client, channel, messages, respond=respond, user=user)


def fallback(client: WebClient, channel: str, messages: Sequence[Message], *,
             respond: Callable[..., object] | None, user: str | None,
             response_type: str = "ephemeral") -> bool:
    """Deliver through ``respond`` or ``chat.postEphemeral``; False when neither worked."""
    if respond is not None:
        try:
            respond_all(respond, messages, response_type)
            return True
        except (SlackClientError, OSError) as exc:
            log_failure("response_url", exc, channel)
    if user:
        try:
            for m in merged(messages)[:3]:
                client.chat_postEphemeral(channel=channel, user=user, **m.payload())
            return True
        except SlackApiError as exc:
            log_failure("chat.postEphemeral", exc, channel)
    return False


def apologise(respond: Callable[..., object], what: str, exc: Exception) -> None:
    """A listener for ``what`` ("/smtp", "the shortcut") failed with ``exc``: log the cause with
    Slack's error code (the traceback only at DEBUG) and tell the user, ephemerally through
    ``respond``, that something went wrong. Never raises."""
    log.error("%s failed: %s: %s", what, type(exc).__name__, slack_error(exc))
    log.debug("traceback", exc_info=True)
    try:
        respond_all(respond, [apology_message()], "ephemeral")
    except Exception:  # noqa: BLE001 - nothing more to try
        log.warning("could not send the apology for %s", what)

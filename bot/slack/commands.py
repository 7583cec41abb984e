"""What ``/smtp`` does: explain codes, annotate pasted text, help; plus registered sub-commands.

The listener is :mod:`bot.slack.listeners.commands.smtp`; this module is the work it calls.

Flow (https://api.slack.com/interactivity/slash-commands):

1. ``/smtp`` or ``/smtp help``: acked with the ephemeral usage (static, instant).
2. Anything else is acked empty at once, then handled after the ack, with Slack's
   formatting (backticks, code fences, ``&lt;`` escapes, links) removed first
   (:func:`bot.slack.text.unslack`, once):
   * first word in ``deps.subcommands`` (e.g. ``auto``, ``mask``; :data:`ALIASES` such as
     ``masking`` name the same one): that handler;
   * codes (``/smtp 252 502``, ``/smtp gmail 5.7.26``): the explanation, posted
     in the channel with ``chat.postMessage`` so several codes can carry their
     per-code detail in the thread under it; when the bot cannot post there
     (``not_in_channel``, ``channel_not_found``: private channels and DMs it is
     not in) the answer goes through the ``response_url`` as ``in_channel``;
   * pasted text: its annotation, posted the same way;
   * nothing recognisable: an ephemeral error with a pointer to help.

Adding a sub-command: in a listener module's ``register(app, deps)`` (see
:mod:`bot.slack.listeners.commands.settings`)::

    deps.subcommands["auto"] = SubCommand(handler, "/smtp auto on|off|status", "automatic annotation here")

``handler(req: CommandRequest)`` runs after the ack; use ``req.respond`` or ``req.client``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot.slack import delivery
from bot.slack.answers import answer_for_text
from bot.slack.blocks import error_message, help_message
from bot.slack.deps import BotDeps
from bot.slack.text import unslack

log = logging.getLogger("bot.slack.commands")

COMMAND = "/smtp"
HELP_WORDS = frozenset({"", "help", "-h", "--help", "?", "usage"})
ALIASES = {"masking": "mask", "masked": "mask", "annotate": "auto", "annotation": "auto"}  # other words, same sub-command


@dataclass
class CommandRequest:
    """What a sub-command handler gets: ``args`` is the text after the sub-command word."""

    name: str
    args: str
    body: dict
    client: WebClient
    respond: Callable[..., Any]
    deps: BotDeps
    logger: logging.Logger

    @property
    def team_id(self) -> str:
        return str(self.body.get("team_id") or "")

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id") or "")

    @property
    def user_id(self) -> str:
        return str(self.body.get("user_id") or "")


def help_for(deps: BotDeps):
    """The ``/smtp help`` message, with the registered sub-commands' usage lines."""
    return help_message([(s.usage, s.description) for s in deps.subcommands.values()])


def handle_smtp(deps: BotDeps, body: dict, client: WebClient, respond: Callable[..., Any]) -> None:
    """Everything after the ack of ``/smtp`` (see module docstring)."""
    # Slack formatting (`code`, ```fences```, &lt; escapes, <mailto:...|...> links) is not part of the query
    text = unslack(str(body.get("text") or ""))
    first, _, rest = text.partition(" ")
    name = ALIASES.get(first.lower(), first.lower())
    sub = deps.subcommands.get(name)
    if sub is not None:
        sub.handler(CommandRequest(name, rest.strip(), body, client, respond, deps, log))
        return
    channel = str(body.get("channel_id") or "")
    user = str(body.get("user_id") or "")
    eff = deps.channel(str(body.get("team_id") or ""), channel)
    answer = answer_for_text(deps.engine, text, mask=eff.mask_addresses, asked_by=user, query=text)
    if answer.kind in ("help", "error"):
        msg = answer.main if answer.kind == "error" else error_message(
            ["I found no SMTP code and no SMTP failure in that text.",
             "Try /smtp 550 5.7.26, /smtp 421 450, or paste a bounce after /smtp."])
        delivery.respond_all(respond, [msg], "ephemeral")
        return
    try:
        ts = delivery.post(client, channel, answer.main)
        for m in answer.thread:
            delivery.post(client, channel, m, thread_ts=ts)
    except SlackApiError as exc:
        delivery.log_failure("chat.postMessage", exc, channel)
        if delivery.slack_error(exc) not in delivery.FALLBACK_ERRORS:
            raise
        delivery.respond_all(respond, [answer.main, *answer.thread], "in_channel")

"""Per-channel settings changed from Slack: ``/smtp auto on|off|status`` and ``/smtp mask on|off|status``.

* ``auto``: automatic annotation of pasted bounces in this channel (default on).
* ``mask``: recipient addresses shown as ``j***@example.com`` in this channel's replies
  (default: ``MASK_ADDRESSES``, on unless configured otherwise).

``status`` (or no argument) answers ephemerally with the channel's effective values.
``on``/``off`` store the setting (``Store.set_channel_settings``; with ``SqlStore`` it
survives restarts and is shared by every replica) and the bot confirms in the channel
who changed what, so the change is visible to everyone there. With
``ADMIN_ONLY_SETTINGS=true`` only workspace admins and owners may change settings,
checked with ``users.info`` (``is_admin``/``is_owner``/``is_primary_owner``,
https://api.slack.com/methods/users.info, needs the ``users:read`` scope).

Registered as ``/smtp`` sub-commands by :mod:`bot.slack.listeners.commands.settings`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.slack import delivery
from bot.slack.blocks import Message, error_message
from bot.slack.deps import BotDeps
from bot.storage.base import ChannelSettings

log = logging.getLogger("bot.slack.settings")

ON_WORDS = frozenset({"on", "yes", "true", "enable", "enabled", "1"})
OFF_WORDS = frozenset({"off", "no", "false", "disable", "disabled", "0"})
STATUS_WORDS = frozenset({"", "status", "show", "?"})

# setting name -> (ChannelSettings field, what it means for people, sub-command word)
SETTINGS = {
    "auto": ("auto_annotate", "automatic annotation of pasted bounces"),
    "mask": ("mask_addresses", "masking of recipient addresses"),
}


def _word(flag: bool) -> str:
    return "on" if flag else "off"


def _msg(lines: list[str], context: str | None = None) -> Message:
    body = "\n".join(lines)
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=body))]
    if context:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=context)]))
    return Message(blocks, body.replace("*", "").replace("`", ""))


def status_message(deps: BotDeps, team_id: str, channel_id: str) -> Message:
    """Ephemeral ``status`` answer: effective value of each setting and whether it is the default."""
    eff = deps.channel(team_id, channel_id)
    try:
        stored = deps.store.get_channel_settings(team_id, channel_id)
    except Exception as exc:  # noqa: BLE001 - shown as defaults, logged
        log.warning("store: channel settings unavailable (%s)", type(exc).__name__)
        stored = ChannelSettings()
    lines = []
    for name, (field, meaning) in SETTINGS.items():
        value = getattr(eff, field)
        origin = "set in this channel" if getattr(stored, field) is not None else "default"
        lines.append(f"*{meaning.capitalize()}*: *{_word(value)}* ({origin}) — `/smtp {name} {_word(not value)}`")
    who = "workspace admins and owners" if deps.settings.admin_only_settings else "any member of this channel"
    return _msg(lines, f"Settings of <#{channel_id}>; {who} can change them.")


def is_workspace_admin(client: Any, user_id: str) -> bool:
    """True when ``users.info`` says ``user_id`` is an admin or owner of the workspace.

    Raises ``SlackApiError`` when the call fails (e.g. ``missing_scope``, ``user_not_found``).
    """
    user = client.users_info(user=user_id).get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def _save(store: Any, team_id: str, channel_id: str, settings: ChannelSettings, user_id: str) -> None:
    try:
        store.set_channel_settings(team_id, channel_id, settings, user_id=user_id)
    except TypeError:  # a Store without the optional ``user_id`` (e.g. MemoryStore)
        store.set_channel_settings(team_id, channel_id, settings)


def change_setting(req: Any, name: str) -> None:
    """Handle ``/smtp <name> <args>`` after the ack (``req``: ``CommandRequest``)."""
    field, meaning = SETTINGS[name]
    word = req.args.strip().lower()
    deps: BotDeps = req.deps
    team_id, channel_id, user_id = req.team_id, req.channel_id, req.user_id
    if word in STATUS_WORDS:
        delivery.respond_all(req.respond, [status_message(deps, team_id, channel_id)], "ephemeral")
        return
    if word not in ON_WORDS and word not in OFF_WORDS:
        delivery.respond_all(
            req.respond, [error_message([f"Usage: /smtp {name} on|off|status"])], "ephemeral"
        )
        return
    value = word in ON_WORDS
    if deps.settings.admin_only_settings:
        try:
            allowed = is_workspace_admin(req.client, user_id)
        except SlackApiError as exc:
            delivery.log_failure("users.info", exc, channel_id)
            delivery.respond_all(
                req.respond,
                [error_message(["I could not check whether you are a workspace admin, so nothing was changed."])],
                "ephemeral",
            )
            return
        if not allowed:
            delivery.respond_all(
                req.respond,
                [error_message(["Only workspace admins and owners can change this bot's channel settings here."])],
                "ephemeral",
            )
            return
    try:
        current = deps.store.get_channel_settings(team_id, channel_id)
        _save(deps.store, team_id, channel_id, replace(current, **{field: value}), user_id)
    except Exception as exc:  # noqa: BLE001 - the user is told, the log gets the kind
        log.error("store: could not save channel settings (%s)", type(exc).__name__)
        delivery.respond_all(
            req.respond, [error_message(["The setting could not be saved; nothing was changed. Please retry."])],
            "ephemeral",
        )
        return
    log.info("channel setting changed: %s=%s channel=%s user=%s", field, _word(value), channel_id, user_id)
    confirmation = _msg(
        [f"<@{user_id}> turned *{meaning}* *{_word(value)}* in this channel."],
        f"`/smtp {name} {_word(not value)}` changes it back; `/smtp {name} status` shows the settings.",
    )
    try:
        delivery.post(req.client, channel_id, confirmation)
    except SlackApiError as exc:
        delivery.log_failure("chat.postMessage", exc, channel_id)
        delivery.fallback(req.client, channel_id, [confirmation], respond=req.respond, user=user_id,
                          response_type="in_channel")

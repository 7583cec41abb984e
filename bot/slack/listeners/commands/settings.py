"""``/smtp auto on|off|status`` and ``/smtp mask on|off|status``: sub-commands of ``/smtp``
(handled after its ack by :func:`bot.slack.settings_commands.change_setting`)."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import BotDeps, SubCommand
from bot.slack.settings_commands import change_setting


def register(app: Any, deps: BotDeps) -> None:
    """Add the ``auto`` and ``mask`` sub-commands to ``/smtp`` (``deps.subcommands``)."""
    deps.subcommands["auto"] = SubCommand(
        lambda req: change_setting(req, "auto"),
        "/smtp auto on|off|status",
        "Automatic annotation of pasted bounces in this channel (default on).",
    )
    deps.subcommands["mask"] = SubCommand(
        lambda req: change_setting(req, "mask"),
        "/smtp mask on|off|status",
        "Mask recipient addresses (j***@example.com) in this channel's replies.",
    )

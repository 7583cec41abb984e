"""Slash-command listeners: ``/smtp`` and its sub-commands (``auto``, ``mask``)."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import BotDeps
from bot.slack.listeners.commands import settings, smtp


def register(app: Any, deps: BotDeps) -> None:
    """Register ``/smtp`` and add the per-channel settings sub-commands to it."""
    smtp.register(app, deps)
    settings.register(app, deps)

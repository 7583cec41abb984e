"""Shortcut listeners: the message shortcut "Explain SMTP codes"."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import BotDeps
from bot.slack.listeners.shortcuts import explain_smtp_codes


def register(app: Any, deps: BotDeps) -> None:
    """Register every shortcut listener."""
    explain_smtp_codes.register(app, deps)

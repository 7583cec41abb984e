"""What every listener module gets: settings, store, engine, registries (one per app instance).

:class:`BotDeps` is created by :func:`bot.slack.app.build_app` and handed to each
listener module's ``register(app, deps)``.  Plug-ins (per-channel settings,
OAuth, metrics) extend it through its registries instead of editing listeners:

* ``deps.subcommands[name] = SubCommand(...)``: ``/smtp <name> ...`` handlers,
  checked before code parsing (see :mod:`bot.slack.commands`);
* ``deps.http_routes[("GET", "/metrics")] = handler``: extra HTTP endpoints;
* ``deps.health_checks.append(fn)``: ``/healthz`` reports ``fn() -> (ok, detail)``;
* ``deps.registry``: which events, commands and shortcuts have listeners (the
  manifest test compares it with ``manifest.yml``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.config import Settings
from bot.storage.base import Store

log = logging.getLogger("bot.slack")


@dataclass
class SubCommand:
    """A ``/smtp <name> ...`` handler.

    ``handler(req)`` receives a :class:`bot.slack.commands.CommandRequest` after the
    command was acked; ``usage``/``description`` appear in ``/smtp help``.
    """

    handler: Callable[[Any], None]
    usage: str
    description: str


@dataclass
class ListenerRegistry:
    """Names that have a listener: event types, slash commands, shortcut callback ids."""

    events: set[str] = field(default_factory=set)
    commands: set[str] = field(default_factory=set)
    message_shortcuts: set[str] = field(default_factory=set)
    global_shortcuts: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Effective:
    """A channel's effective behaviour after applying stored settings over app defaults."""

    auto_annotate: bool
    mask_addresses: bool


@dataclass
class BotDeps:
    """Shared, per-app state for listeners (see module docstring)."""

    settings: Settings
    store: Store
    engine: Any
    registry: ListenerRegistry = field(default_factory=ListenerRegistry)
    subcommands: dict[str, SubCommand] = field(default_factory=dict)
    http_routes: dict[tuple[str, str], Callable[..., Any]] = field(default_factory=dict)
    health_checks: list[Callable[[], tuple[bool, str]]] = field(default_factory=list)
    ready: bool = False

    def channel(self, team_id: str | None, channel_id: str | None) -> Effective:
        """Effective settings of a channel; a failing store falls back to the defaults (logged).

        Direct messages (ids starting with ``D``) are never masked: only the asker sees them.
        """
        auto, mask = True, self.settings.mask_addresses
        if channel_id:
            try:
                stored = self.store.get_channel_settings(team_id or "", channel_id)
                if stored.auto_annotate is not None:
                    auto = stored.auto_annotate
                if stored.mask_addresses is not None:
                    mask = stored.mask_addresses
            except Exception as exc:  # noqa: BLE001
                log.warning("store: channel settings unavailable (%s); using defaults", type(exc).__name__)
            if channel_id.startswith("D"):
                mask = False
        return Effective(auto_annotate=auto, mask_addresses=mask)

    def claim(self, *keys: str) -> bool:
        """Claim every key (e.g. ``event:Ev1``, ``msg:C1:1700.1``); True only when all were new.

        All keys are attempted so a later duplicate under any of them is refused too.
        A failing store answers True (better one duplicate than a lost answer), logged.
        A store with ``claim_all`` claims all keys in one transaction instead, so two
        replicas racing on one event cannot each win one key and both give up.
        """
        claim_all = getattr(self.store, "claim_all", None)
        if claim_all is not None and keys:
            try:
                return bool(claim_all(*keys))
            except Exception as exc:  # noqa: BLE001
                log.warning("store: claim failed (%s); handling anyway", type(exc).__name__)
                return True
        first = True
        for key in keys:
            try:
                if not self.store.claim(key):
                    first = False
            except Exception as exc:  # noqa: BLE001
                log.warning("store: claim failed (%s); handling anyway", type(exc).__name__)
        return first

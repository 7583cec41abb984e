"""In-process storage: one process, nothing survives a restart. For tests and single runs."""

from __future__ import annotations

import threading
import time

from bot.storage.base import ChannelSettings


class MemoryStore:
    """Thread-safe in-memory ``Store``. Claims older than ``claim_ttl_s`` seconds are pruned."""

    def __init__(self, claim_ttl_s: float = 3600.0) -> None:
        self._lock = threading.Lock()
        self._claims: dict[str, float] = {}
        self._settings: dict[tuple[str, str], ChannelSettings] = {}
        self._ttl = claim_ttl_s

    def claim(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._claims) > 10_000:
                cutoff = now - self._ttl
                self._claims = {k: t for k, t in self._claims.items() if t >= cutoff}
            if key in self._claims:
                return False
            self._claims[key] = now
            return True

    def claim_all(self, *keys: str) -> bool:
        """Claim every key at once: True (all recorded) only if none was claimed before."""
        now = time.monotonic()
        with self._lock:
            if any(k in self._claims for k in keys):
                return False
            for k in keys:
                self._claims[k] = now
            return True

    def get_channel_settings(self, team_id: str, channel_id: str) -> ChannelSettings:
        with self._lock:
            return self._settings.get((team_id, channel_id), ChannelSettings())

    def set_channel_settings(self, team_id: str, channel_id: str, settings: ChannelSettings) -> None:
        with self._lock:
            self._settings[(team_id, channel_id)] = settings

    def delete_team(self, team_id: str) -> None:
        with self._lock:
            for key in [k for k in self._settings if k[0] == team_id]:
                del self._settings[key]

"""The storage interface the Slack app depends on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChannelSettings:
    """Per-channel behaviour. ``auto_annotate``: annotate pasted bounces without a
    mention; ``mask_addresses``: show ``j***@example.com`` instead of the address.
    ``None`` in a field means "use the app-wide default"."""

    auto_annotate: bool | None = None
    mask_addresses: bool | None = None


class Store(Protocol):
    """What the app needs from storage. Implementations must be safe to call from
    several threads, and ``claim`` must be atomic across every process sharing
    the store (that is what makes several replicas answer each event once)."""

    def claim(self, key: str) -> bool:
        """Claim ``key`` (e.g. ``"event:Ev123"`` or ``"msg:C1:1700000000.0001"``).
        Return True for the first caller only, False for every later one."""
        ...

    def claim_all(self, *keys: str) -> bool:
        """Claim several keys naming one event atomically: True (all recorded) only when
        none was claimed before. Needed when two deliveries race across replicas: one by
        one, each could win one key and both would give up."""
        ...

    def get_channel_settings(self, team_id: str, channel_id: str) -> ChannelSettings:
        """Settings stored for a channel; all-``None`` when nothing is stored."""
        ...

    def set_channel_settings(self, team_id: str, channel_id: str, settings: ChannelSettings) -> None:
        """Replace the stored settings of a channel (``None`` fields reset to default)."""
        ...

    def delete_team(self, team_id: str) -> None:
        """Forget everything stored for a workspace (app uninstalled, tokens revoked)."""
        ...

"""The App Home tab's content: built once per app from the knowledge base, then served from memory.

:class:`HomeTab` is what the ``app_home_opened`` listener publishes
(https://api.slack.com/surfaces/app-home): what the bot does, how to use it, and a
quick reference of common codes (:data:`QUICK_REFERENCE`, only codes with a
knowledge-base entry) and the providers it knows. The view is rendered by
:func:`bot.slack.blocks.home_view`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.slack.blocks import home_view

log = logging.getLogger("bot.slack.events")

QUICK_REFERENCE = ["250", "421", "450", "451", "452", "550", "551", "552", "553", "554",
                   "4.2.2", "4.4.1", "4.7.0", "5.1.1", "5.1.2", "5.2.2", "5.4.1", "5.7.1", "5.7.26"]


class HomeTab:
    """The App Home view of one app, built on first use (thread-safe) and cached.

    ``engine``: the knowledge facade (:class:`bot.slack.engine.KnowledgeEngine`). A knowledge
    base or provider catalogue that fails to load leaves its part out (logged), never the view.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._view: dict | None = None
        self._lock = threading.Lock()

    def view(self) -> dict:
        """The ``views.publish`` view (type ``home``)."""
        with self._lock:
            if self._view is None:
                self._view = home_view(self._quick_reference(), self._providers())
            return self._view

    def _quick_reference(self) -> list:
        items: list = []
        try:
            # codes with a knowledge-base entry only (no digit-derived text)
            # explain() takes at most knowledge.explain.MAX_CODES codes per call
            for start in range(0, len(QUICK_REFERENCE), 10):
                batch = self.engine.explain(QUICK_REFERENCE[start:start + 10]).items
                items += [i for i in batch if not i.derived]
        except Exception as exc:  # noqa: BLE001
            log.warning("quick reference unavailable: %s", type(exc).__name__)
        return items

    @staticmethod
    def _providers() -> list[str]:
        try:
            from knowledge.providers import catalog

            return [p.name for p in catalog()]
        except Exception:  # noqa: BLE001
            return []

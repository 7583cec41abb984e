"""The knowledge engine as the Slack app sees it (imported lazily, so the app starts fast).

:class:`KnowledgeEngine` forwards to:

* ``knowledge.explain.extract_queries(text) -> (codes, provider word | None)``
* ``knowledge.explain.explain(queries, provider=None) -> ExplainResult``
* ``knowledge.annotate.annotate_text(text, source=None) -> Annotation``
* ``knowledge.annotate.annotate_bytes(data, source=None) -> Annotation`` (a whole message file)
* ``knowledge.textscan.has_smtp_evidence(text) -> bool``
* ``knowledge.providers.resolve_provider(word) -> provider id | None``

Tests may pass another object with the same methods to ``build_app``.
"""

from __future__ import annotations

import importlib
from typing import Any


class KnowledgeEngine:
    """Thin, lazily importing facade over the ``knowledge`` package (see module docstring)."""

    def _fn(self, module: str, name: str) -> Any:
        return getattr(importlib.import_module(module), name)

    def extract_queries(self, text: str) -> tuple[list[str], str | None]:
        return self._fn("knowledge.explain", "extract_queries")(text)

    def explain(self, queries: list[str], provider: str | None = None):
        return self._fn("knowledge.explain", "explain")(queries, provider=provider)

    def annotate_text(self, text: str, source: str | None = None):
        return self._fn("knowledge.annotate", "annotate_text")(text, source=source)

    def annotate_bytes(self, data: bytes, source: str | None = None):
        return self._fn("knowledge.annotate", "annotate_bytes")(data, source=source)

    def has_smtp_evidence(self, text: str) -> bool:
        return bool(self._fn("knowledge.textscan", "has_smtp_evidence")(text))

    def resolve_provider(self, word: str) -> str | None:
        return self._fn("knowledge.providers", "resolve_provider")(word)

    def warm_up(self) -> None:
        """Load the knowledge base now (at startup) rather than on the first request."""
        for module in ("knowledge.explain", "knowledge.annotate", "knowledge.textscan"):
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        try:
            self.explain(["250"])
            self.has_smtp_evidence("550 5.1.1 user unknown")
            self.annotate_text("550 5.1.1 <user@example.com>: user unknown")
        except Exception:  # noqa: BLE001 - warm-up is best effort; requests report real errors
            pass

"""Stage 4, failure units: one candidate failure per server reply, and the builder that reads their
context (records, reply text, recipient / command / host / action)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.textscan.context import ContextMixin
from knowledge.textscan.records import RecordsMixin
from knowledge.textscan.replytext import ReplyTextMixin
from knowledge.textscan.tokens import Tok

__all__ = ["Unit", "Builder"]


@dataclass(slots=True)
class Unit:
    """A candidate failure: one server reply (``reply``/``enh`` codes, ``tok`` its strongest token,
    ``start``..``code_end`` the span of its codes, ``record`` the record index, ``evidence`` the context
    rule), and what :meth:`Builder.fill_context` found (``recipient``, ``command``, ``host``, ``text``,
    ``action``; ``text_end`` where the reply text ends)."""

    reply: str | None
    enh: str | None
    tok: Tok
    start: int
    code_end: int
    record: int
    evidence: str
    recipient: str | None = None
    command: str | None = None
    host: str | None = None
    text: str | None = None
    action: str | None = None
    text_end: int = 0


class Builder(RecordsMixin, ReplyTextMixin, ContextMixin):
    """Reads the failures of one classified :class:`~knowledge.textscan.doc.Doc`: record boundaries
    (:class:`~knowledge.textscan.records.RecordsMixin`), reply texts
    (:class:`~knowledge.textscan.replytext.ReplyTextMixin`) and failure context
    (:class:`~knowledge.textscan.context.ContextMixin`), with per-record caches."""

    __slots__ = ("doc", "text", "breaks", "_rec", "_rejected", "_log_rec", "_may_list")

    def __init__(self, doc):
        self.doc = doc
        self.text = doc.text
        self.breaks = self.find_breaks()
        self._rec: dict[int, dict] = {}
        self._rejected: dict[int, list[str]] = {}
        self._log_rec: dict[int, bool] = {}
        # once per text, not once per record (a whole-text test per record made many records quadratic)
        self._may_list = "rejected" in self.text or "envelope" in self.text

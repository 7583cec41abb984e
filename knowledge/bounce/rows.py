"""The row shape every bounce reader returns, and small value helpers.

A row is a plain dict with the keys :data:`ROW_KEYS` (values str, bool or
None), one per failed recipient; :class:`knowledge.bounce.Report` holds them.
"""

from __future__ import annotations

import re

__all__ = ["ROW_KEYS", "row", "addr_only", "status_ok"]

ROW_KEYS = ("recipient", "reply_code", "enhanced_status", "inferred_status", "reason", "hard_bounce",
            "action", "command", "remote_mta", "reply_text")

_ADDR_ONLY = re.compile(r"[^\s<>\"'(),;:]{1,64}@[^\s<>\"'(),;:]{1,255}")
_STATUS = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")


def row(**fields) -> dict:
    """A row dict with every key of :data:`ROW_KEYS` (None unless given in ``fields``)."""
    out = dict.fromkeys(ROW_KEYS)
    out.update(fields)
    return out


def addr_only(value: str | None) -> str:
    """The first address-like token of a header or field value, lower-cased ('' when none)."""
    m = _ADDR_ONLY.search(value or "")
    return m.group(0).lower().rstrip(".") if m else ""


def status_ok(value: str | None) -> str | None:
    """The RFC 3463 enhanced status code a DSN ``Status:`` value starts with, or None."""
    m = _STATUS.match(value or "")
    return m.group(1) if m else None

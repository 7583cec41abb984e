"""The row shape every bounce reader returns, and small value helpers.

A row is a plain dict with the keys :data:`ROW_KEYS` (values str, bool or
None), one per failed recipient; :class:`knowledge.bounce.Report` holds them.
"""

from __future__ import annotations

import re

from knowledge.smtp.addresses import DOMAIN_MAX, LOCAL_MAX
from knowledge.smtp.codes import ENHANCED_CODE, NOT_MORE_DIGITS_AFTER

__all__ = ["ROW_KEYS", "row", "addr_only", "status_ok", "ANGLE_ADDRESS"]

ROW_KEYS = ("recipient", "reply_code", "enhanced_status", "inferred_status", "reason", "hard_bounce",
            "action", "command", "remote_mta", "reply_text")

# An address in a header or DSN field value: anything but white space and the delimiters around it.
_ADDR_ONLY = re.compile(rf"[^\s<>\"'(),;:]{{1,{LOCAL_MAX}}}@[^\s<>\"'(),;:]{{1,{DOMAIN_MAX}}}")
ANGLE_ADDRESS = rf"<([^<>\s@]{{1,{LOCAL_MAX}}}@[^<>\s]{{1,{DOMAIN_MAX}}})>"
"""Pattern piece: an address in angle brackets as notices write it (``<a@b.example>``), address in group 1."""
_STATUS = re.compile(r"\s*(" + ENHANCED_CODE + ")" + NOT_MORE_DIGITS_AFTER)


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

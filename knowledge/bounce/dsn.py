"""RFC 3464 ``message/delivery-status`` fields, per recipient.

A delivery-status body is one block of per-message fields (Reporting-MTA,
Arrival-Date ...) followed by one block per recipient (RFC 3464 section
2.3: Final-Recipient, Original-Recipient, Action, Status, Remote-MTA,
Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until, and the common
X-Supplementary-Info / X-Postfix-Sender extensions, and the fields of the
formats in :data:`knowledge.bounce.formats.registry.DSN_FIELDS`, such as
PowerMTA's X-PowerMTA-BounceCategory).  Blocks are separated
by blank lines; long values are folded onto indented continuation lines.

Some MTAs put several recipients in one block, leave out the blank lines, or
put the per-recipient fields first; this parser starts a new recipient
whenever a Final-Recipient (or, lacking one, Original-Recipient) field
repeats, so all of those shapes give one row per recipient.
"""

from __future__ import annotations

import re

from knowledge.bounce.formats.registry import DSN_FIELDS

__all__ = ["parse_dsn", "strip_addr_type"]

_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,40})\s*:\s?(.*)$")
_RCPT_KEYS = ("final-recipient", "original-recipient", "x-actual-recipient")
_KEEP = frozenset({
    "final-recipient", "original-recipient", "x-actual-recipient", "action", "status", "remote-mta",
    "diagnostic-code", "x-supplementary-info", "reporting-mta", "received-from-mta",
    "last-attempt-date", "will-retry-until", "x-display-name",
}) | frozenset(fmt.FIELD for fmt in DSN_FIELDS)


def strip_addr_type(value: str) -> str:
    """Return the address of an RFC 3464 ``type; address`` value.

    ``"rfc822; <a@b.example>"`` -> ``"a@b.example"``; a value without a type
    is returned stripped of angle brackets.
    """
    v = value.strip()
    if ";" in v:
        typ, _, rest = v.partition(";")
        if len(typ) < 20 and " " not in typ.strip():
            v = rest.strip()
    v = v.strip().strip("<>").strip().strip('"').strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    return v


def parse_dsn(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Parse a delivery-status body.

    Input: the text of the part (any line endings).  Output:
    ``(per_message, recipients)`` where ``per_message`` maps lower-case field
    names to unfolded values and ``recipients`` is a list of such dicts, one
    per recipient, in the order they appear.  Unknown fields are dropped.
    """
    per_message, rcpts = _group(_fields(text))
    rcpts = [r for r in rcpts if any(k in r for k in _RCPT_KEYS) or "status" in r or "diagnostic-code" in r]
    return per_message, rcpts


def _fields(text: str) -> list[tuple[str, str] | None]:
    """The (lower-case name, unfolded value) fields of the first 5,000 lines, None at each blank line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields: list[tuple[str, str] | None] = []  # None marks a block boundary
    for line in lines[:5000]:
        if not line.strip():
            fields.append(None)
            continue
        if line[0] in " \t" and fields and fields[-1] is not None:
            k, v = fields[-1]
            fields[-1] = (k, (v + " " + line.strip()).strip())
            continue
        m = _FIELD.match(line)
        if m:
            fields.append((m.group(1).lower(), m.group(2).strip()))
        elif fields and fields[-1] is not None:
            # Unfolded continuation (some MTAs forget the indentation).
            k, v = fields[-1]
            if k == "diagnostic-code":
                fields[-1] = (k, (v + " " + line.strip()).strip())
    return fields


def _group(fields: list[tuple[str, str] | None]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Per-message fields and one dict per recipient block (a repeated recipient field starts a new one)."""
    per_message: dict[str, str] = {}
    rcpts: list[dict[str, str]] = []
    cur: dict[str, str] | None = None
    for item in fields:
        if item is None:
            if cur:
                rcpts.append(cur)
            cur = None
            continue
        key, value = item
        if key not in _KEEP:
            continue
        if key in _RCPT_KEYS:
            if cur is not None and key in cur:
                rcpts.append(cur)
                cur = None
            if cur is None:
                cur = {}
            cur.setdefault(key, value)
            continue
        if cur is None:
            if key in ("action", "status", "diagnostic-code", "remote-mta") and rcpts and key not in rcpts[-1]:
                rcpts[-1][key] = value
                continue
            if key in ("action", "status", "diagnostic-code", "remote-mta"):
                cur = {key: value}
                continue
            per_message.setdefault(key, value)
            continue
        if key in cur and key in ("action", "status"):
            continue
        if key in cur and key == "diagnostic-code":
            cur[key] = cur[key] + " " + value
            continue
        cur.setdefault(key, value)
    if cur:
        rcpts.append(cur)
    return per_message, rcpts

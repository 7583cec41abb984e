"""Checking that an HTTP request really comes from Slack, before anything reads its body.

Slack signs every request it sends to the Request URL
(https://api.slack.com/authentication/verifying-requests-from-slack):
``X-Slack-Signature: v0=hex(HMAC-SHA256(signing_secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body))``,
and a request whose timestamp is more than five minutes away from the local clock
must be refused (replay protection).

:func:`check_signature` is the one gate: the HTTP server calls it on the raw bytes
before handing a request to Bolt, and the global error handler calls it again
(:func:`is_verified`) before it would ever use a ``response_url`` from a body.
It never raises, whatever the headers hold (missing, non-numeric, huge, non-ASCII).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

MAX_CLOCK_SKEW_S = 5 * 60
"""Largest accepted distance between ``X-Slack-Request-Timestamp`` and now, seconds (Slack's rule)."""

_MAX_TIMESTAMP_DIGITS = 12
_MAX_SIGNATURE_CHARS = 128


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    """A header's first value from ``{name: str}`` or ``{name: [str, ...]}`` (names any case)."""
    value = headers.get(name)
    if value is None:
        for key, val in headers.items():
            if isinstance(key, str) and key.lower() == name:
                value = val
                break
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else None


def check_signature(secret: str | None, raw_body: bytes, timestamp: str | None, signature: str | None,
                    *, now: float | None = None) -> str | None:
    """``None`` when the request is authentic, else a short reason (for logs, no request data).

    ``secret``: the signing secret (empty/``None`` refuses everything); ``raw_body``: the body
    bytes exactly as received; ``timestamp`` / ``signature``: the ``X-Slack-Request-Timestamp``
    and ``X-Slack-Signature`` header values. Reasons: ``"no signing secret"``,
    ``"missing timestamp"``, ``"malformed timestamp"`` (not 1-12 ASCII digits),
    ``"stale timestamp"`` (more than :data:`MAX_CLOCK_SKEW_S` away), ``"missing signature"``,
    ``"bad signature"``. Constant-time comparison (``hmac.compare_digest``).
    """
    if not secret:
        return "no signing secret"
    if not timestamp:
        return "missing timestamp"
    timestamp = timestamp.strip()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS):
        return "malformed timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_S:
        return "stale timestamp"
    if not signature:
        return "missing signature"
    signature = signature.strip()
    if len(signature) > _MAX_SIGNATURE_CHARS or not signature.isascii():
        return "bad signature"
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(f"v0={digest}".encode(), signature.encode()):
        return "bad signature"
    return None


def check_request(secret: str | None, raw_body: bytes, headers: Mapping[str, Any]) -> str | None:
    """:func:`check_signature` with the two headers taken from ``headers`` (any name case,
    values as strings or lists of strings, as in ``BoltRequest.headers``)."""
    return check_signature(secret, raw_body, _header(headers, "x-slack-request-timestamp"),
                           _header(headers, "x-slack-signature"))


def is_verified(request: Any, secret: str | None) -> bool:
    """True when a ``slack_bolt.request.BoltRequest`` is known to come from Slack: it arrived
    over Socket Mode (Slack's own WebSocket), or its signature checks out.
    Never raises (anything unexpected counts as unverified)."""
    try:
        if request is None:
            return False
        if getattr(request, "mode", None) == "socket_mode":
            return True
        raw = getattr(request, "raw_body", None)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if not isinstance(raw, bytes):
            return False
        return check_request(secret, raw, getattr(request, "headers", None) or {}) is None
    except Exception:  # noqa: BLE001 - unverifiable means unverified
        return False

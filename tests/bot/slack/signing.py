"""Requests signed exactly as Slack signs them.

Signature (https://api.slack.com/authentication/verifying-requests-from-slack):
``X-Slack-Signature: v0=hex(HMAC-SHA256(signing_secret, "v0:{X-Slack-Request-Timestamp}:{raw body}"))``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # test-only value


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def post(url: str, body: str, content_type: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
         headers: dict | None = None, signed: bool = True, timeout: float = 10) -> tuple[int, str]:
    """POST ``body`` to ``url``; returns (status, response body)."""
    h = {"Content-Type": content_type, **(sign(body, secret, timestamp) if signed else {}), **(headers or {})}
    req = urllib.request.Request(url, data=body.encode(), headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def post_event(url: str, payload: dict, **kw) -> tuple[int, str]:
    """An Events API request (JSON body)."""
    return post(url, json.dumps(payload), "application/json", **kw)


def post_command(url: str, form: dict, **kw) -> tuple[int, str]:
    """A slash command (form-encoded body)."""
    return post(url, urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw)


def post_interaction(url: str, payload: dict, **kw) -> tuple[int, str]:
    """An interactivity request (form field ``payload`` holding JSON)."""
    return post(url, urllib.parse.urlencode({"payload": json.dumps(payload)}),
                "application/x-www-form-urlencoded", **kw)

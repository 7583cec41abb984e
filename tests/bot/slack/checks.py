"""Assertions on what the app posted: Slack's Block Kit limits and message text."""

from __future__ import annotations

import json
import time

from slack_sdk.models.blocks import Block


def blocks_of(params: dict) -> list[dict]:
    b = params.get("blocks") or []
    return json.loads(b) if isinstance(b, str) else b


def block_texts(params: dict) -> list[str]:
    """Every text string in the message's blocks, in order."""
    out: list[str] = []
    for b in blocks_of(params):
        if b.get("text"):
            out.append(b["text"]["text"])
        out += [f["text"] for f in b.get("fields") or []]
        out += [e.get("text", "") for e in b.get("elements") or []]
    return out


def all_text(params: dict) -> str:
    return "\n".join(block_texts(params)) + "\n" + str(params.get("text") or "")


def assert_valid_message(params: dict) -> None:
    """Blocks parse and validate with slack_sdk, within 50 blocks / 3,000 / 2,000 / 12,000 chars,
    and a non-empty plain-text fallback is present."""
    blocks = blocks_of(params)
    assert 1 <= len(blocks) <= 50
    total = 0
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        if raw["type"] == "section":
            if raw.get("text"):
                assert len(raw["text"]["text"]) <= 3000
            for f in raw.get("fields") or []:
                assert len(f["text"]) <= 2000
            assert len(raw.get("fields") or []) <= 10
        if raw["type"] == "header":
            assert len(raw["text"]["text"]) <= 150
    total = sum(len(t) for t in block_texts(params))
    assert total <= 12000
    assert str(params.get("text") or "").strip()


# -- shared by the end-to-end tests ------------------------------------------------------

BOUNCE = ("<john.doe@example.com>: host mx.example.net[192.0.2.10] said: 550 5.1.1 "
          "<john.doe@example.com>: Recipient address rejected: User unknown in virtual mailbox table "
          "(in reply to RCPT TO command)")
# The same bounce as Slack delivers it: HTML escapes and mailto links.
BOUNCE_SLACK = BOUNCE.replace("<", "&lt;").replace(">", "&gt;").replace(
    "john.doe@example.com", "<mailto:john.doe@example.com|john.doe@example.com>")

NEGATIVE_WAIT_S = 0.4


def settle() -> None:
    """Wait long enough for a reply that should not come."""
    time.sleep(NEGATIVE_WAIT_S)


def esc(text: str) -> str:
    """``text`` escaped as Slack's mrkdwn shows it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wait_response(slack, name: str, count: int = 1):
    """The ``response_url`` calls for ``name`` once there are ``count`` of them (5 s at most)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [c for c in slack.fake.find("response_url") if c.path == f"/response/{name}"]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no response_url call for {name}")

"""Assertions on what the app posted: Slack's Block Kit limits and message text."""

from __future__ import annotations

import json

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

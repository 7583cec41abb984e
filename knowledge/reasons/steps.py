"""The next step for a finding: which step applies (its id, a named kind) and its text.

Texts are data: a reason's ``next_step`` and ``deferral_hint`` (knowledge/data/reasons/<reason>.toml)
and the special steps of knowledge/data/reasons/steps.toml (greylisting, greylisting-failed,
deferred, relayed, and the steps of single enhanced status codes).  A step id is ``"reason"`` (the
reason's own step), ``"code"`` (an enhanced status code's step) or a steps.toml id; the steps
marked ``nothing_to_resend`` are :func:`nothing_to_resend_steps`.  Holds no phrase.
"""

from __future__ import annotations

import functools

from knowledge.reasons._smtp import PERMANENT_CODE
from knowledge.reasons.runtime import data, tables
from knowledge.vocabulary import NOT_FAILURE_REASONS


def step_id(reason: str | None, action: str | None = None, text: str | None = None,
            enhanced: str | None = None) -> str | None:
    """Which next step applies to a finding (same inputs as :func:`next_step`), or None for no reason.

    A temporary refusal that says it is greylisting (RFC 6647 §2) gets "greylisting" whatever the
    reason ("greylisting-failed" when the message was returned all the same); an enhanced status
    code with its own step gets "code"; reason "delivered" with Action relayed (RFC 3464 §2.3.3)
    "relayed"; a delayed failure (Action: delayed, still retried by the sending MTA, RFC 5321
    §4.5.4.1) "deferred"; otherwise "reason".
    """
    if not reason:
        return None
    act = (action or "").strip().lower()
    failure = reason not in NOT_FAILURE_REASONS
    if text and failure and tables().sets["greylisting"].search(text[:2000].lower()) \
            and not PERMANENT_CODE.search(text[:200]):
        return "greylisting-failed" if act == "failed" else "greylisting"
    if enhanced and enhanced.count(".") == 2 and failure and enhanced.split(".", 1)[1] in data()["code_steps"]:
        return "code"
    if act == "relayed" and reason == "delivered":
        return "relayed"
    if act == "delayed" and failure:
        return "deferred"
    return "reason"


def next_step(reason: str | None, action: str | None = None, text: str | None = None,
              enhanced: str | None = None) -> str | None:
    """Return one concrete next step for a finding, or None for no reason.

    ``reason``: a Sisimai reason; ``action``: the RFC 3464 Action value ("failed", "delayed",
    ...) or None; ``text``: the reply text, when known; ``enhanced``: its enhanced status code.
    Which step applies is :func:`step_id`; a deferred step ends with the reason's deferral hint.
    """
    sid = step_id(reason, action, text, enhanced)
    if sid is None:
        return None
    d = data()
    if sid == "reason":
        entry = d["reasons"].get(reason)
        return entry["next_step"] if entry else None
    if sid == "code":
        return d["code_steps"][enhanced.split(".", 1)[1]]  # type: ignore[union-attr]
    step = d["steps"][sid]["text"]
    if sid == "deferred":
        hint = (d["reasons"].get(reason) or {}).get("deferral_hint") or ""
        step = f"{step} {hint}".strip()
    return step


@functools.cache
def nothing_to_resend_steps() -> frozenset[str]:
    """The step ids marked ``nothing_to_resend = true`` in steps.toml (e.g. "deferred", "greylisting")."""
    return frozenset(sid for sid, s in data()["steps"].items() if s["nothing_to_resend"])


@functools.cache
def _nothing_to_resend_texts() -> frozenset[str]:
    d = data()
    out = set()
    for sid in nothing_to_resend_steps():
        text = d["steps"][sid]["text"]
        out.add(text)
        if sid == "deferred":
            out.update(f"{text} {e['deferral_hint']}".strip() for e in d["reasons"].values() if e["deferral_hint"])
    return frozenset(out)


def says_nothing_to_resend(step: str | None) -> bool:
    """True when ``step`` is the text of a step marked ``nothing_to_resend`` (as :func:`next_step`
    returned it): the message needs no resending yet."""
    return bool(step) and step in _nothing_to_resend_texts()

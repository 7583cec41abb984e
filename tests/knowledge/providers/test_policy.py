"""knowledge.providers.policy: when a matched provider rule's reason replaces the generic one."""

from __future__ import annotations

import pytest

from knowledge.providers import rule_reason_applies
from knowledge.vocabulary import (
    MAIL_FROM_NOT_TAKEN,
    MESSAGE_FATE_ACTIONS,
    MESSAGE_FATE_REASONS,
    NOT_FAILURE_REASONS,
    REASONS,
    RECIPIENT_REASONS,
)


def test_sets_are_sisimai_reasons() -> None:
    assert RECIPIENT_REASONS <= MAIL_FROM_NOT_TAKEN <= set(REASONS)
    assert MAIL_FROM_NOT_TAKEN - RECIPIENT_REASONS == {"badreputation"}
    assert NOT_FAILURE_REASONS < MESSAGE_FATE_REASONS <= set(REASONS)


@pytest.mark.parametrize("rule_reason", sorted(MAIL_FROM_NOT_TAKEN))
@pytest.mark.parametrize("command", ["MAIL FROM", "mail", " MAIL_FROM"])
def test_mail_from_keeps_the_generic_verdict(rule_reason: str, command: str) -> None:
    assert rule_reason_applies(rule_reason, "rejected", "failed", command) is False
    assert rule_reason_applies(rule_reason, "rejected", "failed", "RCPT TO") is True


@pytest.mark.parametrize("rule_reason", ["blocked", "speeding", "authfailure", "policyviolation"])
def test_other_reasons_apply_at_mail_from(rule_reason: str) -> None:
    assert rule_reason_applies(rule_reason, "rejected", "failed", "MAIL FROM") is True


@pytest.mark.parametrize("reason", sorted(MESSAGE_FATE_REASONS))
def test_message_fate_reason_is_never_overridden(reason: str) -> None:
    assert rule_reason_applies("blocked", reason, "failed", "RCPT TO") is False


@pytest.mark.parametrize("action", sorted(MESSAGE_FATE_ACTIONS) + [" Delayed "])
def test_message_fate_action_is_never_overridden(action: str) -> None:
    assert rule_reason_applies("blocked", "onhold", action, None) is False


def test_undecided_and_missing_are_replaced() -> None:
    assert rule_reason_applies("blocked", "onhold", None, None) is True
    assert rule_reason_applies("blocked", "undefined", "failed", "DATA") is True
    assert rule_reason_applies("blocked", None, None, None) is True
    assert rule_reason_applies(None, "onhold", None, None) is False
    assert rule_reason_applies("", "onhold", None, None) is False

"""knowledge.reasons.steps: the kind of a next step is a named id, not a sentence's wording."""

from __future__ import annotations

from knowledge.reasons import (GREYLISTING_FAILED_STEP, GREYLISTING_STEP, NEXT_STEPS, next_step,
                               nothing_to_resend_steps, says_nothing_to_resend, step_id)


def test_step_ids():
    assert step_id("expired", "delayed") == "deferred"
    assert step_id("expired", "failed") == "reason"
    assert step_id("blocked", "delayed", "451 4.7.1 Greylisted, try again later") == "greylisting"
    assert step_id("blocked", "failed", "451 4.7.1 Greylisted, try again later") == "greylisting-failed"
    assert step_id("contenterror", "failed", "", "5.6.7") == "code"
    assert step_id("delivered", "relayed") == "relayed"
    assert step_id(None, "delayed") is None


def test_nothing_to_resend_is_a_data_flag():
    assert nothing_to_resend_steps() == frozenset({"deferred", "greylisting"})
    assert says_nothing_to_resend(next_step("expired", "delayed"))
    assert says_nothing_to_resend(next_step("systemfull", "delayed"))  # a reason without a deferral hint
    assert says_nothing_to_resend(GREYLISTING_STEP)
    assert not says_nothing_to_resend(GREYLISTING_FAILED_STEP)
    assert not says_nothing_to_resend(NEXT_STEPS["expired"])
    assert not says_nothing_to_resend(None) and not says_nothing_to_resend("")


def test_a_provider_remedy_on_a_delayed_finding_gets_the_deferred_step_first():
    from knowledge.annotate import _delayed

    f = _delayed({"action": "delayed", "reason": "speeding", "next_step": "Lower the sending rate."})
    assert f["next_step"] == next_step("speeding", "delayed") + " Lower the sending rate."
    kept = next_step("speeding", "delayed")
    assert _delayed({"action": "delayed", "reason": "speeding", "next_step": kept})["next_step"] == kept


def test_code_shapes_are_knowledge_smtp_pieces():
    from knowledge.reasons import _smtp
    from knowledge.smtp import codes

    assert _smtp._ENHANCED_CODE == codes.ENHANCED_CODE
    assert _smtp._NOT_IN_WORD_BEFORE == codes.NOT_IN_WORD_BEFORE
    assert _smtp._NOT_MORE_DIGITS_AFTER == codes.NOT_MORE_DIGITS_AFTER

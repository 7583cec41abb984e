"""A message still queued (RFC 3464 Action: delayed) gets the "nothing to resend yet" step; a provider remedy
is kept beside it unless the rule marks it as meant for returned mail (``returned_only`` in the data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.annotate import _delayed
from knowledge.providers import ProviderDataError, returned_only, validate_provider_data
from knowledge.reasons import next_step

PROVIDERS = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "providers"


def test_rules_that_speak_of_resending_are_marked_in_the_data():
    assert returned_only("gmail.spf-hardfail") is True  # "... and resend"
    assert returned_only("gmail.spf-not-pass") is False
    assert returned_only("no.such-rule") is False and returned_only(None) is False


def test_a_remedy_for_returned_mail_is_dropped_for_a_queued_message():
    base = next_step("authfailure", "delayed")
    out = _delayed({"action": "delayed", "reason": "authfailure", "provider_rule": "gmail.spf-hardfail",
                    "next_step": "Add the sending server to the SPF record, and resend.", "inferred_status": "5.7.23"})
    assert out["next_step"] == base
    assert out["inferred_status"] == "4.7.23"


def test_any_other_remedy_follows_the_queued_step():
    base = next_step("authfailure", "delayed")
    out = _delayed({"action": "delayed", "reason": "authfailure", "provider_rule": "gmail.spf-not-pass",
                    "next_step": "Make SPF pass for the Return-Path domain."})
    assert out["next_step"] == f"{base} Make SPF pass for the Return-Path domain."


def test_returned_only_must_be_a_boolean(tmp_path):
    shutil.copy(PROVIDERS / "cox.toml", tmp_path / "cox.toml")
    text = (tmp_path / "cox.toml").read_text(encoding="utf-8")
    (tmp_path / "cox.toml").write_text(text.replace("returned_only = true", 'returned_only = "yes"', 1),
                                       encoding="utf-8")
    with pytest.raises(ProviderDataError, match=r"returned_only must be true or false \(or omitted\)"):
        validate_provider_data(tmp_path)

"""Temporary/permanent and hard/soft wording (knowledge.severity)."""

import pytest

from knowledge.severity import describe, failure_class


@pytest.mark.parametrize(
    ("reply", "enh", "action", "expected"),
    [
        ("550", "5.1.1", None, "permanent"),
        ("421", "4.7.0", None, "temporary"),
        (None, "4.4.1", None, "temporary"),
        (None, "5.4.4", "failed", "permanent"),
        ("550", None, "delayed", "temporary"),  # Action: delayed means the MTA still retries
        ("452", "4.2.2", "failed", "permanent"),  # the MTA gave up on a transient code
        (None, None, None, None),
        ("250", "2.0.0", None, None),
    ],
)
def test_failure_class(reply, enh, action, expected):
    assert failure_class(reply, enh, action) == expected


def test_describe_permanent_soft_bounce_says_the_address_is_fine():
    assert describe("550", "5.7.26", "failed", False) == (
        "permanent failure · soft bounce (the address is fine: fix the cause, then resend)")


def test_describe_hard_bounce_and_deferral():
    assert describe("550", "5.1.1", None, True) == "permanent failure · hard bounce (the address is bad: remove it)"
    assert describe(None, "4.4.1", "delayed", False) == "temporary failure (still being retried) · soft bounce"
    assert describe(None, None, None, None) == ""

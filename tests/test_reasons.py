"""knowledge.reasons.classify: Sisimai reason vocabulary and hard / soft."""

from __future__ import annotations

import pytest

from knowledge.reasons import NEXT_STEPS, REASONS, classify, is_hard, text_reason
from knowledge.results import Reason


@pytest.mark.parametrize(
    ("reply", "enhanced", "text", "command", "expected"),
    [
        # The enhanced status code alone decides when the text says nothing.
        ("550", "5.1.1", "", None, ("userunknown", True)),
        ("550", "5.1.2", "", None, ("hostunknown", True)),
        ("552", "5.2.2", "", None, ("mailboxfull", False)),
        ("550", "5.1.6", "", None, ("hasmoved", True)),
        ("550", "5.7.26", "", None, ("authfailure", False)),
        # Phrasing families.
        ("550", "5.7.1", "Unauthenticated email from example.net is not accepted due to domain's DMARC policy",
         None, ("authfailure", False)),
        ("550", None, "sorry, no mailbox here by that name", None, ("userunknown", True)),
        ("554", "5.7.1", "Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
         None, ("blocked", False)),
        ("550", "5.7.1", "Message rejected as spam by content filter", "DATA", ("spamdetected", False)),
        ("452", "4.2.2", "Mailbox full", "RCPT", ("mailboxfull", False)),
        ("550", "5.7.1", "Relaying denied", "RCPT", ("norelaying", False)),
        ("554", "5.4.6", "Hop count exceeded - possible mail loop", None, ("networkerror", False)),
        (None, "4.4.7", "retry timeout exceeded", None, ("expired", False)),
        (None, None, "Host or domain name not found. Name service error for name=example.invalid type=A",
         None, ("hostunknown", True)),
        (None, None, "Name service error for domain example.com: Host not found, try again",
         None, ("networkerror", False)),
        ("550", "5.7.25", "The IP address sending this message does not have a PTR record", None,
         ("requireptr", False)),
        ("552", "5.3.4", "Message size exceeds fixed maximum message size", None, ("mesgtoobig", False)),
        ("550", "5.2.1", "The email account that you tried to reach is disabled.", None, ("suspend", False)),
        ("421", "4.7.0", "Too many concurrent SMTP connections from this IP address", None, ("toomanyconn", False)),
        ("550", "5.7.1", "Messages with multiple addresses in From: header are not accepted", "DATA",
         ("notcompliantrfc", False)),
        # Command rules: an unknown user refused only at end of DATA is a
        # filter decision; a refused MAIL FROM is the sender's problem.
        ("550", "5.0.0", "Unknown user someone@example.com", "DATA", ("filtered", False)),
        ("550", "5.1.1", "User unknown", "DATA", ("userunknown", True)),
        ("501", "5.1.8", "Sender address rejected", "MAIL", ("rejected", False)),
        ("550", None, "Rejected", "EHLO", ("blocked", False)),
        # Codes only, no text.
        ("554", None, "", "DATA", ("filtered", False)),
        ("451", None, "", None, ("systemerror", False)),
    ],
)
def test_classify(reply, enhanced, text, command, expected):
    assert classify(reply, enhanced, text, command) == expected


def test_success_and_nothing():
    assert classify("250", "2.0.0", "Ok: queued", action="delivered") == ("delivered", False)
    assert classify(None, "2.1.5", "") == ("delivered", False)
    assert classify(None, None, "") == (None, None)
    assert classify(None, None, "hello there") == (None, None)


def test_failed_action_without_anything_is_undefined():
    assert classify(None, None, "", action="failed") == ("undefined", False)


def test_hard_rule():
    assert is_hard("userunknown") is True
    assert is_hard("hostunknown") is True
    assert is_hard("hasmoved") is True
    assert is_hard("notaccept", "550") is True
    assert is_hard("notaccept", "421") is True
    assert is_hard("mailboxfull") is False
    assert is_hard(None) is None


def test_vocabulary_matches_result_contract():
    assert set(REASONS) == set(Reason.__args__)
    assert set(NEXT_STEPS) == set(REASONS)


def test_text_reason_ignores_code_tokens_and_wrapping():
    # Multi-line replies repeat "550-5.7.1" in the middle of a phrase.
    text = "550-5.7.1 This message does not have authentication information or fails to pass\n550-5.7.1 authentication checks"
    assert text_reason(text) == "authfailure"


def test_postfix_queue_state_is_not_a_suspended_mailbox():
    text = "delivery temporarily suspended: connect to mx.example.com[192.0.2.1]: server refused to talk to me: 421"
    assert text_reason(text) == "blocked"

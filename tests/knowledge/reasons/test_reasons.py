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


# --- Families added from Sisimai's rules (lib/sisimai/reason/*.rb, rhost/*.rb) ---

@pytest.mark.parametrize(
    ("reply", "enhanced", "text", "command", "expected"),
    [
        # An unknown-user wording is a missing mailbox only with an address
        # status (X.1.x) or at RCPT TO; otherwise a refusal after acceptance.
        ("550", None, "<user@example.com>: Recipient address rejected: User unknown in local recipient table",
         None, ("filtered", False)),
        ("550", "5.2.1", "<user@example.com>... User Unknown", None, ("filtered", False)),
        ("550", "5.2.1", "<user@example.com>... User Unknown", "RCPT", ("userunknown", True)),
        ("550", "5.1.1", "<user@example.com>... User Unknown", "DATA", ("userunknown", True)),
        ("550", "5.0.0", "Requested action not taken: no such user here", "MAIL", ("rejected", False)),
        # Wordings only used for a mailbox that does not exist stay hard.
        ("554", None, "delivery error: dd This user doesn't have a yahoo.com account (user@example.com)",
         "DATA", ("userunknown", True)),
        (None, None, "User some.one (user@example.com) not listed in Domino Directory", None,
         ("userunknown", True)),
        ("550", None, "sorry, no mailbox here by that name. (#5.1.1)", None, ("userunknown", True)),
        # au (KDDI): empty address -> filtered; the address itself -> unknown.
        ("550", None, "550 : User unknown", "DATA", ("filtered", False)),
        ("550", None, "550 <user@ezweb.ne.jp>: User unknown", "DATA", ("userunknown", True)),
    ],
)
def test_unknown_user_or_filtered(reply, enhanced, text, command, expected):
    assert classify(reply, enhanced, text, command) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]", "spamdetected"),
        ("421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505]",
         "systemerror"),
        ("421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. OFR_999 [999]", "blocked"),
        ("550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416", "userunknown"),
        ("554 5.7.1 <client.example.net[192.0.2.1]:49309>: Client host rejected: LPN000_630", "policyviolation"),
        ("421 Trop de connexions, veuillez verifier votre configuration. OFR005_104 [104]", "toomanyconn"),
    ],
)
def test_orange_internal_codes(text, expected):
    assert classify("550", None, text, "DATA")[0] == expected


@pytest.mark.parametrize(
    ("reply", "enhanced", "text", "command", "expected"),
    [
        # Gmail's sender-wide rate block names SPF / DKIM domains but is a block.
        ("421", "4.7.28", "Gmail has detected an unusual rate of unsolicited mail originating from your DKIM "
         "domain [example.net 12]. To protect our users from spam, mail sent from your IP address has been "
         "temporarily rate limited.", "DATA", "blocked"),
        ("550", "5.7.1", "Our system has detected that this message is likely unsolicited mail.", "DATA",
         "spamdetected"),
        ("450", "4.2.1", "The user you are trying to contact is receiving mail too quickly.", "RCPT", "speeding"),
        # Mimecast's fixed texts.
        ("554", None, "email rejected due to security policies - MCSpamSignature.sa.2.2", "DATA", "virusdetected"),
        ("550", None, "Local CT IP Reputation - (reject)", "RCPT", "badreputation"),
        # Spectrum AUP# numbers.
        ("550", "5.1.0", "sender rejected. AUP#In-1310", "MAIL", "toomanyconn"),
        ("550", None, "AUP#O-1530 message too large", "DATA", "mesgtoobig"),
        ("554", None, "AUP#I-1100 full circle DNS required", "CONN", "requireptr"),
        # Yahoo: reputation deferral; at MAIL FROM it is the sender refused.
        ("421", "4.7.0", "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or "
         "user complaints", "RCPT", "badreputation"),
        ("421", "4.7.0", "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or "
         "user complaints", "MAIL", "rejected"),
    ],
)
def test_provider_reply_families(reply, enhanced, text, command, expected):
    assert classify(reply, enhanced, text, command)[0] == expected


def test_unexplained_reply_is_onhold_and_status_classes_default():
    # Nothing in the words names a reason: Sisimai's "onhold", soft.
    assert classify("550", "5.0.0", "<user@example.com>: Recipient address rejected: On hold", "RCPT") == (
        "onhold", False)
    # RFC 3463 X.7.1 with no telling words: a security/policy refusal.
    assert classify("550", "5.7.1", "<user@example.com>... Access denied", None) == ("securityerror", False)
    # ... but access denied to the envelope sender is the sender refused.
    assert classify("550", "5.7.1", "Access denied", "MAIL") == ("rejected", False)
    assert classify("550", "5.0.0", "'user@example.com' is not a registered gateway user", None) == (
        "rejected", False)


def test_deferral_reason_and_next_step():
    from knowledge.reasons import next_step

    text = "connect to mx.example.com[192.0.2.1]:25: Connection timed out"
    # Still being retried: a network problem, not an expired message.
    assert classify(None, "4.4.1", text, None, "delayed") == ("networkerror", False)
    # After the MTA gave up, the same text is Sisimai's "expired".
    assert classify(None, "4.4.1", text, None, "failed") == ("expired", False)
    assert classify(None, "4.4.7", "Message expired after 5 days", None, "delayed") == ("expired", False)
    step = next_step("expired", "delayed")
    assert step.startswith("Nothing to resend yet: the message is deferred and the sending MTA is still retrying")
    assert "gave up" not in step
    assert next_step("expired", "failed") == NEXT_STEPS["expired"]
    assert next_step(None, "delayed") is None


@pytest.mark.parametrize(
    "text",
    ["Header error", "Message rejected due to local policy", "Email not accepted for policy reasons",
     "Our system detected an illegal attachment on your message"],
)
def test_policy_violation_phrases(text):
    # Named policy refusals outrank the status class (here X.7.9 / X.7.0).
    assert classify("554", "5.7.9", text, "DATA") == ("policyviolation", False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # More wordings of a missing mailbox (at RCPT TO).
        ("<user@example.com>: Recipient address rejected.", "userunknown"),
        ("Sorry, your envelope recipient is in my badrcptto list", "userunknown"),
        ("No such person at this address", "userunknown"),
        ("Utilisateur inconnu !", "userunknown"),
        ("No existe dicha persona", "userunknown"),
        ("User user@example.com was not found in LDAP", "userunknown"),
        # The recipient's own filter or preferences.
        ("Refused due to recipient preferences", "filtered"),
        ("You have been blocked by the recipient", "filtered"),
        # The envelope sender refused.
        ("Administrative prohibition", "rejected"),
        ("Sender is spammer", "rejected"),
    ],
)
def test_more_phrasing_families(text, expected):
    assert classify("550", None, text, "RCPT")[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Message considered as spam or virus", "spamdetected"),
        ("Your email breaches local URIBL policy", "spamdetected"),
        ("Greylisted, please try again in 300 seconds", "spamdetected"),
        ("Rejecting banned content", "spamdetected"),
        ("Sorry, your remotehost looks suspiciously like spammer", "blocked"),
        ("Connection was dropped by remote host", "blocked"),
    ],
)
def test_spam_and_block_wordings(text, expected):
    assert classify("550", None, text, "DATA")[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Boite du destinataire pleine. Recipient overquota.", "mailboxfull"),
        ("Recipient rejected: mailbox would exceed maximum allowed storage", "mailboxfull"),
        ("The user's space has been used up", "mailboxfull"),
        ("Boite du destinataire archivee. Archived recipient.", "suspend"),
    ],
)
def test_full_and_disabled_mailbox_wordings(text, expected):
    assert classify("550", None, text, "RCPT")[0] == expected


def test_domain_and_relay_wordings():
    assert classify("550", None, "Recipient domain must exist", "RCPT") == ("hostunknown", True)
    assert classify("550", None, "Mail domain mentioned in email address is unknown", "RCPT") == ("hostunknown", True)
    assert classify("530", None, "This mail server requires authentication when attempting to send to a non-local "
                    "e-mail address.", "RCPT") == ("norelaying", False)


def test_literal_gating_never_changes_a_family_verdict():
    # Each family runs only the alternatives whose literal triggers occur;
    # the verdict must equal a plain search with the whole pattern.
    import random
    import re

    from knowledge import reasons as r

    rng = random.Random(4)
    fams = list(r._PATTERNS) + list(r._GENERIC) + list(r._WEAK) + list(r._PROVIDERS)
    pieces = [t for f in fams for t in (f.triggers or ())] + [
        "user", "mailbox", "550", "unknown", "rejected", "spam", "the", "is", "not", "example.com", ":", "<", ">"]
    for _ in range(400):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        for f in fams:
            assert f.search(text) == (re.search(f.source, text) is not None), (f.reason, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can't create user output file", "systemerror"),
        ("Queue file write error", "systemerror"),
        ("Throttling failure: Maximum sending rate exceeded.", "toomanyconn"),
        ("Trop de connexions, veuillez verifier votre configuration.", "toomanyconn"),
        ("Authentication credentials invalid", "securityerror"),
        ("TLS required but not supported", "securityerror"),
    ],
)
def test_system_connection_and_security_wordings(text, expected):
    assert classify("451", None, text, "RCPT")[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail forwarding loop for user@example.com", "networkerror"),
        ("DNS records for the destination computer could not be found", "networkerror"),
        ("Exceeded maximum inbound message size", "mesgtoobig"),
        ("Server did not respond", "expired"),
    ],
)
def test_network_size_and_expiry_wordings(text, expected):
    assert classify("554", None, text, "DATA", "failed")[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It has a potentially executable attachment", "virusdetected"),
        ("No MX record found for domain=example.net", "notaccept"),
        ("Message MIME complexity exceeds the policy maximum", "contenterror"),
        ("Routing loop detected -- too many Received: headers", "contenterror"),
    ],
)
def test_virus_notaccept_and_content_wordings(text, expected):
    assert classify("550", None, text, "DATA")[0] == expected


def test_sendmail_v5_connection_reset_is_blocked():
    # Sisimai's Blocked family: the remote host dropped the session.
    text = ("Deferred: Connection reset by peer during result wait with example.edu")
    assert classify("421", None, text, "DATA") == ("blocked", False)


def test_zoho_host_not_reachable_after_retries_is_expired():
    text = "user@example.com Error, ERROR_CODE :421, ERROR_CODE :, Host not reachable."
    assert classify("421", None, text, None, "failed") == ("expired", False)


def test_a_status_that_names_the_condition_outranks_generic_words():
    # RFC 3463 X.7.0 (security) with only a passing "policy" word: Sisimai's
    # status rule decides; a named policy refusal still wins.
    text = "<user@example.com>: Recipient address rejected: Policy violation"
    assert classify("550", "5.7.0", text, "RCPT") == ("securityerror", False)
    assert classify("550", None, text, "RCPT") == ("policyviolation", False)
    assert classify("550", "5.7.0", "Message rejected due to local policy", "RCPT") == ("policyviolation", False)


@pytest.mark.parametrize("text, enh", [
    ("Service unavailable. Access denied, traffic not accepted from this IP. AS(42000)", "5.7.708"),
    ("Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit "
     "https://sender.office.com/", "5.7.606"),
    ("Messages are not accepted from the sending IP; sending IP has been banned", "5.7.1"),
])
def test_refused_sending_ip_is_blocked_not_a_system_error(text, enh):
    """A reply refusing the sending IP itself is 'blocked' (the IP), never 'systemerror' because the
    text also says 'Service unavailable'."""
    assert classify("550", enh, text, "RCPT") == ("blocked", False)


@pytest.mark.parametrize("reply, enhanced, text, command, expected", [
    # RFC 5321 §4.2.1: a 50z reply is about syntax or command sequence whatever its words say
    ("503", "5.5.0", "503 Improper sequence of commands", None, "syntaxerror"),
    ("501", None, "501 Bad parameters in this request", "DATA", "syntaxerror"),
    ("504", "5.5.4", "504 5.5.4 Unrecognized authentication type", None, "syntaxerror"),
    # a specific wording still wins over the reply-code group
    ("550", "5.5.0", "550 5.5.0 Requested action not taken: mailbox unavailable", "RCPT", "userunknown"),
])
def test_syntax_group_replies(reply, enhanced, text, command, expected):
    assert classify(reply, enhanced, text, command, "failed")[0] == expected


@pytest.mark.parametrize("text, command, expected", [
    # before any address is given, "quota" / "unknown" are about the client, not a mailbox
    ("554 relay.example.net : You've reached your daily relay quota - 192.0.2.0", "CONN", "blocked"),
    ("554 5.7.1 over quota for this client, try later", "EHLO", "blocked"),
    # the same words after RCPT TO are about the mailbox
    ("552 5.2.2 Mailbox over quota", "RCPT", "mailboxfull"),
])
def test_refusals_before_any_address(text, command, expected):
    assert classify(text[:3], None, text, command, "failed")[0] == expected


def test_reverse_dns_refusal_at_mail_from_is_requireptr():
    # "Access denied" at MAIL FROM is normally the sender's refusal; a failed IP name lookup
    # says why: the connecting IP has no usable reverse DNS.
    assert classify("450", "4.7.1", "450 4.7.1 Access denied. IP name lookup failed [192.0.2.9]", "MAIL",
                    "failed") == ("requireptr", False)
    assert classify("550", "5.7.1", "550 5.7.1 Access denied", "MAIL", "failed") == ("rejected", False)


@pytest.mark.parametrize("text, expected", [
    ("Resources temporarily unavailable, please try again later (#4.3.0)", "systemerror"),
    ("451 Service temporarily unavailable", "systemerror"),
    ("550 Mailbox temporarily unavailable for user@example.com", "suspend"),
    ("The account has been temporarily disabled", "suspend"),
])
def test_temporarily_unavailable_resources_are_not_a_suspended_mailbox(text, expected):
    assert classify(None, None, text, None, "failed")[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("DNS lookup failure: host mx.example.org not found", "hostunknown"),
    ("Host or domain name not found. Name service error for name=example.org type=AAAA: Host not found",
     "hostunknown"),
    ("host mx.example.org not found, try again", "networkerror"),
])
def test_host_not_found_is_nxdomain_unless_temporary(text, expected):
    assert text_reason(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("550 5.5.0 Service refused, please try later.", "blocked"),
    ("421 Service refusé. Veuillez essayer plus tard.", "blocked"),
    ("connect to mx.example.org[192.0.2.3]:25: Network is unreachable", "networkerror"),
])
def test_refused_service_and_refused_connection(text, expected):
    assert classify(text[:3] if text[0].isdigit() else None, None, text, None, "failed")[0] == expected


def test_folded_diagnostic_lines_are_read_unfolded():
    # a Diagnostic-Code folded onto a continuation line (RFC 5322 §2.2.3) reads as one line
    folded = "550 <user@ezweb.ne.jp>:\n User unknown"
    assert classify("550", "5.0.0", folded, None, "failed") == classify(
        "550", "5.0.0", "550 <user@ezweb.ne.jp>: User unknown", None, "failed") == ("userunknown", True)


@pytest.mark.parametrize("text, greylisting", [
    ("451 4.7.1 Greylisted, try again after some time", True),
    ("450 4.2.0 <user@example.com>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.com.html", True),
    ("421 4.7.0 Try again later, closing connection. (greylisting)", True),
    # a permanent refusal that mentions greylisting is no greylisting deferral
    ("550 5.7.1 Greylisting is disabled for this sender, message refused", False),
    ("451 4.7.1 Service unavailable - try again later", False),
])
def test_greylisting_gets_its_own_next_step(text, greylisting):
    from knowledge.reasons import GREYLISTING_STEP, next_step

    reason, _ = classify(text[:3], None, text, "RCPT", "delayed" if text[0] == "4" else "failed")
    step = next_step(reason, "delayed" if text[0] == "4" else "failed", text)
    assert (step == GREYLISTING_STEP) is greylisting


def test_smtputf8_codes_get_their_own_next_step():
    from knowledge.reasons import CODE_STEPS, next_step

    reason, hard = classify("553", "5.6.7", "553 5.6.7 <user@example.com>: non-ASCII addresses not permitted",
                            "RCPT", "failed")
    assert next_step(reason, "failed", "non-ASCII addresses not permitted", "5.6.7") == CODE_STEPS["6.7"]
    assert "SMTPUTF8" in CODE_STEPS["6.7"] and "MIME" not in CODE_STEPS["6.7"]
    # other codes of the same reason keep the reason's step
    assert next_step("contenterror", "failed", "", "5.6.0") == NEXT_STEPS["contenterror"]


def test_a_returned_message_after_greylisting_is_told_to_check_the_retries():
    from knowledge.reasons import GREYLISTING_FAILED_STEP, GREYLISTING_STEP, next_step

    text = "451 4.7.1 Greylisted, try again after some time"
    assert next_step("blocked", "delayed", text) == GREYLISTING_STEP
    assert next_step("blocked", "failed", text) == GREYLISTING_FAILED_STEP
    assert "resend" in GREYLISTING_FAILED_STEP and "Nothing to resend" not in GREYLISTING_FAILED_STEP


def test_relayed_recipient_is_not_told_it_was_delivered():
    from knowledge.reasons import next_step

    assert next_step("delivered", "relayed") == (
        "Nothing to do: the message was relayed to a system that sends no further delivery reports.")
    assert next_step("delivered", "delivered") == NEXT_STEPS["delivered"]

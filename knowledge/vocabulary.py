"""The bounce reason vocabulary: one definition for the classifier, the provider data and the results.

``REASONS`` are Sisimai's reason names (https://libsisimai.org/en/reason/), which the
annotation issue adopts as the vocabulary of a finding's ``reason``;
``NOT_FAILURE_REASONS`` are the ones that report what happened to a message (a
success DSN, RFC 3464 Action delivered / relayed / expanded; an automatic reply,
RFC 3834; an ARF feedback report, RFC 5965) rather than why delivery failed.

Plain data with no imports, so that every module can use it without cost
(``knowledge.reasons`` compiles its phrase families on import; the JSON path of
``smtpbot annotate`` must not load pydantic).
"""

from __future__ import annotations

REASONS: tuple[str, ...] = (
    "authfailure", "badreputation", "blocked", "contenterror", "delivered", "exceedlimit",
    "expired", "feedback", "filtered", "hasmoved", "hostunknown", "mailboxfull", "mailererror",
    "mesgtoobig", "networkerror", "norelaying", "notaccept", "notcompliantrfc", "onhold",
    "policyviolation", "rejected", "requireptr", "securityerror", "spamdetected", "speeding",
    "suspend", "syntaxerror", "systemerror", "systemfull", "toomanyconn", "undefined",
    "userunknown", "vacation", "virusdetected",
)

NOT_FAILURE_REASONS: frozenset[str] = frozenset({"delivered", "vacation", "feedback"})

"""The bounce reason vocabulary: one definition for the classifier, the provider data and the results.

``REASONS`` are Sisimai's reason names (https://libsisimai.org/en/reason/), which the
annotation issue adopts as the vocabulary of a finding's ``reason``;
``NOT_FAILURE_REASONS`` are the ones that report what happened to a message (a
success DSN, RFC 3464 Action delivered / relayed / expanded; an automatic reply,
RFC 3834; an ARF feedback report, RFC 5965) rather than why delivery failed.
At the end, the named sets that decide when provider knowledge gives a finding its
reason (``MAIL_FROM_NOT_TAKEN``, ``MESSAGE_FATE_REASONS``, ``MESSAGE_FATE_ACTIONS``;
applied by :func:`knowledge.providers.policy.rule_reason_applies`).

Plain data with no imports, so that every module can use it without cost
(``knowledge.reasons`` loads its phrase families from the data files in
``knowledge/data/reasons/`` and compiles them on first use; the JSON path of
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

# Reasons about the recipient's address or mailbox.  A reply to MAIL FROM comes before any recipient has
# been named (RFC 5321 §3.3), so it cannot mean one of these, whatever its words or the receiver's own code.
RECIPIENT_REASONS: frozenset[str] = frozenset({"userunknown", "filtered", "mailboxfull", "suspend", "hasmoved"})

# Reasons that provider knowledge (a matched rule's ``reason``, a provider's reply family or code table)
# does not give a reply to MAIL FROM: the recipient reasons, and "badreputation", because the shared corpus
# labels Yahoo's "[TSS04] ... deferred due to unexpected volume or user complaints" given at MAIL FROM as
# "rejected" (see knowledge.providers.policy).  The generic verdict stays there.  One definition for the
# annotation (knowledge.annotate) and the reasons engine's provider families (knowledge.reasons).
MAIL_FROM_NOT_TAKEN: frozenset[str] = RECIPIENT_REASONS | {"badreputation"}

# Reasons the message itself decides (a delivery report, an auto-reply, a feedback report, a message that
# expired in the sender's queue): no provider rule overrides them.
MESSAGE_FATE_REASONS: frozenset[str] = NOT_FAILURE_REASONS | {"expired"}

# RFC 3464 §2.3.3 Action values that report the message's fate rather than a refusal (still being retried,
# or delivered / relayed / expanded): no provider rule overrides the reason of such a recipient.
MESSAGE_FATE_ACTIONS: frozenset[str] = frozenset({"delayed", "delivered", "relayed", "expanded"})

# Reasons that say the cause is not decided (Sisimai "onhold": too little information; "undefined").
UNDECIDED_REASONS: frozenset[str] = frozenset({"onhold", "undefined"})

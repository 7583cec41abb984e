"""When a matched provider rule's ``reason`` decides a finding's reason: one function, sets in knowledge.vocabulary.

A matched provider rule that carries a Sisimai ``reason`` replaces the generic classification, the way
Sisimai's per-receiver tables (rb-sisimai lib/sisimai/rhost/*.rb) do: the receiver's own code (Cox
``AUP#CDRBL``, Yahoo ``[TSS09]``) says more than generic words such as "sender rejected".  Except:

* when the message itself decides the reason (:data:`~knowledge.vocabulary.MESSAGE_FATE_REASONS`:
  ``delivered``, ``vacation``, ``feedback``, ``expired``) or the RFC 3464 Action reports its fate
  (:data:`~knowledge.vocabulary.MESSAGE_FATE_ACTIONS`: delayed / delivered / relayed / expanded): an
  auto-reply, a feedback report or a delivery report is no refusal, and a deferral or an expired message
  is about the sender's queue, whatever the last reply said.  ``onhold`` (Sisimai: too little information
  to decide) and ``undefined`` are replaced, since the rule is that information;
* in a reply to MAIL FROM, for the reasons of :data:`~knowledge.vocabulary.MAIL_FROM_NOT_TAKEN`.  The
  recipient reasons: at MAIL FROM no recipient has been named yet, so a rule about the recipient cannot be
  what the receiver meant.  "badreputation" as well, though a reputation or volume deferral of the sending
  IP is not a refusal of the envelope sender: the shared corpus labels Yahoo's "[TSS04] ... deferred due to
  unexpected volume or user complaints" given at MAIL FROM as "rejected" (lhost-postfix-74,
  rhost-yahooinc-02: labels from an older Sisimai release; rb-sisimai's current test table expects
  "badreputation" for rhost-yahooinc-02), and the scorer must not lose those rows.  Texts that name
  reputation ("rate limited due to IP reputation") still get "badreputation" from the generic classifier.
  The generic verdict (knowledge.reasons.classify, which itself decides refusals of the envelope sender)
  stays.  Every other rule reason (``blocked``, ``speeding`` ...) applies at MAIL FROM.
"""

from __future__ import annotations

from knowledge.vocabulary import MAIL_FROM_NOT_TAKEN, MESSAGE_FATE_ACTIONS, MESSAGE_FATE_REASONS


def is_mail_from(command: str | None) -> bool:
    """True when ``command`` (``"MAIL FROM"``, ``"mail"``, ``"MAIL_FROM"``) is the SMTP MAIL command."""
    return (command or "").strip().upper().startswith("MAIL")


def rule_reason_applies(rule_reason: str | None, reason: str | None, action: str | None,
                        command: str | None) -> bool:
    """True when a matched provider rule's ``rule_reason`` replaces the finding's generic ``reason``.

    Input: the rule's Sisimai reason (or None), the finding's current reason, its RFC 3464 Action and the
    SMTP command the reply answered (either may be None).  Output: False when the rule gives no reason,
    the message's fate decides the reason, or the reply answered MAIL FROM and the rule's reason is one a
    reply to MAIL FROM does not take (see the module docstring for why).
    """
    if not rule_reason or reason in MESSAGE_FATE_REASONS:
        return False
    if (action or "").strip().lower() in MESSAGE_FATE_ACTIONS:
        return False
    return not (is_mail_from(command) and rule_reason in MAIL_FROM_NOT_TAKEN)

"""Classify one delivery failure into a Sisimai bounce reason and hard / soft.

The order of evidence, strongest first (the tiers are listed in knowledge/data/reasons/order.toml):
the strong phrase families (outranked only by the enhanced status codes of status.toml's
``specific_over_text``), the enhanced status code (status.toml), the generic then the weak
families, then the reply code and the SMTP command it answered; provider reply families
(:func:`knowledge.reasons.rhost.provider_reason`) decide outright.  Sisimai's command rules then
apply (lib/sisimai/reason/userunknown.rb, filtered.rb, rejected.rb).  Holds no phrase: the
phrases are in the data files.
"""

from __future__ import annotations

import re

from knowledge.reasons._smtp import CODE_TOKENS, STATUS_RE, SYNTAX_REPLIES, norm_command
from knowledge.reasons.rhost import provider_reason
from knowledge.reasons.runtime import tables
from knowledge.vocabulary import MAIL_FROM_NOT_TAKEN

_WORD = re.compile(r"[a-z]{3,}")
_ADDRESSES = re.compile(r"\S*@\S*|<[^<>]{0,300}>")
_BEFORE_ADDRESS = ("HELO", "EHLO", "CONN")
# Reply codes (RFC 5321 §4.2.2-4.2.3, RFC 4954 §6) that name the condition whatever the command.
_BY_REPLY = {"452": "mailboxfull", "451": "systemerror", "530": "securityerror", "535": "securityerror",
             "534": "securityerror", "538": "securityerror", "500": "syntaxerror", "501": "syntaxerror",
             "502": "syntaxerror", "503": "syntaxerror", "504": "syntaxerror", "555": "syntaxerror"}


def is_hard(reason: str | None, reply_code: str | None = None, enhanced: str | None = None) -> bool | None:
    """Return True for a hard bounce, False for soft, None when ``reason`` is None.

    Rule (Sisimai, https://libsisimai.org/en/reason/): the reasons whose data file says
    ``hard = true`` (userunknown, hostunknown, hasmoved, notaccept) are hard; everything else is
    soft.  The codes are accepted for callers' convenience and do not change the answer.
    """
    if reason is None:
        return None
    return reason in tables().hard


def _has_words(text: str | None) -> bool:
    """True when ``text`` holds at least three words besides codes and addresses."""
    if not text:
        return False
    low = CODE_TOKENS.sub(" ", text[:600].lower())
    return len(_WORD.findall(_ADDRESSES.sub(" ", low))) >= 3


def status_reason(enhanced: str | None) -> str | None:
    """The reason an enhanced status code names on its own (status.toml), or None."""
    if not enhanced:
        return None
    if not STATUS_RE.match(enhanced):
        return None
    t = tables()
    key = enhanced.split(".", 1)[1]
    if key in t.generic_status:
        return t.class_specific.get(enhanced)
    if enhanced in t.class_specific:
        return t.class_specific[enhanced]
    return t.subject_detail.get(key)


def _norm(text: str) -> str:
    low = CODE_TOKENS.sub(" ", text[:4000].lower())
    low = tables().sets["queue_state"].strip(low)  # the sending MTA's own queue state, not the remote reply
    return " ".join(low.split())


def text_reason(text: str, weak: bool = False) -> str | None:
    """Return the first reason whose phrase family matches ``text``, or None.

    ``text``: diagnostic text of any length (only the first 4,000 characters are read; code
    tokens and line breaks are removed first).  The strong tier is tried (order.toml); with
    ``weak=True`` the weak tier instead.
    """
    if not text:
        return None
    low = _norm(text)
    if weak:
        return _weak_reason(low, None)
    t = tables()
    return t.strong.first(low, t.triggers.present(low))


def _weak_reason(low: str, present: set[str] | None) -> str | None:
    """The weak tier's verdict on normalised text ``low``; ``present`` (its triggers, when
    already known) is reused when the text is unchanged."""
    t = tables()
    excluded = t.sets["weak_excluded"]
    if excluded.search(low):
        # Sisimai's "rejected" excludes a refused *recipient* address.
        low = excluded.strip(low)
        present = None
    return t.weak.first(low, t.triggers.present(low) if present is None else present)


def _command_reason(rc: str | None, enh: str | None, command: str | None, act: str) -> str | None:
    """The reason the reply code and the command it answered imply (RFC 5321 §4.2, Sisimai)."""
    cmd = norm_command(command)
    if act == "delayed" and not (rc and rc[0] in "45"):
        # A delay report that names no reply and no cause (RFC 3464 Action: delayed with only a
        # Status): Sisimai's vocabulary for it is "expired" (the warning time ran out).
        return "expired"
    if rc:
        if rc == "421":
            return "blocked" if cmd in _BEFORE_ADDRESS else "systemerror"
        if rc in ("450", "550", "551", "553", "554"):
            if cmd.startswith("RCPT"):
                return "userunknown" if rc in ("550", "551", "553") else "rejected"
            if cmd.startswith("MAIL"):
                return "rejected"
            if cmd in _BEFORE_ADDRESS:
                return "blocked"
            if cmd.startswith("DATA") or cmd == "BODY":
                return "filtered"
        if rc == "552":
            return "mailboxfull" if cmd.startswith("RCPT") else "mesgtoobig"
        if rc in _BY_REPLY:
            return _BY_REPLY[rc]
        if rc[0] in "45":
            return "undefined"
    if enh and enh[0] in "45":
        return "undefined"
    return "undefined" if act == "failed" else None


def _evidence_reason(rc: str | None, enh: str | None, low: str) -> str | None:
    """Strong phrase, enhanced status code, generic phrase, weak phrase: the first that decides."""
    t = tables()
    sr = status_reason(enh)
    key = ".".join(enh.split(".")[1:]) if enh else ""
    present = t.triggers.present(low) if low else set()
    tr = t.strong.first(low, present) if low else None
    if sr and key in t.specific_over_text:
        return sr
    reason = tr or sr
    if reason is None and low:
        reason = t.generic.first(low, present) or _weak_reason(low, present)
    return reason


def _fallback_reason(rc: str | None, enh: str | None, text: str, low: str, command: str | None,
                     act: str) -> str | None:
    """When no phrase and no status decided: the bare refusal at RCPT, the syntax replies,
    Sisimai's "onhold" for a reply whose words name nothing, then the command rules."""
    cmd = norm_command(command)
    if cmd == "RCPT" and tables().sets["bare_rcpt_refusal"].search(low):
        return "userunknown"  # Postfix "Recipient address rejected." with no detail: the address itself
    if rc in SYNTAX_REPLIES:
        return "syntaxerror"  # RFC 5321 §4.2.1: 50z replies are about the command's syntax or sequence
    if rc and rc[0] in "45" and cmd not in ("MAIL", *_BEFORE_ADDRESS) and _has_words(text):
        return "onhold"  # the reason cannot be decided; nothing says the address is bad
    return _command_reason(rc, enh, command, act)


def _unknown_or_filtered(enh: str | None, cmd: str) -> str:
    """Decide between "userunknown" and "filtered" for an unknown-user text.

    Sisimai's rule (lib/sisimai/reason/userunknown.rb and filtered.rb, BSD): an unknown-user
    wording is a missing mailbox when the enhanced status is an address status (status.toml
    ``address_status``) or the reply answered RCPT TO (or MAIL FROM, decided later as
    "rejected"); otherwise the recipient was refused by a filter after the address was accepted.
    """
    if enh and tables().address_status.match(enh):
        return "userunknown"
    return "userunknown" if cmd in ("RCPT", "MAIL") else "filtered"


def _sender_and_client_rules(reason: str | None, text: str, cmd: str) -> str | None:
    """Sisimai's command rules for a refusal at MAIL FROM (the sender) or before any address."""
    sets = tables().sets
    if cmd == "MAIL" and (reason in ("userunknown", "hostunknown", "filtered")
                          or (reason == "badreputation" and not sets["mail_from_reputation"].search(text.lower()))):
        reason = "rejected"  # the envelope sender was refused, not the recipient
    if cmd == "MAIL" and sets["mail_from_access_denied"].search(text[:4000].lower()) \
            and reason not in ("requireptr", "authfailure", "blocked", "badreputation"):
        reason = "rejected"  # access denied to the envelope sender
    if cmd in _BEFORE_ADDRESS and reason in ("rejected", "undefined", "mailboxfull", "userunknown",
                                             "filtered", "suspend", "hasmoved"):
        # refused before any address was given: words such as "quota" or "unknown" there are
        # about the connecting client ("daily relay quota"), not about a recipient's mailbox
        reason = "blocked"
    return reason


def classify(reply_code: str | None, enhanced: str | None, text: str, command: str | None = None,
             action: str | None = None) -> tuple[str | None, bool | None]:
    """Classify one failure: return ``(reason, hard_bounce)``.

    Inputs: ``reply_code`` an RFC 5321 reply code ("550") or None; ``enhanced`` an RFC 3463
    enhanced status code ("5.1.1") or None; ``text`` the diagnostic text (may be empty);
    ``command`` the SMTP command answered ("RCPT", "DATA", "MAIL", "HELO"/"EHLO", "CONN") or
    None; ``action`` the RFC 3464 Action value or None.  Output: a Sisimai reason
    (https://libsisimai.org/en/reason/) and the hard-bounce flag from :func:`is_hard`;
    ``(None, None)`` when nothing indicates a failure.  Never raises on odd input.
    """
    act = (action or "").strip().lower()
    if act in ("delivered", "relayed", "expanded"):
        return "delivered", False
    enh = enhanced.strip() if enhanced else None
    rc = reply_code.strip() if reply_code else None
    if enh and enh.startswith("2.") and (not rc or rc.startswith("2")):
        return "delivered", False
    text = text or ""
    low = _norm(text) if text else ""
    reason = _evidence_reason(rc, enh, low)
    if reason is None:
        reason = _fallback_reason(rc, enh, text, low, command, act)
    cmd = norm_command(command)
    low_raw = " ".join(text[:4000].split()).lower()  # folded lines (RFC 5322 §2.2.3) unfolded
    sets = tables().sets
    if reason == "userunknown" and not sets["asserted_unknown"].search(low_raw):
        reason = _unknown_or_filtered(enh, cmd)
    if act == "delayed" and reason == "expired" and not sets["expiry_evidence"].search(low_raw) \
            and sets["connect_failure"].search(low_raw):
        # A deferral because the host could not be reached is a network problem being retried; the
        # message has not expired yet (a Status of X.4.7 in a delay warning only says the warning time passed).
        reason = "networkerror"
    prov = provider_reason(low_raw)
    if prov is not None:
        if cmd == "MAIL" and prov in MAIL_FROM_NOT_TAKEN:
            # refused at MAIL FROM: no recipient is named yet, so a provider's recipient or reputation
            # verdict is a refusal of the sender (one definition with knowledge.providers.policy)
            prov = "rejected"
        return prov, is_hard(prov, rc, enh)
    reason = _sender_and_client_rules(reason, text, cmd)
    if reason is None:
        return None, None
    return reason, is_hard(reason, rc, enh)

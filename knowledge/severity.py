"""One plain phrase for how bad a failure is: temporary or permanent, hard or soft bounce.

Two different questions hide behind "is it a bounce?":

* *temporary or permanent* is the class digit of the reply code (RFC 5321
  §4.2.1: 4yz transient, 5yz permanent) or of the enhanced status code
  (RFC 3463 §3.1: 4.X.X persistent transient, 5.X.X permanent), or the DSN
  ``Action`` field (RFC 3464 §2.3.3: ``delayed`` means the MTA still retries);
* *hard or soft bounce* is about the address: a hard bounce says the
  recipient address itself is bad (no such user or domain, moved, null MX),
  so it should be removed from lists; a soft bounce leaves the address valid
  even when the message was refused for good (policy, authentication,
  content), so the cause is fixed and the mail sent again.  This is the
  meaning Sisimai gives the words (https://libsisimai.org/en/reason/).
"""

from __future__ import annotations


def failure_class(reply_code: str | None, enhanced: str | None, action: str | None = None) -> str | None:
    """``"temporary"``, ``"permanent"`` or None (unknown).

    Input: a reply code (``"550"``), an enhanced status code (``"4.7.0"``)
    and the RFC 3464 Action (``"delayed"``, ``"failed"``); any may be None.
    An Action of ``delayed`` wins (the sending MTA is still retrying), then
    ``failed``, then the reply code's first digit, then the enhanced code's.
    """
    act = (action or "").strip().lower()
    if act == "delayed":
        return "temporary"
    for code in (reply_code, enhanced):
        if code and code[:1] in ("4", "5"):
            if act == "failed":
                return "permanent"
            return "temporary" if code[0] == "4" else "permanent"
    return "permanent" if act == "failed" else None


def describe(reply_code: str | None, enhanced: str | None, action: str | None, hard_bounce: bool | None) -> str:
    """A short phrase for people, e.g. ``"permanent failure · soft bounce (address OK: fix the cause,
    then resend)"``; empty string when nothing is known."""
    parts = []
    cls = failure_class(reply_code, enhanced, action)
    if cls == "temporary":
        parts.append("temporary failure (still being retried)" if (action or "").lower() == "delayed"
                     else "temporary failure")
    elif cls == "permanent":
        parts.append("permanent failure")
    if hard_bounce is True:
        parts.append("hard bounce (the address is bad: remove it)")
    elif hard_bounce is False:
        parts.append("soft bounce (the address is fine: fix the cause, then resend)"
                     if cls == "permanent" else "soft bounce")
    return " · ".join(parts)

"""The free-text reader's limits and its public result types (:class:`CodeMention`, :class:`TextFailure`,
:class:`ScanStats`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CodeMention", "TextFailure", "ScanStats", "MAX_SCAN_CHARS", "MAX_TOKENS", "MAX_FAILURES",
           "LINE_REACH", "RULE_CACHE_MAX", "REPLY_REACH", "Role", "Strength"]

MAX_SCAN_CHARS = 1_000_000
"""Only this many characters (code points) of a text are scanned; a 10 MB paste is cut."""
MAX_TOKENS = 2500
"""At most this many code-shaped tokens of class 4/5, and as many of class 2/3, are examined per text
(bounds adversarial input)."""
MAX_FAILURES = 300
"""At most this many server replies are turned into failures per text."""
LINE_REACH = 2000
"""A line is read at most this many characters either side of a position."""
RULE_CACHE_MAX = 20_000
"""Windows remembered per text by the context-rule cache (bounds its memory)."""
REPLY_REACH = 3000
"""A reply text is never longer than this."""

Role = Literal["failure", "success", "expected", "mention"]
Strength = Literal["strong", "medium", "weak"]


@dataclass(frozen=True, slots=True)
class CodeMention:
    """One reply code or enhanced status code found in a text.

    ``code``: ``"550"`` or ``"5.7.1"``; ``kind``: ``"reply"`` (RFC 5321 §4.2)
    or ``"enhanced"`` (RFC 3463 §2).  ``start``/``end``: the span in the text
    given to :func:`scan` (``text[start:end] == code`` unless an escape
    was undone inside it).  ``role``: ``failure`` (4xx/5xx,
    4.x.x/5.x.x, or a reply of any class that a client did not expect),
    ``success`` (2xx/3xx, 2.x.x), ``expected`` (the code a
    client wanted, e.g. the 250 of "Expected response code 250 but got code
    530") or ``mention``.  ``context``: the rule that made it a code
    (``"pair"``, ``"said"``, ``"dsn-status"``, ``"exception"``, ``"reply-line"``,
    ``"bare"`` ...).  ``strength``: see the module docstring.  ``paired``: the
    enhanced code sent with this reply code (or the reply code sent with this
    enhanced code), else None.
    """

    code: str
    kind: Literal["reply", "enhanced"]
    start: int
    end: int
    role: Role
    context: str
    strength: Strength
    paired: str | None = None


@dataclass(frozen=True, slots=True)
class TextFailure:
    """One SMTP failure found in free text: one per failed recipient, or per failed reply.

    ``reply_code`` (``"550"``) and ``enhanced_status`` (``"5.7.1"``) are codes
    that appear in the text (never inferred); either may be None.  They are
    4xx/5xx (4.x.x/5.x.x) except for a reply the client did not expect, which
    is the failure whatever its class (``evidence == "unexpected"`` or an SMTP
    exception: ``got code "235"`` -> ``235``/``2.7.0``).  Both are
    None only for an MTA log line that records a recipient's failure without
    any code (Exim ``** addr: Unrouteable address``, ``== addr ... defer
    (-53): retry time not reached``; ``evidence == "log-line"``).
    ``recipient``: the failed address when the text names it (DSN
    Final-Recipient, Postfix ``<addr>: host ...`` / ``to=<addr>``, ``RCPT
    TO:<addr>``, smtplib's refused-recipient dict, the address a reply names).
    ``command``: the SMTP command answered (``"RCPT TO"``, ``"MAIL FROM"``,
    ``"DATA"``, ``"AUTH"``, ``"EHLO"``, ``"CONN"`` for the greeting ...).
    ``remote_host``: the server that answered (``host X said:``, ``relay=X[...]``, ``Remote-MTA: dns; X``).
    ``reply_text``: the server's reply text with the codes of continuation
    lines removed and lines joined.  ``action``: ``"failed"`` or ``"delayed"``
    when the text says so (DSN Action, Postfix ``status=bounced/deferred``).
    ``evidence``: the context rule of the strongest code.  ``start``/``end``:
    span of the first code in the caller's text.
    """

    reply_code: str | None
    enhanced_status: str | None
    recipient: str | None = None
    command: str | None = None
    remote_host: str | None = None
    reply_text: str | None = None
    action: str | None = None
    evidence: str = ""
    start: int = 0
    end: int = 0



@dataclass(frozen=True, slots=True)
class ScanStats:
    """How much work one scan did (deterministic, for bounds and tests; no clock involved).

    ``chars``: characters scanned (after the :data:`MAX_SCAN_CHARS` cut); ``tokens``: code-shaped tokens
    examined (at most ``max_tokens``); ``rule_searches``: context patterns run on the 70-character windows
    before tokens (windows already seen in the same text are not searched again); ``units``: replies
    turned into candidate failures (at most ``max_failures``); ``token_limit_hit`` / ``failure_limit_hit``
    / ``text_cut``: which bound stopped the scan early.
    """

    chars: int = 0
    tokens: int = 0
    rule_searches: int = 0
    units: int = 0
    token_limit_hit: bool = False
    failure_limit_hit: bool = False
    text_cut: bool = False


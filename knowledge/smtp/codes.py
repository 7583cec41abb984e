"""Reply codes and enhanced status codes: the token patterns and the parser.

Two code families exist, and servers often send both on one line:

* **reply codes** (RFC 5321 §4.2): three digits.  The first digit (2-5) is the
  class of reply, the second (0-5 defined, §4.2.1) its category, the third a finer
  grade.  ``1yz`` replies are defined in §4.2.1 but unused by SMTP, so they are
  treated as malformed here.
* **enhanced status codes** (RFC 3463 §2, IANA "SMTP Enhanced Status Codes"
  registry): ``class.subject.detail``, class 2, 4 or 5, subject and detail of one
  to three digits.  ``X`` in the class position (``X.7.1``) is the registry's
  notation for "any class" and is accepted by :func:`parse_code`.

Pattern pieces (plain strings, to be embedded in a reader's own regex):

* :data:`REPLY_CODE` ``[2-5][0-5][0-9]``; :data:`FINAL_REPLY_CODE` ``[245][0-5][0-9]``
  (no 3xx: an intermediate reply never ends a transaction); :data:`REPLY_SHAPE`
  ``[2-5][0-9][0-9]`` (what :func:`parse_code` accepts, so that 571 can be called
  non-standard rather than rejected);
* :data:`ENHANCED_CODE` ``[245]\\.[0-9]{1,3}\\.[0-9]{1,3}``; :data:`REGISTRY_ENHANCED_CODE`
  ``[245]\\.[0-7]\\.[0-9]{1,3}`` (subjects 0-7, the ones the registry defines);
* boundaries: :data:`NOT_IN_WORD_BEFORE` (a code does not continue a word or a dotted
  number: ``v2.7.4``, ``192.0.2.250``) and :data:`NOT_MORE_DIGITS_AFTER` (``4.16.55.1``,
  ``5.1.10`` read as ``5.1.1``); :data:`ASCII_NOT_BEFORE` / :data:`ASCII_ALNUM` for readers
  whose boundaries are ASCII-only (``失败550`` is a code there).

Only the shape is checked here; whether an entry exists is the knowledge base's
business (``knowledge.kb``).
"""

from __future__ import annotations

import re

__all__ = [
    "MalformedCode", "ParsedCode", "parse_code", "printable", "VALID_FORMS", "REPLY_RE", "ENHANCED_RE",
    "REPLY_CODE", "FINAL_REPLY_CODE", "REPLY_SHAPE", "ENHANCED_CODE", "REGISTRY_ENHANCED_CODE",
    "NOT_IN_WORD_BEFORE", "NOT_MORE_DIGITS_AFTER", "ASCII_ALNUM", "SERVER_REPLY_CODES", "POSITIVE_REPLY_CODES",
    "REGISTRY_MAX_DETAIL", "in_registry_range",
]

# -- pattern pieces -----------------------------------------------------------------------------

REPLY_CODE = r"[2-5][0-5][0-9]"
"""A reply code as RFC 5321 §4.2 defines it: class 2-5, category 0-5, any grade."""
FINAL_REPLY_CODE = r"[245][0-5][0-9]"
"""A reply code that can end a command's exchange (2xx, 4xx, 5xx; not the intermediate 3xx)."""
REPLY_SHAPE = r"[2-5][0-9][0-9]"
"""The shape :func:`parse_code` accepts: categories 6-9 are undefined but parsed, to be labelled
non-standard rather than rejected."""
ENHANCED_CODE = r"[245]\.[0-9]{1,3}\.[0-9]{1,3}"
"""An enhanced status code (RFC 3463 §2): class 2/4/5, subject and detail of 1-3 digits."""
REGISTRY_ENHANCED_CODE = r"[245]\.[0-7]\.[0-9]{1,3}"
"""An enhanced status code whose subject (0-7) the IANA registry defines: what a free-text reader
accepts as code-shaped (``5.9.1`` is more often a version)."""
NOT_IN_WORD_BEFORE = r"(?<![\w.])"
"""Before a code: not inside a word or a dotted number (``v2.7.4``, ``192.0.2.250``)."""
NOT_MORE_DIGITS_AFTER = r"(?!\.?[0-9])"
"""After an enhanced code: no further digit and no fourth dotted part (``4.16.55.1``)."""
ASCII_ALNUM = "0-9A-Za-z"
"""Character-class content of the ASCII boundaries of a free-text reader (``失败550`` is a code)."""

REPLY_RE = re.compile(REPLY_SHAPE)
"""A well-formed reply code (RFC 5321 §4.2.1 first digit 2-5).  Second digits
6-9 are undefined but still parsed, so that codes such as 571 can be labelled
non-standard rather than rejected."""

ENHANCED_RE = re.compile(r"([245Xx])\.([0-9]{1,3})\.([0-9]{1,3})")
"""A well-formed enhanced status code (RFC 3463 §2): class 2/4/5 (or the
registry's X), subject and detail of 1-3 digits."""

# -- what servers send --------------------------------------------------------------------------

SERVER_REPLY_CODES = frozenset(
    "211 214 220 221 235 250 251 252 253 334 354 421 422 430 432 441 442 447 450 451 452 453 454 455 458 459 "
    "471 500 501 502 503 504 510 511 512 521 523 524 525 530 533 534 535 538 541 550 551 552 553 554 555 556 "
    "557".split())
"""Reply codes SMTP servers send: RFC 5321 §4.2.2-4.2.3, RFC 4954 §4/§6 (AUTH), RFC 1985 (ETRN), RFC 2645,
RFC 7504 (521, 556), RFC 5248 / IANA associations (422, 523, 524, 525), and a few widely seen non-standard
ones (441, 442, 447, 471, 510, 511, 512, 541).  A free-text reader takes a code outside this set (404, 401,
429, 403 ...) as a reply code only in a strong SMTP context."""

POSITIVE_REPLY_CODES = frozenset("211 214 220 221 235 250 251 252 253 334 354".split())
"""Positive SMTP reply codes (RFC 5321 §4.2.3, RFC 4954 §6): no HTTP status has these numbers."""

REGISTRY_MAX_DETAIL = {0: 0, 1: 10, 2: 4, 3: 6, 4: 7, 5: 6, 6: 10, 7: 30}
"""Highest detail number per subject in the IANA "SMTP Enhanced Status Codes" registry
(https://www.iana.org/assignments/smtp-enhanced-status-codes): X.0.0, X.1.0-X.1.10, X.2.0-X.2.4,
X.3.0-X.3.6, X.4.0-X.4.7, X.5.0-X.5.6, X.6.0-X.6.10, X.7.0-X.7.30.  Provider codes beyond these
(5.7.708, 4.7.650) are code-shaped but not registered."""


def in_registry_range(enhanced: str) -> bool:
    """True when ``"c.s.d"``'s subject and detail lie within :data:`REGISTRY_MAX_DETAIL`
    (``"5.7.26"`` -> True, ``"5.7.708"`` -> False).  Input: a code matching :data:`ENHANCED_CODE`."""
    _, subject, detail = enhanced.split(".")
    return int(detail) <= REGISTRY_MAX_DETAIL.get(int(subject), -1)


# -- parsing one code string --------------------------------------------------------------------

VALID_FORMS = (
    "a reply code is three digits starting with 2, 3, 4 or 5 (e.g. 550); "
    "an enhanced status code is class.subject.detail with class 2, 4, 5 or X (e.g. 5.7.1); "
    "both together look like '550 5.7.1'"
)

_COMBINED_RE = re.compile(r"([0-9]{3})(?:\s*[-\s]\s*|\s+)([0-9A-Za-z]+\.[0-9]+\.[0-9]+)")
# surrounding punctuation people paste around codes: quotes, brackets, '#' (Exchange NDRs), trailing
# sentence punctuation, and invisible characters that copy-paste drags along (no-break space,
# zero-width space / joiners, word joiner, byte-order mark); 'smtp;' prefixes are the caller's business
_STRIP = " \t\r\n\"'`()[]{}<>,;:!?#*.\u00a0\u200b\u200c\u200d\u2060\ufeff"


def printable(text: str) -> str:
    """``text`` with control and other non-printable characters shown as
    escapes (``"\\x1b[31m550"`` -> ``"\\\\x1b[31m550"``), so echoing user input
    can never drive a terminal or Slack formatting.  Printable characters,
    including non-ASCII letters, are kept as they are."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class MalformedCode(ValueError):
    """Raised by :func:`parse_code` for text that is not an SMTP code.

    ``str()`` is a single line naming the input and saying what valid codes
    look like (RFC 5321 §4.2.1 reply codes, RFC 3463 §2 enhanced codes).
    """

    def __init__(self, text: str, reason: str | None = None) -> None:
        shown = " ".join(text.strip().split())
        if len(shown) > 40:
            shown = shown[:37] + "..."
        shown = printable(shown)
        head = f"'{shown}' is not an SMTP code" if shown else "empty input is not an SMTP code"
        if reason:
            head += f" ({reason})"
        super().__init__(f"{head}: {VALID_FORMS}.")
        self.text = text
        self.reason = reason


class ParsedCode:
    """A parsed code (immutable, compared and hashed by value).

    ``reply``: three-digit reply code or None; ``enhanced``: normalised enhanced
    code (``"5.7.26"``, or ``"X.7.1"`` for the any-class form) or None; at least
    one is set.  ``normalized``: ``"550"``, ``"5.7.26"`` or ``"550 5.7.26"``.
    (A plain class, not a dataclass: this module is on the annotate path, and importing
    :mod:`dataclasses` costs ~10 ms of start-up.)
    """

    __slots__ = ("reply", "enhanced")
    reply: str | None
    enhanced: str | None

    def __init__(self, reply: str | None, enhanced: str | None) -> None:
        object.__setattr__(self, "reply", reply)
        object.__setattr__(self, "enhanced", enhanced)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ParsedCode is immutable: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedCode):
            return NotImplemented
        return (self.reply, self.enhanced) == (other.reply, other.enhanced)

    def __hash__(self) -> int:
        return hash((self.reply, self.enhanced))

    def __repr__(self) -> str:
        return f"ParsedCode(reply={self.reply!r}, enhanced={self.enhanced!r})"

    @property
    def normalized(self) -> str:
        return " ".join(p for p in (self.reply, self.enhanced) if p)

    @property
    def kind(self) -> str:
        """``"reply"``, ``"enhanced"`` or ``"combined"`` (the CodeKind of results.py)."""
        if self.reply and self.enhanced:
            return "combined"
        return "reply" if self.reply else "enhanced"


def _isdigits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _parse_reply(token: str, original: str) -> str:
    if not _isdigits(token):
        raise MalformedCode(original)
    if len(token) != 3:
        raise MalformedCode(original, f"a reply code has 3 digits, this has {len(token)}")
    if not REPLY_RE.fullmatch(token):
        raise MalformedCode(original, f"first digit {token[0]} is not a reply class; classes are 2, 3, 4 and 5")
    return token


def _parse_enhanced(token: str, original: str) -> str:
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise MalformedCode(original)
    cls, subject, detail = parts
    if cls in ("x", "X"):
        cls = "X"
    elif cls not in ("2", "4", "5"):
        raise MalformedCode(original, f"enhanced class must be 2, 4 or 5, not {cls}")
    for name, value in (("subject", subject), ("detail", detail)):
        if not _isdigits(value):
            raise MalformedCode(original, f"the {name} must be digits")
        if len(value) > 3:
            raise MalformedCode(original, f"the {name} has at most 3 digits")
    # RFC 3463 gives no meaning to leading zeros; normalise 5.07.001 to 5.7.1.
    return f"{cls}.{int(subject)}.{int(detail)}"


def parse_code(text: str) -> ParsedCode:
    """Parse one code string into a :class:`ParsedCode`.

    Accepts ``252``, ``5.7.26``, ``550 5.7.1``, ``550-5.7.1`` (multi-line reply
    continuation form), ``#5.1.1`` (Exchange NDR form), ``X.7.1``, mixed case and
    surrounding punctuation or quotes.

    Raises :class:`MalformedCode` (a ``ValueError``) for anything else, e.g.
    ``999``, ``6.1.1``, ``25``, ``abc`` or an empty string.

    Sources: RFC 5321 §4.2 and §4.2.1 (reply codes, multi-line replies with
    ``-``), RFC 3463 §2 (enhanced status code syntax).
    """
    if not isinstance(text, str):
        raise MalformedCode(str(text))
    token = text.strip(_STRIP)
    if not token:
        raise MalformedCode(text)
    if len(token) > 40:
        raise MalformedCode(text, "too long")
    m = _COMBINED_RE.fullmatch(token)
    if m:
        return ParsedCode(_parse_reply(m.group(1), text), _parse_enhanced(m.group(2), text))
    if "." in token:
        return ParsedCode(None, _parse_enhanced(token, text))
    if _isdigits(token):
        return ParsedCode(_parse_reply(token, text), None)
    raise MalformedCode(text)

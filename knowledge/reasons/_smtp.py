"""The SMTP token shapes the reason engine reads: code tokens to remove before phrase matching
(RFC 5321 §4.2, RFC 3463 §2), the enhanced status code shape, and the command a reply answered in
the engine's short form (on knowledge.smtp.commands, the one command vocabulary).

The code shapes are built from the pieces of knowledge.smtp.codes (ENHANCED_CODE,
NOT_IN_WORD_BEFORE, NOT_MORE_DIGITS_AFTER); the reply part keeps this engine's classes 2/4/5.
Holds no phrase.
"""

from __future__ import annotations

import re

from knowledge.smtp.codes import ENHANCED_CODE as _ENHANCED_CODE
from knowledge.smtp.codes import NOT_IN_WORD_BEFORE as _NOT_IN_WORD_BEFORE
from knowledge.smtp.codes import NOT_MORE_DIGITS_AFTER as _NOT_MORE_DIGITS_AFTER
from knowledge.smtp.commands import normalise_command

# A reply-code shape of class 2/4/5 (categories 6-9 included, like knowledge.smtp.codes.REPLY_SHAPE:
# "571 5.7.1" prefixes are removed too).
_REPLY = "[245][0-9][0-9]"
# Code tokens inside a reply ("550-5.7.1 " continuation prefixes, "550 5.1.1", "#5.1.1") are removed
# before phrase matching: codes are judged separately.
CODE_TOKENS = re.compile(
    f"{_NOT_IN_WORD_BEFORE}{_REPLY}(?:[ -]#?{_ENHANCED_CODE}|-){_NOT_MORE_DIGITS_AFTER}"
    f"|{_NOT_IN_WORD_BEFORE}#?{_ENHANCED_CODE}{_NOT_MORE_DIGITS_AFTER}")
# One enhanced status code, whole.
STATUS_RE = re.compile(f"^{_ENHANCED_CODE}$")
# A permanent reply code or enhanced status code anywhere in a text (a greylisting notice that has
# one is no greylisting deferral).
PERMANENT_CODE = re.compile(r"(?<![0-9.])5[0-9][0-9](?![0-9.])|(?<![0-9.])5\.[0-9]{1,3}\.[0-9]{1,3}")
# Reply codes of the syntax group (RFC 5321 §4.2.1, second digit 0): 500 syntax error, 501 syntax
# error in parameters, 502 not implemented, 503 bad sequence, 504 parameter not implemented.
SYNTAX_REPLIES = frozenset({"500", "501", "502", "503", "504"})
# knowledge.smtp's canonical command names -> the short names the command rules use.
_SHORT = {"RCPT TO": "RCPT", "MAIL FROM": "MAIL", "BDAT": "DATA"}


def norm_command(command: str | None) -> str:
    """The command a reply answered, short form: "RCPT", "MAIL", "DATA" (also BDAT, end of DATA),
    "HELO", "EHLO", "CONN" (greeting; also "CONNECT", "initial connection") ... from
    :func:`knowledge.smtp.commands.normalise_command`; a spelling it does not know is returned
    upper-cased with single spaces ("" for None)."""
    canon = normalise_command(command)
    if canon is None:
        return " ".join((command or "").upper().replace("_", " ").split())
    return _SHORT.get(canon, canon)

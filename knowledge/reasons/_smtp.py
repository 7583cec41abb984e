"""The few SMTP token shapes the reason engine reads: reply / enhanced code tokens (RFC 5321 §4.2,
RFC 3463 §2) and the command a reply answered.  Kept in one small module until knowledge/smtp
provides them (issue 9); holds no phrase."""

from __future__ import annotations

import re

# Code tokens inside a reply ("550-5.7.1 " continuation prefixes, "550 5.1.1")
# are removed before phrase matching: codes are judged separately.
CODE_TOKENS = re.compile(r"(?<![\w.])[245]\d\d(?:[ -]#?[245]\.\d{1,3}\.\d{1,3}|-)(?!\.?\d)|(?<![\w.])#?[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)")
# One enhanced status code, whole: class, subject, detail.
STATUS_RE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})$")
# A permanent reply code or enhanced status code anywhere in a text.
PERMANENT_CODE = re.compile(r"(?<![\d.])5[0-9][0-9](?![\d.])|(?<![\d.])5\.\d{1,3}\.\d{1,3}")
# Reply codes of the syntax group (RFC 5321 §4.2.1, second digit 0): 500 syntax error, 501 syntax
# error in parameters, 502 not implemented, 503 bad sequence, 504 parameter not implemented.
SYNTAX_REPLIES = frozenset({"500", "501", "502", "503", "504"})


def norm_command(command: str | None) -> str:
    """"RCPT TO" -> "RCPT", "MAIL FROM" -> "MAIL", "end of DATA" -> "DATA"; others upper-cased."""
    cmd = " ".join((command or "").upper().replace("_", " ").split())
    if cmd.startswith(("RCPT", "MAIL")):
        return cmd[:4]
    if cmd.endswith("DATA") or cmd == "BDAT":
        return "DATA"
    return cmd

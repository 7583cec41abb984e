"""Sendmail's session transcript: how its notice is split per recipient.

Sendmail ends each recipient's dialogue with a summary line
"550 <a@b>... User unknown"; the dialogue (">>> RCPT To:<a@b>", "<<< 550
...") comes before it, after "----- Transcript of session follows -----"
and a "... while talking to host:" line per SMTP session.  Its notice
phrases are in knowledge/data/formats/sendmail.toml.

Source: Sisimai lhost/sendmail.rb (BSD).  Fixtures:
tests/fixtures/bounces/sendmail/sendmail-dsn.eml, sendmail-delay.eml.
"""

from __future__ import annotations

import re

from knowledge.bounce.rows import ANGLE_ADDRESS

__all__ = ["recipient_blocks"]

_SUMMARY = re.compile(r"^[ \t]{0,4}[45]\d\d " + ANGLE_ADDRESS + r"\.\.\. ")


def recipient_blocks(lines: list[str]) -> dict[str, str]:
    """Text per recipient (lower-cased address -> its dialogue and summary line) of a
    Sendmail transcript given as ``lines``; {} when the lines hold no summary line."""
    out: dict[str, str] = {}
    start = 0
    for i, line in enumerate(lines):
        low = line.lower()
        if "transcript of session follows" in low:
            start = i + 1
            continue
        if "while talking to" in low and i > start:
            # A new SMTP session: what came before belongs to no later recipient.
            start = i
        m = _SUMMARY.match(line)
        if m:
            addr = m.group(1).lower()
            chunk = "\n".join(lines[start:i + 1])
            out[addr] = out[addr] + "\n" + chunk if addr in out else chunk
            start = i + 1
    return out

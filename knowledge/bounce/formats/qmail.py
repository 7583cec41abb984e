"""qmail: the stage a failure answered, in qmail-remote's own words.

"192.0.2.1 does not like recipient." (RCPT TO), "Connected to 192.0.2.1 but
greeting failed." (connection), "... but my name was rejected." (HELO).
("... but sender was rejected." is left to the reason families: Sisimai
keeps the remote's own reason there.)  Its notice phrases ("I'm afraid I
wasn't able to deliver ...") are in knowledge/data/formats/qmail.toml.

Source: qmail-remote's messages; Sisimai lhost/qmail.rb (BSD).  Fixtures:
tests/fixtures/bounces/qmail/qmail.eml, qmail-cr.eml.
"""

from __future__ import annotations

import re

__all__ = ["find_command"]

_STAGES = {"does not like recipient": "RCPT TO", "but greeting failed": "CONN",
           "but my name was rejected": "HELO"}
_STAGE = re.compile("(" + "|".join(_STAGES) + ")", re.I)


def find_command(text: str) -> str | None:
    """The SMTP command ("RCPT TO", "HELO", "CONN") qmail's wording in ``text`` names, or None."""
    if "does not like" in text or "but greeting failed" in text or "but my name was rejected" in text:
        m = _STAGE.search(text)
        if m:
            return _STAGES[m.group(1).lower()]
    return None

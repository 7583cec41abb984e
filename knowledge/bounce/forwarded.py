"""Bounces that a person forwarded: quoted inline ("> ..."), attached as
message/rfc822, or pasted below a note.

:func:`unquote` undoes e-mail quoting when most lines are quoted;
:func:`embedded_bounce` returns the bytes of a bounce inside a message, for
:func:`knowledge.bounce.parse_bytes` to read in its turn.
"""

from __future__ import annotations

import re

from knowledge.bounce import mime
from knowledge.bounce.formats.base import DAEMON_SENDER

__all__ = ["unquote", "embedded_bounce"]

_EMBED_START = re.compile(r"^(?:From [^\n]{1,200}\n|Return-Path:[^\n]{0,300}\n|Received:[^\n]{0,300}\n)", re.M)
_DAEMON_FROM = re.compile(r"^From:.{0,80}(?:mailer-daemon|postmaster)", re.I | re.M)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
# A line whose first non-blank character is ">" (what unquote counts).
_QUOTED_LINE = re.compile(r"^\s*>", re.M)


def embedded_bounce(loaded: mime.Loaded, notice: str) -> bytes | None:
    """Return the bytes of a bounce forwarded inside this message, or None.

    ``loaded``: the outer message (:func:`knowledge.bounce.mime.load`); ``notice``: its text.
    An attached message counts when it is a multipart/report or comes from a mail system; a
    pasted one when it starts with an mbox ``From `` / Return-Path / Received line and holds a
    multipart/report or a From: mailer-daemon / postmaster within its first 5,000 characters.
    """
    inner = loaded.inner
    if inner is not None:
        ct = inner.get_content_type()
        frm = str(inner.get("From", ""))
        if ct == "multipart/report" or DAEMON_SENDER.search(frm):
            try:
                return inner.as_bytes()
            except Exception:  # unencodable content: give up on the inner message
                return None
    m = _EMBED_START.search(notice)
    if m and m.start() > 0:
        rest = notice[m.start():]
        if "multipart/report" in rest[:5000] or _DAEMON_FROM.search(rest[:5000]):
            return rest.encode("utf-8", "replace")
    return None


def unquote(text: str) -> str:
    """Remove e-mail quoting ("> ") when at least 40% of the non-blank lines are quoted: a bounce
    forwarded inline by a person reads like the bounce itself."""
    if not _QUOTED_LINE.search(text, 0, 50000):
        return text  # no quoted line at all (the usual case): nothing to count
    lines = [ln for ln in text[:50000].split("\n") if ln.strip()]
    if not lines:
        return text
    quoted = sum(1 for ln in lines if ln.lstrip().startswith(">"))
    if quoted * 10 < len(lines) * 4:
        return text
    return _QUOTE.sub("", text)

"""What a format module is given (:class:`Context`) and returns (:class:`Reading`).

A format module (``knowledge/bounce/formats/<id>.py``) defines one or more of:

* ``read(ctx) -> Reading | None``: read the whole message in the format's own
  way; None when the message is not of this format (the next reader is tried);
* ``adjust(ctx, rows) -> None``: correct the reasons of rows read by any
  reader, in place, where the format's wording means something else than the
  generic reading found;
* ``FIELD`` and ``field_reason(value) -> str | None``: a reason a format's own
  RFC 3464 extension field states outright.

The order they are tried in is in :mod:`knowledge.bounce.formats`.
"""

from __future__ import annotations

import re
from email.message import Message

__all__ = ["Context", "Reading", "DAEMON_SENDER", "BOUNCE_SUBJECT"]

# Senders of mail-system notices (the sender of a bounce, not a person).
DAEMON_SENDER = re.compile(r"mailer-daemon|postmaster|mail delivery|mmdf|mail administrator|"
                           r"mailer_daemon|maildaemon|no-?reply.{0,20}bounce|bounce", re.I)
# Subjects of non-delivery notices, in the languages seen.
BOUNCE_SUBJECT = re.compile(r"undeliver|undelivered|delivery (?:status|fail|notification|problem|report)|"
                            r"returned mail|failure notice|mail delivery|non[- ]?delivery|could not be delivered|"
                            r"delivery has failed|not delivered|mail system error|rejected|bounce|warning:|"
                            r"nondeliverable|unzustellbar|non remis|no entregado|配信|エラー", re.I)


class Context:
    """One message as the format modules see it.

    ``msg``: the parsed top-level message (compat32); ``sender`` / ``subject``:
    its From / Subject decoded (RFC 2047); ``notice``: the human-readable text
    (unquoted, LF line ends); ``notice_cut``: the same up to the returned
    original message; ``failed``: the addresses of X-Failed-Recipients.
    """

    __slots__ = ("msg", "sender", "subject", "notice", "notice_cut", "failed")

    def __init__(self, msg: Message, sender: str, subject: str, notice: str, notice_cut: str,
                 failed: list[str]) -> None:
        self.msg = msg
        self.sender = sender
        self.subject = subject
        self.notice = notice
        self.notice_cut = notice_cut
        self.failed = failed

    def header(self, name: str) -> str:
        """The raw value of header ``name`` ('' when absent)."""
        return str(self.msg.get(name, "") or "")

    def from_daemon(self) -> bool:
        """True when From, or a non-empty Return-Path, names a mail system (mailer-daemon, postmaster ...)."""
        path = self.header("Return-Path")
        return bool(DAEMON_SENDER.search(self.sender)) or bool(DAEMON_SENDER.search(path) and path.strip() != "")


class Reading:
    """What a format's ``read`` found: ``rows`` (row dicts), and for a message that is
    not a bounce its ``kind`` ("auto-reply" ...) and a ``note``; with ``kind``
    None the rows go through the adjusters and the kind is decided from them."""

    __slots__ = ("rows", "kind", "note")

    def __init__(self, rows: list[dict], kind: str | None = None, note: str | None = None) -> None:
        self.rows = rows
        self.kind = kind
        self.note = note

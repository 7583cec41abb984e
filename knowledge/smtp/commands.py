"""The SMTP command vocabulary: which command (or stage) a server reply answered.

One function, :func:`normalise_command`, maps every spelling the readers meet to one canonical name:
the verbs as MTAs log them (``RCPT``, ``rcpt to``, ``RCPT_TO`` (Yahoo), ``end of DATA``,
``END-OF-MESSAGE`` (Postfix smtpd), ``.`` (a transcript's end of data), ``initial connection`` (Exim),
``CONNECT``), and the names client libraries give a failed step (Python smtplib's
``SMTPRecipientsRefused``, nodemailer's ``EENVELOPE``, JavaMail's ``SMTPAddressFailedException``,
PHPMailer's ``MAIL command failed`` ...).

Canonical names: ``"RCPT TO"``, ``"MAIL FROM"``, ``"DATA"``, ``"BDAT"``, ``"HELO"``, ``"EHLO"``,
``"STARTTLS"``, ``"AUTH"``, ``"RSET"``, ``"VRFY"``, ``"QUIT"``, ``"ETRN"``, and ``"CONN"`` for the
connection greeting (the 220/554 a server sends before any command).

Sources: RFC 5321 §4.1.1 (MAIL, RCPT, DATA, RSET, VRFY, QUIT, HELO/EHLO) and §3.1 / §4.3.1 (the
greeting), RFC 3030 §2 (BDAT), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 1985 (ETRN); the client
names from the smtplib, nodemailer, JavaMail / Jakarta Mail, .NET and PHPMailer documentation.
"""

from __future__ import annotations

__all__ = ["COMMANDS", "GREETING_STAGE", "MESSAGE_STAGE", "NO_RECIPIENT_COMMANDS", "SPELLINGS",
           "normalise_command"]

COMMANDS = ("CONN", "HELO", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO", "DATA", "BDAT", "RSET",
            "VRFY", "QUIT", "ETRN")
"""The canonical names :func:`normalise_command` returns, in session order."""

GREETING_STAGE = frozenset({"CONN", "HELO", "EHLO"})
"""Replies before any mail transaction: the greeting and the client's introduction."""
MESSAGE_STAGE = frozenset({"DATA", "BDAT"})
"""Replies about the message content (after DATA's end of data, or to a BDAT chunk, RFC 3030)."""
NO_RECIPIENT_COMMANDS = ("MAIL FROM", "AUTH", "EHLO", "HELO", "CONN", "STARTTLS")
"""Commands whose reply is about no recipient: a recipient named nearby is not the one refused."""

SPELLINGS: dict[str, str] = {
    # the verbs and their logged forms (upper-cased, "_" read as a space)
    "RCPT TO": "RCPT TO", "RCPT": "RCPT TO", "MAIL FROM": "MAIL FROM", "MAIL": "MAIL FROM",
    "DATA": "DATA", "END OF DATA": "DATA", "END-OF-MESSAGE": "DATA", ".": "DATA", "DATA END": "DATA",
    "SENDING DATA BLOCK": "DATA", "BDAT": "BDAT", "AUTH": "AUTH", "EHLO": "EHLO", "HELO": "HELO",
    "STARTTLS": "STARTTLS", "RSET": "RSET", "VRFY": "VRFY", "QUIT": "QUIT", "ETRN": "ETRN",
    "CONN": "CONN", "CONNECT": "CONN", "INITIAL CONNECTION": "CONN", "CONNECTION GREETING": "CONN",
    "INITIAL": "CONN", "CONNECTION": "CONN",
    # client libraries' names for the failed step
    "SMTPRECIPIENTSREFUSED": "RCPT TO", "SMTPSENDERREFUSED": "MAIL FROM", "SMTPDATAERROR": "DATA",
    "SMTPAUTHENTICATIONERROR": "AUTH", "SMTPHELOERROR": "EHLO", "SMTPADDRESSFAILEDEXCEPTION": "RCPT TO",
    "SMTPFAILEDRECIPIENTSEXCEPTION": "RCPT TO", "SMTPFAILEDRECIPIENTEXCEPTION": "RCPT TO",
    "AUTHENTICATIONFAILEDEXCEPTION": "AUTH", "INVALID LOGIN": "AUTH", "MAIL COMMAND FAILED": "MAIL FROM",
    "RECIPIENT COMMAND FAILED": "RCPT TO", "ALL RECIPIENTS WERE REJECTED": "RCPT TO", "DATA COMMAND FAILED": "DATA",
    "MESSAGE FAILED": "DATA", "EAUTH": "AUTH", "EENVELOPE": "RCPT TO", "EMESSAGE": "DATA",
    "AUTHENTICATION FAILED": "AUTH", "COULD NOT AUTHENTICATE": "AUTH", "FAILED TO AUTHENTICATE": "AUTH",
    "CAN'T SEND MAIL": "RCPT TO", "REFUSED TO TALK TO ME": "CONN", "PASSWORD": "AUTH", "USERNAME": "AUTH",
}
"""Every spelling (upper case, single spaces) -> canonical name.  A spelling not listed is looked up by
its first word (``"RCPT TO:<a@x>"`` -> ``RCPT`` -> ``"RCPT TO"``)."""


def normalise_command(text: str | None) -> str | None:
    """The canonical name of the command a reply answered, or None when ``text`` names none.

    ``"rcpt to"``, ``"RCPT_TO"``, ``"RCPT"`` -> ``"RCPT TO"``; ``"end of DATA"``, ``"."`` -> ``"DATA"``;
    ``"BDAT"`` -> ``"BDAT"``; ``"initial connection"``, ``"CONNECT"`` -> ``"CONN"``;
    ``"SMTPRecipientsRefused"`` -> ``"RCPT TO"``; ``"NOOP"``, ``""``, None -> None.
    Input: any str or None (never raises).  ``":"`` and ``"_"`` count as spaces, case is ignored.
    """
    if not text:
        return None
    key = " ".join(text.upper().replace("_", " ").replace(":", " ").split())
    if not key:
        return None
    return SPELLINGS.get(key) or SPELLINGS.get(key.split(" ")[0])

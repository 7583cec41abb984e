"""Host names, IP literals, and the phrasings that name the remote host of a reply.

Pattern pieces: :data:`HOSTNAME` (a DNS name with an alphabetic top-level label, RFC 1035 §2.3.4 /
RFC 1123 §2.1: labels of letters, digits and ``-``, 255 characters in all), :data:`HOST_CHARS`,
:data:`IPV4`, :data:`IP_LITERAL_BODY` (what stands between the brackets of an address literal,
RFC 5321 §4.1.3: IPv4 dotted quad or IPv6 hex groups, at most 45 characters).

The remote host of a reply is named in a few ways, each a compiled pattern here with the host in
group 1 (:data:`REMOTE_HOST_PATTERNS`, in this order): Postfix ``host X[ip] said:``, ``relay=X[ip]``,
RFC 3464 §2.3.5 ``Remote-MTA: dns; X``, Sendmail ``while talking to X:``, ``<X #5.1.1 ...>``, Exim
``H=X``.  :func:`find_remote_host` reads a diagnostic text the way ``knowledge.bounce`` does (the
first of ``host/server/mx X said:``, qmail ``X does not like recipient``, Postfix ``connect to
X[ip]``, Sendmail ``timed out with X``); the free-text reader (:mod:`knowledge.textscan`) takes the
nearest of :data:`REMOTE_HOST_PATTERNS` before a reply.
"""

from __future__ import annotations

import re

__all__ = ["HOSTNAME", "HOST_CHARS", "IPV4", "IP_LITERAL_BODY", "REMOTE_HOST_PATTERNS", "HOST_SAID_RE",
           "RELAY_FIELD_RE", "REMOTE_MTA_RE", "WHILE_TALKING_RE", "ANGLE_HOST_RE", "EXIM_HOST_RE",
           "find_remote_host"]

HOST_CHARS = "A-Za-z0-9.-"
"""Class content of the characters of a host name (letters, digits, ``.``, ``-``)."""
HOSTNAME = "[A-Za-z0-9][A-Za-z0-9.-]{0,250}\\.[A-Za-z]{2,63}"
"""A DNS host name with an alphabetic top-level label (``mx1.example.net``; no capture group)."""
IPV4 = "\\d{1,3}(?:\\.\\d{1,3}){3}"
"""A dotted-quad IPv4 address (``192.0.2.1``)."""
IP_LITERAL_BODY = "[0-9A-Fa-f.:]{1,45}"
"""The inside of an address literal's brackets (``192.0.2.1``, ``2001:db8::1``)."""

# -- the phrasings that name the remote host (group 1) ------------------------------------------

HOST_SAID_RE = re.compile(r"(?i)\bhost[ \t]+(" + HOSTNAME + r")\.?[ \t]*(?:\[[^\]\n]{1,64}\])?"
                          r"[ \t]*(?:said\b|refused to talk\b|:)")
"""Postfix ``host mx.example.net[192.0.2.1] said:``, Sendmail ``host x refused to talk``."""
RELAY_FIELD_RE = re.compile(r"(?i)\brelay=(?!none\b|local\b)([A-Za-z0-9][A-Za-z0-9.-]{0,250}?)\.?(?:[ \t]?\[|,)")
"""Postfix / Sendmail log field ``relay=mx.example.net[192.0.2.1]:25`` (not ``none`` / ``local``)."""
REMOTE_MTA_RE = re.compile(r"(?im)^[ \t>]*remote-mta:[ \t]*(?:dns[ \t]*;)?[ \t]*\[?([A-Za-z0-9][A-Za-z0-9.:-]{0,250}"
                           r"[A-Za-z0-9])")
"""RFC 3464 §2.3.5 ``Remote-MTA: dns; mx.example.net`` (or an address literal)."""
WHILE_TALKING_RE = re.compile(r"(?i)while talking to[ \t]+([A-Za-z0-9][A-Za-z0-9.-]{0,250}[A-Za-z0-9])\.?:")
"""Sendmail ``... while talking to mx.example.net.:``."""
ANGLE_HOST_RE = re.compile(r"<([A-Za-z0-9][A-Za-z0-9.-]{0,250}[A-Za-z0-9])[ \t]+#[245]\.\d")
"""Exchange NDR ``<mx.example.net #5.1.1 smtp;550 ...>``."""
EXIM_HOST_RE = re.compile(r"(?i)\bH=(" + HOSTNAME + r")")
"""Exim log field ``H=mx.example.net [192.0.2.1]``."""

REMOTE_HOST_PATTERNS: tuple[re.Pattern[str], ...] = (
    HOST_SAID_RE, RELAY_FIELD_RE, REMOTE_MTA_RE, WHILE_TALKING_RE, ANGLE_HOST_RE, EXIM_HOST_RE)
"""The phrasings above, in this order (the free-text reader indexes them)."""

# -- a diagnostic text's remote host (knowledge.bounce's reading) --------------------------------

_DIAG_NAME = "[A-Za-z0-9][A-Za-z0-9.-]{1,200}\\.[A-Za-z]{2,24}"
_DIAG_HOST_RE = re.compile(
    r"(?:remote host|host|server|mx|mail exchanger)[ \t]{1,3}(" + _DIAG_NAME + r"|\[?" + IPV4 + r"\]?)"
    r"(?:[ \t]{0,3}\[[\d.:a-fA-F]{1,45}\])?[ \t]{0,3}(?:said|says|returned|replied|responded|:)"
    r"|^([A-Za-z0-9][A-Za-z0-9.:-]{1,200}) does not like recipient"
    # Postfix "connect to mx.example.net[192.0.2.9]:25: Connection timed out", Sendmail
    # "Deferred: Connection timed out with mx.example.net."
    r"|\bconnect to (" + _DIAG_NAME + r")\[[\d.:a-fA-F]{1,45}\]"
    r"|\b(?:timed out|refused|reset|closed) (?:with|by) (" + _DIAG_NAME + r")\b",
    re.I | re.M,
)
# a host line that Postfix wrapped before "said:" ("host x.example[192.0.2.1]\n    said: 550 ...")
_WRAPPED_SAID = re.compile(r"(\])[ \t]*\n[ \t]+said\b")


def find_remote_host(text: str) -> str | None:
    """The remote host a diagnostic text names, or None.

    Phrasings: ``host X said:`` / ``server X:`` / ``mx X responded`` (also wrapped before ``said``),
    qmail ``X does not like recipient``, Postfix ``connect to X[ip]``, Sendmail ``timed out with X``.
    Input: any str; only the first 20,000 characters are read.  Output: the host name or IPv4 address
    without brackets (``"mx.example.net"``, ``"192.0.2.1"``)."""
    if not text:
        return None
    m = _DIAG_HOST_RE.search(_WRAPPED_SAID.sub(r"\1 said", text[:20000]))
    if not m:
        return None
    return next(g for g in m.groups() if g).strip("[]")

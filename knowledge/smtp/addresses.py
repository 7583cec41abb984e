"""Mailbox address building blocks: local parts and domains, as pattern pieces.

``Mailbox = Local-part "@" ( Domain / address-literal )`` (RFC 5321 §4.1.2).  The local part is a
dot-atom of *atext* (RFC 5322 §3.2.3) or a quoted string; internationalized addresses (RFC 6531 §3.3,
RFC 6532 §3.2) allow any UTF-8 letter in it, and their domains may be U-labels (RFC 5890 §2.3.2.1).
Limits: 64 octets of local part (RFC 5321 §4.5.3.1.1), 63 per label and 255 per domain (§4.5.3.1.2,
RFC 1035 §2.3.4).

The readers each build their regex from these pieces and keep their own constraint:

* free-text recipient readers (:mod:`knowledge.textscan`): :data:`FREE_LOCAL_CHAR` (anything but a
  delimiter) and :data:`ULABEL_CHAR` labels, the top-level label ending where ASCII ends
  (:data:`ASCII_TLD`), so that text glued after an address (``user@example.com失败``) stays out;
  :data:`FREE_TEXT_ADDRESS` is that reader's whole address;
* bounce-notice readers: a local part of ASCII atext and :data:`LATIN_GREEK_CYRILLIC` letters but no
  CJK ones (Japanese and Chinese notices glue their words before the address: ``宛先user@example.jp``);
* masking (``bot.slack.masking``) errs toward masking more: ``[\\w`` + :data:`ATEXT_SYMBOLS` ``]``;
* log redaction (``bot.observability``) uses possessive, linear-time patterns over the same classes.
"""

from __future__ import annotations

__all__ = ["ATEXT_SYMBOLS", "LATIN_GREEK_CYRILLIC", "ULABEL_CHAR", "FREE_LOCAL_CHAR", "QUOTED_LOCAL",
           "ASCII_TLD", "ULABEL_TLD", "FREE_TEXT_ADDRESS", "LOCAL_MAX", "LABEL_MAX", "DOMAIN_MAX"]

LOCAL_MAX = 64
"""Octets in a local part (RFC 5321 §4.5.3.1.1)."""
LABEL_MAX = 63
"""Octets in a domain label (RFC 1035 §2.3.4)."""
DOMAIN_MAX = 255
"""Octets in a domain name (RFC 5321 §4.5.3.1.2)."""

ATEXT_SYMBOLS = "!#$%&'*+/=?^_`{|}~-"
"""The symbols of RFC 5322 §3.2.3 *atext* (besides ASCII letters and digits), as character-class
content: ``"-"`` is last so the string can be put inside ``[...]`` as it is."""

LATIN_GREEK_CYRILLIC = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff"
"""Class content: the Latin-1 / Latin Extended letters (no ``×`` ``÷``), Greek and Cyrillic, which
internationalized local parts hold (RFC 6531 §3.3), unlike CJK words glued to an address."""

ULABEL_CHAR = "\\w\u0300-\u036f\u0900-\u0dff\u0e00-\u0e7f-"
"""Class content of a domain label that may be a U-label (RFC 5890): word characters, combining
diacritics, and the combining marks of the Indic and Thai scripts (which ``\\w`` leaves out), and ``-``."""

FREE_LOCAL_CHAR = "[^\\s<>()\\[\\]{}\"',;:@|`]"
"""A local-part character in free text: anything but white space and the delimiters that surround an
address in logs, JSON and prose."""

QUOTED_LOCAL = "\"[^\"\\r\\n]{1,64}\""
"""A quoted-string local part (``"john doe"@example.com``, RFC 5321 §4.1.2), on one line."""

ASCII_TLD = "[A-Za-z][A-Za-z0-9-]{1,62}(?![A-Za-z0-9-])"
"""An ASCII top-level label, ending where ASCII letters, digits and ``-`` end."""

ULABEL_TLD = "[^\\x00-\\x7f\\W][" + ULABEL_CHAR + "]{1,62}"
"""A U-label top-level label (``.рф``, ``.中国``): starts with a non-ASCII letter."""

FREE_TEXT_ADDRESS = (
    "(?:" + QUOTED_LOCAL + "|" + FREE_LOCAL_CHAR + "{1,64})@[^\\W_](?:[" + ULABEL_CHAR + "]{0,62}\\.){1,8}"
    "(?:" + ASCII_TLD + "|" + ULABEL_TLD + ")"
)
"""A whole address in pasted free text (no capture group): a quoted or delimiter-free local part, up
to nine labels, an ASCII or U-label top-level label (RFC 5321 §4.1.2, RFC 6531 §3.3, RFC 5890)."""

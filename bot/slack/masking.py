"""Masking of e-mail addresses in replies posted to channels.

Bounces carry customers' addresses; channel replies show ``j***@example.com``
instead of ``john.doe@example.com`` unless masking is turned off
(``MASK_ADDRESSES=false`` or the channel's setting).  The domain stays visible
because it is what tells which provider refused the mail.

Address shape: RFC 5321 §4.1.2 ``Mailbox = Local-part "@" ( Domain / address-literal )``,
matched loosely (dot-atom local parts and quoted local parts are both covered well
enough for display purposes).
"""

from __future__ import annotations

import re

from knowledge.smtp.addresses import ATEXT_SYMBOLS

# local part: dot-atom characters (RFC 5322 §3.2.3 atext: knowledge.smtp.addresses.ATEXT_SYMBOLS),
# widened to any Unicode letter or digit for internationalized addresses, RFC 6531 §3.3 / RFC 6532 §3.2) or a quoted string; domain:
# labels (ASCII or U-labels, RFC 5890) or [literal]. ``\w`` is Unicode-aware on str patterns.
_ATOM = rf"[\w{ATEXT_SYMBOLS}]"
ADDRESS_RE = re.compile(
    rf"""(?<![\w.+-])
        (?P<local>"[^"\s]{{1,64}}"|{_ATOM}+(?:\.{_ATOM}+)*)
        @
        (?P<domain>\[[0-9A-Fa-f:.IPv]+\]|(?:[^\W_](?:[\w-]{{0,61}}[^\W_])?\.)+[^\W\d_]{{2,63}}
                   |[\w-]+)
    """,
    re.VERBOSE,
)


def mask_address(address: str) -> str:
    """``"john@example.com"`` -> ``"j***@example.com"``; input without ``@`` is returned unchanged.

    The first character of the local part is kept (a quoted local part keeps its
    quote and first character), the rest becomes ``***``.
    """
    local, sep, domain = address.rpartition("@")
    if not sep or not local:
        return address
    keep = local[:2] if local.startswith('"') else local[:1]
    return f"{keep}***@{domain}"


def mask_text(text: str) -> str:
    """Mask every e-mail address found in ``text`` (see :func:`mask_address`)."""
    if "@" not in text:
        return text
    return ADDRESS_RE.sub(lambda m: mask_address(m.group(0)), text)

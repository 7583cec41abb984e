"""The SMTP basics, one definition each, shared by every reader of mail text.

* :mod:`knowledge.smtp.codes`: reply-code and enhanced-status-code tokens and their parsing
  (RFC 5321 §4.2, RFC 3463 §2, the IANA "SMTP Enhanced Status Codes" registry);
* :mod:`knowledge.smtp.commands`: the command vocabulary, what a reply answered (RFC 5321 §4.1,
  RFC 3030 BDAT, RFC 3207 STARTTLS, RFC 4954 AUTH);
* :mod:`knowledge.smtp.addresses`: mailbox building blocks (RFC 5321 §4.1.2, RFC 5322 §3.2.3 / §3.4.1,
  RFC 6531 §3.3, RFC 5890 U-labels);
* :mod:`knowledge.smtp.hosts`: host names, IP literals and the phrasings that name the remote host
  (RFC 1035 §2.3.4, RFC 1123 §2.1, RFC 5321 §4.1.3).

The modules hold pattern *pieces* (strings) from which each reader builds its own regex, so that a
reader's own constraint (a recipient reader keeping CJK words glued to an address out of it, masking
erring toward masking more, log redaction using possessive patterns) stays with the reader while the
definition of what a code, a command, an address or a host is lives here once.  Nothing here imports
pydantic or loads data: importing the package is cheap.
"""

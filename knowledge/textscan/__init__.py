"""Find SMTP reply codes and enhanced status codes in pasted free text, with their context.

The text path of ``smtpbot annotate`` and of the Slack app's auto-annotation:
mail log lines (Postfix, Exim, Sendmail, qmail, Exchange), the human part of
bounces, DSN fields pasted on their own, client library errors (Python
smtplib, nodemailer, PHPMailer / Swift / Symfony Mailer, JavaMail, .NET
``SmtpException``, MailKit, Go ``net/smtp``), SMTP session transcripts, as
plain text (Slack markup is undone by ``bot/slack/markup.py`` first).

How it works (one module per stage)
-----------------------------------
0. :mod:`~knowledge.textscan.results`: the limits and the result types; the SMTP basics (code tokens,
   command names, addresses, hosts) come from :mod:`knowledge.smtp`.
1. *Normalise* (:mod:`~knowledge.textscan.normalise`, offsets kept by :mod:`knowledge.offsets`): the
   input is plain text (the Slack app undoes Slack's markup first, ``bot/slack/markup.py``); turn
   literal ``\\r\\n`` / ``\\n`` escapes (Python / PHP / JS / JSON string
   literals, also escaped twice, Exim logs) into line breaks, and
   qmail's ``_``-for-space logs into spaces.  An offset map keeps spans in
   terms of the caller's text.
2. *Tokenise* (:mod:`~knowledge.textscan.tokens`): one linear regex finds every token shaped like a reply code
   (RFC 5321 §4.2: three digits, first 2-5, second 0-5) or an enhanced status
   code (RFC 3463 §2: ``class.subject.detail``, class 2/4/5; we accept subjects
   0-7, the ones the IANA registry defines, and details of 1-3 digits).  The
   boundaries are ASCII-only, so ``失败550`` is found while ``v2.7.4``,
   ``_nodemailer@4.7.0@``, ``4.16.55.1``, ``554.30``, ``192.0.2.250`` and
   ``index.js:605:19`` are not.
3. *Context rules* (data: :mod:`~knowledge.textscan.rules`, :mod:`~knowledge.textscan.words`; engine:
   :mod:`~knowledge.textscan.classify`, :mod:`~knowledge.textscan.doc`) decide, for each token, whether it is a code and in which
   role: a reply code followed by an enhanced code of the same class
   (``550 5.7.1``, ``550-5.7.1``, ``(450, b'4.1.2``, wrapped over a line) is a
   code; so is a token after ``said:``, ``smtp;``, ``Status:``, ``dsn=``,
   ``#``, an SMTP exception name, ``responseCode:``, ``got code``, at the
   start of a reply line, after a transcript marker behind a log prefix
   (``mta: 0x1: <<< 554``), in a table cell, in ``SMTP Error (550)``, in
   ``(451)`` when an enhanced code of its class is on the line, on the lines
   of a multi-line reply (RFC 5321 §4.2.1), etc.  The reply a client did not
   expect (``Expected response code 354 but got code "250"``, PHPMailer's
   ``... command failed: 250``, smtplib's ``SMTPDataError: (250, ...)``) is a
   failure whatever its class.  Ports, HTTP statuses, durations, sizes,
   counts, line numbers, pids, errno values, versions (``PHP: 5.4.45``,
   ``OpenSMTPD 5.4.2p1``, a versions block) and RFC numbers are
   rejected by the words around them.  Each kept token gets a *strength*:
   ``strong`` (SMTP context on its own), ``medium`` (code-like, counted only
   when the text talks about mail and the line is not about HTTP) or ``weak``
   (a bare number: reported by :func:`scan`, never a failure).
4. *Failures* (:mod:`~knowledge.textscan.failures`, with :mod:`~knowledge.textscan.records`,
   :mod:`~knowledge.textscan.replytext`, :mod:`~knowledge.textscan.context`, :mod:`~knowledge.textscan.merge`):
   failure-class codes (4xx/5xx, 4.x.x/5.x.x) are grouped into one
   failure per server reply (the repeated codes of a multi-line reply are one
   reply), DSN ``Status:`` / Postfix ``dsn=`` fields are attached to the reply
   of the same record, and each failure gets its recipient, the SMTP command
   it answered, the remote host and the reply text.  A record is a
   paragraph, and each per-recipient MTA log line (Postfix / Sendmail
   ``to=<addr>``, Exim ``** addr`` / ``== addr``, qmail ``delivery N:``,
   Courier ``addr=<addr>``) is a record of its own: N failing lines give N
   failures.  In a session transcript each reply goes to the command it
   answers, pipelined commands included (RFC 2920 §3.1).
5. *Evidence* (:mod:`~knowledge.textscan.evidence`): is a text a paste of a failure or chat about codes;
   *mentions* (:mod:`~knowledge.textscan.mentions`): every code found, weak ones included.

Limits: only the first :data:`MAX_SCAN_CHARS` characters are scanned, at
most :data:`MAX_TOKENS` code-shaped tokens are examined and :data:`MAX_FAILURES`
replies turned into failures (see :func:`scan_limited`; :func:`failures_limited`
takes other bounds and reports the work done).
Every pattern is linear (no nested quantifiers over the same characters), and
the work is linear in the text's length: each token's context is read in
windows of fixed reach, context-rule results are cached per window (a text of
one code repeated costs one evaluation per distinct window), searches of a
long line are gated by substring tests, and repeated failures are merged
through indexes rather than by comparing each with all found before.
No function here raises on any ``str`` input.
"""

from __future__ import annotations

from knowledge.textscan.evidence import has_smtp_evidence
from knowledge.textscan.failures import failures_from_text, failures_limited
from knowledge.textscan.mentions import scan, scan_limited
from knowledge.textscan.results import (MAX_FAILURES, MAX_SCAN_CHARS, MAX_TOKENS, CodeMention, ScanStats,
                                        TextFailure)

__all__ = [
    "CodeMention", "TextFailure", "scan", "failures_from_text", "has_smtp_evidence",
    "scan_limited", "MAX_SCAN_CHARS", "MAX_TOKENS", "failures_limited", "ScanStats", "MAX_FAILURES",
]

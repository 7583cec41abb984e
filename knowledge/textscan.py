"""Find SMTP reply codes and enhanced status codes in pasted free text, with their context.

The text path of ``smtpbot annotate`` and of the Slack app's auto-annotation:
mail log lines (Postfix, Exim, Sendmail, qmail, Exchange), the human part of
bounces, DSN fields pasted on their own, client library errors (Python
smtplib, nodemailer, PHPMailer / Swift / Symfony Mailer, JavaMail, .NET
``SmtpException``, MailKit, Go ``net/smtp``), SMTP session transcripts, with or
without Slack formatting.

How it works
------------
1. *Normalise* (plain text in: Slack markup is undone by ``bot.slack.markup``
   before the text gets here): turn literal ``\\r\\n`` / ``\\n`` escapes (Python / PHP / JS / JSON string
   literals, also escaped twice, Exim logs) into line breaks, and
   qmail's ``_``-for-space logs into spaces.  An offset map keeps spans in
   terms of the caller's text.
2. *Tokenise*: one linear regex finds every token shaped like a reply code
   (RFC 5321 §4.2: three digits, first 2-5, second 0-5) or an enhanced status
   code (RFC 3463 §2: ``class.subject.detail``, class 2/4/5; we accept subjects
   0-7, the ones the IANA registry defines, and details of 1-3 digits).  The
   boundaries are ASCII-only, so ``失败550`` is found while ``v2.7.4``,
   ``_nodemailer@4.7.0@``, ``4.16.55.1``, ``554.30``, ``192.0.2.250`` and
   ``index.js:605:19`` are not.
3. *Context rules* decide, for each token, whether it is a code and in which
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
4. *Failures*: failure-class codes (4xx/5xx, 4.x.x/5.x.x) are grouped into one
   failure per server reply (the repeated codes of a multi-line reply are one
   reply), DSN ``Status:`` / Postfix ``dsn=`` fields are attached to the reply
   of the same record, and each failure gets its recipient, the SMTP command
   it answered, the remote host and the reply text.  A record is a
   paragraph, and each per-recipient MTA log line (Postfix / Sendmail
   ``to=<addr>``, Exim ``** addr`` / ``== addr``, qmail ``delivery N:``,
   Courier ``addr=<addr>``) is a record of its own: N failing lines give N
   failures.  In a session transcript each reply goes to the command it
   answers, pipelined commands included (RFC 2920 §3.1).

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

import bisect
import copy
import re
from dataclasses import dataclass
from typing import Literal

from knowledge.offsets import OffsetMap, rewrite

__all__ = [
    "CodeMention", "TextFailure", "scan", "failures_from_text", "has_smtp_evidence",
    "scan_limited", "MAX_SCAN_CHARS", "MAX_TOKENS", "failures_limited", "ScanStats",
]

MAX_SCAN_CHARS = 1_000_000
"""Only this many characters (code points) of a text are scanned; a 10 MB paste is cut."""
MAX_TOKENS = 2500
"""At most this many code-shaped tokens of class 4/5, and as many of class 2/3, are examined per text
(bounds adversarial input)."""
MAX_FAILURES = 300
"""At most this many server replies are turned into failures per text."""
_LINE_REACH = 2000
_RULE_CACHE_MAX = 20_000  # windows remembered per text by _Doc._before_rule (bounds its memory)
_REPLY_REACH = 3000

Role = Literal["failure", "success", "expected", "mention"]
Strength = Literal["strong", "medium", "weak"]


@dataclass(frozen=True, slots=True)
class CodeMention:
    """One reply code or enhanced status code found in a text.

    ``code``: ``"550"`` or ``"5.7.1"``; ``kind``: ``"reply"`` (RFC 5321 §4.2)
    or ``"enhanced"`` (RFC 3463 §2).  ``start``/``end``: the span in the text
    given to :func:`scan` (``text[start:end] == code`` unless Slack formatting
    or an escape was undone inside it).  ``role``: ``failure`` (4xx/5xx,
    4.x.x/5.x.x, or a reply of any class that a client did not expect),
    ``success`` (2xx/3xx, 2.x.x), ``expected`` (the code a
    client wanted, e.g. the 250 of "Expected response code 250 but got code
    530") or ``mention``.  ``context``: the rule that made it a code
    (``"pair"``, ``"said"``, ``"dsn-status"``, ``"exception"``, ``"reply-line"``,
    ``"bare"`` ...).  ``strength``: see the module docstring.  ``paired``: the
    enhanced code sent with this reply code (or the reply code sent with this
    enhanced code), else None.
    """

    code: str
    kind: Literal["reply", "enhanced"]
    start: int
    end: int
    role: Role
    context: str
    strength: Strength
    paired: str | None = None


@dataclass(frozen=True, slots=True)
class TextFailure:
    """One SMTP failure found in free text: one per failed recipient, or per failed reply.

    ``reply_code`` (``"550"``) and ``enhanced_status`` (``"5.7.1"``) are codes
    that appear in the text (never inferred); either may be None.  They are
    4xx/5xx (4.x.x/5.x.x) except for a reply the client did not expect, which
    is the failure whatever its class (``evidence == "unexpected"`` or an SMTP
    exception: ``got code "235"`` -> ``235``/``2.7.0``).  Both are
    None only for an MTA log line that records a recipient's failure without
    any code (Exim ``** addr: Unrouteable address``, ``== addr ... defer
    (-53): retry time not reached``; ``evidence == "log-line"``).
    ``recipient``: the failed address when the text names it (DSN
    Final-Recipient, Postfix ``<addr>: host ...`` / ``to=<addr>``, ``RCPT
    TO:<addr>``, smtplib's refused-recipient dict, the address a reply names).
    ``command``: the SMTP command answered (``"RCPT TO"``, ``"MAIL FROM"``,
    ``"DATA"``, ``"AUTH"``, ``"EHLO"``, ``"CONN"`` for the greeting ...).
    ``remote_host``: the server that answered (``host X said:``, ``relay=X[...]``, ``Remote-MTA: dns; X``).
    ``reply_text``: the server's reply text with the codes of continuation
    lines removed and lines joined.  ``action``: ``"failed"`` or ``"delayed"``
    when the text says so (DSN Action, Postfix ``status=bounced/deferred``).
    ``evidence``: the context rule of the strongest code.  ``start``/``end``:
    span of the first code in the caller's text.
    """

    reply_code: str | None
    enhanced_status: str | None
    recipient: str | None = None
    command: str | None = None
    remote_host: str | None = None
    reply_text: str | None = None
    action: str | None = None
    evidence: str = ""
    start: int = 0
    end: int = 0


# ---------------------------------------------------------------------------
# 1. normalisation

_ESCAPES_RE = re.compile(r"\\{1,2}r(?:\\{1,2}n)?|\\{1,2}n|\\t|\\\"|\\'")
_ESC_MAP = {"\\t": " ", '\\"': '"', "\\'": "'"}


def _unescape(m: re.Match[str]) -> str:
    """A literal line-break escape (``\\r\\n``, ``\\n``, ``\\r``, also written twice-escaped as
    ``\\\\r\\\\n`` in the JSON of a repr) is a line break; ``\\t`` a space; ``\\"`` a quote."""
    g = m.group(0)
    return _ESC_MAP.get(g) or "\n"


_QMAIL_LINE_RE = re.compile(r"(?m)^[^\n]{0,4000}?said:_[^\n]*")
_QUOTE_RE = re.compile(r"(?m)^[ \t]{0,8}>(?:[ \t]?>)*[ \t]?")


def _normalise(text: str) -> tuple[str, OffsetMap]:
    plain, omap = text, OffsetMap()  # plain text: Slack markup was undone by the caller (bot.slack.markup)
    if "\\" in plain:
        plain, omap = rewrite(plain, _ESCAPES_RE, _unescape, omap)
    if "\r" in plain:
        plain = plain.replace("\r\n", " \n").replace("\r", "\n")  # length-preserving
    if ">" in plain:  # e-mail style quoting ("> host ... said: 553 ...")
        plain, omap = rewrite(plain, _QUOTE_RE, lambda m: "", omap)
    if "said:_" in plain:  # qmail logs write spaces as underscores
        plain, omap = rewrite(plain, _QMAIL_LINE_RE, lambda m: m.group(0).replace("_", " "), omap)
    return plain, omap


# ---------------------------------------------------------------------------
# 2. tokens

_TOKEN_RE = re.compile(
    r"(?<![0-9A-Za-z_.@$/\\])(?<!\d,)"
    r"(?:(?P<enh>[245]\.[0-7]\.[0-9]{1,3})(?![0-9A-Za-z_@%]|\.[0-9]|-[0-9])"
    r"|(?P<rep>[2-5][0-5][0-9])(?![0-9A-Za-z_@%]|[.:/][0-9]|,[0-9]{3}|-[0-9]{2}|-[0-9]\b(?!\.)))"
)
_QUICK_RE = re.compile(r"[2-5][0-5][0-9]|[245]\.[0-7]\.[0-9]")

# gap allowed between a reply code and the enhanced code sent with it
_PAIR_GAP_RE = re.compile(r"(?:[ \t]*(?:-|,[ \t]*b?['\"]|\r?\n[ \t>]*|[ \t]+|#|\)?[ \t]*:))?[ \t]*\Z")

# ---------------------------------------------------------------------------
# 3. context rules.  Each "before" pattern is searched in the 70 characters
# before a token and must end at the token (\Z).  First match wins.

_W = r"[ \t]*"
_REPLY_BEFORE: list[tuple[str, re.Pattern[str]]] = [(n, re.compile(p)) for n, p in [
    ("reject-http", r"(?i)(?:\bHTTP(?:/\d(?:\.\d)?)?[\"']?" + _W + r"(?:status|error|code|response)?(?:" + _W + r"code)?"
                    + _W + r"[:=]?" + _W + r"|\b(?:status_?code|http_?status|statuscode|status code|http code)[\"']?"
                    + _W + r"[:=]?" + _W + r"[\"']?" + _W + r")\Z"),
    ("expected", r"(?i)\bexpect(?:ed|ing)" + _W + r"(?:an?\s+)?(?:smtp\s+)?(?:response|reply|status)?" + _W
                 + r"(?:codes?|\(s\)|reply|response)?(?:\(s\))?" + _W + r"[:=]?" + _W + r"[\[\"'(]?" + _W
                 + r"(?:\d{3}" + _W + r"[,/|]" + _W + r"){0,4}\Z"),
    ("got", r"(?i)\b(?:but\s+)?(?:got|received|returned|returns|gave|answered|responded|replied)" + _W
            + r"(?:an?\s+|with\s+|the\s+)?(?:smtp\s+)?(?:response|reply|code|status|error)?" + _W
            + r"(?:code)?" + _W + r"[:=]?" + _W + r"[\[\"'(]" + _W + r"\Z"),
    ("got-code", r"(?i)\b(?:got|received|returned|gave)" + _W + r"(?:an?\s+|the\s+)?(?:smtp\s+)?(?:response\s+|reply\s+)?code"
                 + _W + r"[:=]?" + _W + r"\Z"),
    # a client naming the reply it did not expect: its code is the failure even when it is 2xx/3xx
    # (PHPMailer "MAIL FROM command failed: 250 ...", Ruby "could not get 3xx (250: ...)",
    # JavaMail "Got bad greeting from SMTP host: h, port: 25, response: 250 ...", "unexpected reply: 220")
    ("unexpected", r"(?i)(?:\b(?:unexpected|bad|invalid|wrong|unknown|unrecogni[sz]ed)" + _W + r"(?:smtp\s+|server\s+)?"
                   r"(?:response|reply|greeting|answer|status)(?:" + _W + r"code)?(?:\s+from\s+[^\s:]{1,100})?"
                   r"|\b(?:MAIL[ \t]+FROM|RCPT[ \t]+TO|DATA(?:[ \t]+END)?|[EH]LO|AUTH|STARTTLS|RSET|QUIT|VRFY|NOOP|BDAT|"
                   r"MAIL|RCPT|Password|Username)[ \t]+command" + _W + r"failed|\bcould\s+not\s+get\s+[2-5]xx"
                   r"|\bbad\s+greeting\b[^\n]{0,200}?\bresponse)" + _W + r"[:=]?" + _W + r"[\"'(\[]?" + _W + r"\Z"),
    # a server line of a session transcript after a log prefix ("mta: 0x1: <<< 554-...", "... S: 550 ...",
    # swaks "<-  550", "<** 550", Exim debug "SMTP<< 550", Perl "Net::SMTP=GLOB(0x1)<<< 550"); ">>>" / "C:" / "->"
    # / "SMTP>>" lines are the client's commands
    ("transcript", r"(?:^|(?<=[\s:\]>|)]))(?:<<<|<-{1,2}|<~|<\*\*|(?<![A-Za-z0-9])S:|SERVER[ \t]+->[ \t]+CLIENT:)"
                   r"[ \t]*(?:b?[\"'])?\Z|\bSMTP<<[ \t]*\Z"),
    ("said", r"(?i)\b(?:(?:said|server replied|server said)" + _W + r":?|(?:says|responded|replied|answered|response was|"
             r"reply was|refused to talk to me|deferred)" + _W + r":)\s*\Z"),
    ("said", r"(?i)\bhost[ \t]+[A-Za-z0-9.-]{1,253}[ \t]+\[[0-9A-Fa-f.:]{2,45}\][ \t]*:\s*\Z"),
    ("smtp-diag", r"(?i)(?:\bsmtp|\bx-[a-z0-9-]+|\besmtp)" + _W + r";\s*\Z"),
    ("diagnostic", r"(?i)\bdiagnostic[- ]code" + _W + r":" + _W + r"(?:[a-z0-9-]+" + _W + r";)?\s*\Z"),
    ("exception", r"(?:\bSMTP[A-Za-z]*|\bSmtp[A-Za-z]*|[A-Za-z](?:Error|Exception|Refused|Failure))[ \t]?\(" + _W + r"\Z"),
    ("exception", r"['\"][^'\"\s]{1,200}@[^'\"\s]{1,200}['\"]" + _W + r":" + _W + r"\(" + _W + r"\Z"),
    ("smtp-key", r"(?i)(?:\b(?:response_?code|reply_?code|smtp_?(?:code|status|error|reply|response|status_?code)"
                 r"|return_?code|result_?code|smtp_?status_?code|smtpstatuscode)[\"']?" + _W + r"[:=]?" + _W + r"[\"'\[(]?"
                 + r"|\b(?:e?smtp" + _W + r"(?:error|code|reply|response|status)(?:" + _W + r"code)?|(?:response|reply)"
                 + _W + r"(?:code|status))[\"']?" + _W + r"[:=#]?" + _W + r"[\"'\[(]?)" + _W + r"\Z"),
    ("value-key", r"(?i)\b(?:response|reply|message|msg|error|err|reason|text|answer|detail|details|description|"
                  r"errormessage|error_message|smtp_response|last_?response)[\"']?" + _W + r"[:=]" + _W
                  + r"[\"'\[(]" + _W + r"\Z"),
    ("reject-ipv6", r"(?i)(?:^|[\s\[(=])(?:[0-9a-f]{0,4}:){2,7}\Z"),
    ("reject-file", r"[A-Za-z0-9_-]\.[A-Za-z][A-Za-z0-9_-]{0,15}[:(]\Z"),
    ("reject-host", r"[A-Za-z0-9-]\.[A-Za-z][A-Za-z0-9-]*\]?:\Z"),
    ("reject-word", r"(?i)(?:\b(?=[A-Za-z$])(?:line|ln|lines|row|col|column|page|p|pp|no|num|number|nr|issue|issues|pr|ticket|bug|case|"
                    r"order|item|step|errno|err(?:no)?\s*#|error\s*#|exit|exit\s+code|exit\s+status|pid|uid|gid|id|ids|"
                    r"version|ver|v|rev|revision|build|release|rfc|section|sec|chapter|figure|fig|table|port|ports|"
                    r"timeout|delay|delays|took|after|wait|waited|waiting|in|for|every|within|size|length|len|count|"
                    r"total|limit|max|min|maximum|minimum|nrcpt|time|duration|ttl|retry|retries|attempts?|"
                    r"about|approx|approximately|around|over|under|than|only|top|last|first|sent|send|"
                    r"top|x|times|room|floor|flight|route|code\s+name|tcp|udp|kb|mb|gb|\$|usd|eur|seq|index|"
                    r"offset|width|height|px|year|years|day|days|hour|hours|minute|minutes|second|seconds)"
                    r"|#|\bv\.)" + _W + r"[:=#]?" + _W + r"\Z"),
    ("reject-pid", r"[A-Za-z0-9_]\[\Z"),
    ("reject-glued-colon", r"[A-Za-z0-9_]:\Z"),
    ("reject-assign", r"(?i)\b(?!(?:code|status|reply|response|result|smtp|error|err)=)[A-Za-z_][A-Za-z0-9_.-]*=\Z"),
    ("exception", r"(?i)\b(?:permanent|transient|temporary)[ \t]+(?:smtp[ \t]+)?error[ \t]*\([ \t]*\Z"),
    ("reject-paren-num", r"(?i)(?:timed out|refused|unreachable|reset|errno|error|failed|fail)\s*\(\s*\Z"),
]]

_TRANSCRIPT_RULE = next(i for i, (n, _) in enumerate(_REPLY_BEFORE) if n == "transcript")

_ENH_BEFORE: list[tuple[str, re.Pattern[str]]] = [(n, re.compile(p)) for n, p in [
    ("reject-version", r"(?i)(?:\b(?=[A-Za-z.§])(?:version|versions|ver|v|rev|revision|release|released|build|python|python3|node|"
                       r"nodejs|npm|pip|php|java|jdk|jre|ruby|perl|go|golang|rust|dotnet|\.net|nodemailer|phpmailer|"
                       r"swiftmailer|swift|symfony|laravel|mailkit|mimekit|javamail|django|rails|spring|wordpress|"
                       r"library|lib|package|module|plugin|app|update|updated|upgrade|upgraded|downgrade|downgraded|"
                       r"install|installed|installing|using|uses|bump|bumped|tag|branch|ios|android|macos|windows|"
                       r"ubuntu|debian|centos|kernel|firmware|chrome|firefox|postfix|exim|dovecot|sendmail|"
                       r"roundcube|mailcow|thunderbird|outlook|rspamd|spamassassin|docker|image|cluster|"
                       r"opensmtpd|smtpd|openssl|libressl|gnutls|haraka|courier|qmail|zimbra|iredmail|mailu|"
                       r"postfixadmin|mysql|mariadb|postgres|postgresql|nginx|apache|httpd|openjdk|gradle|maven|"
                       r"composer|yarn|pnpm|deno|bun|mono|powershell|perl5|cpanel|plesk|directadmin|whm|"
                       r"exim4|postfix3|sendgrid-php|sendgrid|mailgun-js|ses|boto3|botocore|aws-sdk|"
                       r"versions?" + _W + r"[:=]" + _W + r"(?:[A-Za-z][\w.+-]{0,40}[ \t]+){1,3}|"
                       r"rfc\s*\d+(?:\s*(?:section|§|sec\.?))?|section|sections|sec|§|chapter|figure|fig|table|step|"
                       r"paragraph|item|clause|appendix|page|price|costs?|version:)"
                       r"|@v?|\bv\.|版本|版本号|バージョン|версия|versão|versión)" + _W + r"[:=]?" + _W + r"\Z"),
    ("dsn-status", r"(?i)\b(?:x-)?status[\"']?" + _W + r":" + _W + r"[\"']?\Z"),
    ("dsn-field", r"(?i)\b(?:dsn|status)" + _W + r"=" + _W + r"\Z"),
    ("hash", r"#\Z"),
    ("said", r"(?i)\b(?:(?:said|server replied|server said)" + _W + r":?|(?:says|responded|replied|answered|response was|"
             r"reply was|refused to talk to me|deferred)" + _W + r":)\s*\Z"),
    ("said", r"(?i)\bhost[ \t]+[A-Za-z0-9.-]{1,253}[ \t]+\[[0-9A-Fa-f.:]{2,45}\][ \t]*:\s*\Z"),
    ("smtp-diag", r"(?i)(?:\bsmtp|\bx-[a-z0-9-]+|\besmtp)" + _W + r";\s*\Z"),
    ("diagnostic", r"(?i)\bdiagnostic[- ]code" + _W + r":" + _W + r"(?:[a-z0-9-]+" + _W + r";)?\s*\Z"),
    ("response", r"(?i)\b(?:response|reply|returned|got|received|responded|replied|answered)" + _W + r"[:=]?" + _W
                 + r"[\"'\[]?" + _W + r"\Z"),
    ("smtp-key", r"(?i)\b(?:enhanced(?:[-_ ]?status)?(?:[-_ ]?code)?|(?:smtp" + _W + r")?status" + _W
                 + r"code|smtp" + _W + r"(?:status|error|code|info)|additional" + _W + r"smtp" + _W + r"info|x-status|"
                 r"error_?code|errorcode|"
                 r"dsn" + _W + r"code|dsn|enhanced_?status_?code|status_?code_?enhanced)[\"']?" + _W + r"[:=]?" + _W
                 + r"[\"']?" + _W + r"\Z"),
    ("exception", r"(?:\bSMTP[A-Za-z]*|\bSmtp[A-Za-z]*|[A-Za-z](?:Error|Exception|Refused|Failure))(?:\(|" + _W + r":)"
                  + _W + r"\Z"),
    ("reject-ipv6", r"(?i)(?:^|[\s\[(=])(?:[0-9a-f]{0,4}:){2,7}\Z"),
    ("reject-file", r"[A-Za-z0-9_-]\.[A-Za-z][A-Za-z0-9_-]{0,15}[:(]\Z"),
]]

_REJECT_AFTER_REPLY = re.compile(
    r"(?i)^(?:[ \t]?(?:ms|msec|millis|milliseconds?|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|"
    r"months?|years?|bytes?|[kmgt]i?b|kbps|mbps|px|pt|em|x|times|users?\b(?![ \t]+(?:unknown|not|does|doesn|is|account|mailbox|name|disabled|over|quota|suspended|"
    r"inactive|has|rejected|blocked|locked|denied|invalid|no\b|unavailable|busy|deleted|expired))|items?|records?|rows?|lines?|"
    r"messages|mails|emails|files?|requests?|reqs?|tests?|errors|points?|pages?|people|persons|members|"
    r"subscribers|recipients|addresses|domains|accounts|entries|chars|characters|words|ms\.|am|pm)\b"
    r"|[ \t]?%"
    r"|[ \t]+(?:Bad[ \t]+Gateway|Gateway[ \t]+Time-?out|Internal[ \t]+Server[ \t]+Error|Service[ \t]+(?:Temporarily[ \t]+)?Unavailable|"
    r"Not[ \t]+Found|Forbidden|Bad[ \t]+Request|Unauthorized|Method[ \t]+Not[ \t]+Allowed|Too[ \t]+Many[ \t]+Requests|"
    r"Request[ \t]+Time-?out|Payload[ \t]+Too[ \t]+Large|Request[ \t]+Entity[ \t]+Too[ \t]+Large|Not[ \t]+Implemented\b"
    r"(?![ \t]*:)|HTTP[ \t]+Version|Unprocessable[ \t]+Entity|Conflict|Gone\b|Precondition[ \t]+Failed|No[ \t]+Content|"
    r"Partial[ \t]+Content|Moved[ \t]+Permanently|See[ \t]+Other|Not[ \t]+Modified|Temporary[ \t]+Redirect|"
    r"Permanent[ \t]+Redirect|Network[ \t]+Authentication[ \t]+Required|Insufficient[ \t]+Storage|Loop[ \t]+Detected|"
    r"Upgrade[ \t]+Required|Misdirected[ \t]+Request|Failed[ \t]+Dependency|Locked\b|Length[ \t]+Required|"
    r"Range[ \t]+Not[ \t]+Satisfiable|Expectation[ \t]+Failed|Too[ \t]+Early|Unavailable[ \t]+For[ \t]+Legal))"
)
# text that follows a code on a reply line: a separator then words
_REPLY_TEXT_AFTER = re.compile(r"(?:(?:[ \t]*[-:]){1,3}[ \t]*|[ \t]+)(?:[A-Za-z<\[#(\"'`]|[^\x00-\x7f])|[^\x00-\x7f]")
_TUPLE_AFTER = re.compile(r",[ \t]*b?['\"]")
_GLUED_BEFORE = re.compile(r"[^\x00-\x7f]\Z")
_ERROR_WORD_BEFORE = re.compile(
    r"(?i)(?:\b(?:smtp|esmtp|error_?code|errorcode|error|err|code|bounce[ds]?|bounced\s+with|rejected\s+with|reject(?:ed)?|failed\s+with|"
    r"fails\s+with|failure|status|reply|response|got|getting|get|receive[ds]?|received|receiving|returns?|returned|"
    r"with|an?|the|this|that|it's|its|is)[\"']?" + _W + r"[:=]?" + _W + r"|(?:错误|报错|失败|返回|错误码|代码|エラー)" + _W + r")\Z")
_ERROR_WORD_AFTER = re.compile(
    r"(?i)^[ \t]*(?:errors?\b|error[ \t]*code|bounces?\b|bounced\b|rejections?\b|rejected\b|reply\b|response\b|"
    r"code\b|status\b|smtp\b|错误|报错|エラー|失败)")
# after x.y.z: a version suffix ("-beta1", "-rc2", "+deb10u1", "~bpo", "-1ubuntu2")
_ENH_VERSION_AFTER = re.compile(r"(?i)(?:-(?:alpha|beta|rc|dev|pre|snapshot|git|stable|lts|release|final|ga|ubuntu|"
                                r"debian|deb|el[0-9]|fc[0-9]|[0-9]+ubuntu|[0-9]+\.el|p[0-9])|\+[A-Za-z0-9]|~[A-Za-z0-9])")
_VERSION_LINE_RE = re.compile(r"[ \t]*[A-Za-z][A-Za-z0-9 ._+/()-]{0,40}:[ \t]*v?[0-9]{1,4}(?:\.[0-9]{1,5}){1,3}"
                              r"[A-Za-z0-9.+~-]{0,20}[ \t]*")
_VERSIONS_HEADING_RE = re.compile(r"(?im)^[ \t#*]*(?:versions?|environment|system info(?:rmation)?|software)[ \t]*:?[ \t*]*$")
_LINE_END_AFTER = re.compile(r"[ \t]*[),.;]?[ \t]*(?:\n|\Z)")
# "Name: " / "Name " right before a value at the end of its line: group 1 is the label
_NAME_VALUE_BEFORE = re.compile(r"(?:^|[\n|,;(\t])[ \t]*([A-Za-z][A-Za-z0-9 ._+/-]{0,40}?)(?:[ \t]*:[ \t]*|[ \t]+)\Z")
# labels under which an enhanced code is a code, not a version
_CODE_LABEL_RE = re.compile(r"(?i)status|code|dsn|error|\berr\b|reply|response|result|reason|smtp|diagnostic|enhanced|"
                            r"detail|message|\bmsg\b|bounce|fail|reject|said|answer|text|class|info|return|got|"
                            r"receiv|defer|delay|x-|notice|warning|desc|explanation|\bnote")
_PAREN_CLOSE_RE = re.compile(r"[ \t]*\)")
_PAREN_RE = re.compile(r"[()]")
# "... but got code", "got:", "received" at the end of the window (the expectation is said before it)
_GOT_END_RE = re.compile(r"(?i)\b(?:but|got|received|returned|gave|instead)\b(?:[ \t]+(?:an?|the|smtp|response|reply|"
                         r"code|status|with|of))*[ \t]*[:=]?[ \t]*[\"'(\[]?[ \t]*\Z")
_EXPECT_BEFORE_RE = re.compile(r"(?i)\bexpect(?:ed|ing)?\b(?![^\n]*\n[ \t]*\n)")
# positive SMTP reply codes (RFC 5321 §4.2.3, RFC 4954 §6): no HTTP status has these numbers
_SMTP_POSITIVE = frozenset("211 214 220 221 235 250 251 252 253 334 354".split())
_NUM3_RE = re.compile(r"(?<![0-9])[23][0-9]{2}(?![0-9])")
# wordings of "the reply I did not expect" that only SMTP clients use (PHPMailer, Ruby Net::SMTP, JavaMail)
_SMTP_UNEXPECTED_RE = re.compile(r"(?i)command[ \t]*failed|could\s+not\s+get\s+[2-5]xx|\bbad\s+greeting\b")
_SMTP_EXC_TUPLE_RE = re.compile(r"\bSMTP[A-Za-z]*(?:Error|Exception|Refused)[ \t]*:?[ \t]*\([ \t]*\Z")
_SMTP_EXC_NAME_RE = re.compile(r"\bSMTP[A-Z][A-Za-z]*(?:Error|Exception)\b|\bSmtp[A-Za-z]*Exception\b|"
                               r"\b(?:Net::|smtplib\.)SMTP[A-Za-z]+")
_CELL_START_RE = re.compile(r"(?:\t|[0-9]%[ \t]*)\Z")
# the code that opens the next line (after quoting / a string's quote / a transcript marker)
_NEXT_LINE_CODE_RE = re.compile(r"[ \t>|*'\"`]{0,8}(?:b['\"])?(?:<<<[ \t]*|S:[ \t]*)?([2-5][0-5][0-9])(?:[ \t-]|$|\\)",
                                re.M)
_LINE_START_PREFIX = re.compile(r"[ \t>|*\-]*(?:<<<[ \t]*|S:[ \t]*)?\Z")
_VALUE_START = re.compile(r"[\"'\[(`][ \t]*\Z")

_DOC_WORDS = (
    "smtp", "ehlo", "helo", "rcpt", "mail", "postfix", "exim", "qmail", "postmaster", "recipient", "sender",
    "bounce", "undeliver", "deliver", "swift", "starttls", "dsn", "outlook", "office365", "office 365",
    "exchange", "relay", "diagnostic-code", " mx", "mx.", "邮", "郵", "收件", "发件", "退信", "投递", "授权码",
    "メール", "送信", "配信", "메일", "почт", "письм", "empfänger", "zustell", "courriel", "destinataire", "correo", "posta",
)
_ADDR_NEAR_AT = re.compile(r"[A-Za-z0-9._%+-]@[A-Za-z0-9-]+\.[A-Za-z]")


def _mail_words(text: str) -> bool:
    """True when the text talks about mail at all (words such as smtp, mail, recipient, 邮件, or an address).

    Substring tests on the lower-cased text: linear and fast on a megabyte."""
    low = text.lower()
    if any(w in low for w in _DOC_WORDS):
        return True
    at = text.find("@")
    tries = 0
    while at > 0 and tries < 200:
        if _ADDR_NEAR_AT.match(text, at - 1):
            return True
        at = text.find("@", at + 1)
        tries += 1
    return False


_LINE_SMTP_RE = re.compile(
    r"(?i)smtp|rcpt|mail from|\bsaid\b|\be?hlo\b|\bdsn\b|postfix|exim|sendmail|\bmx\b|mailbox|recipient|mailer|"
    r"diagnostic|remote server|邮件|邮箱|nodemailer|phpmailer|swift|javax|jakarta|mailkit|smtplib|relay|"
    r"deliver|bounce|sender|@[A-Za-z0-9-]+\.")
# words that SMTP reply texts are made of (RFC 5321 §4.2.2 texts, RFC 3463 descriptions, common provider texts)
_REPLY_WORDS_RE = re.compile(
    r"(?i)mail|user|recipient|sender|address|domain|relay|reject|denied|refus|block|spam|policy|quota|full\b|"
    r"exceed|limit|unavailable|not available|try again|later|temporar|permanent|authenticat|\bauth|password|"
    r"login|credential|\btls\b|ssl|service|server|host|connection|closing|time ?out|timed out|unknown|invalid|"
    r"not found|not exist|no such|disabled|suspended|inactive|greylist|graylist|\brate\b|too many|size|message|"
    r"content|virus|dkim|spf|dmarc|\bptr\b|\bdns\b|reverse|helo|ehlo|syntax|command|parameter|implemented|"
    r"recogni[sz]ed|sequence|transaction|fail|error|access|permission|forbidden|required|must|please|sorry|"
    r"\bip\b|listed|blacklist|blocklist|reputation|abuse|not accepted|not allowed|ok\b|"
    r"用户|邮|拒绝|失败|错误|不存在|频率|限制|垃圾|认证|授权|密码|登录|ユーザ|メール|拒否|エラー|宛先")
_LINE_HTTP_RE = re.compile(
    r"(?i)\bhttps?\b(?!://)|\bapi\b|nginx|apache|gateway|cloudflare|endpoint|\bcurl\b|axios|\bfetch|webhook|"
    r"status ?code|\bGET\b|\bPOST\b|\bPUT\b|\bPATCH\b|\bDELETE\b|HTTP/|\bREST\b|load balancer|upstream|proxy")
_TS = r"(?:\d{4}-\d\d-\d\d[ T][0-9:.,]{5,15}[ \t]+)?"  # a debug log's timestamp (PHPMailer)
_TRANSCRIPT_RE = re.compile(r"(?im)^[ \t>]*" + _TS + r"(?:C:|S:|>>>|<<<|->|CLIENT -> SERVER:|SERVER -> CLIENT:|send:[ \t]*b?['\"])?[ \t]*"
                            r"(?:mail from|rcpt to|ehlo|helo|auth (?:plain|login|cram)|starttls|data[ \t]*$)")

# Reply codes SMTP servers send: RFC 5321 §4.2.2-4.2.3, RFC 4954 §4/§6 (AUTH), RFC 1985 (ETRN), RFC 2645,
# RFC 7504 (521, 556), RFC 5248 / IANA associations (422, 523, 524, 525), and a few widely seen non-standard
# ones (441, 442, 447, 471, 510, 511, 512, 541).  A code outside this set (404, 401, 429, 403 ...) is only
# taken as a reply code in a strong SMTP context.
_SMTP_REPLY_CODES = frozenset(
    "211 214 220 221 235 250 251 252 253 334 354 421 422 430 432 441 442 447 450 451 452 453 454 455 458 459 "
    "471 500 501 502 503 504 510 511 512 521 523 524 525 530 533 534 535 538 541 550 551 552 553 554 555 556 "
    "557".split())
# Highest detail number per subject in the IANA "SMTP Enhanced Status Codes" registry
# (https://www.iana.org/assignments/smtp-enhanced-status-codes): X.0.0, X.1.0-X.1.10, X.2.0-X.2.4, X.3.0-X.3.6,
# X.4.0-X.4.7, X.5.0-X.5.6, X.6.0-X.6.10, X.7.0-X.7.30.  Provider codes beyond these (5.7.708, 4.7.650)
# count only next to a reply code or in a DSN field.
_REGISTRY_MAX_DETAIL = {0: 0, 1: 10, 2: 4, 3: 6, 4: 7, 5: 6, 6: 10, 7: 30}

# contexts that make any code-shaped number a reply code, known or not
_SELF_EVIDENT = {"pair", "said", "smtp-diag", "diagnostic", "exception", "expected", "transcript", "unexpected"}
_STRONG_REPLY = {"pair", "said", "smtp-diag", "diagnostic", "exception", "smtp-key", "got", "got-code", "transcript",
                 "unexpected"}
_STRONG_ENH = {"pair", "dsn-status", "dsn-field", "hash", "said", "smtp-diag", "diagnostic", "response",
               "smtp-key", "exception"}


@dataclass(slots=True)
class _Tok:
    kind: str
    code: str
    s: int
    e: int
    paired: "_Tok | None" = None
    context: str = "bare"
    strength: str = "weak"
    role: str = "mention"
    keep: bool = True
    paren: bool = False  # "(451)": a reply code only when an enhanced code of its class is on the line


class _Doc:
    """A normalised text with its tokens classified."""

    __slots__ = ("raw", "text", "omap", "toks", "doc_smtp", "transcript", "truncated", "_line_cache",
                 "_rule_cache", "rule_searches", "token_cut")

    def __init__(self, raw: str, max_tokens: int = MAX_TOKENS):
        if not isinstance(raw, str):
            raw = str(raw)
        self.truncated = len(raw) > MAX_SCAN_CHARS
        if self.truncated:
            raw = raw[:MAX_SCAN_CHARS]
        self.raw = raw
        self.text, self.omap = _normalise(raw)
        self.toks: list[_Tok] = []
        self._line_cache: dict[int, tuple[bool, bool]] = {}
        # (rule list, 70-character window) -> rule: a text dense with codes repeats the same windows
        self._rule_cache: dict[tuple[int, str], str | bool | None] = {}
        self.rule_searches = 0  # context patterns actually run (a deterministic measure of the work done)
        self.token_cut = False  # more than max_tokens code-shaped tokens: the rest was not examined
        if not _QUICK_RE.search(self.text):
            self.doc_smtp = False
            self.transcript = False
            return
        self.doc_smtp = _mail_words(self.text)
        self.transcript = bool(_TRANSCRIPT_RE.search(self.text))
        # The bound counts the tokens that can be a failure (class 4 or 5). Success and intermediate
        # codes (class 2 / 3: "status=sent (250 2.0.0 Ok)") are examined only up to the same number:
        # beyond it they are passed over, so a long log of deliveries cannot use the budget up
        # before the one bounce at its end.
        failing = passing = 0
        for m in _TOKEN_RE.finditer(self.text):
            if m.group(0)[0] in "45":
                failing += 1
                if failing > max_tokens:
                    self.truncated = self.token_cut = True
                    break
            else:
                passing += 1
                if passing > max_tokens:
                    continue
            kind = "enhanced" if m.group("enh") else "reply"
            self.toks.append(_Tok(kind, m.group(0), m.start(), m.end()))
        self._pair()
        for t in self.toks:
            if t.kind == "reply":
                self._classify_reply(t)
                if t.paired is not None and (not t.keep or t.role == "expected"):
                    t.paired.paired = None  # "HTTP 500 ..." or an expected code: its neighbour stands alone
                    t.paired = None
            else:
                self._classify_enh(t)
            if t.strength == "medium" and not self._plausible(t):
                t.strength = "weak"
            elif (t.kind == "reply" and t.strength == "strong" and t.code not in _SMTP_REPLY_CODES
                  and t.context not in _SELF_EVIDENT):
                t.strength = "weak"  # "ErrorCode 406" (an API's code), not an SMTP reply
        self._settle()

    def _settle(self) -> None:
        """Decisions that need the neighbours of a token, once every token is classified.

        * ``(451)`` after a reply text is a reply code when an enhanced code of the same class stands on the
          same line (``4.7.1 Ratelimit exceeded (451)``);
        * the lines of a multi-line reply (RFC 5321 §4.2.1: ``554-text`` then ``554 text``, also read out of a
          string literal's ``\\r\\n``) vouch for each other;
        * the reply a client did not expect, repeated in its message (``got code "250", with message "250
          Accepted"``), is the failure in every repetition, and so is the enhanced code sent with it.
        """
        toks = self.toks
        text = self.text
        unexpected: list[_Tok] = []
        for i, t in enumerate(toks):
            if t.kind != "reply":
                continue
            if t.paren:
                ls, le = self.line_bounds(t.s)
                if any(e.kind == "enhanced" and e.keep and e.strength != "weak" and e.code[0] == t.code[0]
                       and ls <= e.s < le and abs(e.s - t.s) <= 300 for e in toks[max(0, i - 8):i + 8]):
                    t.keep, t.context, t.strength = True, "paren", "strong"
                continue
            if not t.keep:
                continue
            if t.role == "failure" and t.code[0] in "23":
                unexpected.append((i, t))
            if text[t.e:t.e + 1] == "-" and t.code in _SMTP_REPLY_CODES and self._starts_reply(t):
                nl = text.find("\n", t.e, t.e + _LINE_REACH)
                if nl >= 0:
                    m = _NEXT_LINE_CODE_RE.match(text, nl + 1)
                    if m and m.group(1) == t.code:
                        nxt = next((u for u in toks[i + 1:i + 6] if u.s == m.start(1)), None)
                        for u in (t, nxt):
                            if u is not None and u.keep and u.strength != "strong":
                                u.context, u.strength = "multiline", "strong"
        for j, u in unexpected:
            if u.paired is not None:
                u.paired.role = "failure"
            for v in toks[j + 1:j + 12]:
                if v.s - u.e > 250 or "\n\n" in text[u.e:v.s]:
                    break
                if v.kind == "reply" and v.code == u.code and v.keep and v.role != "expected":
                    v.role, v.strength = "failure", "strong"
                    if v.paired is not None:
                        v.paired.role = "failure"

    def _starts_reply(self, t: "_Tok") -> bool:
        """Does reply token ``t`` open a reply line (line start, a quote or bracket, a transcript marker)?"""
        window = self.text[max(0, t.s - 70):t.s]
        return t.context in ("transcript", "said", "value", "smtp-diag", "diagnostic") or self.at_line_start(t.s) \
            or bool(_VALUE_START.search(window))

    # -- helpers -------------------------------------------------------------
    def line_bounds(self, pos: int) -> tuple[int, int]:
        """The line around ``pos``, at most :data:`_LINE_REACH` characters either side."""
        t = self.text
        lo = max(0, pos - _LINE_REACH)
        ls = t.rfind("\n", lo, pos) + 1
        if ls == 0:
            ls = lo
        hi = min(len(t), pos + _LINE_REACH)
        le = t.find("\n", pos, hi)
        return ls, (hi if le < 0 else le)

    def line_flags(self, pos: int) -> tuple[bool, bool]:
        """(line has SMTP-specific words, line talks about HTTP), cached per line.

        On a long line only the 1,200 characters around ``pos`` count."""
        ls, le = self.line_bounds(pos)
        if le - ls > 1200:
            k = pos // 400
            key = -k - 1  # distinct from any line start
            ls, le = max(ls, k * 400 - 400), min(le, k * 400 + 800)
        else:
            key = ls
        got = self._line_cache.get(key)
        if got is None:
            line = self.text[ls:le]
            got = (bool(_LINE_SMTP_RE.search(line)), bool(_LINE_HTTP_RE.search(line)))
            self._line_cache[key] = got
        return got

    def at_line_start(self, pos: int) -> bool:
        ls = self.text.rfind("\n", max(0, pos - 200), pos) + 1
        if ls == 0 and pos > 200:
            return False
        return bool(_LINE_START_PREFIX.match(self.text, ls, pos)) and _LINE_START_PREFIX.match(self.text, ls, pos).end() == pos

    def _pair(self) -> None:
        toks = self.toks
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if a.kind != "reply" or b.kind != "enhanced" or a.code[0] != b.code[0]:
                continue
            if b.s - a.e > 24:
                continue
            gap = self.text[a.e:b.s]
            if _PAIR_GAP_RE.match(gap) and _PAIR_GAP_RE.match(gap).end() == len(gap):
                a.paired, b.paired = b, a

    def _window_has(self, pat: re.Pattern[str], window: str) -> bool:
        """``bool(pat.search(window))``, cached per text like :meth:`_before_rule`."""
        key = (id(pat), window)
        got = self._rule_cache.get(key)
        if got is None:
            self.rule_searches += 1
            got = bool(pat.search(window))
            if len(self._rule_cache) < _RULE_CACHE_MAX:
                self._rule_cache[key] = got
        return got

    def _before_rule(self, rules, window: str) -> str | None:
        """The first rule of ``rules`` whose pattern ends at the end of ``window``, else None.

        A pure function of the window, so it is cached per text: the same window before every code of a
        repeated line (``550 5.1.1 `` pasted 100,000 times) costs one evaluation, not one per code."""
        key = (id(rules), window)
        cache = self._rule_cache
        if key in cache:
            return cache[key]
        last = window.rstrip(" \t")[-1:]
        wordy = last.isalnum() or last in "#:=$."
        found = None
        for name, pat in rules:
            if name == "reject-word" and not wordy:
                continue  # its words end in a letter, "#", ":", "=", "$" or "." (the costliest rule: skip it early)
            self.rule_searches += 1
            if pat.search(window):
                found = name
                break
        if len(cache) < _RULE_CACHE_MAX:
            cache[key] = found
        return found

    def _role(self, t: _Tok) -> str:
        return "failure" if t.code[0] in "45" else "success"

    def _medium_ok(self, pos: int) -> bool:
        if not self.doc_smtp:
            return False
        smtp_words, http_words = self.line_flags(pos)
        return smtp_words or not http_words

    def _classify_reply(self, t: _Tok) -> None:
        text = self.text
        window = text[max(0, t.s - 70):t.s]
        after = text[t.e:t.e + 60]
        rule = self._before_rule(_REPLY_BEFORE, window)
        closed = bool(_PAREN_CLOSE_RE.match(after)) and window.rstrip(" \t").endswith("(")
        if rule == "reject-paren-num" and not closed:
            rule = None  # "timed out (110)" is an errno; "SMTPFatalError (554 Message rejected)" is a reply
        t.role = self._role(t)
        # "500 lines", "421 ms", "502 Bad Gateway" -- unless an SMTP context says otherwise ("said: 500 Line limit")
        if (_REJECT_AFTER_REPLY.match(after) and rule not in ("said", "smtp-diag", "diagnostic", "transcript")
                and not (t.paired and rule != "reject-http")):
            t.keep = False
            return
        if rule == "expected":
            t.context, t.strength, t.role = "expected", "strong", "expected"
            return
        if rule == "transcript" and not ("<<" in window[-8:] or _REPLY_TEXT_AFTER.match(after) or after[:1] == "-"):
            rule = None  # "y <- 450 + x" (R code), "S: 550" with no reply text: not a server line
        # "Expected response code 250 but got code "235"", "expected 354, got 250": the reply the client
        # did not expect is the failure, whatever its class (Swift Mailer, Symfony, Go, Python clients)
        if (rule in (None, "got", "got-code", "value-key") and self._window_has(_GOT_END_RE, window)
                and self._expected_smtp_reply(t)):
            rule = "unexpected"
        elif rule == "unexpected" and not _SMTP_UNEXPECTED_RE.search(window) and not self._smtp_line(t.s):
            rule = None  # "Unexpected response: 503" from a web API is not an SMTP reply
        if rule == "unexpected":
            t.context, t.strength, t.role = "unexpected", "strong", "failure"
            return
        if t.code[0] in "23" and _SMTP_EXC_TUPLE_RE.search(window):
            # smtplib raises SMTPDataError(250, b'...') when DATA is answered with 250: that reply is the failure
            t.context, t.strength, t.role = "exception", "strong", "failure"
            return
        if closed and rule in (None, "reject-paren-num"):
            # "... exceeded (451)", "Sending failed (550)": a reply code only when an enhanced code of the
            # same class stands on the line (see _Doc._settle); "Connection refused (111)" never
            t.context, t.strength, t.paren = "paren", "weak", True
            t.keep = rule is None
            return
        if t.paired is not None and rule != "reject-http":
            t.context, t.strength = "pair", "strong"
            return
        if rule and rule.startswith("reject"):
            t.keep = False
            return
        if rule in _STRONG_REPLY:
            t.context, t.strength = rule, "strong"
            return
        if window.rstrip(" \t").endswith("(") and _TUPLE_AFTER.match(after):
            t.context, t.strength = "exception", "strong"  # an exception's (code, b'text') tuple
            return
        text_follows = bool(_REPLY_TEXT_AFTER.match(after))
        line_specific = self.line_flags(t.s)[0]
        if rule == "value-key":
            t.context = "value"
            t.strength = "strong" if (text_follows and re.search(r"(?i)(?:response|reply|smtp)", window[-30:])) else (
                "medium" if text_follows else "weak")
            return
        if text_follows and (self.at_line_start(t.s) or _VALUE_START.search(window)):
            t.context = "reply-line"
            t.strength = "strong" if (self.transcript or line_specific) else self._replyish(t.e)
            return
        if text_follows and _CELL_START_RE.search(window):
            # a cell of a pasted table ("100.0%<TAB>550 Message rejected" in an error tracker's summary)
            t.context = "cell"
            near = _SMTP_EXC_NAME_RE.search(text, max(0, t.s - 300), min(len(text), t.e + 300))
            t.strength = "strong" if (line_specific or near) else self._replyish(t.e)
            return
        stripped = window.rstrip(" \t")
        if text_follows and stripped.endswith((":", "：", "]", "|", ">")) and stripped[-2:] not in ("::",):
            t.context = "colon-reply"
            t.strength = "strong" if line_specific else self._replyish(t.e)
            return
        if _GLUED_BEFORE.search(window) or (after[:1] and ord(after[0]) > 127):
            t.context, t.strength = "glued", "medium"
            return
        if _ERROR_WORD_AFTER.match(after) or (
                self._window_has(_ERROR_WORD_BEFORE, window) and re.search(r"(?i)(?:smtp|error|code|bounce|reject|fail|reply|response|错误|失败|返回|エラー)", window[-24:])):
            t.context, t.strength = "error-word", "medium"
            return
        t.context, t.strength = "bare", "weak"

    def _classify_enh(self, t: _Tok) -> None:
        text = self.text
        t.role = self._role(t)
        if t.paired is not None:
            t.context, t.strength = "pair", "strong"
            return
        window = text[max(0, t.s - 70):t.s]
        after = text[t.e:t.e + 40]
        rule = self._before_rule(_ENH_BEFORE, window)
        if rule in (None, "exception") and _LINE_END_AFTER.match(after) and self._versions_block(t.s):
            rule = "reject-version"  # "WP Mail SMTP: 2.1.0" among "PHP: 7.4.3" / "WordPress: 5.4.2" lines
        if rule is None and (_ENH_VERSION_AFTER.match(after) or (
                _LINE_END_AFTER.match(after) and _NAME_VALUE_BEFORE.search(window)
                and not _CODE_LABEL_RE.search(_NAME_VALUE_BEFORE.search(window).group(1)))):
            # "5.4.2-beta", "5.4.4+deb10u1"; "PHP: 5.4.45" / "OpenSMTPD 5.4.2" alone at the end of a line
            # (a versions block): a software version, never an enhanced status code
            rule = "reject-version"
        if rule and rule.startswith("reject"):
            t.keep = False
            return
        if rule in _STRONG_ENH:
            t.context, t.strength = rule, "strong"
            return
        text_follows = bool(_REPLY_TEXT_AFTER.match(after))
        if text_follows and (self.at_line_start(t.s) or _VALUE_START.search(window)):
            t.context = "reply-line"
            t.strength = "medium" if self.line_flags(t.s)[0] else self._replyish(t.e)
            return
        stripped = window.rstrip(" \t")
        if text_follows and stripped.endswith(":"):
            t.context = "colon-reply"
            t.strength = "medium" if self.line_flags(t.s)[0] else self._replyish(t.e)
            return
        if _GLUED_BEFORE.search(window) or (after[:1] and ord(after[0]) > 127):
            t.context, t.strength = "glued", "medium"
            return
        t.context, t.strength = "bare", "weak"

    def _expected_smtp_reply(self, t: "_Tok") -> bool:
        """Does an "expected ..." come before ``t`` (same paragraph, 200 characters), naming an SMTP success
        code (220, 250, 354 ... which HTTP never uses) or on a line about SMTP?"""
        pre = self.text[max(0, t.s - 200):t.s]
        m = _EXPECT_BEFORE_RE.search(pre)
        if m is None:
            return False
        if any(c in _SMTP_POSITIVE for c in _NUM3_RE.findall(pre, m.start())):
            return True
        return self._smtp_line(t.s)

    def _smtp_line(self, pos: int) -> bool:
        """The line names SMTP things, or the text is about mail and the line is not about HTTP."""
        smtp_words, http_words = self.line_flags(pos)
        return smtp_words or (self.doc_smtp and not http_words)

    def _versions_block(self, pos: int) -> bool:
        """Is the line at ``pos`` a ``Label: x.y.z`` line next to another such line or under a "Versions:" heading?"""
        t = self.text
        ls, le = self.line_bounds(pos)
        if not _VERSION_LINE_RE.fullmatch(t, ls, le):
            return False
        ps = t.rfind("\n", max(0, ls - 300), max(0, ls - 1)) + 1
        if ls > 0 and _VERSION_LINE_RE.fullmatch(t, ps, ls - 1):
            return True
        ne = t.find("\n", le + 1, le + 300)
        if le < len(t) and _VERSION_LINE_RE.fullmatch(t, le + 1, len(t) if ne < 0 else ne):
            return True
        return bool(_VERSIONS_HEADING_RE.search(t, max(0, ls - 400), ls))

    def _replyish(self, pos: int) -> str:
        """'medium' when the words after ``pos`` read like a server's reply, else 'weak'."""
        return "medium" if _REPLY_WORDS_RE.search(self.text, pos, min(len(self.text), pos + 160)) else "weak"

    def _plausible(self, t: _Tok) -> bool:
        """Is a code found in a merely code-like context one that SMTP servers send?"""
        if t.kind == "reply":
            if t.code not in _SMTP_REPLY_CODES:
                return False
            # 500/502/503/504 are far more often HTTP statuses: the line must talk about SMTP
            return t.code not in ("500", "502", "503", "504") or self.line_flags(t.s)[0]
        _, subject, detail = t.code.split(".")
        return int(detail) <= _REGISTRY_MAX_DETAIL.get(int(subject), -1)

    def counts_as_failure(self, t: _Tok) -> bool:
        if not t.keep or t.role != "failure":
            return False
        if t.strength == "strong":
            return True
        return t.strength == "medium" and self._medium_ok(t.s)

    def mention(self, t: _Tok) -> CodeMention:
        s = self.omap.to_original(t.s)
        e = max(s, self.omap.to_original(t.e - 1) + 1)
        return CodeMention(t.code, t.kind, s, e, t.role, t.context, t.strength,
                           t.paired.code if t.paired is not None else None)


# ---------------------------------------------------------------------------
# public: scan

def scan_limited(text: str) -> tuple[list[CodeMention], bool]:
    """Like :func:`scan`, and also say whether the text was cut.

    Output: ``(mentions, truncated)``; ``truncated`` is True when the text was
    longer than :data:`MAX_SCAN_CHARS` or held more than :data:`MAX_TOKENS`
    code-shaped tokens, so codes after that point were not looked at.
    """
    try:
        doc = _Doc(text)
        return [doc.mention(t) for t in doc.toks if t.keep], doc.truncated
    except Exception:  # pragma: no cover - defensive: never raise on user text
        return [], False


def scan(text: str) -> list[CodeMention]:
    """Every reply code and enhanced status code in ``text``, in text order.

    Input: any str (Slack raw text, a log, an exception; never raises).
    Output: a list of :class:`CodeMention` with span, kind, role, the context
    rule that made the token a code and its strength.  Numbers that are not
    codes (ports, HTTP statuses, durations, sizes, counts, pids, line numbers,
    errno, versions, RFC numbers, IP pieces, ids) are left out.  Weak mentions
    (a bare ``550`` with no context) are included with ``strength="weak"``.
    Reply codes: RFC 5321 §4.2; enhanced status codes: RFC 3463 §2.
    """
    return scan_limited(text)[0]


# ---------------------------------------------------------------------------
# 4. failures

# domain labels may be U-labels (internationalized domain names, RFC 5890; SMTPUTF8, RFC 6531)
# A label may hold Unicode letters and the combining marks of Indic and Thai scripts; an ASCII top-level
# label ends where ASCII ends, so that text glued after an address ("user@example.com失败") stays out.
# The local part may be a quoted string ("john doe"@example.com, RFC 5321 §4.1.2).
_LABEL = "[\\w\u0300-\u036f\u0900-\u0dff\u0e00-\u0e7f-]"
_ADDR = (r"(?:\"[^\"\r\n]{1,64}\"|[^\s<>()\[\]{}\"',;:@|`]{1,64})@[^\W_](?:" + _LABEL + r"{0,62}\.){1,8}"
         r"(?:[A-Za-z][A-Za-z0-9-]{1,62}(?![A-Za-z0-9-])|[^\x00-\x7f\W]" + _LABEL + r"{1,62})")
_RECORD_BREAK_RE = re.compile(r"\n[ \t>]*\n|\n(?=[ \t>]*final-recipient:)", re.I)
_FINAL_RCPT_RE = re.compile(r"(?im)^[ \t>]*final-recipient:[ \t]*(?:[a-z0-9-]+[ \t]*;)?[ \t]*<?(" + _ADDR + r")>?")
_ORIG_RCPT_RE = re.compile(r"(?im)^[ \t>]*original-recipient:[ \t]*(?:[a-z0-9-]+[ \t]*;)?[ \t]*<?(" + _ADDR + r")>?")
_RCPT_BEFORE_RES = [
    re.compile(r"(?m)^[ \t>*-]*<?(" + _ADDR + r")>?(?:[ \t]*\(expanded from[^)\n]{0,300}\))?[ \t]*:(?:[ \t]|$)"),
    re.compile(r"(?i)\bto=<(" + _ADDR + r")>"),
    re.compile(r"(?i)\brcpt to:?[ \t]*<?(" + _ADDR + r")>?"),
    re.compile(r"['\"](" + _ADDR + r")['\"][ \t]*:[ \t]*[(\[]"),
    re.compile(r"(?m)^[ \t>*-]*<?(" + _ADDR + r")>?[ \t]*$"),
    re.compile(r"(?i)\b(?:recipient|rcpt|address|emailAddress|final_?recipient|bounced_?recipient)[\"']?[ \t]*"
               r"(?:address)?[\"']?[ \t]*[:=][ \t]*[\"'<]?(" + _ADDR + r")[\"'>]?"),
    re.compile(r"(?i)(?:^|[\s:])(?:\*\*|==)[ \t]+<?(" + _ADDR + r")>?"),  # Exim "** addr" (failed), "== addr" (deferred)
    re.compile(r"(?i)\brecipients?[ \t]+failed:[ \t]*<?(" + _ADDR + r")>?[ \t]*:"),  # PHPMailer
    re.compile(r"(?i)\baddr=<(" + _ADDR + r")>"),  # Courier "addr=<a@x>: 550 ..."
    # a delimited log/CSV line whose recipient column comes right before the status column
    # (Exchange message tracking "...,bob@example.com,550 5.1.1 ...")
    re.compile(r"[,;\t|][ \t]*\"?<?(" + _ADDR + r")>?\"?[ \t]*[,;\t|][ \t]*\"?\Z"),
]
_TO_AFTER_RE = re.compile(r"(?i)\b(?:to=<|rcpt=<?|[\"']?(?:recipient|emailAddress)[\"']?[ \t]*[:=][ \t]*[\"'<]?)(" + _ADDR + r")")
# nodemailer's result / error objects: "rejected: [ 'a@x' ]" and "envelope: { from: ..., to: [ 'a@x' ] }"
_REJECTED_LIST_RE = re.compile(r"(?i)\brejected['\"]?[ \t]*[:=][ \t]*\[([^\]\[]{0,3000})\]")
_ENVELOPE_TO_RE = re.compile(r"(?i)\benvelope['\"]?[ \t]*[:=][ \t]*\{[^{}\[\]]{0,500}?\bto['\"]?[ \t]*[:=][ \t]*\[([^\]\[]{0,3000})\]")
_QUOTED_ADDR_RE = re.compile(r"['\"<](" + _ADDR + r")['\">]")
_NO_RCPT_COMMANDS = ("MAIL FROM", "AUTH", "EHLO", "HELO", "CONN", "STARTTLS")
_ADDR_IN_TEXT_RE = re.compile(r"^(?:[^<\[\n]{0,40}?[<\[](" + _ADDR + r")[>\]]|(" + _ADDR + r")(?=[ \t]*(?::|\.\.\.)|[.,;]?(?:[ \t]|$)))")

_HOST_RES = [
    re.compile(r"(?i)\bhost[ \t]+([A-Za-z0-9][A-Za-z0-9.-]{0,250}\.[A-Za-z]{2,63})\.?[ \t]*(?:\[[^\]\n]{1,64}\])?"
               r"[ \t]*(?:said\b|refused to talk\b|:)"),
    re.compile(r"(?i)\brelay=(?!none\b|local\b)([A-Za-z0-9][A-Za-z0-9.-]{0,250}?)\.?(?:[ \t]?\[|,)"),
    re.compile(r"(?im)^[ \t>]*remote-mta:[ \t]*(?:dns[ \t]*;)?[ \t]*\[?([A-Za-z0-9][A-Za-z0-9.:-]{0,250}[A-Za-z0-9])"),
    re.compile(r"(?i)while talking to[ \t]+([A-Za-z0-9][A-Za-z0-9.-]{0,250}[A-Za-z0-9])\.?:"),
    re.compile(r"<([A-Za-z0-9][A-Za-z0-9.-]{0,250}[A-Za-z0-9])[ \t]+#[245]\.\d"),
    re.compile(r"(?i)\bH=([A-Za-z0-9][A-Za-z0-9.-]{0,250}\.[A-Za-z]{2,63})"),
]
_HOST_BEFORE_RES = [p for i, p in enumerate(_HOST_RES) if i != 2]
_IN_REPLY_RE = re.compile(r"(?i)\(in[ \t\n]+reply[ \t\n]+to[ \t\n]+(?:the[ \t\n]+)?([A-Za-z][A-Za-z \t\n-]{1,40}?)[ \t\n]+command\)")
_CMD_BEFORE_RES = [
    re.compile(r"(?i)\bafter[ \t]+(?:pipelined[ \t]+)?(RCPT TO|MAIL FROM|DATA|end of data|initial connection|EHLO|HELO|"
               r"AUTH|STARTTLS|BDAT|sending data block)"),
    re.compile(r"(?i)\b(RCPT TO|MAIL FROM|DATA END|RCPT|MAIL|DATA|AUTH|EHLO|HELO|STARTTLS|RSET|VRFY|BDAT|QUIT|Password|Username)"
               r"[ \t]+(?:command failed|not accepted)"),
    re.compile(r"(?i)\breject:[ \t]+(RCPT|MAIL|DATA|END-OF-MESSAGE|CONNECT|HELO|EHLO|VRFY|ETRN|AUTH)[ \t]+from"),
    re.compile(r"(SMTPRecipientsRefused|SMTPSenderRefused|SMTPDataError|SMTPAuthenticationError|SMTPHeloError|"
               r"SMTPAddressFailedException|SmtpFailedRecipientsException|SmtpFailedRecipientException|"
               r"AuthenticationFailedException)"),
    re.compile(r"(?i)(refused to talk to me|Invalid login|Mail command failed|Recipient command failed|all recipients were rejected|"
               r"Data command failed|Message failed|EAUTH|EENVELOPE|EMESSAGE|authentication failed|"
               r"could not authenticate|failed to authenticate|Can't send mail)"),
]
_TRANSCRIPT_CMD_RE = re.compile(r"(?i)^[ \t>]*" + _TS + r"(?:C:|>>>|->|\*\*>|CLIENT -> SERVER:|send:[ \t]*b?['\"])?[ \t]*(mail from|rcpt to|ehlo|helo|data|\.|auth|"
                                r"starttls|rset|quit|bdat|vrfy)\b")
# a server line of a session transcript (swaks "<-" / "<**", "S:", "<<<", PHPMailer "SERVER -> CLIENT:",
# smtplib "reply: b'...'"); group 1 is "-" on a continuation line of a multi-line reply (RFC 5321 §4.2.1)
_TRANSCRIPT_REPLY_RE = re.compile(r"(?i)^[ \t>]*" + _TS + r"(?:S:|<-+|<\*\*|<<<|SERVER -> CLIENT:|reply:)?[ \t]*"
                                  r"(?:b?['\"])?[2-5][0-5][0-9]([ -]|$|\\r|['\"])")
_TRANSCRIPT_PREFIX_RE = re.compile(r"(?:->|<-|<\*\*|\*\*>|C:|S:|>>>|<<<|CLIENT -> SERVER:|SERVER -> CLIENT:)")
_RCPT_ARG_RE = re.compile(r"(?i)rcpt[ \t]+to:?[ \t]*<?(" + _ADDR + r")")
_CMD_NAMES = {
    "RCPT TO": "RCPT TO", "RCPT": "RCPT TO", "MAIL FROM": "MAIL FROM", "MAIL": "MAIL FROM", "DATA": "DATA",
    "END OF DATA": "DATA", "END-OF-MESSAGE": "DATA", ".": "DATA", "SENDING DATA BLOCK": "DATA", "BDAT": "BDAT",
    "AUTH": "AUTH", "EHLO": "EHLO", "HELO": "HELO", "STARTTLS": "STARTTLS", "RSET": "RSET", "VRFY": "VRFY",
    "QUIT": "QUIT", "CONNECT": "CONN", "INITIAL CONNECTION": "CONN", "ETRN": "ETRN",
    "SMTPRECIPIENTSREFUSED": "RCPT TO", "SMTPSENDERREFUSED": "MAIL FROM", "SMTPDATAERROR": "DATA",
    "SMTPAUTHENTICATIONERROR": "AUTH", "SMTPHELOERROR": "EHLO", "SMTPADDRESSFAILEDEXCEPTION": "RCPT TO",
    "SMTPFAILEDRECIPIENTSEXCEPTION": "RCPT TO", "SMTPFAILEDRECIPIENTEXCEPTION": "RCPT TO",
    "AUTHENTICATIONFAILEDEXCEPTION": "AUTH", "INVALID LOGIN": "AUTH", "MAIL COMMAND FAILED": "MAIL FROM",
    "RECIPIENT COMMAND FAILED": "RCPT TO", "ALL RECIPIENTS WERE REJECTED": "RCPT TO", "DATA COMMAND FAILED": "DATA",
    "MESSAGE FAILED": "DATA", "EAUTH": "AUTH", "EENVELOPE": "RCPT TO", "EMESSAGE": "DATA",
    "AUTHENTICATION FAILED": "AUTH", "COULD NOT AUTHENTICATE": "AUTH", "FAILED TO AUTHENTICATE": "AUTH",
    "CAN'T SEND MAIL": "RCPT TO", "REFUSED TO TALK TO ME": "CONN", "DATA END": "DATA", "PASSWORD": "AUTH", "USERNAME": "AUTH",
}
_LOG_ACTION_RE = re.compile(
    r"(?i)\bstatus=(bounced|deferred|sent|expired|undeliverable)\b"  # Postfix
    r"|\bstat=(deferred|sent)\b"  # Sendmail ("stat=User unknown" is a bounce: see _LOG_DSN_CLASS_RE)
    r"|(?:^|[ \t])(\*\*|==)[ \t]+<?[^\s@<>]{1,64}@"  # Exim: ** failed, == deferred
    r"|\bdelivery[ \t]+\d{1,12}:[ \t]+(failure|deferral):"  # qmail
    r"|\b(defer)[ \t]+\(-?\d{1,4}\)")  # Exim "defer (-44)"
_LOG_ACTION_KEYS = ("stat", "**", "==", "defer", "very")  # one of these is in every _LOG_ACTION_RE match
_LOG_ACTION_WORDS = {"bounced": "failed", "deferred": "delayed", "expired": "failed", "undeliverable": "failed",
                     "sent": "sent", "**": "failed", "==": "delayed", "failure": "failed", "deferral": "delayed",
                     "defer": "delayed"}
# Sendmail / Postfix per-recipient log line: "to=<addr>, ... dsn=5.1.1, stat=..." -- the dsn= class says
# bounced (5) or deferred (4) when no status word does.
_LOG_DSN_CLASS_RE = re.compile(r"(?i)\bto=<?[^\s@<>,]{1,64}@[^\n]{0,2000}?\bdsn=([45])\.\d{1,3}\.\d{1,3}")
# a log line about one recipient's delivery: each such line is a record of its own (N lines -> N failures)
_LOG_RECORD_RE = re.compile(
    r"(?i)\bto=<?[^\s@<>,]{1,64}@"  # Postfix / Sendmail "to=<addr>"
    r"|\baddr=<[^\s@<>,]{1,64}@"  # Courier
    r"|(?:^|[ \t])(?:\*\*|==|=>|->)[ \t]+<?[^\s@<>]{1,64}@"  # Exim delivery lines
    r"|\bdelivery[ \t]+\d{1,12}:[ \t]+(?:failure|deferral|success):"  # qmail
    r"|\breject:[ \t]+(?:RCPT|MAIL|DATA|END-OF-MESSAGE|CONNECT|HELO|EHLO|VRFY|ETRN)[ \t]+from\b",  # Postfix smtpd
    re.M)
_DSN_ACTION_RE = re.compile(r"(?im)^[ \t>]*action:[ \t]*(failed|delayed|delivered|relayed|expanded)\b")
_DIAG_TEXT_RE = re.compile(r"(?im)^[ \t>]*(?:diagnostic-code|x-supplementary-info):[ \t]*(?:[a-z0-9-]+[ \t]*;)?"
                           r"[ \t]*([^\n]*(?:\n[ \t]+[^\n]*){0,20})")
_LOG_STAT_TEXT_RE = re.compile(r"\bstat(?:us)?=(?:[A-Za-z]+[ \t]+\(([^\n]{1,2000})\)[ \t]*$|([A-Za-z][^,\n]{0,500}))")
_REPLY_START_RE = re.compile(r"(?:[ \t]*[-:][ \t]*|[ \t]+)[A-Z<#\[\"']")
_PHPMAILER_DETAIL_RE = re.compile(r"(?i)\bDetail:[ \t]*([^\n]{1,1000}?)[ \t]*SMTP code:")
# Exim main log delivery failure line: "[msgid] ** addr [<orig>] [R=router T=transport]: text" (failed) or
# "== addr ... defer (errno): text" (deferred); https://www.exim.org/exim-html-current/doc/html/spec_html/ch-log_files.html
_EXIM_NOCODE_RE = re.compile(r"(?m)(?:^|[ \t])(\*\*|==)[ \t]+<?(" + _ADDR + r")>?(?:[ \t]+<[^>\n]{1,300}>)?"
                             r"[^\n:]{0,600}?:[ \t]+([^\n]{1,2000})")
_EXIM_FIELDS_RE = re.compile(r"(?m)\b[RT]=[A-Za-z0-9_-]|\bdefer[ \t]+\(-?\d{1,4}\)|^[ \t]*(?:\S+[ \t]+){0,2}"
                             r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}[ \t]+(?:\*\*|==)")
_FRAME_RE = re.compile(r"-{2,}[ \t]*End of|at[ \t]+[\w.$<>`'/-]+[ \t]*\(|at[ \t]+[\w.$<>]+\.[\w$<>]+[ \t]*$|File[ \t]+\"|"
                       r"[A-Za-z_]\w{0,40}:[ \t]|[{}\]]|\.\.\.[ \t]*\d+[ \t]+more|Traceback|Caused by")
_STOP_TEXT_RE = re.compile(r"(?i)\(in reply to\b|;[ \t]+from=<|[ \t]+proto=E?SMTP\b")


def _norm_command(raw: str) -> str | None:
    key = " ".join(raw.upper().replace("_", " ").split())
    return _CMD_NAMES.get(key) or _CMD_NAMES.get(key.split(" ")[0])


def _is_command_line(line: str) -> bool:
    """A client command line of a session transcript ("RCPT TO:<a@x>", "C: DATA", " -> QUIT", the lone ".")."""
    if line.strip() == ".":
        return True
    cm = _TRANSCRIPT_CMD_RE.match(line)
    return bool(cm) and (cm.group(1) != "." or bool(_TRANSCRIPT_PREFIX_RE.search(line[:40])))


@dataclass(slots=True)
class _Unit:
    reply: str | None
    enh: str | None
    tok: _Tok
    start: int
    code_end: int
    record: int
    evidence: str
    recipient: str | None = None
    command: str | None = None
    host: str | None = None
    text: str | None = None
    action: str | None = None
    text_end: int = 0


def _closing_for(opener: str) -> str | None:
    return {"'": "'", '"': '"', "[": "]", "(": ")", "`": "`", "<": ">"}.get(opener)


class _Builder:
    def __init__(self, doc: _Doc):
        self.doc = doc
        self.text = doc.text
        breaks = {m.start() for m in _RECORD_BREAK_RE.finditer(self.text)}
        t = self.text
        for m in _LOG_RECORD_RE.finditer(t):
            nl = t.rfind("\n", max(0, m.start() - _LINE_REACH), m.start())
            if nl >= 0:
                breaks.add(nl)  # the log line starts a record of its own
        self.breaks = sorted(breaks)
        self._rec: dict[int, dict] = {}
        self._rejected: dict[int, list[str]] = {}
        self._log_rec: dict[int, bool] = {}
        # once per text, not once per record (a whole-text test per record made many records quadratic)
        self._may_list = "rejected" in t or "envelope" in t

    def record_info(self, rid: int) -> dict:
        """Record-wide DSN fields (Final-Recipient, Remote-MTA, Action, Diagnostic-Code), cached."""
        info = self._rec.get(rid)
        if info is None:
            t = self.text
            rs, re_ = self.record_bounds(rid)
            fm = _FINAL_RCPT_RE.search(t, rs, re_) or _ORIG_RCPT_RE.search(t, rs, re_)
            hm = _HOST_RES[2].search(t, rs, re_)
            am = _DSN_ACTION_RE.search(t, rs, re_) if fm else None
            info = {"rcpt": fm.group(1) if fm else None, "host": hm.group(1).rstrip(".") if hm else None,
                    "action": am.group(1).lower() if am else None, "diag": _DIAG_TEXT_RE.search(t, rs, re_)}
            self._rec[rid] = info
        return info

    def record_of(self, pos: int) -> int:
        return bisect.bisect_right(self.breaks, pos)

    def record_bounds(self, rid: int) -> tuple[int, int]:
        s = self.breaks[rid - 1] + 1 if rid > 0 else 0
        e = self.breaks[rid] if rid < len(self.breaks) else len(self.text)
        return s, e

    # reply text ---------------------------------------------------------------
    def reply_text(self, tok: _Tok, start: int, code_end: int) -> tuple[str, int]:
        t = self.text
        # opener: a quote/bracket right before the reply code, or the quote of a (550, b'...') tuple
        j = start - 1
        while j >= 0 and t[j] in " \t":
            j -= 1
        opener = t[j] if j >= 0 else ""
        if tok.paired is not None and tok.kind == "reply":
            gap = t[tok.e:tok.paired.s]
            q = re.search(r",[ \t]*b?(['\"])", gap)
            if q:
                opener = q.group(1)
        close = _closing_for(opener) if opener in "'\"[(`" else None
        opener_escaped = j >= 0 and self.escaped(j)  # \"250\" inside a JSON string: \" closes it
        limit = min(len(t), code_end + 3000)
        begin = code_end
        if close == ")" and _PAREN_CLOSE_RE.match(t, code_end):
            if tok.context != "smtp-key":
                return "", code_end  # "... exceeded (451)", "retcode (550); Msg: ...": the text is elsewhere
            # "SMTP Error (550): Failed to add recipient ...": the reply text follows the parenthesis
            begin = _PAREN_CLOSE_RE.match(t, code_end).end()
            close = None
        if close:
            depth = 0
            k = code_end
            end = -1
            while k < limit:
                c = t[k]
                if c == "\\":
                    k += 2
                    continue
                if close in ")]" and c == opener:
                    depth += 1
                elif c == close and close in "'\"" and (
                        (0 < k and t[k - 1].isalnum() and t[k + 1:k + 2].isalnum())
                        or (self.escaped(k) and not opener_escaped)):
                    pass  # an escaped quote or an apostrophe inside the quoted reply (b'... recipient\'s ...')
                elif c == close:
                    if depth == 0:
                        end = k
                        break
                    depth -= 1
                elif c == "\n" and t.startswith("\n\n", k):
                    break
                k += 1
            if end < 0:
                end = self._line_reply_end(code_end, tok)
        else:
            end = self._enclosed_end(start, begin, self._line_reply_end(begin, tok))
            cell = "\t" if t[start - 1:start] == "\t" else opener
            if cell and cell in "\t|":
                # a table cell ("87.5%<TAB>554 Message rejected<TAB>...", "| 550 ... | ... |") ends at the next separator
                sep = t.find(cell, begin, end)
                if sep >= 0:
                    end = sep
        raw = t[begin:end]
        low = raw.casefold()
        stop = _STOP_TEXT_RE.search(raw) if ("reply" in low or "from=" in low or "proto" in low) else None
        if stop:
            raw = raw[:stop.start()]
        return self._clean(raw, tok), end

    def escaped(self, pos: int) -> bool:
        """True when the character at normalised ``pos`` was written with a backslash escape (``\\"``)."""
        o = self.doc.omap.to_original(pos)
        return 0 <= o < len(self.doc.raw) and self.doc.raw[o] == "\\" and self.text[pos] != "\\"

    def _enclosed_end(self, start: int, code_end: int, end: int) -> int:
        """Cut a reply text at the ``)`` that closes a parenthesis opened before the code on its line.

        Postfix writes ``status=bounced (host X said: 550 ... text) orig_to=<...>``: the reply ends at the
        parenthesis that ``status=bounced (`` opened, not at the end of the log line."""
        t = self.text
        ls = t.rfind("\n", max(0, start - _LINE_REACH), start) + 1
        if ls == 0 and start > _LINE_REACH:
            ls = start - _LINE_REACH
        # is a "(" before the code left open?  Walk back from the code over the parentheses only: the
        # nearest unmatched "(" is usually right there ("status=bounced (host X said: 550 ...")
        opened = False
        close = 0
        hi = start
        o, c = t.rfind("(", ls, hi), t.rfind(")", ls, hi)
        while o >= 0:
            if c > o:
                close += 1
                hi = c
                c = t.rfind(")", ls, hi)
                continue
            if close == 0:
                opened = True
                break
            close -= 1
            hi = o
            o = t.rfind("(", ls, hi)
        if not opened:
            return end
        d = 0
        for m in _PAREN_RE.finditer(t, code_end, end):
            if m.group() == "(":
                d += 1
            else:
                if d == 0:
                    return m.start()
                d -= 1
        return end

    def _line_reply_end(self, code_end: int, tok: _Tok) -> int:
        t = self.text
        rs, re_ = self.record_bounds(self.record_of(code_end))
        re_ = min(re_, code_end + _REPLY_REACH)  # a reply text is never longer than this
        le = t.find("\n", code_end, re_)
        if le < 0:
            return re_
        # Postfix wraps the human part: when "(in reply to" follows in the same record, extend to it
        m = _IN_REPLY_RE.search(t, code_end, min(re_, code_end + 2000))
        if m and "\n\n" not in t[code_end:m.start()]:
            return m.end()
        end = le
        code = tok.code if tok.kind == "reply" else None
        # RFC 5321 §4.2.1: "550-" says more lines follow, "550 " is the last line of the reply
        more = bool(code) and t[tok.e:tok.e + 1] == "-"
        while end < re_:
            nxt_end = t.find("\n", end + 1)
            if nxt_end < 0 or nxt_end > re_:
                nxt_end = re_
            line = t[end + 1:nxt_end]
            stripped = line.lstrip(" \t>")
            folded = line[:1] in (" ", "\t")
            same_code = bool(code) and stripped.startswith(code) and stripped[3:4] in ("-", " ", "")
            if not stripped or not (folded or same_code):
                break
            if same_code and not more:
                break  # the previous line ended its reply: this one is a new reply with the same code
            if same_code:
                more = stripped[3:4] == "-"
            if folded and (_FRAME_RE.match(stripped) or _TRANSCRIPT_PREFIX_RE.match(stripped)):
                break
            if re.match(r"(?i)[A-Za-z-]{2,40}:[ \t]", stripped) and not folded:
                break
            end = nxt_end
        return end

    def _clean(self, raw: str, tok: _Tok) -> str:
        s = raw
        if tok.kind == "reply":
            enh = tok.paired.code if tok.paired is not None else None
            s = " ".join(s.split())
            pat = re.escape(tok.code) + (r"(?:[ -]" + re.escape(enh) + r")?" if enh else "") + r"(?:[ -]|$)"
            s = re.sub(r"(?:(?<=\s)|^)" + pat, " ", s)
            if enh:
                s = re.sub(r"(?<=\s)" + re.escape(enh) + r"(?=\s)", " ", s)
        s = " ".join(s.split())
        s = re.sub(r"[ >]*#SMTP#$", "", s)
        jm = re.search(r"([\"'])[\]}),;\s]*$", s)
        if jm and s.count(jm.group(1)) % 2 == 1:  # the end of a JSON / repr string value
            s = s[:jm.start()]
        s = s.strip(" -:;,")
        # drop closers left by the surrounding syntax
        for _ in range(3):
            if s and s[-1] in ")]>'\"" and s.count(s[-1]) > s.count({")": "(", "]": "[", ">": "<"}.get(s[-1], s[-1])) - (
                    0 if s[-1] in ")]>" else -1):
                s = s[:-1].rstrip()
            elif s.endswith("'") or s.endswith('"'):
                if (s.count(s[-1]) % 2) == 1:
                    s = s[:-1].rstrip()
                else:
                    break
            else:
                break
        if len(s) > 1000:
            s = s[:997] + "..."
        return s.encode("utf-8", "replace").decode("utf-8") if s else s

    # context ---------------------------------------------------------------------
    def _search_before(self, patterns, lo: int, hi: int) -> tuple[int, str] | None:
        best: tuple[int, str] | None = None
        for pat in patterns:
            for m in pat.finditer(self.text, lo, hi):
                if best is None or m.start() > best[0]:
                    best = (m.start(), m.group(1))
        return best

    def fill_context(self, u: _Unit, lo: int) -> None:
        t = self.text
        rs, re_ = self.record_bounds(u.record)
        ls, le = self.doc.line_bounds(u.start)
        lo = max(lo, rs, u.start - 1500)
        # recipient
        info = self.record_info(u.record)
        if info["rcpt"]:
            u.recipient = info["rcpt"]
        else:
            b = self._search_before(_RCPT_BEFORE_RES, lo, u.start)
            if b:
                u.recipient = b[1]
            else:
                a_hi = min(re_, max(le, u.start + 600))
                a = _TO_AFTER_RE.search(t, u.start, a_hi) if t.find("@", u.start, a_hi) >= 0 else None
                if a:
                    u.recipient = a.group(1)
        # command
        m = _IN_REPLY_RE.search(t, u.code_end, min(len(t), max(u.text_end, u.code_end) + 40))
        if m:
            u.command = _norm_command(m.group(1))
        if u.command is None:
            b = self._search_before(_CMD_BEFORE_RES, lo, u.start)
            if b:
                u.command = _norm_command(b[1])
        if self.doc.transcript and (u.command is None or u.evidence in ("reply-line", "pair")):
            own = t[ls:u.start]
            # "RCPT TO:<a@x>: 550 5.1.1 ..." -- the command and its reply on one line
            line = own if _is_command_line(own) else self._answered_command_line(ls)
            if line is None and u.command is None:
                # no clean pairing: the last client command line not long before the reply
                pos, steps = ls, 0
                while pos > 0 and steps < 8 and line is None:
                    prev = t.rfind("\n", 0, pos - 1) + 1
                    if _is_command_line(t[prev:pos - 1]):
                        line = t[prev:pos - 1]
                    pos, steps = prev, steps + 1
            if line is not None:
                cm = _TRANSCRIPT_CMD_RE.match(line)
                u.command = (_norm_command(cm.group(1)) if cm else "DATA" if line.strip() == "." else u.command)
                am = _RCPT_ARG_RE.search(line)
                if am and u.command == "RCPT TO":
                    u.recipient = am.group(1)
        if u.command is None:
            a = (_CMD_BEFORE_RES[3].search(t, max(rs, ls - 1), u.start)
                 or _CMD_BEFORE_RES[3].search(t, u.start, min(len(t), u.text_end + 200)))
            if a:
                u.command = _norm_command(a.group(1))
        # host
        b = self._search_before(_HOST_BEFORE_RES, lo, u.start)
        if b:
            u.host = b[1].rstrip(".")
        elif info["host"]:
            u.host = info["host"]
        # action
        am = None
        a_lo, a_hi = max(rs, ls - 1), min(re_, le + 1)
        # a substring test first: on a long line dense with codes the patterns would cost far more
        # (every one of them needs one of these pieces; casefold as re.IGNORECASE does)
        seg = t[a_lo:a_hi].casefold()
        if any(k in seg for k in _LOG_ACTION_KEYS):
            for x in _LOG_ACTION_RE.finditer(t, a_lo, a_hi):
                am = x
        word = next(g for g in am.groups() if g).lower() if am else None
        if word is None:
            dm = _LOG_DSN_CLASS_RE.search(t, a_lo, a_hi) if ("to=" in seg and "dsn=" in seg) else None
            word = ({"5": "bounced", "4": "deferred"}[dm.group(1)] if dm else None) or info["action"]
        if word:
            u.action = _LOG_ACTION_WORDS.get(word, word)
        # recipient named in the reply itself ("550 5.1.1 <user@example.com>: Recipient address rejected")
        if u.recipient is None and u.text and u.command != "MAIL FROM" and not re.search(r"(?i)sender", u.text[:120]):
            m = _ADDR_IN_TEXT_RE.match(u.text)
            if m:
                u.recipient = m.group(1) or m.group(2)
        if u.recipient is None and u.command not in _NO_RCPT_COMMANDS:
            rcpts = self.rejected_list(u.record)
            if len(rcpts) == 1:
                u.recipient = rcpts[0]

    def _answered_command_line(self, ls: int) -> str | None:
        """In a session transcript, the client command line that the reply starting at line ``ls`` answers.

        Replies come back in the order the commands were sent, also when the
        client pipelines several commands (RFC 2920 §3.1): walking back from
        the reply, count the final reply lines (``NNN ``, not ``NNN-``) since
        the last block of command lines, and take that block's command with
        the same rank.  None when the lines do not line up."""
        t = self.text
        k = 1
        pos = ls
        cmds: list[str] = []
        steps = 0
        while pos > 0 and steps < 200:
            steps += 1
            prev = t.rfind("\n", 0, pos - 1) + 1
            line = t[prev:pos - 1]
            pos = prev
            if _is_command_line(line):
                cmds.append(line)
                continue
            if cmds and _TRANSCRIPT_REPLY_RE.match(line):
                break  # the reply before the command block
            if not cmds:
                rm = _TRANSCRIPT_REPLY_RE.match(line)
                if rm and rm.group(1) != "-":
                    k += 1
        if not cmds or k > len(cmds):
            return None
        cmds.reverse()
        return cmds[k - 1]

    def is_log_record(self, rid: int) -> bool:
        """True when record ``rid`` is one per-recipient MTA log line (its own failure, never merged with another's)."""
        got = self._log_rec.get(rid)
        if got is None:
            rs, re_ = self.record_bounds(rid)
            le = self.text.find("\n", rs, re_)
            got = self._log_rec[rid] = _LOG_RECORD_RE.search(self.text, rs, re_ if le < 0 else le) is not None
        return got

    def rejected_list(self, rid: int) -> list[str]:
        """The addresses a client says were refused (nodemailer ``rejected: [...]``, else a one-address
        ``envelope.to``) in record ``rid``, in order."""
        got = self._rejected.get(rid)
        if got is not None:
            return got
        rs, re_ = self.record_bounds(rid)
        t = self.text
        got = []
        if self._may_list:
            m = _REJECTED_LIST_RE.search(t, rs, re_)
            if m is None:
                m = _ENVELOPE_TO_RE.search(t, rs, re_)
                if m is not None and len(_QUOTED_ADDR_RE.findall(m.group(1))) != 1:
                    m = None
            if m is not None:
                got = list(dict.fromkeys(_QUOTED_ADDR_RE.findall(m.group(1))))
        self._rejected[rid] = got
        return got


def _build_failures(doc: _Doc, max_failures: int = MAX_FAILURES, stats: dict | None = None) -> list[TextFailure]:
    b = _Builder(doc)
    units: list[_Unit] = []
    field_enh: list[_Tok] = []
    for t in doc.toks:
        if not doc.counts_as_failure(t):
            continue
        if t.kind == "enhanced" and t.paired is not None:
            continue  # part of its reply code's unit
        if t.kind == "enhanced" and t.context in ("dsn-status", "dsn-field", "hash"):
            field_enh.append(t)
            continue
        if len(units) >= max_failures:
            doc.truncated = True
            break
        reply = t.code if t.kind == "reply" else None
        enh = t.paired.code if (t.kind == "reply" and t.paired is not None) else (t.code if t.kind == "enhanced" else None)
        code_end = t.paired.e if (t.kind == "reply" and t.paired is not None) else t.e
        u = _Unit(reply, enh, t, t.s, code_end, b.record_of(t.s), t.context)
        u.text, u.text_end = b.reply_text(t, t.s, code_end)
        if t.context in ("error-word", "glued") and not _REPLY_START_RE.match(doc.text, code_end):
            u.text = None  # "failed with 550 yesterday": what follows is prose, not the server's reply
        if not u.text or re.match(r"(?i)additional smtp info", u.text):
            ls, _ = doc.line_bounds(t.s)
            dm = _PHPMAILER_DETAIL_RE.search(doc.text, ls, t.s)
            if dm:
                u.text = b._clean(dm.group(1), t)
        units.append(u)
    if stats is not None:
        stats["units"] = len(units)
    # context per unit; markers before a previous unit belong to it
    prev_end = 0
    for u in units:
        b.fill_context(u, prev_end)
        prev_end = max(prev_end, u.code_end)
    # merge the repeated codes of one reply (multi-line replies, a code echoed in the same record)
    merged: list[_Unit] = []
    for u in units:
        p = merged[-1] if merged else None
        if (p is not None and p.record == u.record and u.reply is None and u.enh == p.enh
                and (p.recipient is None or u.recipient is None or p.recipient == u.recipient)):
            continue  # an enhanced code repeated inside the reply it belongs to
        if (p is not None and p.record == u.record and p.reply == u.reply
                and (p.enh is None or u.enh is None or p.enh == u.enh)
                and (p.recipient is None or u.recipient is None or p.recipient == u.recipient)
                and (p.host is None or u.host is None or p.host == u.host)):  # another server: another reply
            p.enh = p.enh or u.enh
            p.recipient = p.recipient or u.recipient
            p.command = p.command or u.command
            p.host = p.host or u.host
            p.action = p.action or u.action
            if u.text and (not p.text or len(u.text) > len(p.text)):
                p.text = u.text
            if p.tok.strength != "strong" and u.tok.strength == "strong":
                p.evidence = u.evidence
            continue
        merged.append(u)
    # an enhanced code given apart from its reply code ("code": 550 ... "message": "5.1.1 ...")
    joined: list[_Unit] = []
    by_rec_enh: dict[tuple[int, str], list[_Unit]] = {}  # (record, enhanced code) -> units of joined (kept current)
    for u in merged:
        if u.reply is None and u.enh and any((
                p.recipient is None or u.recipient is None or p.recipient == u.recipient)
                for p in by_rec_enh.get((u.record, u.enh), ())):
            continue  # the same enhanced code given twice (JSON "message" and "enhanced-code")
        if u.reply is None and u.enh and u.tok.context != "pair":
            host = None
            for p in reversed(joined):  # starts never decrease along joined: stop 600 characters back
                if u.start - p.start >= 600:
                    break
                if (p.record == u.record and p.reply and p.enh is None and p.reply[0] == u.enh[0]
                        and (p.recipient is None or u.recipient is None or p.recipient == u.recipient)):
                    host = p
                    break
            if host is not None:
                host.enh = u.enh
                by_rec_enh.setdefault((host.record, host.enh), []).append(host)
                host.recipient = host.recipient or u.recipient
                host.command = host.command or u.command
                if not host.text or re.match(r"(?i)additional smtp info", host.text):
                    host.text = u.text or host.text
                continue
        if u.reply and u.enh is None and joined:
            p = joined[-1]
            if (p.reply is None and p.enh and p.record == u.record and p.enh[0] == u.reply[0]
                    and u.start - p.start < 600 and p.tok.context not in ("dsn-status", "dsn-field", "hash")):
                p.reply, p.evidence = u.reply, u.evidence
                p.recipient = p.recipient or u.recipient
                p.command = p.command or u.command
                continue
        joined.append(u)
        if u.enh:
            by_rec_enh.setdefault((u.record, u.enh), []).append(u)
    merged = joined
    # DSN Status / dsn= / #x.y.z fields: attach to a reply of the same record, else stand alone
    by_record: dict[int, list[_Unit]] = {}
    for u in merged:
        by_record.setdefault(u.record, []).append(u)
    added = False
    for f in field_enh:
        rid = b.record_of(f.s)
        same = by_record.get(rid, [])
        targets = [u for u in same if u.enh is None and u.reply and u.reply[0] == f.code[0]]
        if targets:
            for u in targets:
                u.enh = f.code
            continue
        if same:
            continue
        u = _Unit(None, f.code, f, f.s, f.e, rid, f.context)
        dm = b.record_info(rid)["diag"]
        if dm:
            u.text = b._clean(dm.group(1), f)
            u.text_end = dm.end()
        else:
            u.text, u.text_end = b.reply_text(f, f.s, f.e)
            if f.context in ("dsn-status", "dsn-field"):
                ls, le = doc.line_bounds(f.s)
                sm = _LOG_STAT_TEXT_RE.search(b.text, ls, le)
                u.text = b._clean(sm.group(1) or sm.group(2), f) if sm else None
        b.fill_context(u, 0)
        merged.append(u)
        by_record.setdefault(rid, []).append(u)
        added = True
    if added:
        merged.sort(key=lambda x: x.start)  # stable: the same order as sorting after each addition
    # an MTA log line that records a failure with no code at all (Exim "** addr ...: Unrouteable address",
    # "== addr ... defer (-53): retry time not reached"): one failure for that recipient, codes unknown
    if "**" in doc.text or "==" in doc.text:
        have = {u.record for u in merged}
        for m in _EXIM_NOCODE_RE.finditer(doc.text):
            rid = b.record_of(m.start(1))
            ls, _ = doc.line_bounds(m.start(1))
            if rid in have or not _EXIM_FIELDS_RE.search(doc.text, ls, m.end()):
                continue
            if len(merged) >= max_failures:
                break
            have.add(rid)
            s = m.start(1)
            u = _Unit(None, None, _Tok("none", "", s, s), s, m.end(2), rid, "log-line")
            u.recipient = m.group(2)
            u.action = _LOG_ACTION_WORDS[m.group(1)]
            u.text = b._clean(m.group(3), u.tok) if m.group(3) else None
            hm = _HOST_RES[5].search(m.group(0))
            u.host = hm.group(1) if hm else None
            merged.append(u)
        merged.sort(key=lambda x: x.start)
    # the same failure logged twice (once with, once without recipient) is one failure
    # (indexed by codes and recipient, so that thousands of findings cost linear time, not a pass over all)
    out: list[_Unit] = []
    same_codes: dict[tuple, list[tuple[int, _Unit]]] = {}  # (reply, enh) -> (index in out, unit)
    same_rcpt: dict[tuple, list[tuple[int, _Unit]]] = {}  # (reply, enh, recipient or None) -> (index, unit)
    for u in merged:
        log_line = b.is_log_record(u.record)
        key = (u.reply, u.enh)

        def fits(o: _Unit) -> bool:
            return (not (log_line and o.record != u.record and b.is_log_record(o.record))
                    and (o.recipient == u.recipient or u.recipient is None or o.recipient is None)
                    and (o.command == u.command or o.command is None or u.command is None)
                    and (o.host == u.host or o.host is None or u.host is None))  # another server's reply

        if u.recipient is None:
            pools = [same_codes.get(key, ())]
        else:
            pools = [same_rcpt.get((*key, u.recipient), ()), same_rcpt.get((*key, None), ())]
        dup = None
        best = -1
        for pool in pools:
            hit = next(((i, o) for i, o in pool if fits(o)), None)
            if hit is not None and (best < 0 or hit[0] < best):
                best, dup = hit
        if dup is not None:
            dup.recipient = dup.recipient or u.recipient
            dup.command = dup.command or u.command
            dup.host = dup.host or u.host
            dup.action = dup.action or u.action
            if u.text and (not dup.text or len(u.text) > len(dup.text)):
                dup.text = u.text
            # (a unit whose recipient was just filled in stays in the pool of its codes without recipient:
            # fits() reads the current fields, so later units of that recipient still find it there)
            continue
        same_codes.setdefault(key, []).append((len(out), u))
        same_rcpt.setdefault((*key, u.recipient), []).append((len(out), u))
        out.append(u)
    # a client's list of refused recipients with one reply for all of them: one failure per recipient
    named = {u.recipient for u in out if u.recipient}
    expanded: list[_Unit] = []
    for u in out:
        if u.recipient is None and u.command not in _NO_RCPT_COMMANDS:
            rest = [a for a in b.rejected_list(u.record) if a not in named]
            if len(rest) > 1:
                for a in rest:
                    c = copy.copy(u)
                    c.recipient = a
                    expanded.append(c)
                continue
        expanded.append(u)
    res = []
    for u in expanded[:max_failures]:
        if u.enh and u.text and u.text.startswith(u.enh + " "):
            u.text = u.text[len(u.enh) + 1:]  # PHPMailer's "Detail: 5.7.57 Client not ..." repeats the code
        if u.reply and u.text and u.text.endswith(")"):
            u.text = re.sub(r"[ \t]*\([ \t]*" + u.reply + r"[ \t]*\)\Z", "", u.text) or None  # "... exceeded (451)"
        s = doc.omap.to_original(u.start)
        e = max(s, doc.omap.to_original(u.code_end - 1) + 1)
        res.append(TextFailure(u.reply, u.enh, u.recipient, u.command, u.host, u.text or None, u.action,
                               u.evidence, s, e))
    return res


def failures_from_text(text: str) -> list[TextFailure]:
    """The SMTP failures a pasted text shows: one per failed recipient, or per failed reply.

    Input: any str (never raises).  Output: :class:`TextFailure` items in text
    order.  Each per-recipient MTA log line (Postfix / Sendmail ``to=<addr>,
    ... dsn=X.Y.Z, status=...``, Exim ``** addr`` / ``== addr``, qmail
    ``delivery N: failure:``) is a record of its own, so N failing lines give
    N failures, each with its recipient and ``action`` (``failed`` for
    bounced, ``delayed`` for deferred); a reply that names its recipient
    (``550 5.1.1 <addr>: ...``) is one failure per recipient.  A reply code and the enhanced code sent with it, and the repeated
    codes of a multi-line reply (``550-5.7.1 ...`` / ``550 5.7.1 ...``), make
    one failure; a DSN ``Status:`` or Postfix ``dsn=`` field fills in the
    enhanced code of the reply in the same record (or stands alone when the
    record has no reply code).  Success codes (2xx/3xx, e.g. in a session
    transcript) and the code a client *expected* are not failures; the reply
    it got instead is one, whatever its class.  Empty list
    when the text has no SMTP failure.
    Sources: RFC 5321 §4.2 (reply codes, multi-line replies §4.2.1), RFC 3463
    (enhanced status codes), RFC 3464 §2.3 (per-recipient DSN fields).
    """
    return failures_limited(text)[0]


@dataclass(frozen=True, slots=True)
class ScanStats:
    """How much work one scan did (deterministic, for bounds and tests; no clock involved).

    ``chars``: characters scanned (after the :data:`MAX_SCAN_CHARS` cut); ``tokens``: code-shaped tokens
    examined (at most ``max_tokens``); ``rule_searches``: context patterns run on the 70-character windows
    before tokens (windows already seen in the same text are not searched again); ``units``: replies
    turned into candidate failures (at most ``max_failures``); ``token_limit_hit`` / ``failure_limit_hit``
    / ``text_cut``: which bound stopped the scan early.
    """

    chars: int = 0
    tokens: int = 0
    rule_searches: int = 0
    units: int = 0
    token_limit_hit: bool = False
    failure_limit_hit: bool = False
    text_cut: bool = False


def failures_limited(text: str, *, max_tokens: int = MAX_TOKENS,
                     max_failures: int = MAX_FAILURES) -> tuple[list[TextFailure], ScanStats]:
    """:func:`failures_from_text` with explicit bounds, and a measure of the work done.

    Input: any str; ``max_tokens`` the most code-shaped tokens examined (the rest of the text is not
    looked at), ``max_failures`` the most replies turned into failures.  Output: ``(failures, stats)``
    (:class:`ScanStats`).  The work is linear in the text's length and bounded by ``max_tokens`` and
    ``max_failures`` whatever the text holds (every context window and reply search has a fixed reach,
    and merging repeated replies uses indexes, not a pass over the failures found so far).  The same
    failures as :func:`failures_from_text` when no bound is hit.  Never raises.
    """
    try:
        doc = _Doc(text, max_tokens=max_tokens)
        info: dict = {}
        cut = isinstance(text, str) and len(text) > MAX_SCAN_CHARS
        if not doc.toks and "**" not in doc.text and "==" not in doc.text:
            return [], ScanStats(len(doc.raw), 0, doc.rule_searches, 0, False, False, cut)
        res = _build_failures(doc, max_failures, info)
        units = info.get("units", 0)
        return res, ScanStats(len(doc.raw), len(doc.toks), doc.rule_searches, units, doc.token_cut,
                              units >= max_failures or len(res) >= max_failures, cut)
    except Exception:  # pragma: no cover - defensive: never raise on user text
        return [], ScanStats()


def has_smtp_evidence(text: str) -> bool:
    """True when ``text`` carries real SMTP failure evidence; cheap enough for every channel message.

    Evidence is a failure reply code or enhanced status code in an SMTP
    context (DSN fields, ``said:``, ``status=bounced``, an SMTP exception, an
    enhanced code next to a reply code, a reply line in a mail-related text
    ...).  Chatter with numbers ("deploy 250 took 421 ms", "HTTP 502",
    "port 587", "502 Bad Gateway") and a bare "550" give False.  Input: any
    str; never raises.  A text with no code-shaped token returns after one
    regex search.
    """
    try:
        if not isinstance(text, str) or not _QUICK_RE.search(text[:MAX_SCAN_CHARS]):
            return False
        doc = _Doc(text)
        failing = [t for t in doc.toks if doc.counts_as_failure(t)]
        if not failing:
            return False
        if _DOC_STRUCTURE_RE.search(doc.text) or doc.transcript:
            return True
        return any(_structural(doc, t) for t in failing)
    except Exception:  # pragma: no cover
        return False


# Structure that only pastes have: DSN fields (RFC 3464 §2.3), MTA log fields (Postfix status= / dsn=,
# "(in reply to X command)"), "said:" / "Remote Server returned" (Exchange NDR), client error words.
_DOC_STRUCTURE_RE = re.compile(
    r"(?im)^[ \t>]*(?:final-recipient|original-recipient|diagnostic-code|remote-mta|reporting-mta|"
    r"x-postfix-sender|x-supplementary-info)[ \t]*:"
    r"|\bsaid:|\bstatus=(?:bounced|deferred|expired|undeliverable)\b|\bdsn=[245]\.\d"
    r"|\(in[ \t\n]+reply[ \t\n]+to[ \t\n]+[^()\n]{1,40}command\)|\bserver[ \t]+return(?:=\n)?ed\b"
    r"|\berror_?code[ \t]*:"
    r"|\bsmtp[ \t]*;|\bSMTP[ \t]+(?:error|reply|response)\b|\b[A-Z][A-Za-z]*(?:Exception|Error|Refused)\b[ \t]*[:(]"
    r"|\bSMTP[A-Z][A-Za-z]+\b")
# strong contexts that are structure in themselves (a key, a field, an exception, a "said:")
_STRUCTURAL_CONTEXTS = {"said", "smtp-diag", "diagnostic", "exception", "dsn-status", "dsn-field", "hash",
                        "smtp-key", "got-code", "unexpected", "transcript", "multiline", "paren"}
# words of someone talking about a code rather than pasting a reply (checked on the text after the codes)
_PROSE_RE = re.compile(
    r"(?i)\?[ \t]*$|\b(?:I|I'm|I've|I'd|we're|we've|we'd|you're|anyone|anybody|someone|somebody|"
    r"any[ \t]+ideas?|ideas?|means?|meaning|mean|typo|ignore|yeah|yep|yup|nope|lol|haha|thanks|thx|pls|plz|btw|"
    r"fyi|afaik|imo|guess|think|thought|probably|maybe|seems|seeing|getting|got|yesterday|tonight|"
    r"this[ \t]+morning|upgrade[ \t]+done|fixed|jira|ticket|why|hmm+|the[ \t]+one|we[ \t]+(?:see|saw|get|got|keep|"
    r"are|were|have|had|need)|you[ \t]+(?:see|get|got)|need[ \t]+to|should[ \t]+we|can[ \t]+we|let'?s|resolved|"
    r"is[ \t]+back|(?:is|was)[ \t]+(?:just|only|probably|fine|ok|okay|our|my|his|her|their))\b"
    r"|^[ \t]+(?:is|was|are|were|looks|happens|comes|came|keeps|kept|again|from|when|whenever|for|on|since|after|"
    r"too|also|still|and|or|but|errors?|bounces?|issues?|problems?)\b")


# a chat label before "label: code ..." that makes the line a note about a code
_NOTE_LABEL_RE = re.compile(r"(?i)\b(?:fyi|btw|jira|ticket|note|reminder|todo|heads[ \t]+up|update|standup|re)[ \t]*:[ \t]*\Z")


def _structural(doc: _Doc, t: _Tok) -> bool:
    """Is this failure code part of a pasted reply / log / DSN rather than a code quoted in conversation?

    Structure: a strong key or field (:data:`_STRUCTURAL_CONTEXTS`), a value in quotes or brackets, a
    multi-line reply (``550-5.7.1``, RFC 5321 §4.2.1), or a reply line that starts with the code (at a
    line start or after a ``label:``) and goes on with reply text, not chat words (:data:`_PROSE_RE`)."""
    text = doc.text
    if t.context in _STRUCTURAL_CONTEXTS:
        return True
    r = t.paired if (t.kind == "enhanced" and t.paired is not None) else t
    window = text[max(0, r.s - 70):r.s]
    if t.context in ("got", "value", "response") and re.search(r"[:=\"'\[(][ \t]*\Z", window):
        return True
    if r.kind == "reply" and r.paired is not None and text[r.e:r.e + 1] == "-":
        return True  # "550-5.7.1 ..." a continued multi-line reply
    if _VALUE_START.search(window):
        return True  # '550 5.7.1 ...' / (550, b'...') / ["550 ..."]
    if window.endswith("\t") and (r.paired is not None or t.context == "cell"):
        return True  # a cell of a pasted table (tabs are not typed in chat)
    if _REPLY_BEFORE[_TRANSCRIPT_RULE][1].search(window):
        return True  # "mta: 0x1: <<< 552 5.2.2 ...", "<-  554 5.7.1 ...": a server line of a session transcript
    end = r.paired.e if (r.kind == "reply" and r.paired is not None) else r.e
    le = doc.line_bounds(r.s)[1]
    rest = text[end:le]
    if not _REPLY_TEXT_AFTER.match(rest) or _PROSE_RE.search(rest):
        return False
    if doc.at_line_start(r.s) or r.context == "glued":
        return True
    if window.rstrip(" \t").endswith((":", "：", "]", "|", ">")):
        return not _NOTE_LABEL_RE.search(window)  # "FYI: 421 4.7.0 throttling is back" is a note, not a paste
    sep = window.rstrip(" \t\"")[-1:]  # a column of a delimited log line (Exchange message tracking CSV)
    return sep in (",", ";", "\t") and text.count(sep, doc.line_bounds(r.s)[0], le) >= 3

"""Stage 3, context rules (data): the patterns that decide whether a code-shaped token is a code.

Each "before" pattern of :data:`_REPLY_BEFORE` / :data:`_ENH_BEFORE` is searched in the 70 characters
before a token and must end at the token (``\\Z``); the first rule that matches names the context
(``said``, ``smtp-diag``, ``exception``, ``transcript`` ...) or rejects the token (``reject-*``: ports,
HTTP statuses, durations, sizes, counts, line numbers, pids, errno values, versions, RFC numbers).  The
"after" patterns read what follows a token (``500 lines``, ``502 Bad Gateway``, ``5.4.2-beta``).
The engine that applies them is :mod:`knowledge.textscan.classify`.
"""

from __future__ import annotations

import re

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

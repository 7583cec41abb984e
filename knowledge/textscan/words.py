"""Stage 3, the words around codes (data): does a text talk about mail, does a line talk about SMTP or
HTTP, do the words after a code read like a server's reply, is the text a session transcript; and the
context names that make a token strong."""

from __future__ import annotations

import re

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

# contexts that make any code-shaped number a reply code, known or not
_SELF_EVIDENT = {"pair", "said", "smtp-diag", "diagnostic", "exception", "expected", "transcript", "unexpected"}
_STRONG_REPLY = {"pair", "said", "smtp-diag", "diagnostic", "exception", "smtp-key", "got", "got-code", "transcript",
                 "unexpected"}
_STRONG_ENH = {"pair", "dsn-status", "dsn-field", "hash", "said", "smtp-diag", "diagnostic", "response",
               "smtp-key", "exception"}


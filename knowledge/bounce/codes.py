"""Find reply codes, enhanced status codes, the SMTP command and the remote
host inside a diagnostic text.

Reply codes follow RFC 5321 section 4.2 (three digits, first 2-5); enhanced
status codes RFC 3463 section 2 (``class.subject.detail``, class 2/4/5,
subject and detail up to three digits).  A bare three-digit number counts as
a reply code only where a server reply can stand: at the start of a line,
after ``said:``, ``<<<``, ``reply:``, ``returned``, ``error:``, ``smtp;``,
or directly before an enhanced status code.  Every pattern is linear: bounded
repetitions, no nested quantifiers.
"""

from __future__ import annotations

import re

from knowledge.bounce.formats import qmail
from knowledge.bounce.rows import ANGLE_ADDRESS
from knowledge.smtp.codes import ENHANCED_CODE, FINAL_REPLY_CODE, NOT_IN_WORD_BEFORE, NOT_MORE_DIGITS_AFTER
from knowledge.smtp.commands import normalise_command
from knowledge.smtp.hosts import find_remote_host  # re-exported: the bounce readers import it from here

__all__ = ["find_codes", "find_command", "find_remote_host", "reply_line"]

# The reply code / enhanced status code tokens are knowledge.smtp.codes' pieces; the boundaries
# around them here are this reader's own: a pair may not follow "#" either, an enhanced code may not
# run on into a word or "-", and a reply code stands only where a server reply can stand (_RC).
_PAIR = re.compile(r"(?<![\w.#])(" + FINAL_REPLY_CODE + r")(?:[ \t]{1,3}|-'?|[ \t]?[:=][ \t]?|[ \t]*\([ \t]*)#?("
                   + ENHANCED_CODE + ")" + NOT_MORE_DIGITS_AFTER)
_ENH = re.compile(NOT_IN_WORD_BEFORE + "#?(" + ENHANCED_CODE + ")" + NOT_MORE_DIGITS_AFTER + r"(?![\w-])")
_RC = re.compile(
    r"(?:^[ \t>*|'\"(\[]{0,6}|said:?[ \t]{0,3}|<<<[ \t]{0,3}|reply(?: was)?:?[ \t]{0,3}|replied:?[ \t]{0,3}|"
    r"response:?[ \t]{0,3}|returned:?[ \t]{0,3}['\"]?|error:?[ \t]{0,3}|answer:?[ \t]{0,3}|smtp;[ \t]{0,3}|"
    r"code[ \t]?:?[ \t]{0,3}|status:?[ \t]{0,3}|host [^\s:]{1,80}(?: \[[\d.:a-fA-F]{1,45}\])?:?[ \t]{1,3}|"
    r"\]:[ \t]{0,3}|\):[ \t]{0,3}|\bme:[ \t]{0,3}|reason:[ \t]{0,3})"
    r"(" + FINAL_REPLY_CODE + r")(?=[ \t\-:,.)'\"\]]|$)(?!\.\d)",
    re.I | re.M,
)
# a software name or version label right before x.y.z ("PHP: 5.4.45", "WordPress 4.9.4", "version 5.1.1"):
# a version, not an enhanced status code
_VERSION_BEFORE = re.compile(
    r"(?i)\b(?:php|wordpress|python3?|node(?:js)?|npm|ruby|perl|java|openssl|opensmtpd|postfix|exim4?|dovecot|sendmail|"
    r"laravel|symfony|swiftmailer|nodemailer|phpmailer|django|rails|version|versions|ver|release|build)[ \t]*[:=]?[ \t]*v?\Z")
# SMTP verbs as MTAs write them (upper case), then the words before them
# that say "this reply answered that command".
_CMD_KW = re.compile(r"\b(RCPT_TO|MAIL_FROM|RCPT|MAIL|DATA|HELO|EHLO|STARTTLS|AUTH|BDAT|CONNECT|[Rr]cpt [Tt]o|[Mm]ail [Ff]rom|end of data|initial connection|connection greeting)\b")
_CMD_BEFORE = re.compile(
    r"(?:in reply to|after|while (?:sending|talking)|during|for|following|response to|before|rejected|at|to|"
    r"did not like our|our)[ \t]{1,3}(?:the[ \t]{1,3})?(?:end of |final )?$|\[$|\bsmtp:$|"
    r"command:?[ \t]{0,3}\n[ \t]{0,8}$",
    re.I,
)
_CMD_AFTER = re.compile(r"[ _](?:TO|FROM)?[ _]?(?:command|response|\])|_TO\]|_FROM\]", re.I)


def find_codes(text: str, classes: str = "245") -> tuple[str | None, str | None]:
    """Return ``(reply_code, enhanced_status)`` found in ``text`` (either may be None).

    A reply code written together with an enhanced code (``550 5.1.1``,
    ``550-5.7.26``) wins over codes written apart; otherwise the first
    enhanced code and the first reply code in reply position are returned.
    Enhanced codes ``X.0.0`` are passed over when a more specific one is
    present.  ``classes``: the first digits accepted ("45" when only
    failures are wanted).
    """
    if not text:
        return None, None
    text = text[:20000]
    pair = next((m for m in _PAIR.finditer(text) if m.group(1)[0] == m.group(2)[0] and m.group(1)[0] in classes),
                None)
    if pair:
        rc, enh = pair.group(1), pair.group(2)
        if enh.endswith(".0.0"):
            enh = _specific_after(text, pair.end(), enh[0]) or enh
        return rc, enh
    enh = _first_enhanced(text, classes)
    rc = next((m.group(1) for m in _RC.finditer(text)
               if m.group(1)[0] in classes and not (enh and m.group(1)[0] != enh[0])), None)
    return rc, enh


def _specific_after(text: str, start: int, cls: str) -> str | None:
    """The first enhanced code of class ``cls`` after ``start`` that is not X.0.0, or None."""
    return next((m.group(1) for m in _ENH.finditer(text, start)
                 if m.group(1)[0] == cls and not m.group(1).endswith(".0.0")), None)


def _first_enhanced(text: str, classes: str) -> str | None:
    """The first enhanced code of ``classes`` that is not a version number, preferring the first
    specific one over a leading X.0.0."""
    enh = None
    for m in _ENH.finditer(text):
        e = m.group(1)
        if e[0] not in classes or _VERSION_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue
        if enh is None:
            enh = e
        if not e.endswith(".0.0"):
            return e if enh.endswith(".0.0") else enh
    return enh


def find_command(text: str) -> str | None:
    """Return the SMTP command a failure answered ("RCPT TO", "MAIL FROM",
    "DATA", "BDAT", "HELO", "EHLO", "STARTTLS", "AUTH", or "CONN" for the connection
    greeting: the names of :func:`knowledge.smtp.commands.normalise_command`), or None
    when the text does not say.

    Phrasings: "in reply to RCPT TO command" (Postfix), "after RCPT TO" /
    "after end of data" (Exim), "[RCPT_TO]" (Yahoo), "RCPT TO response"
    (qmail), ">>> RCPT To:<...>" transcripts (Sendmail; the last one before
    the error counts); qmail's stage words (:mod:`knowledge.bounce.formats.qmail`).
    """
    if not text:
        return None
    text = text[:20000]
    stage = qmail.find_command(text)
    if stage:
        return stage
    transcript = None
    for m in _CMD_KW.finditer(text):
        word = m.group(1)
        bracket = word in ("RCPT_TO", "MAIL_FROM")
        start = m.start()
        before = text[max(0, start - 24):start]
        if before.rstrip(" \t").endswith(">>>"):
            transcript = normalise_command(word)
            continue
        if bracket or _CMD_BEFORE.search(before) or _CMD_AFTER.match(text, m.end()):
            return normalise_command(word)
    return transcript


def reply_line(text: str, limit: int = 600) -> str:
    """Return the part of ``text`` that carries the server's reply, unfolded.

    From the first line holding a code to the end of that paragraph (or
    ``limit`` characters).  With no code: from the first of the first 80
    lines whose words name a failure reason (``knowledge.reasons.text_reason``,
    e.g. "DNS lookup failure: host x not found" rather than "There was an
    error delivering your mail to ..."), else the text's start.
    """
    if not text:
        return ""
    m = _PAIR.search(text) or _RC.search(text) or _ENH.search(text)
    start = 0
    quoted = False
    if m:
        start = text.rfind("\n", 0, m.start()) + 1
        intro = _INTRO.search(text, start, m.start())
        if intro:
            # "host x said: 550 ...", "... returned '441 4.4.1 ...'": the reply starts at its code
            start = intro.end()
            quoted = intro.group(0).rstrip().endswith(("'", '"'))
        else:
            prefix = _RCPT_PREFIX.match(text, start)
            if prefix and prefix.end() <= m.start():
                start = prefix.end()
    else:
        from knowledge.reasons import text_reason

        pos = 0
        for line in text[:20_000].split("\n")[:80]:
            if line.strip() and text_reason(line):
                start = pos
                break
            pos += len(line) + 1
        prefix = _RCPT_PREFIX.match(text, start)
        if prefix:
            start = prefix.end()  # "<a@b>: connect to ...", "<a@b>... Deferred: ...": the words after it
    chunk = text[start:start + limit * 2]
    para = re.split(r"\n[ \t]*\n", chunk, maxsplit=1)[0]
    # a multi-line reply (RFC 5321 §4.2.1: "550-5.7.1 ..." lines, then "550 5.7.1 ...") is one
    # text: the code is kept once, at its start, and dropped from the continuation lines
    para = _CONTINUATION.sub(" ", para)
    para = " ".join(para.split())
    if len(para) > 3 and para[3] == "-" and para[:3].isdigit():
        para = para[:3] + " " + para[4:]  # "550-5.7.1 ..." (first line of a multi-line reply)
    para = _IN_REPLY_TO.sub("", para)
    if quoted and para.endswith(("'", '"')):
        para = para[:-1]
    return para[:limit]


# Words that introduce a reply on the same line: Postfix "said:", Exchange "returned '...'".
_INTRO = re.compile(r"(?:\bsaid|\breturned|\breplied|\bresponded)[ \t]{0,3}:?[ \t]{0,3}['\"]?", re.I)
# A recipient address that leads a notice line (Postfix "<a@b>: ", Sendmail "<a@b>... ").
_RCPT_PREFIX = re.compile(r"[ \t]*" + ANGLE_ADDRESS + r"(?::|\.\.\.)[ \t]+")
# The code prefix of a continuation line inside a multi-line reply.
# (any [245]xx: a continuation line repeats the reply's code, whatever its second digit)
_CONTINUATION = re.compile(r"\n[ \t]*[245]\d\d[ -](?:" + ENHANCED_CODE + r"[ \t])?")
# Postfix's own remark after the reply: "(in reply to RCPT TO command)".
_IN_REPLY_TO = re.compile(r"\s*\(in reply to [A-Za-z ]{2,30} command\)\s*$", re.I)

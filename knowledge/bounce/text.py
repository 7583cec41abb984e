"""The human-readable notice of a bounce: recipients and their diagnostics.

MTAs that send no RFC 3464 part still lay their notice out in a few shapes:

* an address line followed by its error (Postfix ``<a@b>: host x said: ...``,
  qmail ``<a@b>:`` + lines, Yahoo, Courier, OpenSMTPD, MailRu);
* an indented address then indented error lines (Exim ``  a@b`` + ``host x
  [ip]: 550 ...``, Gmail ``     a@b`` + technical details);
* a sentence naming the address (DragonFly "error delivering your mail to
  <a@b>", Exchange "'a@b' on date", Notes "was not delivered to: a@b");
* a list of addresses first, then a diagnostic section that names each
  address again (Exchange / Office 365 "Diagnostic information for
  administrators").

One algorithm covers them: every line where an address stands in recipient
position is an anchor; the text from one anchor to the next anchor of a
*different* address belongs to the first, and all blocks of the same address
are joined.  The returned original message is cut off first (its headers
are full of addresses).

What marks a notice of a known format (so that one without any SMTP code is
still read) and a delay warning is each format's wording, kept in its data
file knowledge/data/formats/<id>.toml; Sendmail's transcript splitting is
:mod:`knowledge.bounce.formats.sendmail`.
"""

from __future__ import annotations

import re

from knowledge.bounce.codes import find_codes, find_command, find_remote_host, reply_line
from knowledge.bounce.formats import sendmail
from knowledge.bounce.rows import row
from knowledge.smtp.addresses import ATEXT_SYMBOLS, LATIN_GREEK_CYRILLIC
from knowledge.smtp.codes import ENHANCED_CODE, NOT_IN_WORD_BEFORE, NOT_MORE_DIGITS_AFTER
from knowledge.reasons import classify

__all__ = ["cut_original", "recipient_blocks", "scan_notice", "is_known_format", "is_delay_notice",
           "strip_delay_wording"]

# Where the returned message starts inside a notice.
_CUT = re.compile(
    r"^[ \t]{0,20}(?:(?:-{2,200}|={2,200}|\*{2,200}|_{2,200})[ \t]{0,20})?(?:"
    r"(?:the )?original message(?: headers?)?(?: follows| is included)?|"
    r"original message header|"
    r"(?:this is )?a copy of (?:the|your) (?:original )?message|"
    r"below this line is a copy|"
    r"message headers follow|"
    r"the (?:original message|header of the original message) (?:was|is) (?:following|attached|included|as follows)|"
    r"headers of (?:the )?original message|"
    r"returned (?:message|mail) (?:follows|below)|"
    r"undelivered message (?:headers )?follows|"
    r"the text of your message was|"
    r"unsent message below|"
    r"original message text|"
    r"message text follows"
    r")(?:,[^\n]{0,60})?[ \t:.=*_-]{0,80}$"
    r"|^(?:Received|Return-Path|DKIM-Signature|X-Received|ARC-Seal|Authentication-Results|Message-I[Dd]|"
    r"MIME-Version|X-Google-Smtp-Source|X-Mailer|X-Originating-IP|Delivered-To):"
    r"|^From [^\s@]{1,64}(?:@[^\s]{1,255})?  ?[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d",
    re.I | re.M,
)

# A recipient address in a notice: knowledge.smtp.addresses' atext and internationalized letters
# (RFC 5322 §3.2.3, RFC 6531 §3.3), with this reader's own constraint: Latin, Greek and Cyrillic
# letters in the local part but no CJK ones, since Japanese and Chinese notices glue their words to
# the address ("宛先user@example.jp"); domain labels of word characters (U-labels, RFC 5890) and a
# top-level label of letters.
_LOCAL_FIRST = "[A-Za-z0-9" + LATIN_GREEK_CYRILLIC + "]"
_LOCAL_REST = "[A-Za-z0-9" + LATIN_GREEK_CYRILLIC + "." + ATEXT_SYMBOLS + "]"
_ADDR = re.compile(_LOCAL_FIRST + _LOCAL_REST + r"{0,63}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:[A-Za-z]{2,24}|[^\W\d_]{2,24})")
_SKIP_LOCAL = re.compile(r"^(?:mailer-daemon|postmaster|noreply|no-reply|do-not-reply|"
                         r"abuse|bounce[s]?|double-bounce)$", re.I)
# Lines where an address is not the failed recipient: transcripts, header-like
# lines, the sender, message ids.
_NOT_ANCHOR = re.compile(
    r"^[ \t>]*(?:from|reply-to|sender|return-path|message-id|in-reply-to|references|envelope-from|"
    r"x-[\w-]+|mail from|subject|date)[ \t]*:"
    r"|mail from:|envelope-from|sender address|\bsent by\b|\bfrom:? <|message-id|"
    r"originally (?:sent|from)|the sender|<<<|>>>[ \t]*(?:rcpt|mail|data|ehlo|helo)|\bsaid\b|\breturned\b|[245]\d\d[ -][245]\.\d|[245]\d\d[ -]",
    re.I,
)


def cut_original(notice: str) -> str:
    """Return ``notice`` up to the line where the returned message starts."""
    m = _CUT.search(notice)
    if m and m.start() > 0:
        return notice[: m.start()]
    if m and m.start() == 0:
        # Starts with headers: nothing human-readable before them.
        return ""
    return notice


# Sentences that end right before the failed recipient's address, even a postmaster@ one ("There was
# an error delivering your mail to <a@b>"): each format's ``recipient_intro_patterns``.
_FAILED_TO: re.Pattern[str] | None = None


def _failed_to() -> re.Pattern[str]:
    global _FAILED_TO
    if _FAILED_TO is None:
        from knowledge.bounce.formats import data

        alts = [p for i in data.all_ids() for p in data.load(i).get("recipient_intro_patterns", ())]
        _FAILED_TO = re.compile("(?:" + "|".join(alts) + ")" + r"""[ \t<"']{0,3}$""", re.I)
    return _FAILED_TO


_PREV_NOT_RCPT = re.compile(r"(?:sent by|\bfrom|sender|envelope-from|originally)[ \t:]*$", re.I)


def _anchor_addr(line: str, prev: str = "") -> str | None:
    """Return the recipient address a line introduces, or None.  ``prev`` is
    the line before (an address under "A message sent by" is the sender)."""
    if "@" not in line:
        return None
    m = _ADDR.search(line)
    if not m:
        return None
    addr = m.group(0).rstrip(".")
    before = line[: m.start()]
    if _SKIP_LOCAL.match(addr.split("@", 1)[0]):
        # postmaster@, mailer-daemon@ ... are the bounce's own addresses, unless a sentence
        # plainly names them as the address the mail could not reach
        return addr.lower() if _failed_to().search(before) else None
    stripped = before.strip(" \t<>\"'*-:•[(")
    if not stripped:
        if prev and _PREV_NOT_RCPT.search(prev):
            return None
        return addr.lower()
    if _NOT_ANCHOR.search(before):
        return None
    low = stripped.lower()
    if re.search(r"(?:\bto|recipient|recipients|address|addressee|destinataire|destinatario|empfänger|for|"
                 r"user|mailbox|account|rcpt|delivering|deliver|delivered|reach|以下|宛先)[^\w]{0,4}$", low) \
            or re.search(r"(?:to|recipient|address|rcpt)[^\n]{0,3}[:=][ \t]{0,3}$", low):
        return addr.lower()
    return None


def recipient_blocks(notice: str, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Split ``notice`` into text per recipient address (lower-cased keys),
    in first-appearance order.  Addresses in ``exclude`` (the bounce's own
    From / To) are not anchors unless nothing else is.
    """
    if "@" not in notice:
        return {}
    lines = notice.split("\n")
    if len(lines) > 3000:
        lines = lines[:3000]
    if "... " in notice:
        sm = sendmail.recipient_blocks(lines)
        if sm:
            return sm
    anchors: list[tuple[int, str]] = []
    excluded: list[tuple[int, str]] = []
    prev = ""
    for i, line in enumerate(lines):
        if len(line) > 2000:
            line = line[:2000]
        a = _anchor_addr(line, prev)
        if line.strip():
            prev = line
        if a:
            (excluded if a in exclude else anchors).append((i, a))
    if not anchors:
        anchors = excluded
    if not anchors:
        return {}
    out: dict[str, list[str]] = {}
    for k, (i, a) in enumerate(anchors):
        j = len(lines)
        for i2, a2 in anchors[k + 1:]:
            if a2 != a:
                j = i2
                break
        # Blocks of the same address overlap: take from this anchor to the next
        # different one, once.
        prev_end = out.get(a)
        chunk = "\n".join(lines[i:j])
        if prev_end is None:
            out[a] = [chunk]
        elif chunk not in out[a][-1]:
            out[a].append(chunk)
    return {a: "\n".join(v) for a, v in out.items()}


# Delay warnings: the message is still queued and the sending MTA keeps retrying (RFC 3464 §2.3.3
# Action "delayed"; RFC 5321 §4.5.4.1 retry strategy).  How each MTA's warning reads (its Subject,
# its sentences) is in its data file (knowledge/data/formats/<id>.toml, ``delay_*`` keys).
_DELAY: tuple[re.Pattern[str], re.Pattern[str]] | None = None


def _delay_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(Subject pattern, body pattern) of every format's delay warning, compiled once."""
    global _DELAY
    if _DELAY is None:
        from knowledge.bounce.formats import data

        starts: list[str] = []
        anywhere: list[str] = []
        body: list[str] = []
        for format_id in data.all_ids():
            entry = data.load(format_id)
            starts.extend(re.escape(p) for p in entry.get("delay_subjects", ()))
            starts.extend(entry.get("delay_subject_patterns", ()))
            anywhere.extend(re.escape(p) for p in entry.get("delay_subject_phrases", ()))
            body.extend(re.escape(p) for p in entry.get("delay_phrases", ()))
            body.extend(entry.get("delay_patterns", ()))
        subject = r"^\s*(?:" + "|".join(starts) + ")" + "".join("|" + p for p in anywhere)
        _DELAY = re.compile(subject, re.I), re.compile("|".join(body), re.I)
    return _DELAY


# Lines of a delay warning that describe the delay and the retries, not its cause.
_DELAY_WORDING = re.compile(
    r"warning (?:message )?only|do not need to resend|no need to resend|no action is required|"
    r"delivery attempts will continue|warning may be repeated|will give up|will be returned to you|remains undelivered|"
    r"(?:will be|is being|being) retried|retried (?:until|for)|will (?:keep|continue) trying|keep trying to deliver|"
    r"will retry|still undelivered after|could not send message for past|not yet been delivered|"
    r"(?:hasn't|has not) been delivered yet|(?:has|have) been delayed|\bis delayed|message delayed|delivery delayed|"
    r"delivery incomplete|could not be delivered for more than|temporary failure report|kept in the queue|"
    r"you'll be notified|you will be notified|technical details of temporary failure|notification about a delay|"
    r"continue to be attempted|for further assistance|include this problem report|delete your own text|"
    r"^\s*the mail system\s*$|^[\s#*]+$",
    re.I,
)
_CODE_OR_ADDR = re.compile(r"@|(?<![\w.])[245]\d\d[ -]|" + NOT_IN_WORD_BEFORE + ENHANCED_CODE + NOT_MORE_DIGITS_AFTER)


def is_delay_notice(notice: str, subject: str = "") -> bool:
    """True when a notice (cut by :func:`cut_original`) with subject ``subject`` is a delay warning:
    delivery is still being retried, nothing failed yet (RFC 3464 §2.3.3 Action "delayed")."""
    subject_re, body_re = _delay_patterns()
    return bool(subject_re.search(subject or "") or body_re.search(notice[:20000]))


def strip_delay_wording(text: str) -> str:
    """Remove from ``text`` (a delay warning, or one recipient's part of it) what describes the
    delay itself ("will be retried until ...", "no action is required ..."), so that the
    diagnostic that is left names the cause.  Paragraphs with such wording and neither an address
    nor a code are removed whole (Exim's closing paragraph); elsewhere only those lines."""
    out: list[str] = []
    for k, para in enumerate(re.split(r"(\n[ \t]*\n)", text)):
        if k % 2:
            out.append(para)  # the blank line between paragraphs
            continue
        if _DELAY_WORDING.search(para) and not _CODE_OR_ADDR.search(para):
            continue
        kept: list[str] = []
        dropped = False
        for ln in para.split("\n"):
            if ln.strip() and (_DELAY_WORDING.search(ln)
                               or (dropped and len(ln.split()) < 3 and not _CODE_OR_ADDR.search(ln))):
                # (a short line right after a dropped one ends its sentence: "permanently.")
                dropped = True
                continue
            dropped = False
            kept.append(ln)
        out.append("\n".join(kept))
    return "".join(out)


def scan_notice(notice: str, exclude: set[str], subject: str = "", failed: list[str] | None = None,
                action: str = "failed") -> list[dict]:
    """Return one row dict per failed recipient found in ``notice`` (a notice
    already cut by :func:`cut_original`).  With no recipient address, one
    row for the whole notice when it holds a failure code.

    ``action``: "failed" for a non-delivery report, "delayed" for a delay warning
    (:func:`is_delay_notice`): then the delay wording is removed before codes, reason and reply
    text are read, and a row keeps "failed" only when its own reply is a 5xx.
    """
    rows: list[dict] = []
    delayed = action == "delayed"
    if delayed:
        notice = strip_delay_wording(notice)
    blocks = recipient_blocks(notice, exclude)
    if not blocks and failed:
        # X-Failed-Recipients (Exim, Gmail) names them when the text does not.
        blocks = {a: notice for a in failed}
    if not blocks:
        rc, enh = find_codes(notice, "45")
        if not rc and not enh:
            if is_known_format(notice, subject, ""):
                blocks = {"": notice}
            else:
                return []
        else:
            blocks = {"": notice}
    single = len(blocks) == 1
    for addr, text in blocks.items():
        rc, enh = find_codes(text, "45")
        ctx = text
        if not rc and not enh and single:
            rc2, enh2 = find_codes(notice, "45")
            if rc2 or enh2 or not delayed or not _names_cause(text):
                rc, enh, ctx = rc2, enh2, notice
        if rc and rc[0] == "2":
            rc = None
        if enh and enh[0] == "2":
            enh = None
        command = find_command(text) or (find_command(notice) if single else None)
        act = "failed" if not delayed or (rc or enh or "4")[0] == "5" else "delayed"
        reason, hard = classify(rc, enh, ctx, command, act)
        if reason is None or reason == "delivered":
            continue
        rows.append(row(recipient=addr or None, reply_code=rc, enhanced_status=enh, reason=reason,
                        hard_bounce=hard, action=act, command=command,
                        remote_mta=find_remote_host(ctx), reply_text=reply_line(ctx) or None))
    return rows


def _names_cause(text: str) -> bool:
    """True when a recipient's text, its address left out, has words of a failure reason."""
    from knowledge.reasons import text_reason

    rest = _ADDR.sub(" ", text)
    return bool(text_reason(rest) or text_reason(rest, weak=True))


_KNOWN: re.Pattern[str] | None = None


def _known() -> re.Pattern[str]:
    """One pattern of every format's notice phrases and patterns (knowledge/data/formats/*.toml)."""
    global _KNOWN
    if _KNOWN is None:
        from knowledge.bounce.formats import data

        alts: list[str] = []
        for format_id in data.all_ids():
            entry = data.load(format_id)
            alts.extend(re.escape(p) for p in entry.get("notice_phrases", ()))
            alts.extend(entry.get("notice_patterns", ()))
        _KNOWN = re.compile("|".join(alts), re.I)
    return _KNOWN


def is_known_format(notice: str, subject: str, sender: str) -> bool:
    """True when the notice uses the wording of a bounce format this package
    knows (the ``notice_phrases`` / ``notice_patterns`` of knowledge/data/formats/*.toml), so that a
    notice without any SMTP code is still read."""
    known = _known()
    return bool(known.search(notice[:20000]) or known.search(subject or ""))

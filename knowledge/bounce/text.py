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
"""

from __future__ import annotations

import re

from knowledge.bounce.codes import find_codes, find_command, find_remote_host, reply_line
from knowledge.reasons import classify

__all__ = ["cut_original", "recipient_blocks", "scan_notice", "is_known_format"]

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

# Local parts may hold Latin, Greek and Cyrillic letters beyond ASCII (internationalized addresses,
# RFC 6531 §3.3), not CJK ones: Japanese and Chinese notices glue their words to the address
# ("宛先user@example.jp"). Domains may be U-labels (RFC 5890).
_INTL = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff"
_ADDR = re.compile(rf"[A-Za-z0-9{_INTL}][A-Za-z0-9{_INTL}._%+=!#$&'*/?^`{{|}}~-]{{0,63}}@[\w-]{{1,63}}"
                   rf"(?:\.[\w-]{{1,63}}){{0,8}}\.(?:[A-Za-z]{{2,24}}|[^\W\d_]{{2,24}})")
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


# "There was an error delivering your mail to <a@b>", "could not be delivered to a@b",
# "Delivery to the following recipient failed permanently: a@b".
_FAILED_TO = re.compile(r"(?:error delivering (?:your )?(?:mail|message) to|(?:could not|couldn't|cannot|can't|"
                        r"unable to) (?:be )?deliver(?:ed)? (?:your (?:mail|message) )?to|"
                        r"delivery to the following recipients? failed[\w ]{0,20}:)[ \t<\"']{0,3}$", re.I)

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
        return addr.lower() if _FAILED_TO.search(before) else None
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


# Sendmail's session transcript ends each recipient's dialogue with a summary
# line "550 <a@b>... User unknown"; the dialogue (">>> RCPT To:<a@b>",
# "<<< 550 ...") comes before it.
_SENDMAIL_SUMMARY = re.compile(r"^[ \t]{0,4}[45]\d\d <([^<>\s]{1,64}@[^<>\s]{1,255})>\.\.\. ")


def _sendmail_blocks(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    start = 0
    for i, line in enumerate(lines):
        low = line.lower()
        if "transcript of session follows" in low:
            start = i + 1
            continue
        if "while talking to" in low and i > start:
            # A new SMTP session: what came before belongs to no later recipient.
            start = i
        m = _SENDMAIL_SUMMARY.match(line)
        if m:
            addr = m.group(1).lower()
            chunk = "\n".join(lines[start:i + 1])
            out[addr] = out[addr] + "\n" + chunk if addr in out else chunk
            start = i + 1
    return out


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
        sm = _sendmail_blocks(lines)
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


def scan_notice(notice: str, exclude: set[str], subject: str = "", failed: list[str] | None = None) -> list[dict]:
    """Return one row dict per failed recipient found in ``notice`` (a notice
    already cut by :func:`cut_original`).  With no recipient address, one
    row for the whole notice when it holds a failure code.
    """
    from knowledge.bounce import ROW_KEYS

    rows: list[dict] = []
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
            rc, enh = find_codes(notice, "45")
            ctx = notice
        if rc and rc[0] == "2":
            rc = None
        if enh and enh[0] == "2":
            enh = None
        command = find_command(text) or (find_command(notice) if single else None)
        reason, hard = classify(rc, enh, ctx, command, "failed")
        if reason is None or reason == "delivered":
            continue
        row = dict.fromkeys(ROW_KEYS)
        row.update(recipient=addr or None, reply_code=rc, enhanced_status=enh, reason=reason,
                   hard_bounce=hard, action="failed", command=command,
                   remote_mta=find_remote_host(ctx), reply_text=reply_line(ctx) or None)
        rows.append(row)
    return rows


_KNOWN = re.compile(
    r"this is the mail system at host|i'm afraid i wasn't able to deliver|"
    r"could not be delivered to one or more|delivery to the following recipient|"
    r"the following addresses had permanent fatal errors|mail delivery software|"
    r"delivery has failed to these recipients|your message (?:couldn't|could not|wasn't|was not) (?:be )?delivered|"
    r"unable to deliver (?:your )?message|there was an error delivering your mail|google tried to deliver|"
    r"your message did not reach some or all|this is a permanent error|"
    r"was not delivered to|failed to deliver|could not be delivered to|failed addresses follow|message log follows|"
    r"following addresses had|failure reasons|delivery to the following|delivery failed|undeliverable|could not deliver|"
    r"message (?:could not|couldn't) be delivered|permanent(?:ly)? fail|temporary failure|"
    r"returned mail|delivery status notification|failure notice|"
    r"group you tried to contact|グループ|配信|送信できません|不達|"
    r"non remis|unzustellbar|no se ha podido entregar|non è stato possibile",
    re.I,
)


def is_known_format(notice: str, subject: str, sender: str) -> bool:
    """True when the notice uses the wording of a bounce format this package
    knows, so that a notice without any SMTP code is still read."""
    return bool(_KNOWN.search(notice[:20000]) or _KNOWN.search(subject or ""))

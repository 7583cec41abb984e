"""Parse whole bounce messages into one row per failed recipient.

Entry point: :func:`parse_bytes`.  Input is an RFC 5322 message (bytes, any
line endings).  Output is a :class:`Report` of plain dicts, so that the CLI's
JSON path needs neither pydantic nor the knowledge base (the pydantic
:class:`knowledge.results.Annotation` is built by :mod:`knowledge.annotate`).

What is read, in order of trust:

1. RFC 3464 ``message/delivery-status`` parts (one row per recipient block:
   Final-Recipient, Original-Recipient, Action, Status, Remote-MTA,
   Diagnostic-Code, X-Supplementary-Info), completed with the human-readable
   part's text about the same recipient (Postfix's ``(in reply to RCPT TO
   command)``, Sendmail's transcript);
2. Amazon SES JSON notifications (``notificationType`` Bounce / Delivery);
3. the human-readable notice of MTAs that send no DSN (qmail, Exim,
   Courier, OpenSMTPD, Gmail, Yahoo, Google Groups, Exchange, Notes/Domino,
   DragonFly, MailRu ...): the notice is cut before the returned message,
   split into one block per recipient address, and each block searched for
   codes, the SMTP command and the remote host (:mod:`knowledge.bounce.text`).

ARF feedback reports (RFC 5965) give kind ``feedback-report`` and no failed
recipient; RFC 3834 auto-replies give kind ``auto-reply`` and one row with
reason ``vacation``; success DSNs (Action delivered / relayed / expanded)
give kind ``delivery-report``; delay warnings (every recipient's Action is
delayed, or a notice that says the message is still being retried) give kind
``delay-warning``.
"""

from __future__ import annotations

import re

from knowledge.bounce import mime
from knowledge.bounce.codes import find_codes, find_command, find_remote_host, reply_line
from knowledge.bounce.dsn import parse_dsn, strip_addr_type
from knowledge.bounce.text import scan_notice, cut_original, is_delay_notice, is_known_format
from knowledge.reasons import _ASSERTED_UNKNOWN, _LATE_UNKNOWN, classify, is_hard

__all__ = ["Report", "parse_bytes", "looks_like_message", "rows_from_pasted_dsn", "has_mail_headers"]

ROW_KEYS = ("recipient", "reply_code", "enhanced_status", "inferred_status", "reason", "hard_bounce",
            "action", "command", "remote_mta", "reply_text")


class Report:
    """Result of :func:`parse_bytes`.

    ``kind``: "bounce", "delay-warning" (every row's Action is delayed),
    "delivery-report", "auto-reply", "feedback-report" or "none"; ``rows``: list of dicts with keys :data:`ROW_KEYS` (values str,
    bool or None), one per failed recipient in message order; ``notes``:
    human remarks (bounds hit, success report, auto-reply ...); ``hosts``:
    host names seen (for provider matching).
    """

    __slots__ = ("kind", "rows", "notes", "hosts")

    def __init__(self) -> None:
        self.kind = "none"
        self.rows: list[dict] = []
        self.notes: list[str] = []
        self.hosts: list[str] = []


_HEADER_LINE = re.compile(rb"^[A-Za-z0-9-]{1,70}:", re.M)


def looks_like_message(data: bytes) -> bool:
    """True when ``data`` starts like an RFC 5322 message: its first block
    (up to the first empty line; an mbox ``From `` line may precede it)
    starts with a header field and holds at least two of them."""
    head = data[:8192].lstrip(b"\r\n")
    if head.startswith(b"From "):
        head = head[head.find(b"\n") + 1:]
    if not _HEADER_LINE.match(head):
        return False
    head = head.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = head.find(b"\n\n")
    block = head if end < 0 else head[:end]
    return len(_HEADER_LINE.findall(block)) >= 2


_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery|mmdf|mail administrator|"
                     r"mailer_daemon|maildaemon|no-?reply.{0,20}bounce|bounce", re.I)
_AUTO_SUBJ = re.compile(r"out of (?:the )?office|auto(?:matic)?[ -]?(?:reply|response|responder|antwort)|"
                        r"vacation|away from|away until|abwesenheit|absence|absent|r[ée]ponse automatique|"
                        r"自動(?:応答|返信)|不在", re.I)
_BOUNCE_SUBJ = re.compile(r"undeliver|undelivered|delivery (?:status|fail|notification|problem|report)|"
                          r"returned mail|failure notice|mail delivery|non[- ]?delivery|could not be delivered|"
                          r"delivery has failed|not delivered|mail system error|rejected|bounce|warning:|"
                          r"nondeliverable|unzustellbar|non remis|no entregado|配信|エラー", re.I)


def _addr_only(v: str) -> str:
    m = re.search(r"[^\s<>\"'(),;:]{1,64}@[^\s<>\"'(),;:]{1,255}", v or "")
    return m.group(0).lower().rstrip(".") if m else ""


def parse_bytes(data: bytes, _depth: int = 0) -> Report:
    """Parse one message; never raises on malformed input (returns kind "none").

    ``data``: the raw message (RFC 5322, any line endings, at most
    :data:`knowledge.bounce.mime.MAX_BYTES` bytes are read).  A bounce that
    was forwarded (attached as message/rfc822, or pasted below the notice)
    is parsed in its turn when the outer message yields nothing (two levels
    at most).
    """
    rep = Report()
    try:
        loaded = mime.load(data)
    except Exception as exc:  # the email package is lenient; this is a last resort
        rep.notes.append(f"the message could not be parsed as MIME ({type(exc).__name__})")
        return rep
    rep.notes.extend(loaded.notes)
    msg = loaded.msg
    sender = mime.header_text(msg, "From")
    subject = mime.header_text(msg, "Subject")
    ctype = loaded.ctype
    report_type = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    if isinstance(report_type, tuple):
        report_type = report_type[2]
    report_type = str(report_type).lower()

    if loaded.feedback or report_type == "feedback-report":
        rep.kind = "feedback-report"
        rep.notes.append("ARF feedback report (RFC 5965): a recipient marked a message as spam; "
                         "no delivery failed.")
        return rep

    notice = "\n".join(loaded.notice)
    notice = _unquote(notice.replace("\r\n", "\n").replace("\r", "\n"))
    notice_cut = cut_original(notice)
    exclude = {a for a in (_addr_only(msg.get("To", "")), _addr_only(msg.get("From", "")),
                           _addr_only(msg.get("Return-Path", ""))) if a}

    if loaded.dsn:
        rows = _rows_from_dsn(loaded.dsn, notice_cut)
        if rows:
            _finish(rep, rows, msg, notice)
            return rep
    inline = _INLINE_DSN.search(notice)
    if inline:
        rows = _rows_from_dsn([notice[inline.start():]], notice_cut[: inline.start()])
        if rows:
            _finish(rep, rows, msg, notice)
            return rep

    if "notificationType" in notice or '"bounceType"' in notice:
        rows = _rows_from_ses(notice)
        if rows is not None:
            _finish(rep, rows, msg, notice)
            return rep

    daemon = bool(_DAEMON.search(sender)) or bool(_DAEMON.search(msg.get("Return-Path", "") or "") and
                                                  (msg.get("Return-Path", "") or "").strip() != "")
    auto = (msg.get("Auto-Submitted", "") or "").lower()
    if not daemon and not _BOUNCE_SUBJ.search(subject):
        if (auto.startswith("auto-replied") or msg.get("X-Autoreply") or msg.get("X-Autorespond")
                or (msg.get("Precedence", "") or "").lower() == "auto_reply"
                or _AUTO_SUBJ.search(subject)):
            rep.kind = "auto-reply"
            rep.notes.append("automatic reply (RFC 3834, e.g. out of office): not a delivery failure")
            rep.rows.append(_row(recipient=_addr_only(sender) or None, reason="vacation", hard_bounce=False))
            return rep

    failed = [a for a in (_addr_only(x) for x in (msg.get("X-Failed-Recipients", "") or "").split(",")) if a]
    if failed and all(a.endswith("@googlegroups.com") for a in failed) and "groups.google" in notice:
        # Google Groups: the group refused the post (no such group, or the
        # sender may not post to it); no SMTP code is given.
        rows = [_row(recipient=a, reason="rejected", hard_bounce=False, action="failed",
                     reply_text=" ".join(notice_cut.split())[:600] or None) for a in failed]
        _finish(rep, rows, msg, notice)
        return rep
    if _FML_SUBJECT.search(subject) and _FML_SENDER.search(sender):
        rows = _rows_from_fml(subject, notice_cut)
        if rows:
            _finish(rep, rows, msg, notice)
            return rep
    delay = is_delay_notice(notice_cut, subject)
    rows = scan_notice(notice_cut, exclude, subject=subject, failed=failed, action="delayed" if delay else "failed")
    vague = not any(r.get("reply_code") or r.get("enhanced_status") for r in rows)
    if rows and vague and not is_known_format(notice_cut, subject, sender):
        rows = []
    if rows and not (vague and all(r.get("reason") == "undefined" for r in rows)):
        _finish(rep, rows, msg, notice)
        return rep
    if _depth < 2:
        inner = _embedded_bounce(loaded, notice)
        if inner is not None:
            sub = parse_bytes(inner, _depth + 1)
            if sub.rows:
                sub.notes.insert(0, "the bounce was forwarded; the report inside it was read")
                return sub
    if rows:
        _finish(rep, rows, msg, notice)
    return rep


# fml (a mailing-list manager) answers posts it refuses with a notice from
# LIST-admin / LIST-ctl whose subject ends in "(LIST ML)".
_FML_SUBJECT = re.compile(r"\([^()]{1,80} ML\)\s*$")
_FML_SENDER = re.compile(r"-(?:admin|ctl|request)@", re.I)
_FML_REASONS = (
    (re.compile(r"not (?:a )?member|are not member|members? only", re.I), "rejected"),
    (re.compile(r"not (?:permitted|allowed) to post|permission", re.I), "rejected"),
    (re.compile(r"loop alert|duplicated message-id|mail loop", re.I), "systemerror"),
    (re.compile(r"too big|size", re.I), "mesgtoobig"),
)


def _rows_from_fml(subject: str, notice: str) -> list[dict]:
    text = subject + "\n" + notice
    reason = next((r for pat, r in _FML_REASONS if pat.search(text)), None)
    if reason is None:
        return []
    m = re.search(r"<([^<>\s@]{1,64}@[^<>\s]{1,255})>", notice)
    return [_row(recipient=m.group(1).lower() if m else None, reason=reason, hard_bounce=False, action="failed",
                 reply_text=" ".join(notice.split())[:600] or None)]


_SUBJECT_1 = re.compile(r"(?<![\d.])[45]\.1\.\d")
_INLINE_DSN = re.compile(r"^(?:Reporting-MTA|Final-Recipient|Original-Recipient):[ \t]", re.M | re.I)
_EMBED_START = re.compile(r"^(?:From [^\n]{1,200}\n|Return-Path:[^\n]{0,300}\n|Received:[^\n]{0,300}\n)", re.M)


_MAIL_HEADERS = re.compile(rb"^(?:From|To|Subject|Date|Received|Return-Path|Message-I[Dd]|MIME-Version|"
                           rb"Content-Type|Delivered-To|Reply-To|Sender|Cc):", re.I | re.M)


def has_mail_headers(data: bytes) -> bool:
    """True when the header block of ``data`` holds an RFC 5322 origin,
    destination or MIME field (a real message, not pasted DSN fields)."""
    head = data[:8192].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = head.find(b"\n\n")
    return bool(_MAIL_HEADERS.search(head if end < 0 else head[:end]))


def rows_from_pasted_dsn(text: str) -> list[dict]:
    """Rows from RFC 3464 fields pasted as text (``Final-Recipient:``,
    ``Status:``, ``Diagnostic-Code:`` ... lines, without the message around
    them); [] when the text holds none."""
    m = _INLINE_DSN.search(text) or _PASTED_DSN.search(text)
    if not m:
        return []
    return _rows_from_dsn([text[m.start():]], text[: m.start()])


_PASTED_DSN = re.compile(r"^(?:Action|Status|Diagnostic-Code):[ \t]", re.M | re.I)


def _embedded_bounce(loaded: mime.Loaded, notice: str) -> bytes | None:
    """Return the bytes of a bounce forwarded inside this message, or None."""
    inner = loaded.inner
    if inner is not None:
        ct = inner.get_content_type()
        frm = str(inner.get("From", ""))
        if ct == "multipart/report" or _DAEMON.search(frm):
            try:
                return inner.as_bytes()
            except Exception:  # unencodable content: give up on the inner message
                return None
    m = _EMBED_START.search(notice)
    if m and m.start() > 0:
        rest = notice[m.start():]
        if "multipart/report" in rest[:5000] or re.search(r"^From:.{0,80}(?:mailer-daemon|postmaster)", rest[:5000], re.I | re.M):
            return rest.encode("utf-8", "replace")
    return None


_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
# A line whose first non-blank character is ">" (what _unquote counts).
_QUOTED_LINE = re.compile(r"^\s*>", re.M)


def _unquote(text: str) -> str:
    """Remove e-mail quoting ("> ") when most lines are quoted: a bounce
    forwarded inline by a person reads like the bounce itself."""
    if not _QUOTED_LINE.search(text, 0, 50000):
        return text  # no quoted line at all (the usual case): nothing to count
    lines = [ln for ln in text[:50000].split("\n") if ln.strip()]
    if not lines:
        return text
    quoted = sum(1 for ln in lines if ln.lstrip().startswith(">"))
    if quoted * 10 < len(lines) * 4:
        return text
    return _QUOTE.sub("", text)


def _row(**kw) -> dict:
    row = dict.fromkeys(ROW_KEYS)
    row.update(kw)
    return row


def _finish(rep: Report, rows: list[dict], msg=None, notice: str = "") -> None:
    if msg is not None and rows:
        _ezweb_reasons(msg, notice, rows)
    for row in rows:
        _docomo_reason(row)
    if msg is not None and _HOTMAIL_FROM.search(str(msg.get("From", "") or "")):
        # Outlook.com (Hotmail) DSNs: "Requested action not taken: mailbox
        # unavailable" is its wording for a mailbox that does not exist
        # (Sisimai's Outlook module).
        for row in rows:
            if row.get("reason") in ("filtered", "onhold") and "mailbox unavailable" in (row.get("reply_text") or "").lower():
                row["reason"], row["hard_bounce"] = "userunknown", True
    if _MCAFEE_NOTICE.search(notice[:5000]):
        # McAfee Email Gateway notices ("--- The following addresses had
        # delivery problems ---") quote the remote refusal per recipient;
        # an unknown-user refusal there is an unknown mailbox (Sisimai's
        # McAfee module).
        for row in rows:
            if row.get("reason") == "filtered" and _UNKNOWN_USER.search(row.get("reply_text") or ""):
                row["reason"], row["hard_bounce"] = "userunknown", True
    delivered = all(r.get("reason") == "delivered" for r in rows)
    delayed = bool(rows) and all((r.get("action") or "") == "delayed" for r in rows)
    # every recipient still being retried (RFC 3464 §2.3.3 Action "delayed"): a delay warning,
    # not a non-delivery report
    rep.kind = "delivery-report" if delivered else "delay-warning" if delayed else "bounce"
    if delivered:
        rep.notes.append("success DSN: the message was delivered (or relayed); nothing to do")
    rep.rows = rows


# au EZweb (KDDI) notices (From Postmaster@ezweb.ne.jp / Postmaster@au.com)
# name the condition in fixed English sentences, and mark a message refused
# by the recipient's own spam / domain filter with "X-SPASIGN: NG"; Sisimai's
# EZweb module (lib/sisimai/lhost/ezweb.rb, BSD) reads them the same way.
_EZWEB_FROM = re.compile(r"postmaster@(?:ezweb\.ne\.jp|au\.com)", re.I)
_EZWEB_SENTENCES = (
    (re.compile(r"the user\(s\) account is (?:disabled|temporarily limited)", re.I), "suspend"),
    (re.compile(r"the user\(s\) account is temporarily over quota", re.I), "mailboxfull"),
    (re.compile(r"your message was not delivered within ", re.I), "expired"),
)
_TRANSCRIPT_RCPT = re.compile(r"^[ \t]*>>>[ \t]*RCPT", re.I | re.M)


def _ezweb_reasons(msg, notice: str, rows: list[dict]) -> None:
    """Apply au EZweb's own failure sentences to ``rows`` (in place)."""
    if not _EZWEB_FROM.search(str(msg.get("From", "") or "")):
        return
    if str(msg.get("X-SPASIGN", "") or "").strip().upper() == "NG":
        reason = "filtered"
    elif _TRANSCRIPT_RCPT.search(notice[:20000]):
        return  # refused at RCPT TO in the transcript: keep the reply's reason
    else:
        reason = next((r for pat, r in _EZWEB_SENTENCES if pat.search(notice[:20000])), None)
        if reason is None:
            return
    for row in rows:
        if row.get("action") in (None, "failed", "delayed"):
            row["reason"] = reason
            row["hard_bounce"] = is_hard(reason)


# NTT DOCOMO's mail servers (mfsmax.docomo.ne.jp) answer every refusal
# with "550 Unknown user"; the stage and the DSN Status say what it was
# (Sisimai's rhost/nttdocomo.rb, BSD): X.1.1 an unknown mailbox, 5.2.0 the
# recipient's filter, and with a bare 5.0.0 the command decides (RCPT TO:
# unknown mailbox; end of DATA: the sender refused).
_DOCOMO_TEXT = ((re.compile(r"552 too much mail data", re.I), "mailboxfull"),
                (re.compile(r"552 too many recipients", re.I), "toomanyconn"))


_HOTMAIL_FROM = re.compile(r"postmaster@(?:hotmail|msn|live)\.[a-z.]{2,6}\b", re.I)
_MCAFEE_NOTICE = re.compile(r"^[ \t]*--- The following addresses had delivery problems ---[ \t]*$", re.M)
_UNKNOWN_USER = re.compile(r"unknown user|user unknown|no such user|unknown recipient", re.I)


def _docomo_reason(row: dict) -> None:
    host = (row.get("remote_mta") or "").lower().rstrip(".")
    rcpt = (row.get("recipient") or "").lower()
    if not (host.endswith("docomo.ne.jp") or rcpt.endswith("@docomo.ne.jp")):
        return
    if row.get("action") not in ("failed", "delayed"):
        return
    status = row.get("enhanced_status") or ""
    command = (row.get("command") or "").upper()
    text = row.get("reply_text") or ""
    reason = None
    if status == "5.1.1":
        reason = "userunknown"
    elif status == "5.2.0":
        reason = "filtered"
    else:
        reason = next((r for pat, r in _DOCOMO_TEXT if pat.search(text)), None)
        if reason is None and status == "5.0.0":
            reason = "userunknown" if command.startswith("RCPT") else "rejected" if command.endswith("DATA") else None
    if reason:
        row["reason"] = reason
        row["hard_bounce"] = is_hard(reason)


def _status_ok(s: str) -> str | None:
    m = re.match(r"\s*([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)", s or "")
    return m.group(1) if m else None


def _rows_from_dsn(dsn_texts: list[str], notice: str) -> list[dict]:
    rows: list[dict] = []
    blocks = None
    for text in dsn_texts:
        _per_msg, rcpts = parse_dsn(text)
        for r in rcpts:
            rcpt = strip_addr_type(r.get("final-recipient") or r.get("original-recipient")
                                   or r.get("x-actual-recipient") or "")
            rcpt = _addr_only(rcpt) or (rcpt or None)
            action = (r.get("action") or "").strip().lower() or None
            if action:
                action = action.split()[0].rstrip(";")
            status = _status_ok(r.get("status") or "")
            diag = r.get("diagnostic-code") or ""
            diag_type = ""
            if diag:
                typ, sep, rest = diag.partition(";")
                if sep and len(typ) < 20 and " " not in typ.strip():
                    diag = rest.strip()
                    diag_type = typ.strip().lower()
            classes = "45" if action in ("failed", "delayed") else "245"
            supp = r.get("x-supplementary-info") or ""
            remote = strip_addr_type(r.get("remote-mta") or "") or None
            # The notice's text about this recipient often says more
            # (command, the full reply) than the DSN fields.
            if blocks is None:
                blocks = _notice_blocks(notice)
            ntext = blocks.get((rcpt or "").lower(), "")
            if not ntext and len(rcpts) == 1 and len(dsn_texts) == 1:
                ntext = notice
            rc, enh = find_codes(diag, classes)
            if not rc and not enh and supp:
                rc, enh = find_codes(supp, classes)
            if ntext and (not rc or (not enh and (not status or status.endswith(".0.0")))):
                # The notice's text about this recipient may carry the codes
                # the DSN fields left out (OpenSMTPD, Postfix "said:" lines).
                rc2, enh2 = find_codes(ntext, classes)
                if rc2 and (not status or rc2[0] == status[0]) and (not rc or rc2 == rc):
                    rc = rc2
                    if not enh and enh2 and enh2[0] == rc2[0]:
                        enh = enh2
            enhanced = status
            # The remote server's own code (in Diagnostic-Code) is more precise
            # than the reporting MTA's summary Status (Sendmail puts 4.4.7 or
            # 5.1.1 there for any failure) when both are of the same class.
            if enh and (not status or enh[0] == status[0]) and (diag or supp or (status or "").endswith(".0.0")):
                if not enh.endswith(".0.0") or not status or status.endswith(".0.0"):
                    enhanced = enh
            if not enhanced and enh:
                enhanced = enh
            if (action == "failed" and enhanced and enhanced[0] == "4" and enh and enh[0] == "5"
                    and rc and rc[0] == "5"):
                # A permanent failure whose Status says "transient" while the remote server's
                # own reply is 5xx 5.x.x: the reply is the consistent one (RFC 3464 §2.3.3:
                # a failed Action is not retried).
                enhanced = enh
            command = find_command(diag) or find_command(ntext) or find_command(supp)
            if not remote:
                remote = find_remote_host(ntext)
            reply_text = (" ".join(diag.split()) or reply_line(ntext) or None)
            text_for_class = " ".join(x for x in (diag, supp) if x) or ntext
            if rc and rc[0] == "2" and action == "failed":
                rc = None
            reason, hard = classify(rc, enhanced, text_for_class, command, action)
            if diag_type == "x-unix" and action in ("failed", "delayed") and reason in (None, "undefined", "systemerror",
                                                                             "expired", "onhold"):
                # RFC 3464 diagnostic type X-Unix: the local delivery program
                # (a pipe, procmail) failed and its output names nothing else.
                reason, hard = "mailererror", False
            if (reason == "userunknown" and command is None and action == "failed" and enhanced
                    and enhanced.endswith(".0.0") and not _SUBJECT_1.search(diag)
                    and not _LATE_UNKNOWN.search(diag.lower())
                    and not _ASSERTED_UNKNOWN.search(" ".join(diag.split()).lower())):
                # Sisimai's rule for a DSN that names neither the command nor
                # a mailbox status (X.1.x): an "unknown user" text is taken as
                # a refusal after acceptance ("filtered", soft).
                reason, hard = "filtered", False
            category = (r.get("x-powermta-bouncecategory") or "").strip().lower()
            if category in POWERMTA_CATEGORIES and action in ("failed", "delayed"):
                # PowerMTA classified the failure itself (its bounce
                # categories, PowerMTA User's Guide "Bounce categories").
                reason = POWERMTA_CATEGORIES[category]
                hard = is_hard(reason)
            if action in ("delivered", "relayed", "expanded"):
                reason, hard = "delivered", False
            if reason is None and action in ("failed", "delayed"):
                reason, hard = "undefined", False
            if reason is None:
                continue
            rows.append(_row(recipient=rcpt, reply_code=rc, enhanced_status=enhanced, reason=reason,
                             hard_bounce=hard, action=action, command=command, remote_mta=remote,
                             reply_text=reply_text[:1000] if reply_text else None))
    return rows


# PowerMTA's X-PowerMTA-BounceCategory values -> Sisimai reasons.
POWERMTA_CATEGORIES: dict[str, str] = {
    "bad-mailbox": "userunknown",
    "bad-domain": "hostunknown",
    "inactive-mailbox": "suspend",
    "quota-issues": "mailboxfull",
    "message-expired": "expired",
    "no-answer-from-host": "networkerror",
    "bad-connection": "networkerror",
    "routing-errors": "systemerror",
    "bad-configuration": "systemerror",
    "policy-related": "policyviolation",
    "spam-related": "spamdetected",
    "virus-related": "virusdetected",
    "content-related": "contenterror",
    "invalid-sender": "rejected",
    "relaying-issues": "norelaying",
    "protocol-errors": "syntaxerror",
}


def _notice_blocks(notice: str) -> dict[str, str]:
    from knowledge.bounce.text import recipient_blocks

    return recipient_blocks(notice)


def _rows_from_ses(text: str) -> list[dict] | None:
    """Amazon SES notification JSON (docs.aws.amazon.com/ses/latest/dg/notification-contents.html)."""
    import json

    start = text.find("{")
    if start < 0:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(text[start:])
    except ValueError:
        return None
    if isinstance(obj, dict) and "Message" in obj and isinstance(obj["Message"], str):
        try:
            obj = json.loads(obj["Message"])
        except ValueError:
            return None
    if not isinstance(obj, dict):
        return None
    kind = str(obj.get("notificationType") or obj.get("eventType") or "")
    rows: list[dict] = []
    if kind == "Bounce" and isinstance(obj.get("bounce"), dict):
        b = obj["bounce"]
        remote = b.get("reportingMTA")
        for r in b.get("bouncedRecipients") or []:
            if not isinstance(r, dict):
                continue
            diag = str(r.get("diagnosticCode") or "")
            if ";" in diag[:20]:
                diag = diag.split(";", 1)[1].strip()
            rc, enh = find_codes(diag)
            status = _status_ok(str(r.get("status") or "")) or enh
            text = diag + " " + str(b.get("bounceSubType") or "")
            action = str(r.get("action") or "failed")
            reason, hard = classify(rc, status, text, find_command(diag), action)
            if reason in (None, "undefined"):
                # bounceSubType when the diagnostic says nothing: SES's
                # suppression lists hold addresses that bounced as invalid.
                sub = str(b.get("bounceSubType") or "")
                reason = {"Suppressed": "userunknown", "OnAccountSuppressionList": "userunknown",
                          "NoEmail": "userunknown", "MailboxFull": "mailboxfull", "MessageTooLarge": "mesgtoobig",
                          "ContentRejected": "contenterror", "AttachmentRejected": "securityerror",
                          "General": "onhold"}.get(sub, reason or "undefined")
                hard = is_hard(reason, rc, status)
            rows.append(_row(recipient=str(r.get("emailAddress") or "") or None, reply_code=rc,
                             enhanced_status=status, reason=reason, hard_bounce=hard, action=action,
                             remote_mta=remote, reply_text=diag or None))
        return rows
    if kind == "Delivery" and isinstance(obj.get("delivery"), dict):
        d = obj["delivery"]
        resp = str(d.get("smtpResponse") or "")
        rc, enh = find_codes(resp)
        for r in d.get("recipients") or []:
            rows.append(_row(recipient=str(r), reply_code=rc, enhanced_status=enh, reason="delivered",
                             hard_bounce=False, action="delivered", remote_mta=d.get("reportingMTA"),
                             reply_text=resp or None))
        return rows
    if kind in ("Complaint",):
        return []
    return None

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
2. the readers of formats that need their own reading, in the order of
   :data:`knowledge.bounce.formats.registry.READERS` (Amazon SES JSON, RFC 3834
   auto-replies, Google Groups, fml);
3. the human-readable notice of MTAs that send no DSN (qmail, Exim,
   Courier, OpenSMTPD, Gmail, Yahoo, Exchange, Notes/Domino, DragonFly,
   MailRu ...): the notice is cut before the returned message, split into
   one block per recipient address, and each block searched for codes, the
   SMTP command and the remote host (:mod:`knowledge.bounce.text`).

The rows of every bounce then pass the format adjusters
(:data:`knowledge.bounce.formats.registry.ADJUSTERS`: au EZweb, NTT DOCOMO,
Outlook.com, McAfee).  Each format's knowledge has one home: its data file
``knowledge/data/formats/<id>.toml`` and, when it needs code, its module
``knowledge/bounce/formats/<id>.py`` (see :mod:`knowledge.bounce.formats`).
Module map: :mod:`~knowledge.bounce.mime` (MIME loading),
:mod:`~knowledge.bounce.dsn` (RFC 3464 fields), :mod:`~knowledge.bounce.dsn_rows`
(rows from them), :mod:`~knowledge.bounce.text` (the notice),
:mod:`~knowledge.bounce.codes` (codes, command, host in a diagnostic),
:mod:`~knowledge.bounce.forwarded` (forwarded bounces), :mod:`~knowledge.bounce.rows`
(the row shape).

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
from knowledge.bounce.dsn_rows import INLINE_DSN, rows_from_dsn, rows_from_pasted_dsn
from knowledge.bounce.formats.base import Context, Reading
from knowledge.bounce.formats.registry import ADJUSTERS, READERS
from knowledge.bounce.forwarded import embedded_bounce, unquote
from knowledge.bounce.rows import ROW_KEYS, addr_only
from knowledge.bounce.text import cut_original, is_delay_notice, is_known_format, scan_notice

__all__ = ["Report", "parse_bytes", "looks_like_message", "rows_from_pasted_dsn", "has_mail_headers", "ROW_KEYS"]


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
_MAIL_HEADERS = re.compile(rb"^(?:From|To|Subject|Date|Received|Return-Path|Message-I[Dd]|MIME-Version|"
                           rb"Content-Type|Delivered-To|Reply-To|Sender|Cc):", re.I | re.M)
_FEEDBACK_NOTE = "ARF feedback report (RFC 5965): a recipient marked a message as spam; no delivery failed."
_FORWARDED_NOTE = "the bounce was forwarded; the report inside it was read"
_DELIVERED_NOTE = "success DSN: the message was delivered (or relayed); nothing to do"


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


def has_mail_headers(data: bytes) -> bool:
    """True when the header block of ``data`` holds an RFC 5322 origin,
    destination or MIME field (a real message, not pasted DSN fields)."""
    head = data[:8192].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = head.find(b"\n\n")
    return bool(_MAIL_HEADERS.search(head if end < 0 else head[:end]))


def _report_type(loaded: mime.Loaded) -> str:
    if loaded.ctype != "multipart/report":
        return ""
    value = loaded.msg.get_param("report-type") or ""
    if isinstance(value, tuple):  # RFC 2231 encoded parameter
        value = value[2]
    return str(value).lower()


def _context(loaded: mime.Loaded) -> Context:
    msg = loaded.msg
    notice = "\n".join(loaded.notice)
    notice = unquote(notice.replace("\r\n", "\n").replace("\r", "\n"))
    failed = [a for a in (addr_only(x) for x in (msg.get("X-Failed-Recipients", "") or "").split(",")) if a]
    return Context(msg, mime.header_text(msg, "From"), mime.header_text(msg, "Subject"), notice,
                   cut_original(notice), failed)


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
    if loaded.feedback or _report_type(loaded) == "feedback-report":
        rep.kind = "feedback-report"
        rep.notes.append(_FEEDBACK_NOTE)
        return rep
    ctx = _context(loaded)
    if _read_dsn(rep, loaded, ctx) or _read_formats(rep, ctx):
        return rep
    rows = _read_notice(ctx)
    if rows and not (_vague(rows) and all(r.get("reason") == "undefined" for r in rows)):
        _finish(rep, rows, ctx)
        return rep
    if _depth < 2:
        inner = embedded_bounce(loaded, ctx.notice)
        if inner is not None:
            sub = parse_bytes(inner, _depth + 1)
            if sub.rows:
                sub.notes.insert(0, _FORWARDED_NOTE)
                return sub
    if rows:
        _finish(rep, rows, ctx)
    return rep


def _read_dsn(rep: Report, loaded: mime.Loaded, ctx: Context) -> bool:
    """Rows from the message/delivery-status parts, else from DSN fields inside the notice."""
    if loaded.dsn:
        rows = rows_from_dsn(loaded.dsn, ctx.notice_cut)
        if rows:
            _finish(rep, rows, ctx)
            return True
    inline = INLINE_DSN.search(ctx.notice)
    if inline:
        rows = rows_from_dsn([ctx.notice[inline.start():]], ctx.notice_cut[: inline.start()])
        if rows:
            _finish(rep, rows, ctx)
            return True
    return False


def _read_formats(rep: Report, ctx: Context) -> bool:
    """The first format reader of the registry that recognises the message decides."""
    for fmt in READERS:
        reading: Reading | None = fmt.read(ctx)
        if reading is None:
            continue
        if reading.kind is None:
            _finish(rep, reading.rows, ctx)
        else:
            rep.kind = reading.kind
            rep.notes.append(reading.note or "")
            rep.rows = reading.rows
        return True
    return False


def _vague(rows: list[dict]) -> bool:
    return not any(r.get("reply_code") or r.get("enhanced_status") for r in rows)


def _read_notice(ctx: Context) -> list[dict]:
    """Rows of the generic notice reader; [] for a codeless notice in no known format."""
    exclude = {a for a in (addr_only(ctx.header("To")), addr_only(ctx.header("From")),
                           addr_only(ctx.header("Return-Path"))) if a}
    delay = is_delay_notice(ctx.notice_cut, ctx.subject)
    rows = scan_notice(ctx.notice_cut, exclude, subject=ctx.subject, failed=ctx.failed,
                       action="delayed" if delay else "failed")
    if rows and _vague(rows) and not is_known_format(ctx.notice_cut, ctx.subject, ctx.sender):
        return []
    return rows


def _finish(rep: Report, rows: list[dict], ctx: Context) -> None:
    """Apply the format adjusters to ``rows`` and decide the report's kind from them."""
    for fmt in ADJUSTERS:
        fmt.adjust(ctx, rows)
    delivered = all(r.get("reason") == "delivered" for r in rows)
    # every recipient still being retried (RFC 3464 §2.3.3 Action "delayed"): a delay warning,
    # not a non-delivery report
    delayed = bool(rows) and all((r.get("action") or "") == "delayed" for r in rows)
    rep.kind = "delivery-report" if delivered else "delay-warning" if delayed else "bounce"
    if delivered:
        rep.notes.append(_DELIVERED_NOTE)
    rep.rows = rows

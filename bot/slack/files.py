"""Bounces shared as files: text snippets and dragged-in ``.eml`` / ``.txt`` / ``.log`` files.

A long paste becomes a text snippet (a file) in Slack, and a saved bounce can be
dropped into a channel; the message event then carries a ``files`` array
(subtype ``file_share``) and its ``text`` is only the comment, if any.
:func:`read_files` downloads the files worth reading; :func:`combine` joins them
with the message text for the answer functions of :mod:`bot.slack.answers`.

Slack references: the file object https://api.slack.com/types/file (``mimetype``,
``filetype``, ``mode``, ``size``, ``url_private_download``, ``file_access``),
downloading https://api.slack.com/messaging/files#downloading (an HTTP GET with
``Authorization: Bearer <token>``, scope ``files:read``), and ``files.info``
https://api.slack.com/methods/files.info for partial file objects (Slack Connect
sends ``file_access: check_file_info`` and no URL).

Limits and safety:

* text-like files only (:func:`is_text_like`), at most :data:`MAX_FILES` per
  message, at most :data:`MAX_BYTES` read of each (the ``size`` field asks for a
  byte range first; the bytes actually read are capped whatever the server sends);
* the bot token is only sent to Slack's file host ``https://files.slack.com`` or,
  when the client's ``base_url`` is not the default Slack API (a test server or a
  proxy of the Web API), to that same scheme, host and port (:func:`allowed_url`);
  redirects are followed only to an allowed URL, at most :data:`MAX_REDIRECTS`;
* :data:`TIMEOUT_S` per network operation and :data:`DEADLINE_S` per file;
* a failure skips that file only; the log line names the file id and the Slack
  error code or exception type, never the token nor the file's content.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urljoin, urlsplit

from slack_sdk.web import WebClient

from bot.slack.answers import Answer, answer_for_text, auto_annotation, message_annotation
from bot.slack.blocks import MAX_BLOCKS, Renderer
from bot.slack.delivery import slack_error
from bot.slack.text import escape_mrkdwn

log = logging.getLogger("bot.slack.files")

MAX_FILES = 3                 # files read per message
MAX_CANDIDATES = 10           # file objects looked at per message (files.info calls bounded too)
MAX_BYTES = 1024 * 1024       # bytes read per file (1 MiB)
TIMEOUT_S = 10.0              # per connect / read operation
DEADLINE_S = 20.0             # whole download of one file
MAX_REDIRECTS = 3
CHUNK = 64 * 1024

SLACK_FILE_ORIGIN = ("https", "files.slack.com", 443)

# RFC 5322 messages and DSNs (RFC 3464 §2 message/delivery-status; RFC 6532/6533 message/global*)
MESSAGE_MIMETYPES = frozenset({"message/rfc822", "message/global", "message/delivery-status",
                               "message/global-delivery-status", "application/mbox"})
OTHER_TEXT_MIMETYPES = frozenset({"application/json", "application/x-ndjson", "application/xml"})
# Slack ``filetype`` values (https://api.slack.com/types/file#types) that hold text a bounce can be in
TEXT_FILETYPES = frozenset({"text", "email", "eml", "log", "csv", "tsv", "markdown", "json", "xml", "diff"})
TEXT_EXTENSIONS = frozenset({"txt", "text", "log", "eml", "mbox", "csv", "tsv", "md", "json", "out", "err"})
MESSAGE_EXTENSIONS = frozenset({"eml", "mbox"})
BINARY_PREFIXES = ("image/", "video/", "audio/", "font/")
# mimetypes Slack gives a file it could not type; the filetype / extension decides then
UNTYPED_MIMETYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
SKIPPED_MODES = frozenset({"external", "tombstone", "hidden_by_limit"})


@dataclass(frozen=True)
class FileText:
    """One file's text. ``name``: the file name (or id); ``text``: decoded text (UTF-8,
    UTF-16 with a BOM; undecodable bytes replaced); ``whole_message``: the content starts
    like an RFC 5322 message (header fields, RFC 5322 §2.1), so it goes to the bounce
    parser on its own; ``truncated``: only the first :data:`MAX_BYTES` bytes were read;
    ``data``: for a whole message, the bytes handed to the bounce parser (the file's own bytes,
    so MIME charsets and 8-bit bodies reach the ``email`` package unchanged; the UTF-8 text
    when the raw bytes are not a message as they stand, e.g. UTF-16)."""

    name: str
    text: str
    whole_message: bool = False
    truncated: bool = False
    data: bytes = b""


class DownloadRefused(Exception):
    """The URL (or a redirect) points outside the allowed Slack file host."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects surface as ``HTTPError`` 3xx; :func:`_fetch` checks each target itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, D102
        return None


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or {"https": 443, "http": 80}.get(scheme)
    except ValueError:
        return None
    if scheme not in ("http", "https") or not host or port is None or parts.username or parts.password:
        return None
    return scheme, host, port


def allowed_url(url: str, client: WebClient) -> bool:
    """True when the bot token may be sent to ``url``: Slack's file host
    ``https://files.slack.com`` (port 443), or the scheme + host + port of the client's
    ``base_url`` when that is not the default ``https://slack.com/api/``. URLs with
    user info, other schemes or other ports are refused."""
    origin = _origin(url)
    if origin is None:
        return False
    if origin == SLACK_FILE_ORIGIN:
        return True
    base = str(getattr(client, "base_url", "") or "")
    if base and base.rstrip("/") != WebClient.BASE_URL.rstrip("/"):
        return origin == _origin(base)
    return False


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_text_like(file: dict) -> bool:
    """True for a file object worth downloading: mimetype ``text/*``, a message type
    (:data:`MESSAGE_MIMETYPES`) or JSON/XML; or an untyped file (``application/octet-stream``)
    whose Slack ``filetype`` or name extension is a text one. Images, audio, video, PDFs,
    archives and office documents are never read; nor external, deleted or hidden files."""
    mimetype = str(file.get("mimetype") or "").lower().split(";")[0].strip()
    filetype = str(file.get("filetype") or "").lower()
    ext = _extension(str(file.get("name") or ""))
    if file.get("is_external") or str(file.get("mode") or "") in SKIPPED_MODES:
        return False
    if mimetype.startswith(BINARY_PREFIXES):
        return False
    if mimetype.startswith("text/") or mimetype in MESSAGE_MIMETYPES or mimetype in OTHER_TEXT_MIMETYPES:
        return True
    if mimetype in UNTYPED_MIMETYPES:
        return filetype in TEXT_FILETYPES or ext in TEXT_EXTENSIONS
    return False


def _needs_info(file: dict) -> bool:
    return file.get("file_access") == "check_file_info" or not (
        file.get("url_private_download") or file.get("url_private")) or not file.get("mimetype")


def decode(data: bytes) -> str | None:
    """File bytes -> text: UTF-16 with a BOM, else UTF-8 (a BOM dropped, bad bytes replaced).
    None for binary data (NUL bytes, or over 10% C0 control bytes other than tab, line breaks,
    form feed and ESC in the first 8 KB)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 11, 12, 13, 27))
    if b"\x00" in sample or controls > len(sample) // 10:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace")


def _fetch(url: str, client: WebClient, max_bytes: int, want_range: bool) -> tuple[bytes, bool]:
    """GET ``url`` with the client's bot token; returns (at most ``max_bytes`` bytes, truncated).
    Raises :class:`DownloadRefused`, ``urllib.error.URLError`` / ``HTTPError``, ``OSError``, ``TimeoutError``."""
    proxy = getattr(client, "proxy", None)
    handlers: list[Any] = [_NoRedirect(), urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {})]
    if getattr(client, "ssl", None) is not None:
        handlers.append(urllib.request.HTTPSHandler(context=client.ssl))
    opener = urllib.request.build_opener(*handlers)
    deadline = time.monotonic() + DEADLINE_S
    for _ in range(MAX_REDIRECTS + 1):
        if not allowed_url(url, client):
            raise DownloadRefused("url outside the Slack file host")
        headers = {"Authorization": f"Bearer {client.token}", "User-Agent": "smtpbot"}
        if want_range:
            headers["Range"] = f"bytes=0-{max_bytes - 1}"
        request = urllib.request.Request(url, headers=headers, method="GET")
        try:
            resp = opener.open(request, timeout=TIMEOUT_S)
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.code in (301, 302, 303, 307, 308) else None
            exc.close()
            if not location:
                raise
            url = urljoin(url, location)
            continue
        with resp:
            chunks: list[bytes] = []
            got = 0
            while got <= max_bytes:
                if time.monotonic() > deadline:
                    raise TimeoutError("download deadline")
                chunk = resp.read(min(CHUNK, max_bytes + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            data = b"".join(chunks)
        return data[:max_bytes], len(data) > max_bytes
    raise DownloadRefused("too many redirects")


def _read_one(file: dict, client: WebClient, max_bytes: int) -> FileText | None:
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    name = str(file.get("name") or file.get("title") or file.get("id") or "file")
    if not url or not allowed_url(url, client):
        log.warning("file %s skipped: download url outside the Slack file host", file.get("id") or "-")
        return None
    try:
        size = int(file.get("size") or 0)
    except (TypeError, ValueError):
        size = 0
    data, truncated = _fetch(url, client, max_bytes, want_range=size > max_bytes)
    truncated = truncated or size > max_bytes
    text = decode(data)
    if text is None or not text.strip():
        return None
    if truncated and "\n" in text:
        text = text[: text.rfind("\n")]  # keep whole lines only
        if b"\n" in data:
            data = data[: data.rfind(b"\n")]
    whole = _looks_like_message(text[:8192].encode("utf-8", "replace"))
    raw = b""
    if whole:
        raw = data if _looks_like_message(data[:8192]) else text.encode("utf-8", "replace")
    return FileText(name=name, text=text, whole_message=whole, truncated=truncated, data=raw)


def _looks_like_message(data: bytes) -> bool:
    from knowledge.bounce import looks_like_message  # the domain's rule (header fields first)

    try:
        return bool(looks_like_message(data))
    except Exception:  # noqa: BLE001
        return False


def read_files(files: Any, client: WebClient, *, max_files: int = MAX_FILES,
               max_bytes: int = MAX_BYTES) -> list[FileText]:
    """The text of the text-like files of a message event's ``files`` list, in order.

    Input: ``files`` as Slack sends it (a list of file objects, possibly partial, or
    anything else: ignored); ``client`` a ``WebClient`` whose ``token`` may read files
    (scope ``files:read``). Output: at most ``max_files`` :class:`FileText`, each from at
    most ``max_bytes`` bytes. Partial objects (``file_access: check_file_info``) are
    completed with ``files.info``. Never raises: a file that cannot be read is skipped
    and logged (file id, Slack error code or exception type only).
    """
    out: list[FileText] = []
    if not isinstance(files, list) or not files or not getattr(client, "token", None):
        return out
    for file in files[:MAX_CANDIDATES]:
        if len(out) >= max_files:
            break
        if not isinstance(file, dict):
            continue
        file_id = str(file.get("id") or "-")
        try:
            if _needs_info(file) and file.get("id"):
                resp = client.files_info(file=file_id)
                info = resp.get("file")
                file = info if isinstance(info, dict) else file
            if not is_text_like(file):
                continue
            got = _read_one(file, client, max_bytes)
            if got is not None:
                out.append(got)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the others
            code = exc.code if isinstance(exc, urllib.error.HTTPError) else slack_error(exc)
            log.warning("file %s skipped: %s", file_id, f"http_{code}" if isinstance(code, int) else code)
    return out


def combine(text: str, files: Iterable[FileText]) -> tuple[str, list[FileText]]:
    """Message text + file texts -> (free text, whole messages).

    Free-text files (snippets, logs) join the message text, separated by blank lines, so
    one answer covers the comment and the paste. A file that is a whole RFC 5322 message
    (an ``.eml`` bounce) is returned apart: joined to other text it would no longer start
    with its header fields, and only then does the annotator read it as a message (MIME
    parts, DSN fields)."""
    pieces = [text.strip()] if text and text.strip() else []
    messages: list[FileText] = []
    for f in files:
        if f.whole_message:
            messages.append(f)
        else:
            pieces.append(f.text.strip())
    return "\n\n".join(p for p in pieces if p), messages


def truncation_note(files: Iterable[FileText], max_bytes: int = MAX_BYTES) -> str | None:
    """A short line naming the files of which only the first ``max_bytes`` bytes were read, or None."""
    names = [f.name for f in files if f.truncated]
    if not names:
        return None
    shown = ", ".join(escape_mrkdwn(n.replace("`", "'")[:80]) for n in names[:3])
    verb = "was" if len(names) == 1 else "were"
    return f"Only the first {max_bytes // 1024:,} KiB of {shown} {verb} read (the rest was not annotated)."


# -- answers --------------------------------------------------------------------------

def _noted(answer: Answer | None, files: list[FileText]) -> Answer | None:
    """``answer`` with a context line under its last message when one of ``files`` was cut
    (only for annotations: the part read is what was annotated)."""
    note = truncation_note(files)
    if answer is not None and note and answer.kind == "annotate":
        last = answer.thread[-1] if answer.thread else answer.main
        if len(last.blocks) < MAX_BLOCKS:
            last.blocks.append(Renderer.context(note))
    return answer


def addressed_answers(engine: Any, text: str, files: list[FileText], *, mask: bool,
                      answer: Callable[..., Answer] = answer_for_text) -> list[Answer]:
    """Answers to a message addressed to the bot (mention, DM, message shortcut) with files.

    Input: ``text`` the message's plain text (Slack markup undone), ``files`` from
    :func:`read_files`. The message text and the free-text files are answered together by
    :func:`bot.slack.answers.answer_for_text`; each whole-message file on its own (labelled with
    its name). Output: the explanations / annotations found, in that order; when there are none,
    one help or error answer (the caller shows it to the asker only). ``answer``: the function
    answering one text (the listener's own reference, so tests can replace it there)."""
    free, messages = combine(text, files)
    loose = [f for f in files if not f.whole_message]
    first = _noted(answer(engine, free, mask=mask), loose) if free or not messages else None
    more = [_noted(_message_answer(engine, m, mask, answer), [m]) for m in messages]
    found = [a for a in [first, *more] if a is not None and a.kind in ("explain", "annotate")]
    return found or [first or next((a for a in more if a is not None), None) or answer(engine, "", mask=mask)]


def _message_answer(engine: Any, m: FileText, mask: bool, answer: Callable[..., Answer]) -> Answer | None:
    """A whole-message file: annotated from its bytes when the engine can (see
    :func:`bot.slack.answers.message_annotation`); otherwise, or when that finds no failure,
    answered like text (which may still explain the codes it names)."""
    if m.data and hasattr(engine, "annotate_bytes"):
        found = message_annotation(engine, m.data, mask=mask, source=m.name)
        if found is not None:
            return found
    return answer(engine, m.text, mask=mask, source=m.name)


def auto_answers(engine: Any, text: str, files: list[FileText], *, mask: bool,
                 judge: Callable[..., Answer | None] = auto_annotation) -> list[Answer]:
    """Annotations for a channel message nobody addressed to the bot, with files (may be empty).

    The same rules as :func:`bot.slack.answers.auto_annotation`: only SMTP failure evidence is
    annotated. Free-text files join the message text only when the files themselves carry
    evidence (``engine.has_smtp_evidence``); otherwise the message text is judged alone, as
    without files (a question about codes next to a spreadsheet stays unanswered). Each
    whole-message file is judged on its own. ``judge``: the function annotating one text or
    returning None (the listener's own reference, so tests can replace it there)."""
    free, messages = combine("", files)
    loose = [f for f in files if not f.whole_message]
    if free and engine.has_smtp_evidence(free):
        first = _noted(judge(engine, combine(text, loose)[0], mask=mask), loose)
    else:
        first = judge(engine, text, mask=mask) if text.strip() else None
    more = [_noted(message_annotation(engine, m.data, mask=mask, failures_only=True)
                   if m.data and hasattr(engine, "annotate_bytes")
                   else judge(engine, m.text, mask=mask), [m]) for m in messages]
    return [a for a in [first, *more] if a is not None]

"""Downloading the files shared with a message: text snippets and dragged-in ``.eml`` / ``.txt`` / ``.log`` files.

A long paste becomes a text snippet (a file) in Slack, and a saved bounce can be
dropped into a channel; the message event then carries a ``files`` array
(subtype ``file_share``) and its ``text`` is only the comment, if any.
:func:`read_files` downloads the files worth reading (which files, from which host,
with the token, how much of each); answering them is :mod:`bot.slack.file_answers`,
and the notices about them are rendered by :mod:`bot.slack.blocks.files`.

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
* a failure skips that file only and is reported with a plain reason (:class:`Skipped`), which
  answers to a mention, DM or shortcut show ("I could not read `x.pdf`: not a text file");
  the log line names the file id and the Slack error code or exception type, never the
  token nor the file's content;
* free text from files is cut to a fair share of :data:`MAX_TEXT_CHARS` per message
  (:func:`share_budget`) and at most :data:`MAX_BUSY` messages' files are worked on at once
  (:func:`turn`), so memory stays bounded (``benchmarks/slack_memory.py``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from slack_sdk.web import WebClient

from bot.slack.delivery import slack_error
from bot.slack.text import MAX_EXTRACTED

log = logging.getLogger("bot.slack.files")

MAX_FILES = 3                 # files read per message
MAX_CANDIDATES = 10           # file objects looked at per message (files.info calls bounded too)
MAX_BYTES = 1024 * 1024       # bytes read per file (1 MiB)
TIMEOUT_S = 10.0              # per connect / read operation
DEADLINE_S = 20.0             # whole download of one file
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
MAX_TEXT_CHARS = 1_000_000    # characters of free text annotated per message (knowledge.annotate.MAX_TEXT_INPUT)
MAX_BUSY = 2                  # messages whose files are read and annotated at the same time (bounds memory)
BUSY_WAIT_S = 120.0           # how long a message waits for a turn before going ahead anyway

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


# why a file was not read, in the user's words ("I could not read `x.pdf`: not a text file")
NOT_TEXT = "not a text file"
UNAVAILABLE = "it is not available (external, deleted or hidden)"
NOT_FOUND = "Slack could not find it"
NO_ACCESS = "Slack did not let me read it"
OUTSIDE = "its link is not on Slack's file host"
DOWNLOAD_FAILED = "the download failed"
EMPTY = "it is empty"
TOO_MANY = "too many files"  # only the first MAX_FILES files of a message are read


@dataclass(frozen=True)
class Skipped:
    """A file of the message that was not read: ``name`` (file name, title or id) and ``reason``,
    one of :data:`NOT_TEXT`, :data:`UNAVAILABLE`, :data:`NOT_FOUND`, :data:`NO_ACCESS`,
    :data:`OUTSIDE`, :data:`DOWNLOAD_FAILED`, :data:`EMPTY`, :data:`TOO_MANY`."""

    name: str
    reason: str


@dataclass
class FilesRead:
    """What :func:`read_files` got: ``texts`` the files read (in message order, at most
    :data:`MAX_FILES`) and ``skipped`` the others with the reason (in message order)."""

    texts: list[FileText]
    skipped: list[Skipped]


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


def decode(data: bytes | bytearray) -> str | None:
    """File bytes -> text: UTF-16 with a BOM, else UTF-8 (a BOM dropped, bad bytes replaced).
    None for binary data (NUL bytes, or over 10% C0 control bytes other than tab, line breaks,
    form feed and ESC in the first 8 KB)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 11, 12, 13, 27))
    if b"\x00" in sample or controls > len(sample) // 10:
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    with memoryview(data) as view:
        return str(view[start:], "utf-8", "replace")  # no intermediate copy of the bytes


def _fetch(url: str, client: WebClient, max_bytes: int, want_range: bool) -> tuple[bytearray, bool]:
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
            return _read_body(resp, max_bytes, deadline)
    raise DownloadRefused("too many redirects")


def _read_body(resp: Any, max_bytes: int, deadline: float) -> tuple[bytearray, bool]:
    """An open HTTP response's body: (at most ``max_bytes`` bytes, truncated). One buffer, filled in
    place (no list of chunks, no join, no slice copy). Raises ``TimeoutError`` past ``deadline``
    (a ``time.monotonic()`` value) and what the socket raises."""
    try:
        hint = int(resp.headers.get("Content-Length") or 0)
    except ValueError:
        hint = 0
    buf = bytearray(min(hint, max_bytes) + 1 if hint > 0 else min(CHUNK, max_bytes + 1))
    view = memoryview(buf)
    got = 0
    try:
        while got <= max_bytes:
            if time.monotonic() > deadline:
                raise TimeoutError("download deadline")
            if got == len(buf):
                view.release()
                buf.extend(bytes(min(len(buf), max_bytes + 1 - got)))  # grow (no Content-Length)
                view = memoryview(buf)
            n = resp.readinto(view[got: min(len(buf), got + CHUNK)])
            if not n:
                break
            got += n
    finally:
        view.release()
    truncated = got > max_bytes
    del buf[min(got, max_bytes):]
    return buf, truncated


def _read_one(file: dict, client: WebClient, max_bytes: int) -> FileText | str:
    """One text-like file -> its :class:`FileText`, or the reason (a :class:`Skipped` reason) it
    was not read. Network errors propagate (the caller turns them into :data:`DOWNLOAD_FAILED`)."""
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not url or not allowed_url(url, client):
        log.warning("file %s skipped: download url outside the Slack file host", file.get("id") or "-")
        return OUTSIDE
    try:
        size = int(file.get("size") or 0)
    except (TypeError, ValueError):
        size = 0
    data, truncated = _fetch(url, client, max_bytes, want_range=size > max_bytes)
    truncated = truncated or size > max_bytes
    if truncated and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\n" in data:
        del data[data.rfind(b"\n"):]  # keep whole lines only (in place: no copy)
    text = decode(data)
    if text is None:
        log.warning("file %s skipped: binary content", file.get("id") or "-")
        return NOT_TEXT
    if not text.strip():
        return EMPTY
    if truncated and "\n" in text and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = text[: text.rfind("\n")]
    whole = _looks_like_message(text[:8192].encode("utf-8", "replace"))
    raw = b""
    if whole:
        raw = bytes(data) if _looks_like_message(bytes(data[:8192])) else text.encode("utf-8", "replace")
    del data  # the bytes of a free-text file are not kept: only its text
    name = str(file.get("name") or file.get("title") or file.get("id") or "file")
    return FileText(name=name, text=text, whole_message=whole, truncated=truncated, data=raw)


def _skip_reason(file: dict) -> str | None:
    """None for a file worth downloading (:func:`is_text_like`), else why it is not read."""
    if file.get("is_external") or str(file.get("mode") or "") in SKIPPED_MODES:
        return UNAVAILABLE
    return None if is_text_like(file) else NOT_TEXT


def _looks_like_message(data: bytes) -> bool:
    from knowledge.bounce import looks_like_message  # the domain's rule (header fields first)

    try:
        return bool(looks_like_message(data))
    except Exception:  # noqa: BLE001
        return False


def _name(file: Any) -> str:
    if not isinstance(file, dict):
        return "file"
    return str(file.get("name") or file.get("title") or file.get("id") or "file")


def read_files(files: Any, client: WebClient, *, max_files: int = MAX_FILES,
               max_bytes: int = MAX_BYTES) -> FilesRead:
    """The text of the text-like files of a message event's ``files`` list, and the files not read.

    Input: ``files`` as Slack sends it (a list of file objects, possibly partial, or
    anything else: ignored); ``client`` a ``WebClient`` whose ``token`` may read files
    (scope ``files:read``). Output: :class:`FilesRead` with at most ``max_files``
    :class:`FileText` (each from at most ``max_bytes`` bytes) and, for every other file, a
    :class:`Skipped` with its reason (not a text file, download failed, ``files.info`` error,
    link outside Slack's file host, over the ``max_files`` limit ...). Partial objects
    (``file_access: check_file_info``) are completed with ``files.info``. Never raises; the
    log names only the file id and the Slack error code or exception type.
    """
    out = FilesRead([], [])
    if not isinstance(files, list) or not files or not getattr(client, "token", None):
        return out
    for n, file in enumerate(files):
        if len(out.texts) >= max_files or n >= MAX_CANDIDATES:
            out.skipped.extend(Skipped(_name(f), TOO_MANY) for f in files[n:] if isinstance(f, dict))
            break
        if not isinstance(file, dict):
            continue
        file_id = str(file.get("id") or "-")
        try:
            if _needs_info(file) and file.get("id"):
                try:
                    resp = client.files_info(file=file_id)
                except Exception as exc:  # noqa: BLE001
                    code = slack_error(exc)
                    log.warning("file %s skipped: %s", file_id, code)
                    out.skipped.append(Skipped(_name(file), NOT_FOUND if code in (
                        "file_not_found", "file_deleted") else NO_ACCESS))
                    continue
                info = resp.get("file")
                file = info if isinstance(info, dict) else file
            reason = _skip_reason(file)
            got = _read_one(file, client, max_bytes) if reason is None else reason
            if isinstance(got, FileText):
                out.texts.append(got)
            else:
                out.skipped.append(Skipped(_name(file), got))
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the others
            code = exc.code if isinstance(exc, urllib.error.HTTPError) else slack_error(exc)
            log.warning("file %s skipped: %s", file_id, f"http_{code}" if isinstance(code, int) else code)
            out.skipped.append(Skipped(_name(file), OUTSIDE if isinstance(exc, DownloadRefused) else DOWNLOAD_FAILED))
    out.texts = share_budget(out.texts)  # the long texts' uncut copies are freed here
    return out


_busy = threading.BoundedSemaphore(MAX_BUSY)


@contextlib.contextmanager
def turn(files: Any) -> Iterator[None]:
    """Context manager around reading and annotating a message's files: at most :data:`MAX_BUSY`
    messages with files are worked on at once (each may hold 3 files of 1 MiB and their
    annotation), so peak memory stays bounded however many arrive together. A message without
    files never waits; one that waited :data:`BUSY_WAIT_S` goes ahead anyway."""
    if not (isinstance(files, list) and files):
        yield
        return
    got = _busy.acquire(timeout=BUSY_WAIT_S)
    try:
        yield
    finally:
        if got:
            _busy.release()


def share_budget(texts: list[FileText], budget: int = MAX_TEXT_CHARS - MAX_EXTRACTED) -> list[FileText]:
    """Free-text files cut so that together they hold at most ``budget`` characters (the message's
    own text, at most ``bot.slack.text.MAX_EXTRACTED`` characters, takes the rest of
    :data:`MAX_TEXT_CHARS`, the annotator's limit): each file gets a fair share (short files keep
    all their text, the room they leave goes to the long ones), cut after its last whole line and
    marked ``truncated``. Whole-message files are returned unchanged (the bounce parser bounds them).
    Cutting here, not in the annotator, means one truncation note and no copy of text never read."""
    loose = sorted((i for i, f in enumerate(texts) if not f.whole_message), key=lambda i: len(texts[i].text))
    out = list(texts)
    left = budget
    for k, i in enumerate(loose):
        share = left // (len(loose) - k)
        f = texts[i]
        if len(f.text) > share:
            cut = f.text.rfind("\n", 0, share + 1)
            out[i] = replace(f, text=f.text[: cut if cut > share // 2 else share], truncated=True)
        left -= len(out[i].text)
    return out

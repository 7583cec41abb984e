"""Logs and metrics for the Slack app.

Logging (``configure_logging``):

* ``LOG_FORMAT=json``: one JSON object per line — ``ts`` (UTC, ISO 8601), ``level``,
  ``logger``, ``msg``, the bound context (``request_id`` = Slack ``event_id`` or a
  generated id for commands/interactivity, plus ``team_id``/``channel_id``/``kind``
  when bound) and ``exc`` for exceptions. ``LOG_FORMAT=text`` (default): the same
  fields on one human-readable line.
* ``RedactingFilter`` on every handler: Slack tokens (``xoxb-``, ``xoxp-``, ``xoxa-``,
  ``xoxr-``, ``xoxe-``, ``xapp-``), e-mail addresses and the values of message-body
  keys (``text``, ``blocks``, ``attachments``, ...) are replaced by ``[redacted]`` in
  the message, its arguments and exception text; DEBUG records of ``slack_sdk`` and
  ``slack_bolt`` (which dump whole payloads) are dropped. Application code must still
  never log message text on purpose: the filter is the safety net.
* ``bind(**fields)``: context manager putting ids on every line logged inside it,
  through ``contextvars`` (``ContextThreadPoolExecutor`` carries them into Bolt's
  listener threads).

Metrics (prometheus-client, default registry; served by ``metrics_asgi_app``/``render_metrics``):
``smtpbot_requests_total{kind}``, ``smtpbot_annotations_total{trigger}``,
``smtpbot_slack_api_errors_total{method,code}``, ``smtpbot_duplicate_events_total``,
``smtpbot_handling_seconds{kind}`` (histogram, seconds).
Exposition format: https://prometheus.io/docs/instrumenting/exposition_formats/
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from knowledge.smtp.addresses import ATEXT_SYMBOLS

# ----------------------------------------------------------------------------- context

_context: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar("smtpbot_log_context", default={})

CONTEXT_FIELDS = ("request_id", "team_id", "channel_id", "user_id", "kind")
"""Context fields that may be bound: Slack ids and a request kind only, never text."""


@contextlib.contextmanager
def bind(**fields: str | None) -> Iterator[None]:
    """Add ``fields`` (keys from ``CONTEXT_FIELDS``; ``None`` values ignored) to every log
    line emitted inside the ``with`` block, in this thread/task and in work submitted
    through ``ContextThreadPoolExecutor``. Raises ``ValueError`` for an unknown key."""
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"unknown log context field(s): {', '.join(sorted(unknown))}")
    merged = dict(_context.get())
    merged.update({k: str(v) for k, v in fields.items() if v is not None})
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def set_context(**fields: str | None) -> None:
    """Like ``bind`` but without a block: for a thread that handles one request and ends."""
    merged = dict(_context.get())
    merged.update({k: str(v) for k, v in fields.items() if v is not None and k in CONTEXT_FIELDS})
    _context.set(merged)


def current_context() -> dict[str, str]:
    """A copy of the fields bound in the current context."""
    return dict(_context.get())


def new_request_id() -> str:
    """A short random id for requests that carry no Slack ``event_id`` (commands, actions)."""
    return "req-" + uuid.uuid4().hex[:16]


def request_id_from_body(body: Mapping[str, Any] | None) -> str:
    """``event_id`` of an Events API envelope, else ``trigger_id``, else a new id."""
    body = body or {}
    for key in ("event_id", "trigger_id"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return new_request_id()


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """``ThreadPoolExecutor`` that runs each task in a copy of the submitter's
    ``contextvars`` context, so ids bound with ``bind`` reach Bolt's listener threads
    (pass as ``App(listener_executor=...)``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        ctx = contextvars.copy_context()
        return super().submit(ctx.run, fn, *args, **kwargs)


# ----------------------------------------------------------------------------- redaction

REDACTED = "[redacted]"

_TOKEN_RE = re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")
# Every pattern below runs in linear time: a match may only start where its leading run of
# characters starts (look-behind), and repetition is possessive (``*+``, ``++``, Python 3.11), so
# a failed attempt never backtracks over a long run. Messages are also cut to MAX_LOG_CHARS first.
# RFC 5322 atext without "|" (Slack's <mailto:a|b> separator), with any Unicode letter or digit
# (internationalized addresses, RFC 6531 / RFC 6532; U-label domains, RFC 5890)
_LOCAL = r"\w." + ATEXT_SYMBOLS.replace("|", "")  # knowledge.smtp.addresses: RFC 5322 atext
_EMAIL_RE = re.compile(rf"(?<![{_LOCAL}])[{_LOCAL}]++@[\w-]++(?:\.[\w-]++)*+(?<=[^\W\d_]{{2}})")
_BEARER_RE = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=-]+")
_SECRET_KEYS = r"token|bot_token|user_token|access_token|refresh_token|client_secret|signing_secret|authorization"
_BODY_KEYS = (
    r"text|blocks|attachments|message|original_message|previous_message|value|preview|"
    r"plain_text|rich_text|elements|email|real_name|display_name|title|files|root"
)
# "key": "value" / 'key': 'value' / key=value (value quoted): the value is replaced.
# An unterminated quoted value runs to the end of the text (it is still redacted).
_KEYED_STRING_RE = re.compile(
    rf"""(?P<k>["']?\b(?:{_BODY_KEYS}|{_SECRET_KEYS})\b["']?[ \t]*+[:=][ \t]*+)"""
    r"""(?:(?P<q>")(?:\\.|[^"\\])*+(?:"|\Z)|(?P<q2>')(?:\\.|[^'\\])*+(?:'|\Z))""",
    re.DOTALL,
)
# "blocks": [ ... ] / "message": { ... }: cut up to the end of the line; nested JSON cannot
# be matched with a regular expression, so the whole rest of the structure goes.
_KEYED_STRUCT_RE = re.compile(
    rf"""(?P<k>["']?\b(?:{_BODY_KEYS})\b["']?[ \t]*+[:=][ \t]*+)[\[{{].*""",
)
# form-encoded bodies (slash commands, interactivity): text=...&response_url=...&payload=...
_FORM_FIELD_RE = re.compile(
    rf"""(?P<k>(?:^|(?<=[&?\s]))(?:{_BODY_KEYS}|{_SECRET_KEYS}|payload|response_url|user_name)=)[^&\s]++"""
)
# OAuth codes/states and tokens in URL query strings (uvicorn access log of /slack/oauth_redirect).
_QUERY_SECRET_RE = re.compile(r"(?i)([?&](?:code|state|token|client_secret)=)[^&\s\"']+")
_NOISY_LIBRARIES = ("slack_sdk", "slack_bolt", "slack.")
# Slack's libraries put request bodies in some INFO/WARNING lines ("Invalid request signature
# detected (signature: ..., body: ...)", "Unhandled request ({...})", "... for the request ({...})"):
# everything from the payload on is dropped from their records.
_LIBRARY_PAYLOAD_RE = re.compile(r"\((?:signature:|\{)|\b(?:body|payload|request body)\s*[:=]")
LIBRARY_PAYLOAD_NOTE = "[request payload not logged]"

MAX_LOG_CHARS = 4000
"""Longest log message kept, characters; longer ones are cut (with a note) before redaction."""
MAX_REDACT_CHARS = 64_000
"""Longest text :func:`redact` processes (whole formatted lines with tracebacks); the rest is cut."""


def truncate(text: str, limit: int = MAX_LOG_CHARS) -> str:
    """``text`` cut to ``limit`` characters plus `` [... N more characters]`` when longer."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} [... {len(text) - limit} more characters]"


def strip_library_payload(message: str) -> str:
    """A Slack-library log message with any request payload removed (see ``_LIBRARY_PAYLOAD_RE``)."""
    m = _LIBRARY_PAYLOAD_RE.search(message)
    return message if m is None else f"{message[:m.start()].rstrip()} {LIBRARY_PAYLOAD_NOTE}"


def redact(text: str) -> str:
    """Return ``text`` with Slack tokens, bearer credentials, e-mail addresses and the
    values of message-body / secret keys replaced by ``[redacted]``."""
    if not text:
        return text
    text = truncate(text, MAX_REDACT_CHARS)
    text = _TOKEN_RE.sub(REDACTED, text)
    text = _BEARER_RE.sub(r"\1 " + REDACTED, text)
    text = _QUERY_SECRET_RE.sub(r"\1" + REDACTED, text)
    text = _KEYED_STRING_RE.sub(_keyed_string, text)
    text = _KEYED_STRUCT_RE.sub(lambda m: f"{m.group('k')}{REDACTED}", text)
    text = _FORM_FIELD_RE.sub(lambda m: f"{m.group('k')}{REDACTED}", text)  # after: "[redacted]" starts with "["
    text = _EMAIL_RE.sub(REDACTED, text)
    return text


def _keyed_string(m: re.Match) -> str:
    quote = m.group("q") or m.group("q2")
    return f"{m.group('k')}{quote}{REDACTED}{quote}"


class RedactingFilter(logging.Filter):
    """Handler filter: renders each record's message, cuts it to :data:`MAX_LOG_CHARS`,
    redacts it (``redact``), drops DEBUG records of Slack's libraries, which contain whole
    payloads, and removes the request payload from their other records.
    Always attach to handlers (handler filters also see records of child loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.startswith(_NOISY_LIBRARIES):
            return False
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not kill logging
            message = str(record.msg)
        if record.name.startswith(_NOISY_LIBRARIES):
            message = strip_library_payload(message)
        record.msg = redact(truncate(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # use the redacted text, never re-render the raw exception
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# ----------------------------------------------------------------------------- formatters


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, bound context, exc. Output is
    redacted again as a last line of defence."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_context.get())
        entry.setdefault("request_id", None)
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else None)
        if exc:
            entry["exc"] = exc
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """``2026-01-01T00:00:00.000Z INFO logger [request_id team_id ...] message``, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{int(record.msecs):03d}Z"
        )
        ctx = _context.get()
        ids = " ".join(f"{k}={ctx[k]}" for k in CONTEXT_FIELDS if k in ctx)
        line = f"{ts} {record.levelname} {record.name} [{ids or '-'}] {record.getMessage()}"
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else None)
        if exc:
            line += "\n" + exc
        return redact(line)


def configure_logging(level: str | int = "INFO", fmt: str = "text", stream: Any = None) -> logging.Handler:
    """Install one redacting handler on the root logger (replacing existing handlers).

    ``level``: a logging level name or number; ``fmt``: ``"json"`` or ``"text"``
    (anything else raises ``ValueError``); ``stream``: default ``sys.stderr``.
    Returns the handler. Slack's libraries are capped at INFO (their DEBUG output
    holds payloads). uvicorn's loggers are routed through the same handler.
    """
    fmt = (fmt or "text").lower()
    if fmt not in ("json", "text"):
        raise ValueError("LOG_FORMAT must be 'json' or 'text'")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else str(level).upper())
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    return handler


def uvicorn_log_config() -> dict[str, Any]:
    """A ``uvicorn.run(log_config=...)`` value that leaves logging as ``configure_logging``
    set it (uvicorn would otherwise install its own, unredacted handlers)."""
    return {"version": 1, "disable_existing_loggers": False}


# ----------------------------------------------------------------------------- metrics

REQUESTS = Counter(
    "smtpbot_requests", "Slack requests handled, by kind (command, mention, message, dm, shortcut, home, other)", ["kind"]
)
ANNOTATIONS = Counter(
    "smtpbot_annotations", "Annotations posted, by trigger (auto, mention, command, shortcut, dm)", ["trigger"]
)
SLACK_API_ERRORS = Counter(
    "smtpbot_slack_api_errors", "Slack Web API calls that failed, by method and Slack error code", ["method", "code"]
)
DUPLICATE_EVENTS = Counter(
    "smtpbot_duplicate_events", "Events skipped because another delivery/replica already claimed them"
)
HANDLING_SECONDS = Histogram(
    "smtpbot_handling_seconds",
    "Time from receiving a Slack request to finishing its reply, seconds",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def record_request(kind: str) -> None:
    """Count one handled request of ``kind``."""
    REQUESTS.labels(kind=kind).inc()


def record_annotation(trigger: str) -> None:
    """Count one posted annotation made because of ``trigger``."""
    ANNOTATIONS.labels(trigger=trigger).inc()


def record_slack_api_error(method: str, code: str | None) -> None:
    """Count one failed Web API call: ``method`` like ``chat.postMessage``, ``code`` the
    ``error`` field of Slack's response (``ratelimited``, ``not_in_channel``, ...) or an
    HTTP/connection failure name."""
    SLACK_API_ERRORS.labels(method=method or "unknown", code=code or "unknown").inc()


def record_duplicate() -> None:
    """Count one event dropped because its claim was already taken."""
    DUPLICATE_EVENTS.inc()


@contextlib.contextmanager
def timed(kind: str) -> Iterator[None]:
    """Observe the duration of the ``with`` block in ``smtpbot_handling_seconds{kind}``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        HANDLING_SECONDS.labels(kind=kind).observe(time.perf_counter() - start)


def render_metrics() -> tuple[bytes, str]:
    """The current metrics in Prometheus text format: ``(body, content_type)``."""
    return generate_latest(), CONTENT_TYPE_LATEST


def metrics_asgi_app() -> Callable:
    """An ASGI app answering any request with the metrics (mount it at ``/metrics``)."""
    from prometheus_client import make_asgi_app

    return make_asgi_app()


def install_api_error_metrics(client: Any) -> Any:
    """Make a ``slack_sdk.WebClient`` count failed calls in ``smtpbot_slack_api_errors_total``.

    Swaps the instance's class for an instrumented subclass (no state added), so it
    works on the per-request clients Bolt creates. Returns the client.
    """
    from slack_sdk import WebClient

    if isinstance(client, WebClient) and not isinstance(client, _InstrumentedWebClient):
        client.__class__ = _instrumented_class(type(client))
    return client


class _InstrumentedWebClient:  # marker base; concrete classes built by _instrumented_class
    pass


_instrumented_cache: dict[type, type] = {}


def _instrumented_class(base: type) -> type:
    cls = _instrumented_cache.get(base)
    if cls is not None:
        return cls
    from slack_sdk.errors import SlackApiError

    def api_call(self: Any, api_method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return base.api_call(self, api_method, *args, **kwargs)
        except SlackApiError as exc:
            data = getattr(exc.response, "data", None)
            code = data.get("error") if isinstance(data, dict) else None
            record_slack_api_error(api_method, code or f"http_{getattr(exc.response, 'status_code', 'error')}")
            raise
        except Exception as exc:  # connection errors, timeouts
            record_slack_api_error(api_method, type(exc).__name__)
            raise

    cls = type(f"Instrumented{base.__name__}", (base, _InstrumentedWebClient), {"api_call": api_call})
    _instrumented_cache[base] = cls
    return cls

"""Logging for the Slack app: level/format from settings, and a filter that redacts tokens.

Slack tokens (``xoxb-``, ``xoxp-``, ``xoxa-``, ``xoxr-``, ``xoxs-``, ``xoxe-``, ``xapp-``,
https://api.slack.com/authentication/token-types) must never reach a log line, even
inside an exception message or a library's debug output: :class:`RedactTokensFilter`
rewrites them to ``xoxb-***`` on every handler it is attached to.
"""

from __future__ import annotations

import json
import logging
import re
import sys

TOKEN_RE = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """Replace every Slack token in ``text`` by its prefix and ``***``."""
    return TOKEN_RE.sub(lambda m: f"{m.group(1)}-***", text)


class RedactTokensFilter(logging.Filter):
    """Filter that formats the record's message once and redacts tokens in it (and in exc text)."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003 - logging API name
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``message`` (+ ``exc`` when any)."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("event_id", "request_id"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger once: stderr handler, chosen format, token redaction."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_smtpbot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._smtpbot = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokensFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # slack_sdk logs request bodies at DEBUG; keep it quieter unless asked for
    if level != "DEBUG":
        logging.getLogger("slack_sdk").setLevel(logging.WARNING)

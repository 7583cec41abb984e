"""A fake Slack Web API on loopback that records every call (no Slack reachable in tests).

Answers ``auth.test``, ``chat.postMessage``, ``chat.postEphemeral``, ``chat.update``,
``views.publish``, ``apps.connections.open`` (returning :attr:`FakeSlack.ws_url`),
``oauth.v2.access`` (scriptable), ``files.info`` and file downloads (:meth:`FakeSlack.add_file`),
and any other method with ``{"ok": true}``; plus response URLs under ``/response/<id>``. Responses can be scripted per method (and
channel) with :meth:`FakeSlack.script`, e.g. a 429 with ``Retry-After`` or an
``{"ok": false, "error": "not_in_channel"}``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"


@dataclass
class Call:
    """One recorded request: ``method`` is the Web API method or ``"response_url"``."""

    method: str
    params: dict
    headers: dict
    path: str
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def channel(self) -> str | None:
        return self.params.get("channel")

    @property
    def blocks(self) -> list[dict]:
        b = self.params.get("blocks") or []
        return json.loads(b) if isinstance(b, str) else b


@dataclass
class _Rule:
    method: str
    status: int
    body: dict
    headers: dict
    times: int
    when: Callable[[dict], bool] | None


class FakeSlack:
    """Start with :meth:`start`; ``api_url`` is the ``SLACK_API_URL`` to configure."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self.ws_url: str | None = None
        self.oauth_response: dict | None = None
        self.files: dict[str, bytes] = {}         # download path -> content (see add_file)
        self.file_objects: dict[str, dict] = {}   # file id -> file object (files.info)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                for k, v in parse_qs(urlsplit(self.path).query).items():  # GET methods (files.info)
                    params.setdefault(k, v[0])
                if self.path.startswith("/response/"):
                    method = "response_url"
                elif self.path.startswith("/files-pri/"):
                    method = "file_download"
                else:
                    method = self.path.rsplit("/", 1)[-1].split("?")[0]
                status, body, headers = fake._answer(method, params, self.path)
                with fake._cond:
                    fake.calls.append(Call(method, params, dict(self.headers), self.path, body))
                    fake._cond.notify_all()
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # a capped download hangs up early
                    self.close_connection = True

            do_GET = do_POST  # noqa: N815 - some clients GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    def start(self) -> "FakeSlack":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- behaviour ----------------------------------------------------------

    def script(self, method: str, *, status: int = 200, body: dict | None = None, headers: dict | None = None,
               times: int = 1, when: Callable[[dict], bool] | None = None) -> None:
        """The next ``times`` calls of ``method`` (matching ``when(params)``) get this answer."""
        with self._lock:
            self._rules.append(_Rule(method, status, body or {"ok": False, "error": "scripted"},
                                     headers or {}, times, when))

    def add_file(self, file_id: str, content: bytes, *, name: str, mimetype: str = "text/plain",
                 filetype: str = "text", url: str | None = None, **extra: Any) -> dict:
        """Serve ``content`` at ``/files-pri/<team>-<file_id>/download/<name>`` (recorded as
        ``file_download`` calls, with their ``Authorization`` header) and by ``files.info``;
        returns the Slack file object (https://api.slack.com/types/file) for an event.
        ``url`` overrides the download URL (e.g. another host); ``extra`` adds fields."""
        path = f"/files-pri/{TEAM_ID}-{file_id}/download/{name}"
        obj = {"id": file_id, "name": name, "title": name, "mimetype": mimetype, "filetype": filetype,
               "size": len(content), "mode": "snippet" if filetype == "text" else "hosted",
               "url_private": url or f"{self.url}{path}", "url_private_download": url or f"{self.url}{path}",
               **extra}
        with self._lock:
            self.files[path] = content
            self.file_objects[file_id] = obj
        return dict(obj)

    def _answer(self, method: str, params: dict, path: str = "") -> tuple[int, Any, dict]:
        with self._lock:
            for rule in self._rules:
                if rule.method == method and rule.times > 0 and (rule.when is None or rule.when(params)):
                    rule.times -= 1
                    return rule.status, rule.body, rule.headers
        if method == "auth.test":
            return 200, {"ok": True, "url": "https://example.slack.com/", "team": "Example", "user": "smtpbot",
                         "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}, {}
        if method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            return 200, {"ok": True, "channel": params.get("channel"), "ts": ts,
                         "message": {"text": params.get("text", ""), "ts": ts, "bot_id": BOT_ID}}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}, {}
        if method == "views.publish":
            return 200, {"ok": True, "view": {"id": "V0001"}}, {}
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": self.ws_url}, {}
        if method == "oauth.v2.access" and self.oauth_response is not None:
            return 200, self.oauth_response, {}
        if method == "response_url":
            return 200, b"ok", {}
        if method == "file_download":
            content = self.files.get(path.split("?")[0])
            return (200, content, {}) if content is not None else (404, b"not found", {})
        if method == "files.info":
            obj = self.file_objects.get(str(params.get("file")))
            return 200, ({"ok": True, "file": obj} if obj else {"ok": False, "error": "file_not_found"}), {}
        return 200, {"ok": True}, {}

    # -- inspection ---------------------------------------------------------

    def find(self, method: str | None = None, **params: Any) -> list[Call]:
        """Recorded calls of ``method`` whose params equal every given value."""
        with self._lock:
            return [c for c in self.calls
                    if (method is None or c.method == method)
                    and all(c.params.get(k) == v for k, v in params.items())]

    def wait(self, method: str | None = None, count: int = 1, timeout: float = 5.0, **params: Any) -> list[Call]:
        """Block until at least ``count`` matching calls were recorded; return them (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls
                         if (method is None or c.method == method)
                         and all(c.params.get(k) == v for k, v in params.items())]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} call(s) with {params}, got {len(found)}")
                self._cond.wait(left)

    def for_channel(self, channel: str) -> list[Call]:
        """Every call that concerns ``channel`` (posts, ephemerals) in order."""
        with self._lock:
            return [c for c in self.calls if c.params.get("channel") == channel]

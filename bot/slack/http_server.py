"""HTTP mode: Bolt's ASGI adapter on uvicorn, plus ``GET /healthz``.

Routes:

* ``POST /slack/events``: events, slash commands and interactivity (one Request URL
  for all three in the manifest). Before Bolt sees it, every request is checked here:
  a body larger than :data:`MAX_BODY_BYTES` gets 413 (judged from ``Content-Length``, or
  as soon as the streamed body passes the cap; the rest is thrown away unparsed up to
  :data:`DRAIN_LIMIT_BYTES` so the client sees the 413, beyond that the connection is
  closed); a missing,
  non-numeric or stale ``X-Slack-Request-Timestamp`` or a bad ``X-Slack-Signature``
  gets 401 (:func:`bot.slack.verify.check_signature`); a body that is not UTF-8 gets 400.
  Only verified requests reach Bolt (which checks the signature again), so nothing is
  parsed, logged or answered (no ``response_url`` call) for an unverified one, and the
  rejection is logged as one line with the reason and the size, never the body.
  Other methods on this path get 405;
* ``GET /healthz``: 200 ``{"ok": true}`` once the app is ready and every registered
  health check passes, else 503 with the failing check's detail;
* ``GET /slack/install`` and ``/slack/oauth_redirect`` when the app has an OAuth flow
  (handled by Bolt's adapter);
* anything in ``deps.http_routes``: ``{("GET", "/metrics"): fn}``, ``fn()`` returns
  ``(status, content_type, body_bytes)`` and runs in a worker thread.

Bolt's adapter calls the synchronous ``App.dispatch``; :class:`SlackAsgiApp` runs it in
a thread pool so one slow request never stalls the event loop. uvicorn stops taking
new connections on SIGTERM and lets in-flight requests finish; Bolt's listener threads
finish their replies before the process exits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.adapter.asgi.http_response import AsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.app import deps_of
from bot.slack.verify import check_request

log = logging.getLogger("bot.slack.http")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

MAX_BODY_BYTES = 1024 * 1024
"""Largest accepted request body, bytes (1 MiB). Slack's event, command and interactivity
payloads are a few KiB (a message's text is at most 40,000 characters,
https://api.slack.com/methods/chat.postMessage#truncating); anything larger is refused with 413."""


class _ThreadedBoltHandler(SlackRequestHandler):
    """Bolt's ASGI handler with ``App.dispatch`` moved off the event loop."""

    def __init__(self, app: App, path: str, executor: ThreadPoolExecutor) -> None:
        super().__init__(app, path)
        self._executor = executor

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        return await self.dispatch_body(await request.get_raw_body(), request)

    async def dispatch_body(self, body: str, request: AsgiHttpRequest) -> BoltResponse:
        """Bolt's ``App.dispatch`` on an already read (and verified) body, in the thread pool.
        A body Bolt cannot parse into an object (JSON that is not an object, a ``payload``
        field that is not a JSON object) gets 400 without reaching any listener."""
        query, headers = request.query_string, request.get_headers()

        def run() -> BoltResponse:
            try:
                bolt_req = BoltRequest(body=body, query=query, headers=headers)
            except (ValueError, AttributeError, TypeError):  # bad JSON; JSON that is not an object
                bolt_req = None
            if bolt_req is None or not isinstance(bolt_req.body, dict):
                log.info("rejected request: body is not a Slack payload object (%d bytes)", len(body))
                return BoltResponse(status=400, body={"error": "bad request"})
            return self.app.dispatch(bolt_req)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, run)


class _Rejected(Exception):
    """A request refused before Bolt: ``status``, ``reason`` (logged), ``size`` (bytes seen),
    ``close`` (the connection must be closed: part of the body was left unread)."""

    def __init__(self, status: int, reason: str, size: int, close: bool = False) -> None:
        super().__init__(reason)
        self.status, self.reason, self.size, self.close = status, reason, size, close


DRAIN_LIMIT_BYTES = 8 * 1024 * 1024
"""An oversized body up to this size is read and thrown away (no parsing, no copy kept) before
the 413 is sent, so an ordinary client sees the 413 instead of a reset connection; a larger one
(by ``Content-Length`` or as streamed) gets the 413 at once and the connection is closed."""
DRAIN_TIMEOUT_S = 2.0
"""Longest time spent throwing an oversized body away before answering 413 anyway."""


async def _drain(receive: Callable, seen: int) -> tuple[bool, int]:
    """Discard the rest of a body (see :data:`DRAIN_LIMIT_BYTES`): ``(fully read, bytes seen)``."""
    async def run() -> tuple[bool, int]:
        nonlocal seen
        while seen <= DRAIN_LIMIT_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return False, seen
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True, seen
        return False, seen

    try:
        return await asyncio.wait_for(run(), DRAIN_TIMEOUT_S)
    except asyncio.TimeoutError:
        return False, seen


async def read_body(scope: dict, receive: Callable, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, at most ``limit`` bytes; raises :class:`_Rejected` (413) when the
    declared ``Content-Length`` or the bytes streamed so far exceed it (400 for a malformed
    ``Content-Length`` or a client gone before the end of the body). Nothing beyond ``limit``
    is kept in memory."""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                raise _Rejected(400, "malformed Content-Length", 0, close=True) from None
            if declared > DRAIN_LIMIT_BYTES:
                raise _Rejected(413, "body too large", declared, close=True)
            if declared > limit:
                done, seen = await _drain(receive, 0)
                raise _Rejected(413, "body too large", max(seen, declared), close=not done)
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # client went away
            raise _Rejected(400, "incomplete body", len(chunks), close=True)
        chunks += message.get("body", b"")
        if len(chunks) > limit:
            if not message.get("more_body", False):
                raise _Rejected(413, "body too large", len(chunks))
            done, seen = await _drain(receive, len(chunks))
            raise _Rejected(413, "body too large", seen, close=not done)
        if not message.get("more_body", False):
            return bytes(chunks)


class SlackAsgiApp:
    """ASGI application: ``/healthz``, extra routes, then Bolt (see module docstring)."""

    def __init__(self, app: App, *, max_workers: int = 16) -> None:
        self.app = app
        self.deps = deps_of(app)
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="slack-http")
        self.bolt = _ThreadedBoltHandler(app, EVENTS_PATH, self._executor)
        secret = self.deps.settings.slack_signing_secret
        self._signing_secret = secret.get_secret_value() if secret is not None else ""

    def health(self) -> tuple[int, dict]:
        """``(status, body)`` for ``/healthz``."""
        if not self.deps.ready:
            return 503, {"ok": False, "detail": "starting"}
        checks = {}
        ok = True
        for check in self.deps.health_checks:
            try:
                passed, detail = check()
            except Exception as exc:  # noqa: BLE001
                passed, detail = False, type(exc).__name__
            checks[getattr(check, "__name__", "check")] = detail
            ok = ok and passed
        return (200 if ok else 503), {"ok": ok, **({"checks": checks} if checks else {})}

    async def _send(self, send: Callable, status: int, content_type: str, body: bytes,
                    extra_headers: list | None = None) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type.encode()),
                                (b"content-length", str(len(body)).encode()), *(extra_headers or [])]})
        await send({"type": "http.response.body", "body": body})

    async def _events(self, scope: dict, receive: Callable, send: Callable) -> None:
        """``POST /slack/events``: size cap, signature, UTF-8, then Bolt (see module docstring)."""
        try:
            raw = await read_body(scope, receive)
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
            reason = check_request(self._signing_secret, raw, headers)
            if reason is not None:
                raise _Rejected(401, reason, len(raw))
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _Rejected(400, "body is not UTF-8", len(raw)) from None
        except _Rejected as rejected:
            log.info("rejected request: %s (%d bytes)", rejected.reason, rejected.size)
            error = {401: "invalid request", 413: "request body too large"}.get(rejected.status, "bad request")
            await self._send(send, rejected.status, "application/json", json.dumps({"error": error}).encode(),
                             [(b"connection", b"close")] if rejected.close else None)
            return
        try:
            response = await self.bolt.dispatch_body(body, AsgiHttpRequest(scope, receive))
        except Exception as exc:  # noqa: BLE001 - never a traceback (with request data) in the logs
            log.error("request handling failed: %s", type(exc).__name__)
            response = BoltResponse(status=500, body={"error": "internal error"})
        out = AsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        await send(out.get_response_start())
        await send(out.get_response_body())

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            if path == HEALTH_PATH and method in ("GET", "HEAD"):
                loop = asyncio.get_running_loop()
                status, body = await loop.run_in_executor(self._executor, self.health)
                await self._send(send, status, "application/json", json.dumps(body).encode())
                return
            if path == EVENTS_PATH:
                if method == "POST":
                    await self._events(scope, receive, send)
                else:
                    await self._send(send, 405, "application/json", b'{"error": "method not allowed"}',
                                     [(b"allow", b"POST")])
                return
            route = self.deps.http_routes.get((method, path))
            if route is not None:
                loop = asyncio.get_running_loop()
                status, ctype, body = await loop.run_in_executor(self._executor, route)
                await self._send(send, status, ctype, body)
                return
        await self.bolt(scope, receive, send)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def make_server(app: App, host: str, port: int, log_level: str = "warning") -> Any:
    """A ``uvicorn.Server`` for ``app`` (not started)."""
    import uvicorn

    config = uvicorn.Config(SlackAsgiApp(app), host=host, port=port, log_level=log_level.lower(),
                            access_log=False, lifespan="off", timeout_graceful_shutdown=20,
                            log_config=None)  # keep the root handlers (JSON, redaction)
    return uvicorn.Server(config)


def run_http(app: App, *, host: str = "0.0.0.0", port: int = 3000, log_level: str = "info") -> None:
    """Serve until SIGINT/SIGTERM (blocking). Marks the app ready once uvicorn listens."""
    server = make_server(app, host, port, log_level)
    deps = deps_of(app)

    async def _startup_flag() -> None:
        while not server.started:
            await asyncio.sleep(0.02)
        deps.ready = True
        log.info("HTTP mode: listening on %s:%s (POST %s, GET %s)", host, port, EVENTS_PATH, HEALTH_PATH)

    async def _main() -> None:
        flag = asyncio.create_task(_startup_flag())
        await server.serve()
        flag.cancel()

    # uvicorn handles SIGINT/SIGTERM (stop accepting, finish in-flight requests) and then
    # re-raises the signal; with these handlers the re-raise returns here instead of killing
    # the process, so the caller can let acked replies finish (bot.slack.app.drain).
    import signal

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: log.info("signal %s: shutting down", signum))
    asyncio.run(_main())


class BackgroundServer:
    """uvicorn in a daemon thread (tests, benchmarks): ``start()`` returns once listening."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        self.server = make_server(app, host, self.port)
        self._thread = threading.Thread(target=self._run, name="uvicorn", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "BackgroundServer":
        import time

        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("HTTP server did not start")
            time.sleep(0.01)
        deps_of(self.app).ready = True
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

"""Running for real: request ids in logs, metrics, ``/metrics``, database health, uninstall clean-up.

Installed by :func:`bot.slack.app.build_app` (``register(app, deps)``, after the listeners):

* ``instrument_dispatch``: for every request, binds ``request_id`` (the ``event_id``,
  else the ``trigger_id``, else a generated id), ``team_id``, ``channel_id``,
  ``user_id`` and the request ``kind`` to the log context (``bot.observability.bind``)
  and counts it in ``smtpbot_requests_total{kind}``;
* a global Bolt middleware making the request's ``WebClient`` count failed calls in
  ``smtpbot_slack_api_errors_total{method,code}``;
* ``ListenerExecutor`` (``build_app`` gives it to ``App(listener_executor=...)``): Bolt's
  listener thread pool, carrying the log context into listener threads and observing
  ``smtpbot_handling_seconds{kind}`` (from request receipt to the end of the reply work);
* ``GET /metrics`` (Prometheus text format) in HTTP mode, through ``deps.http_routes``;
* a ``database`` check in ``/healthz`` when the store can ``ping()``;
* (the ``app_uninstalled`` / ``tokens_revoked`` listeners that delete the workspace's data are
  in :mod:`bot.slack.listeners.events.uninstall`).
"""

from __future__ import annotations

import contextvars
import logging
import time
from typing import Any, Callable

from bot import observability as obs
from bot.slack.deps import BotDeps

log = logging.getLogger("bot.slack.operations")

_received_at: contextvars.ContextVar[float | None] = contextvars.ContextVar("smtpbot_received_at", default=None)


def request_kind(body: dict) -> str:
    """``command``, ``mention``, ``dm``, ``message``, ``home``, ``shortcut``, ``action``,
    ``uninstall``, ``event`` (other events) or ``other``, from a Slack request body."""
    if body.get("command"):
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        etype = event.get("type")
        if etype == "app_mention":
            return "mention"
        if etype == "message":
            return "dm" if event.get("channel_type") == "im" else "message"
        if etype == "app_home_opened":
            return "home"
        if etype in ("app_uninstalled", "tokens_revoked"):
            return "uninstall"
        return "event"
    if kind in ("message_action", "shortcut"):
        return "shortcut"
    if kind in ("block_actions", "view_submission", "view_closed"):
        return "action"
    return "other"


def _id_of(value: Any) -> str | None:
    """A Slack id given either as a string or as ``{"id": ...}``."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _ids(body: dict) -> dict[str, str | None]:
    """``team_id``, ``channel_id``, ``user_id`` of an event, command or interaction body."""
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    return {
        "team_id": _id_of(body.get("team_id")) or _id_of(body.get("team")),
        "channel_id": _id_of(body.get("channel_id")) or _id_of(event.get("channel")) or _id_of(body.get("channel")),
        "user_id": _id_of(body.get("user_id")) or _id_of(event.get("user")) or _id_of(body.get("user")),
    }


class ListenerExecutor(obs.ContextThreadPoolExecutor):
    """Bolt's listener pool: log context carried into each task, and the time from the
    request's receipt to the task's end observed in ``smtpbot_handling_seconds{kind}``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any):  # type: ignore[override]
        def timed() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                start = _received_at.get()
                if start is not None:
                    kind = obs.current_context().get("kind", "other")
                    elapsed = time.perf_counter() - start
                    obs.HANDLING_SECONDS.labels(kind=kind).observe(elapsed)
                    log.info("handled %s in %.0f ms", kind, elapsed * 1000)

        return super().submit(timed)


def client_middleware(context: Any, next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's name
    """Bolt global middleware: the request's ``WebClient`` counts failed calls by error code."""
    client = getattr(context, "client", None) if context is not None else None
    if client is not None:
        obs.install_api_error_metrics(client)
    return next()


def instrument_dispatch(app: Any) -> None:
    """Wrap ``app.dispatch`` (used by the HTTP adapter and Socket Mode alike) so that the whole
    handling of a request — signature check, middleware, and the submission of listeners to
    the pool — runs with the request's ids bound to the log context, and count the request.
    (Bolt runs listeners after its middleware chain has returned, so a middleware cannot
    bind context for them.)"""
    dispatch = app.dispatch
    if getattr(dispatch, "_smtpbot_instrumented", False):
        return

    def instrumented_dispatch(req: Any) -> Any:
        body = getattr(req, "body", None)
        body = body if isinstance(body, dict) else {}
        kind = request_kind(body)
        obs.record_request(kind)
        token = _received_at.set(time.perf_counter())
        try:
            with obs.bind(request_id=obs.request_id_from_body(body), kind=kind, **_ids(body)):
                return dispatch(req)
        finally:
            _received_at.reset(token)

    instrumented_dispatch._smtpbot_instrumented = True  # type: ignore[attr-defined]
    app.dispatch = instrumented_dispatch


def _count_duplicates(deps: BotDeps) -> None:
    """Wrap ``deps.claim`` so every refused claim counts in ``smtpbot_duplicate_events_total``."""
    claim = deps.claim
    if getattr(claim, "_smtpbot_counted", False):
        return

    def counted_claim(*keys: str) -> bool:
        first = claim(*keys)
        if not first:
            obs.record_duplicate()
            log.info("duplicate delivery skipped")
        return first

    counted_claim._smtpbot_counted = True  # type: ignore[attr-defined]
    deps.claim = counted_claim  # type: ignore[method-assign]


def metrics_route() -> tuple[int, str, bytes]:
    """``GET /metrics``: ``(200, content_type, body)`` in Prometheus text format."""
    body, ctype = obs.render_metrics()
    return 200, ctype, body


def register(app: Any, deps: BotDeps) -> None:
    """Install the middleware, ``/metrics`` and the database health check."""
    app.middleware(client_middleware)
    instrument_dispatch(app)
    _count_duplicates(deps)
    deps.http_routes[("GET", "/metrics")] = metrics_route
    store = deps.store
    if callable(getattr(store, "ping", None)):

        def database() -> tuple[bool, str]:
            ok = store.ping()
            return ok, "reachable" if ok else "unreachable"

        deps.health_checks.append(database)


LISTENER_THREADS = 8
"""Bolt listener threads per process (Bolt's default is 5)."""


def bolt_options(settings: Any, store: Any) -> dict[str, Any]:
    """Extra ``App(...)`` options for ``build_app(..., bolt_options=...)``.

    When ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set: ``oauth_settings`` for
    the multi-workspace install flow, its stores on the store's database (``store.engine``;
    raises ``ValueError`` if the store has none). Otherwise empty (single-workspace token
    mode). ``build_app`` itself adds :class:`ListenerExecutor` as Bolt's listener pool.
    """
    options: dict[str, Any] = {}
    if getattr(settings, "oauth_enabled", False):
        from bot.storage.oauth import build_oauth_settings

        engine = getattr(store, "engine", None)
        if engine is None:
            raise ValueError("SLACK_CLIENT_ID: the OAuth install flow needs a SQL DATABASE_URL")
        options["oauth_settings"] = build_oauth_settings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            engine=engine,
        )
    return options

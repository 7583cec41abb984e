"""Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, HTTP mode otherwise.

HTTP mode listens on PORT (default 3000): POST /slack/events for events, slash
commands and interactivity; GET /healthz answers 200 once ready.  Settings come
from the environment and .env (see .env.example); a missing or malformed one
stops startup with one line naming it (exit status 2).
"""

from __future__ import annotations

import argparse
import re
import sys

EPILOG = """examples:
  smtpbot serve            Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT
  smtpbot serve --http     HTTP mode even when SLACK_APP_TOKEN is set
  smtpbot serve --http --port 8080
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--http`` forces HTTP mode; ``--port`` / ``--host`` override PORT / 0.0.0.0."""
    parser.add_argument("--http", action="store_true", help="HTTP mode even when SLACK_APP_TOKEN is set")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000)")
    parser.add_argument("--host", default="0.0.0.0", help="HTTP listen address (default: 0.0.0.0)")


def run(args: argparse.Namespace) -> int:
    """Load settings, build the app, serve until interrupted. 0 on clean stop, 2 on bad settings."""
    loaded = _load_settings(args)
    if loaded is None:
        return 2
    settings, http = loaded
    from bot.observability import configure_logging

    configure_logging(settings.log_level, settings.log_format)  # redacting, request ids, LOG_FORMAT=json

    import logging

    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.slack.app import build_app, deps_of
    from bot.slack.delivery import slack_error

    log = logging.getLogger("bot.serve")
    opened = _open_store(settings)
    if opened is None:
        return 2
    store, options = opened
    try:
        app = build_app(settings, store=store, bolt_options=options)
    except (SlackApiError, SlackClientError, OSError) as exc:
        # Bolt verifies the bot token with auth.test at startup
        print(f"smtpbot serve: cannot start: Slack auth.test failed ({slack_error(exc)}); "
              "check SLACK_BOT_TOKEN and SLACK_API_URL", file=sys.stderr)
        return 2
    deps_of(app).engine.warm_up()
    _serve(app, args, settings, http)
    getattr(store, "close", lambda: None)()
    log.info("stopped")
    return 0


def _load_settings(args: argparse.Namespace):
    """``(settings, http)`` from the environment and ``args``, or None after printing the configuration error."""
    from bot.config import ConfigError, load_settings

    try:
        overrides = {"port": args.port} if args.port else {}
        settings = load_settings(**overrides)
        http = bool(args.http) or not settings.socket_mode
        settings.require(http=http)
    except ConfigError as exc:
        print(f"smtpbot serve: configuration error: {exc}", file=sys.stderr)
        return None
    return settings, http


def _open_store(settings):
    """``(store, bolt options)``, or None after printing why the database or OAuth settings cannot serve."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.slack.operations import bolt_options
    from bot.storage.sql import SchemaError

    try:
        store = _make_store(settings)
        options = bolt_options(settings, store)  # OAuth install flow when SLACK_CLIENT_ID/SECRET are set
    except ValueError as exc:
        if re.match(r"[A-Z][A-Z_]+: ", str(exc)):  # our own "NAME: problem" configuration message
            print(f"smtpbot serve: configuration error: {str(exc).splitlines()[0][:300]}", file=sys.stderr)
            return None
        print(f"smtpbot serve: cannot start: database ({_db_error(exc, settings.database_url)}); "
              "check DATABASE_URL", file=sys.stderr)
        return None
    except (SQLAlchemyError, SchemaError, OSError) as exc:
        print(f"smtpbot serve: cannot start: database ({_db_error(exc, settings.database_url)}); "
              "check DATABASE_URL", file=sys.stderr)
        return None
    return store, options


def _serve(app, args: argparse.Namespace, settings, http: bool) -> None:
    """Serve ``app`` over HTTP (then drain acked replies) or Socket Mode, until interrupted."""
    if http:
        from bot.slack.http_server import run_http

        run_http(app, host=args.host, port=settings.port, log_level=settings.log_level)
        from bot.slack.app import drain

        drain(app)  # uvicorn finished the HTTP requests; let acked replies finish too
    else:
        from bot.slack.socket_mode import run_socket_mode

        run_socket_mode(app, settings)


def _db_error(exc: BaseException, url: str) -> str:
    """One line: the error type and the driver's first line, never the URL's password."""
    orig = getattr(exc, "orig", None) or exc
    line = (str(orig).strip().splitlines() or [""])[0][:200]
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # noqa: BLE001
        password = None
    if password:
        line = line.replace(str(password), "***")
    return f"{type(orig).__name__}: {line}" if line else type(orig).__name__


def _make_store(settings):  # noqa: ANN001, ANN202
    """The store for ``DATABASE_URL`` when the SQL store exists, else the in-memory one."""
    try:
        from bot.storage.sql import SqlStore  # written by the storage issue
    except ImportError:
        from bot.storage.memory import MemoryStore

        return MemoryStore()
    return SqlStore(settings.database_url)

"""Building the Bolt app: :func:`build_app` (settings, store, client) -> ``slack_bolt.App``.

Structure
---------
* ``bot/slack/listeners/``   every listener, Bolt starter-template shape: ``commands/`` (``/smtp``,
  its ``auto`` / ``mask`` sub-commands), ``events/`` (``app_mention``, ``message``, ``app_home_opened``,
  uninstall), ``shortcuts/`` (``explain_smtp_codes``), ``actions/`` (the catch-all)
* ``bot/slack/commands.py``  what ``/smtp`` does (explain, annotate, help, sub-command dispatch)
* ``bot/slack/replies.py``   answering a mention, DM, shortcut or channel paste (claims, threads)
* ``bot/slack/answers.py``   what a text asks for -> :class:`~bot.slack.answers.Answer`
* ``bot/slack/markup.py`` / ``text.py``  Slack markup -> the plain text ``knowledge`` reads
* ``bot/slack/files.py`` (download) / ``file_answers.py`` (answering shared files)
* ``bot/slack/blocks/``      Block Kit rendering within Slack's limits
* ``bot/slack/delivery.py``  posting with the ``not_in_channel`` fallbacks
* ``bot/slack/http_server.py`` / ``socket_mode.py``  the two ways to serve

:func:`bot.slack.listeners.register_listeners` registers every kind's listeners
(each package's ``register(app, deps)``), then the catch-all listeners that ack
everything else (so Slack never retries an event we do not handle).
:data:`PLUGIN_MODULES` are installed after them (``bot.slack.operations``: request
ids, metrics, ``/metrics``, database health).

Extending ``/smtp`` with a sub-command: in your module's ``register``::

    from bot.slack.deps import SubCommand
    deps.subcommands["auto"] = SubCommand(handler, "/smtp auto on|off|status", "...")

The ``/smtp`` dispatcher looks the first word up in ``deps.subcommands`` before
parsing codes, after the command was acked; ``handler(req)`` gets a
:class:`bot.slack.commands.CommandRequest` (args, body, client, respond, deps).

Exactly-once: listeners claim ``event:<event_id>`` and ``msg:<channel>:<ts>`` in
``deps.store`` (a :class:`bot.storage.base.Store`) before posting, so Slack's
retries (``X-Slack-Retry-Num``, Socket Mode ``retry_attempt``) and a mention
that also arrives as a ``message`` event are answered once; with a shared
SQL store this holds across replicas.

Acks: ``process_before_response=False``: Bolt acks events before listeners run
and runs listeners in its thread pool; commands and shortcuts call ``ack()``
first thing, so nothing slow is on the ack path.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from slack_bolt import App
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import WebClient

from bot.config import Settings
from bot.slack.deps import BotDeps
from bot.slack.engine import KnowledgeEngine

log = logging.getLogger("bot.slack")

PLUGIN_MODULES: list[str] = ["bot.slack.operations"]  # register(app, deps) after the listeners, when present

WEB_API_TIMEOUT_S = 10
MAX_RETRIES = 2  # per failure kind: 429 (after Retry-After), 5xx, connection errors


class _QuietTokenNotice(logging.Filter):
    """Drops Bolt's notice that ``SLACK_BOT_TOKEN`` from the environment is unused because
    :func:`build_app` passes its own ``client`` (that is intended)."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003
        return not str(record.msg).startswith("As you gave `client` as well")


def build_client(settings: Settings, token: str | None = None) -> WebClient:
    """A ``WebClient`` on ``SLACK_API_URL`` with bounded retries.

    slack_sdk retry handlers (https://tools.slack.dev/python-slack-sdk/web#retryhandler):
    ``RateLimitErrorRetryHandler`` waits ``Retry-After`` seconds on HTTP 429;
    ``ServerErrorRetryHandler`` (500/503) and ``ConnectionErrorRetryHandler`` back off
    exponentially; each at most :data:`MAX_RETRIES` times.
    """
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=MAX_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
            ServerErrorRetryHandler(max_retry_count=MAX_RETRIES),
        ],
    )


def deps_of(app: App) -> BotDeps:
    """The :class:`BotDeps` of an app made by :func:`build_app`."""
    return app._smtpbot_deps  # type: ignore[attr-defined]


def drain(app: App) -> None:
    """Wait for Bolt's listener threads to finish the replies in flight (work done after acks)."""
    runner = getattr(app, "listener_runner", None)
    executor = getattr(runner, "listener_executor", None)
    if executor is not None and hasattr(executor, "shutdown"):
        executor.shutdown(wait=True)


def _register_error_handler(app: App) -> None:
    """Log listener errors (type and Slack error code only) and apologise through the request's
    ``response_url``, but only for a request known to come from Slack (Socket Mode, or a valid
    signature, :func:`bot.slack.verify.is_verified`) and only to an ``https://`` (or, for a local
    fake Slack, ``http://``) URL: a forged body must never make the bot call a URL of its choosing."""
    settings_secret = getattr(app, "_smtpbot_signing_secret", "")

    @app.error
    def on_error(error, body, request):  # noqa: ANN001
        from bot.slack.delivery import slack_error
        from bot.slack.verify import is_verified

        log.error("unhandled listener error: %s: %s", type(error).__name__, slack_error(error))
        response_url = body.get("response_url") if isinstance(body, dict) else None
        if not (isinstance(response_url, str) and response_url.startswith(("https://", "http://"))):
            return
        if not is_verified(request, settings_secret):
            log.warning("no apology sent: the failed request is not verified as coming from Slack")
            return
        if response_url:
            try:
                from slack_sdk.webhook import WebhookClient

                from bot.slack.blocks import apology_message

                WebhookClient(response_url, timeout=5).send_dict(
                    {"response_type": "ephemeral", "replace_original": False, **apology_message().payload()})
            except Exception:  # noqa: BLE001
                log.warning("could not send the apology")


def build_app(settings: Settings, store: Any = None, client: WebClient | None = None, *,
              engine: Any = None, bolt_options: dict | None = None) -> App:
    """Build the Bolt ``App`` with every listener registered.

    ``store``: a :class:`bot.storage.base.Store`; default a fresh
    :class:`bot.storage.memory.MemoryStore` (one process). ``client``: a ``WebClient``;
    default :func:`build_client` (``SLACK_API_URL``, retries). ``engine``: the knowledge
    facade (default :class:`~bot.slack.engine.KnowledgeEngine`). ``bolt_options``: extra
    ``App(...)`` keyword arguments (e.g. ``oauth_settings`` for multi-workspace installs,
    in which case no bot token is used). Calls ``auth.test`` once when a bot token is set
    (Bolt's token verification). Returns the app; its :class:`BotDeps` via :func:`deps_of`.
    """
    if store is None:
        from bot.storage.memory import MemoryStore

        store = MemoryStore()
    options = dict(bolt_options or {})
    if "listener_executor" not in options:  # carries request ids / latency metric into listener threads
        from bot.slack.operations import ListenerExecutor, LISTENER_THREADS

        options["listener_executor"] = ListenerExecutor(max_workers=LISTENER_THREADS,
                                                        thread_name_prefix="bolt-listener")
    oauth = "oauth_settings" in options or "oauth_flow" in options or "authorize" in options \
        or "installation_store" in options
    if client is None:
        client = build_client(settings)
        if oauth:
            client.token = None  # each workspace's token comes from the installation store
    signing = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    bolt_logger = logging.getLogger("slack_bolt")
    if not any(isinstance(f, _QuietTokenNotice) for f in bolt_logger.filters):
        bolt_logger.addFilter(_QuietTokenNotice())
    app = App(
        client=client,
        signing_secret=signing,
        process_before_response=False,
        logger=bolt_logger,
        **options,
    )
    deps = BotDeps(settings=settings, store=store, engine=engine or KnowledgeEngine())
    app._smtpbot_deps = deps  # type: ignore[attr-defined]
    app._smtpbot_signing_secret = signing  # type: ignore[attr-defined]
    from bot.slack.listeners import register_listeners

    register_listeners(app, deps)
    for name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app, deps)
    _register_error_handler(app)
    return app

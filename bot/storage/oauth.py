"""Multi-workspace distribution: Slack's OAuth v2 install flow on the app's database.

When ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set the app serves
``/slack/install`` (the "Add to Slack" page) and ``/slack/oauth_redirect`` (Slack
sends the user back there with a ``code`` that Bolt exchanges at ``oauth.v2.access``).
Installations (workspace ids, bot user id, scopes and the workspace's bot token) are
kept in slack_sdk's ``SQLAlchemyInstallationStore`` tables (``slack_installations``,
``slack_bots``) and the one-time OAuth ``state`` values in ``SQLAlchemyOAuthStateStore``
(``slack_oauth_states``), on the same engine as ``SqlStore``; Bolt then authorizes
each request with that workspace's own token.

When a workspace uninstalls the app (``app_uninstalled``) or revokes its bot token
(``tokens_revoked``), everything stored for it is deleted: installations and the
channel settings (``Store.delete_team``).

Sources: https://api.slack.com/authentication/oauth-v2 ,
https://api.slack.com/events/app_uninstalled , https://api.slack.com/events/tokens_revoked ,
Bolt for Python "OAuth & installation" docs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_URI_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_S = 600
_PG_OAUTH_LOCK = 0x5F7B_0D07

DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "app_mentions:read",
    "channels:history",
    "groups:history",
    "im:history",
    "chat:write",
    "commands",
    "users:read",
)
"""Bot scopes requested at install when the caller passes none (keep equal to manifest.yml)."""


def create_oauth_tables(engine: Engine, *stores: Any) -> None:
    """Create the tables of slack_sdk's SQLAlchemy stores (objects with a ``metadata``
    attribute) if missing; safe when several replicas start at once (PostgreSQL
    advisory lock, and a lost creation race elsewhere is retried)."""
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_OAUTH_LOCK)))
                for store in stores:
                    store.metadata.create_all(conn)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


def build_oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    engine: Engine,
    scopes: Sequence[str] | None = None,
    redirect_uri: str | None = None,
    install_path: str = INSTALL_PATH,
    redirect_uri_path: str = REDIRECT_URI_PATH,
    state_expiration_seconds: int = STATE_EXPIRATION_S,
    **kwargs: Any,
):
    """Build ``slack_bolt.oauth.oauth_settings.OAuthSettings`` for ``App(oauth_settings=...)``.

    ``client_id``/``client_secret``: the app's credentials (Basic Information page);
    ``engine``: the SQLAlchemy engine of ``SqlStore`` (tables are created here);
    ``scopes``: bot scopes (default ``DEFAULT_BOT_SCOPES``); ``redirect_uri``: the full
    public URL of ``redirect_uri_path`` if it must be sent explicitly (else the one
    configured in the app's settings is used). Extra ``kwargs`` go to ``OAuthSettings``.
    Raises ``ValueError`` when the id or secret is empty.
    """
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    if not client_id or not client_secret:
        raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET must both be set for the OAuth install flow")
    installation_store = SQLAlchemyInstallationStore(
        client_id=client_id, engine=engine, logger=logging.getLogger("smtpbot.oauth.installations")
    )
    state_store = SQLAlchemyOAuthStateStore(
        expiration_seconds=state_expiration_seconds, engine=engine, logger=logging.getLogger("smtpbot.oauth.state")
    )
    create_oauth_tables(engine, installation_store, state_store)
    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes or DEFAULT_BOT_SCOPES),
        installation_store=installation_store,
        state_store=state_store,
        install_path=install_path,
        redirect_uri_path=redirect_uri_path,
        redirect_uri=redirect_uri,
        state_expiration_seconds=state_expiration_seconds,
        **kwargs,
    )


def register_uninstall_listeners(app: Any, store: Any, installation_store: Any | None = None) -> None:
    """Register ``app_uninstalled`` and ``tokens_revoked`` listeners on a Bolt ``app``.

    ``app_uninstalled``: deletes every installation of the workspace (if an
    ``installation_store`` is given, i.e. OAuth mode) and ``store.delete_team``.
    ``tokens_revoked``: deletes the installations of each revoked user token; when the
    bot token is among them the workspace can no longer be served, so it is handled
    like an uninstall. Both also work in single-workspace token mode (settings only).
    """

    def _forget(context: Any, reason: str) -> None:
        team_id = context.team_id
        enterprise_id = context.enterprise_id
        if installation_store is not None:
            installation_store.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        if team_id:
            store.delete_team(team_id)
        log.info("deleted stored data of workspace %s (%s)", team_id, reason)

    @app.event("app_uninstalled")
    def _on_app_uninstalled(context: Any) -> None:
        _forget(context, "app_uninstalled")

    @app.event("tokens_revoked")
    def _on_tokens_revoked(event: dict, context: Any) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            _forget(context, "tokens_revoked: bot")
            return
        if installation_store is not None:
            for user_id in tokens.get("oauth") or []:
                installation_store.delete_installation(
                    enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
                )

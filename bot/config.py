"""Settings of the Slack app, read from the environment and from ``.env``.

``load_settings()`` returns a :class:`Settings` or raises :class:`ConfigError`
whose message is ONE line naming the faulty variable, e.g.
``SLACK_BOT_TOKEN: must start with xoxb- (a bot token)``.  ``smtpbot serve``
prints that line and exits with status 2; it never prints a traceback and
never echoes a token's value.

Variables (all documented in ``.env.example``):

========================  ==========================================  ======================
name                      meaning                                     default
========================  ==========================================  ======================
SLACK_BOT_TOKEN           bot token ``xoxb-...`` (single workspace)   required unless OAuth
SLACK_SIGNING_SECRET      verifies HTTP requests (HMAC-SHA256)         required in HTTP mode
SLACK_APP_TOKEN           app-level token ``xapp-...`` (Socket Mode)   unset: HTTP mode
SLACK_API_URL             Web API base URL (proxies, fake Slack)       https://slack.com/api/
PORT                      HTTP-mode listening port                     3000
LOG_LEVEL                 DEBUG / INFO / WARNING / ERROR               INFO
LOG_FORMAT                ``text`` or ``json``                         text
MASK_ADDRESSES            mask recipients (``j***@example.com``)       true
DATABASE_URL              SQLAlchemy URL of the store                  sqlite:///./smtpbot.sqlite3
ADMIN_ONLY_SETTINGS       only admins change channel settings         false
SLACK_CLIENT_ID           OAuth (multi-workspace) client id            unset
SLACK_CLIENT_SECRET       OAuth client secret                          unset
========================  ==========================================  ======================

Token formats: https://api.slack.com/authentication/token-types
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


SUPPORTED_DATABASE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg", "postgres")
"""``DATABASE_URL`` schemes the store can use: SQLite (Python's own driver) and PostgreSQL
through psycopg 3 (``postgres://`` and ``postgresql://`` are mapped to ``postgresql+psycopg://``
by :func:`bot.storage.sql.normalize_database_url`). Other databases have no driver installed."""


class ConfigError(ValueError):
    """A missing or malformed setting; ``str(error)`` is one line naming the variable."""


class Settings(BaseSettings):
    """The app's configuration (environment variables win over ``.env``).

    Tokens are ``SecretStr`` so they never appear in ``repr`` or logs; read them
    with ``.get_secret_value()``.  ``slack_api_url`` always ends with ``/``.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    mask_addresses: bool = True
    database_url: str = "sqlite:///./smtpbot.sqlite3"
    admin_only_settings: bool = False
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret", "slack_client_secret",
                     "slack_client_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb- (a bot token)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp- (an app-level token with connections:write)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _normalise_case(cls, value: object, info) -> object:  # noqa: ANN001
        if isinstance(value, str):
            value = value.strip()
            return value.upper() if info.field_name == "log_level" else value.lower()
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        value = value.strip()
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///./smtpbot.sqlite3")
        scheme = value.split("://", 1)[0].lower()
        if scheme not in SUPPORTED_DATABASE_SCHEMES:
            shown = scheme if scheme.replace("+", "").replace("-", "").replace(".", "").isalnum() else "?"
            raise ValueError(f"unsupported scheme '{shown[:30]}' (supported: sqlite:///path, "
                             "postgresql://... or postgresql+psycopg://...)")
        return value

    # --- derived ---------------------------------------------------------

    @property
    def oauth_enabled(self) -> bool:
        """True when both ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set (multi-workspace)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def socket_mode(self) -> bool:
        """True when ``SLACK_APP_TOKEN`` is set: ``smtpbot serve`` then uses Socket Mode."""
        return self.slack_app_token is not None

    def require(self, *, http: bool) -> None:
        """Check what the chosen mode needs; raise :class:`ConfigError` naming the first gap.

        ``http=True``: HTTP mode (needs ``SLACK_SIGNING_SECRET``); else Socket Mode
        (needs ``SLACK_APP_TOKEN``).  Both need ``SLACK_BOT_TOKEN`` unless OAuth is on.
        """
        if self.slack_client_id and not self.slack_client_secret:
            raise ConfigError("SLACK_CLIENT_SECRET: required when SLACK_CLIENT_ID is set")
        if self.slack_client_secret and not self.slack_client_id:
            raise ConfigError("SLACK_CLIENT_ID: required when SLACK_CLIENT_SECRET is set")
        if self.slack_bot_token is None and not self.oauth_enabled:
            raise ConfigError("SLACK_BOT_TOKEN: required (the bot token, starts with xoxb-)")
        if http and self.slack_signing_secret is None:
            raise ConfigError("SLACK_SIGNING_SECRET: required in HTTP mode (Basic Information > Signing Secret)")
        if not http and self.slack_app_token is None:
            raise ConfigError("SLACK_APP_TOKEN: required in Socket Mode (an app-level token, starts with xapp-)")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``; keyword overrides win.

    Raises :class:`ConfigError` with one line ``NAME: problem`` (the value is never shown).
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err.get("loc") else "settings"
        msg = err.get("msg", "invalid value")
        msg = msg.removeprefix("Value error, ")
        raise ConfigError(f"{name}: {msg}") from None

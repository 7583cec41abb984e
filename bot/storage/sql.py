"""SQL storage through SQLAlchemy 2: a SQLite file by default, PostgreSQL (psycopg 3) in production.

What is stored (and nothing else):

* ``smtpbot_event_claims``: one row per handled Slack event — the claim key
  (``event:<event_id>`` or ``msg:<channel_id>:<ts>``, i.e. Slack ids only) and the
  Unix time it was claimed. Rows older than ``claim_ttl_s`` are pruned.
* ``smtpbot_channel_settings``: per channel — workspace id, channel id, the
  ``auto_annotate`` / ``mask_addresses`` flags, the Slack user id who last changed
  them and when.
* ``smtpbot_schema_version``: the schema version number.

No message text, no e-mail addresses, no tokens (tokens of OAuth installs live in
slack_sdk's own installation tables, see ``bot.storage.oauth``).

Schema: created at startup with ``create_all`` (idempotent) under a lock, and the
version recorded in ``smtpbot_schema_version``. Only version 1 exists, so there is
no migration tool yet; when a version 2 ships it will come with Alembic migrations
that upgrade from version 1 at startup. A database whose version is newer than
this code knows is refused with a clear error instead of being written to.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    String,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from bot.storage.base import ChannelSettings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""Version of the tables defined in this module (see the module docstring)."""

DEFAULT_DATABASE_URL = "sqlite:///smtpbot.db"
"""Used when ``DATABASE_URL`` is unset: a SQLite file in the working directory."""

SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
"""SQLAlchemy driver names the store runs on (after ``postgres(ql)://`` is mapped to psycopg 3)."""

_PG_INIT_LOCK = 0x5F7B_0D06  # arbitrary app-wide key for pg_advisory_xact_lock


class SchemaError(RuntimeError):
    """The database holds a schema this version of smtpbot cannot use."""


class Base(DeclarativeBase):
    """Declarative base of smtpbot's own tables (slack_sdk's OAuth tables are separate)."""


class EventClaim(Base):
    """One handled Slack event. ``key`` is made of Slack ids only; ``claimed_at`` is Unix seconds."""

    __tablename__ = "smtpbot_event_claims"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_at: Mapped[float] = mapped_column(Float, index=True)


class ChannelSettingsRow(Base):
    """Settings of one channel. ``None`` flags mean "app-wide default"."""

    __tablename__ = "smtpbot_channel_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    auto_annotate: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    mask_addresses: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[float] = mapped_column(Float)


class SchemaVersion(Base):
    """Single row: the version of smtpbot's tables in this database."""

    __tablename__ = "smtpbot_schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


def normalize_database_url(url: str | None) -> str:
    """Map a user-supplied ``DATABASE_URL`` to a SQLAlchemy URL.

    ``None``/empty -> ``sqlite:///smtpbot.db``; ``postgres://`` and ``postgresql://``
    (Heroku/libpq style) -> ``postgresql+psycopg://`` so psycopg 3 is used.
    Raises ``ValueError`` with a clear message for an unparsable URL (the message
    never contains the password).
    """
    url = (url or "").strip() or DEFAULT_DATABASE_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
            break
    try:
        parsed = make_url(url)
    except Exception:
        raise ValueError("DATABASE_URL is not a valid database URL (expected sqlite:///path or postgresql://...)") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        name = parsed.drivername if parsed.drivername.replace("+", "").replace("_", "").isalnum() else "?"
        raise ValueError(f"DATABASE_URL: unsupported database '{name[:30]}' (supported: sqlite:///path, "
                         "postgresql://... or postgresql+psycopg://...)")
    return url


def make_engine(database_url: str | None = None, **kwargs: Any) -> Engine:
    """Create a thread-safe SQLAlchemy ``Engine`` for ``database_url``.

    SQLite: ``check_same_thread=False``, WAL journal, 5 s busy timeout; the file's
    directory must exist (``ValueError`` naming DATABASE_URL otherwise: no directory is
    ever created from a URL); ``sqlite://`` (memory) uses one shared
    connection. PostgreSQL: ``pool_pre_ping`` so a restarted server is survived, 5 s connect timeout.
    Extra ``kwargs`` go to ``sqlalchemy.create_engine``.
    """
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": 5.0}
        db = url.database or ""
        in_memory = db in ("", ":memory:") or db.startswith("file::memory:")
        if in_memory:
            kwargs.setdefault("poolclass", StaticPool)
        else:
            parent = Path(db).expanduser().resolve().parent
            if not parent.is_dir():
                raise ValueError(f"DATABASE_URL: directory {parent} does not exist "
                                 "(create it, or point the SQLite file elsewhere)")
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            try:
                if not in_memory:
                    cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=5000")
                cur.execute("PRAGMA synchronous=NORMAL")
            finally:
                cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        kwargs.setdefault("connect_args", {"connect_timeout": 5})  # an unreachable server fails fast
    return create_engine(url, **kwargs)


def _insert_ignore(engine: Engine):
    """The dialect's ``INSERT ... ON CONFLICT DO NOTHING`` construct, or ``None``."""
    name = engine.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return None
    return insert


def create_schema(engine: Engine) -> None:
    """Create smtpbot's tables if missing and check/record the schema version.

    Safe when several replicas start at once: on PostgreSQL it runs under a
    transaction-scoped advisory lock; elsewhere a lost creation race is retried.
    Raises ``SchemaError`` when the database is from a newer smtpbot.
    """
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_INIT_LOCK)))
                Base.metadata.create_all(conn)
                row = conn.execute(select(SchemaVersion.version).where(SchemaVersion.id == 1)).scalar_one_or_none()
                if row is None:
                    conn.execute(SchemaVersion.__table__.insert().values(id=1, version=SCHEMA_VERSION))
                elif row > SCHEMA_VERSION:
                    raise SchemaError(
                        f"database schema version {row} is newer than this smtpbot supports "
                        f"({SCHEMA_VERSION}); upgrade smtpbot or point DATABASE_URL elsewhere"
                    )
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


class SqlStore:
    """``Store`` on a SQL database shared by every replica (see the module docstring).

    ``database_url``: SQLAlchemy URL (``None`` -> SQLite file ``smtpbot.db``);
    ``claim_ttl_s``: claims older than this many seconds are pruned (default 1 day,
    far longer than Slack's retry window of a few minutes);
    ``prune_every_s``: prune at most this often per process.
    ``engine``: use an existing engine instead (e.g. one shared with the OAuth stores).
    Raises ``SchemaError`` / ``sqlalchemy.exc.SQLAlchemyError`` when the database is
    unusable at startup. Thread-safe; ``claim`` is atomic across processes because it
    is a single ``INSERT`` on the primary key.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        claim_ttl_s: float = 86_400.0,
        prune_every_s: float = 300.0,
        engine: Engine | None = None,
    ) -> None:
        self.engine = engine if engine is not None else make_engine(database_url)
        self._ttl = claim_ttl_s
        self._prune_every = prune_every_s
        self._last_prune = 0.0
        self._prune_lock = threading.Lock()
        self._insert = _insert_ignore(self.engine)
        create_schema(self.engine)

    # -- claims -------------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """Atomically claim ``key`` (Slack ids only, at most 255 chars).

        Returns True for the first caller across all processes sharing the
        database, False for every later one (until the claim is pruned).
        Raises ``ValueError`` for an empty or over-long key and
        ``sqlalchemy.exc.SQLAlchemyError`` if the database is unreachable.
        """
        return self.claim_all(key)

    def claim_all(self, *keys: str) -> bool:
        """Claim every key in one transaction: True (all recorded) only when none was
        claimed before, else False and nothing is recorded.

        This is what makes an event answered once when it is known under several keys
        (``event:<event_id>`` and ``msg:<channel>:<ts>``) and two replicas race on it:
        claiming the keys one by one could let each replica win one key and both give
        up. Keys are inserted in sorted order, so overlapping claims never deadlock
        (PostgreSQL makes the second inserter of a key wait for the first to finish).
        Raises like :meth:`claim`.
        """
        unique = sorted(set(keys))
        if not unique or any(not k or len(k) > 255 for k in unique):
            raise ValueError("claim keys must be 1..255 characters")
        now = time.time()
        self._maybe_prune(now)
        with self.engine.connect() as conn, conn.begin() as trans:
            for key in unique:
                if not self._claim_one(conn, key, now):
                    trans.rollback()
                    return False
        return True

    def _claim_one(self, conn, key: str, now: float) -> bool:
        """Insert the claim ``key`` inside the open transaction of ``conn``: True if this
        INSERT won it, False if the key was already claimed."""
        table = EventClaim.__table__
        if self._insert is not None:
            stmt = (
                self._insert(table)
                .values(key=key, claimed_at=now)
                .on_conflict_do_nothing()
                .returning(table.c.key)  # a row comes back only if this INSERT won
            )
            return conn.execute(stmt).first() is not None
        try:
            with conn.begin_nested():
                conn.execute(table.insert().values(key=key, claimed_at=now))
        except IntegrityError:
            return False
        return True

    def prune(self, now: float | None = None) -> int:
        """Delete claims older than the TTL; return how many rows were removed."""
        cutoff = (time.time() if now is None else now) - self._ttl
        with self.engine.begin() as conn:
            return conn.execute(delete(EventClaim).where(EventClaim.claimed_at < cutoff)).rowcount or 0

    def _maybe_prune(self, now: float) -> None:
        if now - self._last_prune < self._prune_every or not self._prune_lock.acquire(blocking=False):
            return
        try:
            self._last_prune = now
            self.prune(now)
        except SQLAlchemyError as exc:  # pruning is housekeeping: never fail a claim for it
            log.warning("claim pruning failed: %s", type(exc).__name__)
        finally:
            self._prune_lock.release()

    # -- channel settings ------------------------------------------------------------
    def get_channel_settings(self, team_id: str, channel_id: str) -> ChannelSettings:
        """Settings of ``channel_id`` in workspace ``team_id``; all-``None`` if none stored."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ChannelSettingsRow.auto_annotate, ChannelSettingsRow.mask_addresses).where(
                    ChannelSettingsRow.team_id == team_id, ChannelSettingsRow.channel_id == channel_id
                )
            ).first()
        if row is None:
            return ChannelSettings()
        return ChannelSettings(auto_annotate=row.auto_annotate, mask_addresses=row.mask_addresses)

    def set_channel_settings(
        self, team_id: str, channel_id: str, settings: ChannelSettings, *, user_id: str | None = None
    ) -> None:
        """Replace the settings of a channel (an upsert). ``user_id``: Slack id of who changed them."""
        values = {
            "team_id": team_id,
            "channel_id": channel_id,
            "auto_annotate": settings.auto_annotate,
            "mask_addresses": settings.mask_addresses,
            "updated_by": user_id,
            "updated_at": time.time(),
        }
        table = ChannelSettingsRow.__table__
        with self.engine.begin() as conn:
            if self._insert is not None:
                stmt = self._insert(table).values(**values)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[table.c.team_id, table.c.channel_id],
                    set_={k: stmt.excluded[k] for k in ("auto_annotate", "mask_addresses", "updated_by", "updated_at")},
                )
                conn.execute(stmt)
            else:
                conn.execute(
                    delete(table).where(table.c.team_id == team_id, table.c.channel_id == channel_id)
                )
                conn.execute(table.insert().values(**values))

    def delete_team(self, team_id: str) -> None:
        """Forget every channel setting of workspace ``team_id`` (uninstall, tokens revoked)."""
        with self.engine.begin() as conn:
            conn.execute(delete(ChannelSettingsRow).where(ChannelSettingsRow.team_id == team_id))

    # -- health -------------------------------------------------------------------------
    def ping(self) -> bool:
        """True when the database answers ``SELECT 1`` (for ``/healthz``); never raises."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health check reports, never raises
            return False

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

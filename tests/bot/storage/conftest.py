"""Database fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL runs when ``TEST_DATABASE_URL`` is set (``.ci/run`` starts a local server
and sets it); otherwise those cases skip with the reason. Each PostgreSQL test gets
its own schema (``search_path``), so concurrent test runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

PG_SKIP_REASON = (
    "PostgreSQL not configured: set TEST_DATABASE_URL=postgresql+psycopg://user:pass@host/db "
    "(.ci/run installs and starts a local server and sets it)"
)


def _pg_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema (dropped afterwards)."""
    base = _pg_base_url()
    if base is None:
        pytest.skip(PG_SKIP_REASON)
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of a fresh SQLite file in a temporary directory."""
    return f"sqlite:///{tmp_path / 'smtpbot.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """A fresh database URL, once per backend."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")

"""SqlStore on SQLite and PostgreSQL: exactly-once claims, settings, deletion, pruning, schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text, update

from bot.storage.base import ChannelSettings
from bot.storage.sql import SCHEMA_VERSION, SchemaError, SchemaVersion, SqlStore, normalize_database_url

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def store(db_url):
    s = SqlStore(db_url)
    yield s
    s.close()


def test_claim_first_caller_only(store):
    assert store.claim("event:Ev01ABC") is True
    assert store.claim("event:Ev01ABC") is False
    assert store.claim("msg:C0123:1700000000.000100") is True
    assert store.claim("msg:C0123:1700000000.000100") is False
    assert store.claim("event:Ev01ABD") is True


def test_claim_rejects_bad_keys(store):
    with pytest.raises(ValueError):
        store.claim("")
    with pytest.raises(ValueError):
        store.claim("k" * 256)
    assert store.claim("k" * 255) is True


def test_claim_exactly_once_across_threads(store):
    keys = [f"event:Ev{i:04d}" for i in range(40)]
    n_threads = 8
    wins: list[list[str]] = [[] for _ in range(n_threads)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            for key in keys:
                if store.claim(key):
                    wins[i].append(key)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    all_wins = [k for w in wins for k in w]
    assert sorted(all_wins) == sorted(keys)  # each key won exactly once


_CHILD = r"""
import json, sys, time
from bot.storage.sql import SqlStore
url, start_at, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
while time.time() < start_at:
    time.sleep(0.001)
store = SqlStore(url)          # both processes also race to create the schema
won = [i for i in range(n) if store.claim(f"event:Ev{i:05d}")]
print(json.dumps(won))
"""


def test_claim_exactly_once_across_two_processes(db_url):
    n = 150
    start_at = time.time() + 2.0
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, db_url, str(start_at), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    a, b = (set(r) for r in results)
    assert a.isdisjoint(b)
    assert a | b == set(range(n))


_CHILD_PAIRS = r"""
import json, sys, time
from bot.storage.sql import SqlStore
url, start_at, n, flip = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
store = SqlStore(url)
while time.time() < start_at:
    time.sleep(0.001)
won = []
for i in range(n):
    keys = [f"event:Ev{i:05d}", f"msg:C1:1700000000.{i:06d}"]
    if store.claim_all(*(keys[::-1] if flip else keys)):
        won.append(i)
print(json.dumps(won))
"""


def test_claim_all_exactly_once_across_two_processes(db_url):
    """Two replicas race on events known under two keys: exactly one wins each, none is lost."""
    SqlStore(db_url).close()
    n = 150
    start_at = time.time() + 2.0
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen([sys.executable, "-c", _CHILD_PAIRS, db_url, str(start_at), str(n), flip],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        for flip in ("0", "1")
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(set(json.loads(out)))
    assert results[0].isdisjoint(results[1])
    assert results[0] | results[1] == set(range(n))


def test_claim_all_is_all_or_nothing(store):
    # a mention: its event id and the message
    assert store.claim_all("event:EvMENTION", "msg:C1:1700000000.000100") is True
    # the same message as a ``message`` event: refused, and its event key is not recorded
    assert store.claim_all("event:EvMESSAGE", "msg:C1:1700000000.000100") is False
    assert store.claim("event:EvMESSAGE") is True
    # a retry of the mention: refused
    assert store.claim_all("event:EvMENTION", "msg:C1:1700000000.000100") is False
    with pytest.raises(ValueError):
        store.claim_all()
    with pytest.raises(ValueError):
        store.claim_all("event:ok", "")


def test_settings_default_set_and_survive_new_store(db_url):
    first = SqlStore(db_url)
    assert first.get_channel_settings("T1", "C1") == ChannelSettings(None, None)
    first.set_channel_settings("T1", "C1", ChannelSettings(auto_annotate=False, mask_addresses=True))
    first.set_channel_settings("T1", "C2", ChannelSettings(auto_annotate=True, mask_addresses=None), user_id="U9")
    # replace: a later write wins, None resets to default
    first.set_channel_settings("T1", "C1", ChannelSettings(auto_annotate=False, mask_addresses=False), user_id="U7")
    first.close()

    second = SqlStore(db_url)  # a restart / another replica
    assert second.get_channel_settings("T1", "C1") == ChannelSettings(auto_annotate=False, mask_addresses=False)
    assert second.get_channel_settings("T1", "C2") == ChannelSettings(auto_annotate=True, mask_addresses=None)
    assert second.get_channel_settings("T2", "C1") == ChannelSettings(None, None)
    second.close()


def test_delete_team_only_that_team(store):
    store.set_channel_settings("T1", "C1", ChannelSettings(False, False))
    store.set_channel_settings("T1", "C2", ChannelSettings(True, False))
    store.set_channel_settings("T2", "C1", ChannelSettings(False, True))
    store.delete_team("T1")
    assert store.get_channel_settings("T1", "C1") == ChannelSettings()
    assert store.get_channel_settings("T1", "C2") == ChannelSettings()
    assert store.get_channel_settings("T2", "C1") == ChannelSettings(False, True)


def test_prune_removes_only_old_claims(store):
    assert store.claim("event:old")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE smtpbot_event_claims SET claimed_at = :t WHERE key = 'event:old'"), {"t": 1000.0})
    assert store.claim("event:new")
    assert store.prune() == 1
    assert store.claim("event:old") is True  # pruned, so claimable again
    assert store.claim("event:new") is False


def test_claims_pruned_automatically(db_url):
    store = SqlStore(db_url, claim_ttl_s=0.2, prune_every_s=0.0)
    assert store.claim("event:a")
    time.sleep(0.3)
    assert store.claim("event:b")  # this claim prunes event:a first
    with store.engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM smtpbot_event_claims ORDER BY key")).scalars().all()
    assert keys == ["event:b"]
    store.close()


def test_only_ids_and_settings_are_stored(store):
    store.claim("event:Ev0A1B2C3D")
    store.claim("msg:C0A1B2C3D:1700000000.000200")
    store.set_channel_settings("T0A1B2C3D", "C0A1B2C3D", ChannelSettings(True, False), user_id="U0A1B2C3D")
    insp = inspect(store.engine)
    tables = {t: [c["name"] for c in insp.get_columns(t)] for t in insp.get_table_names()}
    assert tables == {
        "smtpbot_event_claims": ["key", "claimed_at"],
        "smtpbot_channel_settings": [
            "team_id", "channel_id", "auto_annotate", "mask_addresses", "updated_by", "updated_at"
        ],
        "smtpbot_schema_version": ["id", "version"],
    }
    with store.engine.connect() as conn:
        rows = {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))] for t in tables}
    assert sorted(k for k, _ in rows["smtpbot_event_claims"]) == [
        "event:Ev0A1B2C3D", "msg:C0A1B2C3D:1700000000.000200"
    ]
    (row,) = rows["smtpbot_channel_settings"]
    assert row[:5] == ("T0A1B2C3D", "C0A1B2C3D", True, False, "U0A1B2C3D")
    assert rows["smtpbot_schema_version"] == [(1, SCHEMA_VERSION)]


def test_schema_created_once_and_newer_schema_refused(db_url):
    SqlStore(db_url).close()
    s = SqlStore(db_url)  # second start: idempotent
    with s.engine.connect() as conn:
        assert conn.execute(select(SchemaVersion.version)).scalars().all() == [SCHEMA_VERSION]
    with s.engine.begin() as conn:
        conn.execute(update(SchemaVersion).values(version=SCHEMA_VERSION + 1))
    s.close()
    with pytest.raises(SchemaError, match=f"schema version {SCHEMA_VERSION + 1} is newer"):
        SqlStore(db_url)


def test_ping(store):
    assert store.ping() is True


def test_ping_false_when_unreachable(tmp_path):
    s = SqlStore(f"sqlite:///{tmp_path / 'x.db'}")
    s.engine.dispose()
    (tmp_path / "x.db").unlink()
    (tmp_path / "x.db").mkdir()  # a directory where the file was: cannot be opened
    assert s.ping() is False


def test_sqlite_missing_directory_is_refused_not_created(tmp_path):
    path = tmp_path / "data" / "nested" / "bot.db"
    with pytest.raises(ValueError) as err:
        SqlStore(f"sqlite:///{path}")
    assert str(err.value) == (f"DATABASE_URL: directory {path.parent} does not exist "
                              "(create it, or point the SQLite file elsewhere)")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("url", ["mysql://u:secretpw@h/db", "mysql+pymysql://h/db", "oracle://h/db",
                                 "postgresql+asyncpg://u:secretpw@h/db", "mssql+pyodbc://h/db"])
def test_unsupported_database_is_a_clear_value_error(url):
    with pytest.raises(ValueError) as err:
        normalize_database_url(url)
    message = str(err.value)
    assert message.startswith("DATABASE_URL: unsupported database '")
    assert "sqlite:///path" in message and "postgresql+psycopg://" in message and "secretpw" not in message


def test_sqlite_file_created_in_existing_dir_with_wal(tmp_path):
    path = tmp_path / "data" / "bot.db"
    path.parent.mkdir()
    s = SqlStore(f"sqlite:///{path}")
    assert path.exists()
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    s.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite:///smtpbot.db"),
        ("  ", "sqlite:///smtpbot.db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h:5433/db", "postgresql+psycopg://u:p@h:5433/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:////data/smtpbot.db", "sqlite:////data/smtpbot.db"),
    ],
)
def test_normalize_database_url(given, expected):
    assert normalize_database_url(given) == expected


def test_bad_database_url_message_has_no_password():
    with pytest.raises(ValueError) as err:
        normalize_database_url("not a url with secretpw")
    assert "DATABASE_URL" in str(err.value)
    assert "secretpw" not in str(err.value)


def test_memory_store_claim_all_is_all_or_nothing():
    from bot.storage.memory import MemoryStore

    m = MemoryStore()
    assert m.claim_all("event:E1", "msg:C1:1.1") is True
    assert m.claim_all("event:E2", "msg:C1:1.1") is False
    assert m.claim("event:E2") is True
    assert m.claim("msg:C1:1.1") is False

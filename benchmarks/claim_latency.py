"""Latency of SqlStore.claim (the exactly-once check every Slack event pays) on SQLite and PostgreSQL.

Usage: python3 benchmarks/claim_latency.py [--n 1000] [--pg URL]
PostgreSQL runs when --pg or TEST_DATABASE_URL is given (a throw-away schema is used).
Prints p50/p99/max in milliseconds for new claims and duplicate claims, and the
throughput of 4 threads claiming concurrently.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.storage.sql import SqlStore  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(name: str, url: str, n: int) -> None:
    store = SqlStore(url)
    run = uuid.uuid4().hex[:8]
    fresh, dup = [], []
    for i in range(n):
        key = f"event:Ev{run}{i:06d}"
        t0 = time.perf_counter()
        assert store.claim(key)
        fresh.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        assert not store.claim(key)
        dup.append((time.perf_counter() - t0) * 1000)
    # concurrency: 4 threads race on the same keys
    keys = [f"event:Race{run}{i:05d}" for i in range(n // 2)]
    wins = [0] * 4
    barrier = threading.Barrier(4)

    def worker(j: int) -> None:
        barrier.wait()
        for k in keys:
            wins[j] += store.claim(k)

    threads = [threading.Thread(target=worker, args=(j,)) for j in range(4)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for label, vals in (("new claim", fresh), ("duplicate", dup)):
        print(f"{name:10s} {label:10s} n={n} p50={statistics.median(vals):.2f} ms "
              f"p99={pct(vals, 99):.2f} ms max={max(vals):.2f} ms")
    print(f"{name:10s} 4 threads racing on {len(keys)} keys: {4 * len(keys) / elapsed:.0f} claims/s, "
          f"winners={sum(wins)} (must equal {len(keys)})")
    store.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", f"sqlite:///{tmp}/bench.db", args.n)
    if args.pg:
        from sqlalchemy import create_engine, text

        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = create_engine(args.pg)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in args.pg else "?"
            measure("postgresql", f"{args.pg}{sep}options={quote('-csearch_path=' + schema)}", args.n)
        finally:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    else:
        print("postgresql skipped: no --pg / TEST_DATABASE_URL")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

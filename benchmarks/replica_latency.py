"""Two ``smtpbot serve --http`` replicas on one database, every event delivered to both at once.

Usage: python3 benchmarks/replica_latency.py [--n 50] [--db sqlite|postgresql]
(postgresql needs TEST_DATABASE_URL; a throw-away schema is used).

Reports the number of replies (must equal N: each event answered exactly once), and from the
replicas' JSON logs the handling time of the winning delivery (request received -> reply
posted, ``handled mention in X ms``) and of the losing one (claim refused), p50/p99 in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bot.slack.fake_slack import FakeSlack  # noqa: E402
from tests.bot.storage.test_deploy import Replica, _event_body, _send_to_all_at_once  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    admin = schema = None
    if args.db == "postgresql":
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            print("postgresql: TEST_DATABASE_URL not set")
            return 2
        from sqlalchemy import create_engine, text

        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = create_engine(base)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options={quote('-csearch_path=' + schema)}"
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
    fake = FakeSlack().start()
    reps = [Replica(fake, url, tmp) for _ in range(2)]
    try:
        for r in reps:
            r.wait_ready()
        for i in range(args.n):
            body = _event_body(f"C0BENCH{i:04d}", f"1800000500.{i:06d}", f"Ev0BENCH{i:05d}", "what is 421?")
            _send_to_all_at_once([r.url for r in reps], body)
            fake.wait("chat.postMessage", channel=f"C0BENCH{i:04d}", timeout=15)
        time.sleep(1.0)
        posts = len(fake.find("chat.postMessage"))
    finally:
        for r in reps:
            r.stop()
        fake.stop()
        if admin is not None:
            from sqlalchemy import text

            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    handled = []
    for r in reps:
        for line in r.log().splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("msg", "").startswith("handled mention in "):
                    handled.append(float(entry["msg"].split()[-2]))
    print(f"{args.db}: {args.n} events x 2 replicas -> {posts} replies (must be {args.n}); "
          f"handled p50={pct(handled, 50):.0f} ms p99={pct(handled, 99):.0f} ms max={max(handled):.0f} ms "
          f"over {len(handled)} deliveries")
    return 0 if posts == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())

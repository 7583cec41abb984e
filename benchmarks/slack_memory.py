"""Resident memory of the HTTP-mode server (``smtpbot serve --http``) after real work.

Usage: python3 benchmarks/slack_memory.py [--n 200]

Starts the server as a child process against the fake Slack Web API (see
``slack_latency.py``), sends N signed requests of every kind (``/smtp`` with one and
several codes, a pasted bounce, mentions, a DM, channel chatter, App Home), then reads
``VmRSS`` (current) and ``VmHWM`` (peak) from ``/proc/<pid>/status`` (Linux).

Target (issue 3): resident memory under 120 MB. Exit status 1 if missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.slack_latency import ServerProcess, command_form  # noqa: E402
from tests.slack import signing  # noqa: E402
from tests.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack  # noqa: E402

TARGET_MB = 120.0
BOUNCE = ("&lt;<mailto:user{i}@example.com|user{i}@example.com>&gt;: host mx.example.net[192.0.2.10] said: "
          "550 5.1.1 User unknown (in reply to RCPT TO command)")


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def event(url: str, ev: dict, event_id: str) -> None:
    payload = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": "A0000001", "event": ev,
               "event_id": event_id, "event_time": int(time.time())}
    status, _ = signing.post_event(url, payload)
    assert status == 200, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    fake = FakeSlack().start()
    server = ServerProcess(fake)
    try:
        url = server.url + "/slack/events"
        idle = rss_mb(server.pid)
        texts = ["550 5.7.26", "252 502", "421 450 451 452", "gmail 5.7.26", BOUNCE.format(i=0)]
        for i in range(args.n):
            kind = i % 8
            ts = f"{int(time.time())}.{i:06d}"
            if kind < 5:
                signing.post_command(url, command_form(fake, texts[kind], f"CMEM{i:05d}"))
            elif kind == 5:
                event(url, {"type": "app_mention", "channel": f"CMEM{i:05d}", "user": "U0MEM001", "ts": ts,
                            "text": f"<@{BOT_USER_ID}> 421 vs 450"}, f"EvMEM{i}")
            elif kind == 6:
                event(url, {"type": "message", "channel": f"CMEM{i:05d}", "channel_type": "channel",
                            "user": "U0MEM001", "ts": ts, "text": BOUNCE.format(i=i)}, f"EvMEM{i}")
            else:
                event(url, {"type": "app_home_opened", "user": f"U0MEM{i:04d}", "tab": "home",
                            "channel": "D0MEM001", "event_ts": ts}, f"EvMEM{i}")
        fake.wait("chat.postMessage", count=int(args.n * 0.7), timeout=60)
        time.sleep(0.5)
        rss, peak = rss_mb(server.pid)
    finally:
        server.stop()
        fake.stop()
    print(f"HTTP-mode server (smtpbot serve --http), {args.n} mixed requests")
    print(f"  RSS idle after start {idle[0]:6.1f} MiB")
    print(f"  RSS after load       {rss:6.1f} MiB   peak (VmHWM) {peak:6.1f} MiB   target < {TARGET_MB:.0f} MB")
    ok = peak < TARGET_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Latency of ``/smtp 550 5.7.26`` through the HTTP-mode server, on loopback, against a fake Slack.

Usage: python3 benchmarks/slack_latency.py [--n 100] [--text "550 5.7.26"] [--in-process]

Starts ``smtpbot serve --http`` as a child process (its own interpreter, as in production;
``--in-process`` runs uvicorn in a thread here instead) with ``SLACK_API_URL`` pointing to
the fake Slack Web API of ``tests/bot/slack/fake_slack.py``, then sends N signed slash commands
one after the other and measures, per request:

* ack: from sending the HTTP request to receiving Slack's expected empty 200;
* reply posted: from sending the request to the fake receiving the ``chat.postMessage``.

Targets (issue 3): ack p99 < 100 ms, reply posted p99 < 300 ms. Exit status 1 if missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bot.slack import signing  # noqa: E402
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack  # noqa: E402
from tests.bot.slack.harness import ServerProcess  # noqa: E402

ACK_P99_MS = 100.0
REPLY_P99_MS = 300.0


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))]


def command_form(fake: FakeSlack, text: str, channel: str) -> dict:
    return {"token": "x", "team_id": TEAM_ID, "team_domain": "example", "channel_id": channel,
            "channel_name": "general", "user_id": "U0BENCH01", "user_name": "bench", "command": "/smtp",
            "text": text, "api_app_id": "A0000001", "response_url": fake.response_url(channel),
            "trigger_id": "1.2.3"}


def measure(events_url: str, fake: FakeSlack, text: str, n: int) -> tuple[list[float], list[float]]:
    """Send ``n`` sequential ``/smtp text`` commands; return (ack ms, reply-posted ms) lists."""
    acks, replies = [], []
    for i in range(n):
        channel = f"CBENCH{i:05d}"
        t0 = time.monotonic()
        status, body = signing.post_command(events_url, command_form(fake, text, channel))
        t_ack = time.monotonic()
        if status != 200:
            raise RuntimeError(f"request {i}: HTTP {status} {body[:200]}")
        call = fake.wait("chat.postMessage", channel=channel, timeout=10)[0]
        acks.append((t_ack - t0) * 1000)
        replies.append((call.at - t0) * 1000)
    return acks, replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--text", default="550 5.7.26")
    parser.add_argument("--in-process", action="store_true", help="run the server in a thread of this process")
    args = parser.parse_args()

    fake = FakeSlack().start()
    harness = server = None
    try:
        if args.in_process:
            from tests.bot.slack.harness import SlackHarness

            fake.stop()
            harness = SlackHarness().start()
            fake, events_url = harness.fake, harness.events_url
        else:
            server = ServerProcess(fake)
            events_url = server.url + "/slack/events"
        measure(events_url, fake, args.text, 5)  # warm-up (first request loads the knowledge base)
        acks, replies = measure(events_url, fake, args.text, args.n)
    finally:
        if server:
            server.stop()
        if harness:
            harness.stop()
        else:
            fake.stop()

    mode = "in-process" if args.in_process else "child process"
    print(f"/smtp {args.text}: {args.n} sequential requests, HTTP mode ({mode}), loopback, fake Slack API")
    for name, values, target in (("ack", acks, ACK_P99_MS), ("reply posted", replies, REPLY_P99_MS)):
        print(f"  {name:13s} p50 {pct(values, 50):7.1f} ms   p99 {pct(values, 99):7.1f} ms   "
              f"max {max(values):7.1f} ms   target p99 < {target:.0f} ms")
    ok = pct(acks, 99) < ACK_P99_MS and pct(replies, 99) < REPLY_P99_MS
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Resident memory of the HTTP-mode server (``smtpbot serve --http``) after real work.

Usage: python3 benchmarks/slack_memory.py [--n 200] [--file-mentions 10] [--files-per-mention 3]

Two scenarios, each in a fresh server process (``smtpbot serve --http``) started as a child
against the fake Slack Web API (see ``slack_latency.py``); after each, ``VmRSS`` (current) and
``VmHWM`` (peak) are read from ``/proc/<pid>/status`` (Linux):

* mixed: N signed requests of every kind (``/smtp`` with one and several codes, a pasted
  bounce, mentions, a DM, channel chatter, App Home);
* files: ``--file-mentions`` mentions sent back to back, each with ``--files-per-mention``
  text files of 1 MiB (the per-file read cap) of realistic Postfix log lines with failures
  (the worst case the app accepts: 3 files read per message, 1 MiB each).

Target (issue 3, QA report 2 finding 12): peak resident memory under 120 MB in both.
Exit status 1 if missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.slack_latency import ServerProcess, command_form  # noqa: E402
from tests.bot.slack import signing  # noqa: E402
from tests.bot.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack  # noqa: E402

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


MIB = 1024 * 1024


def log_file(seed: int, size: int = MIB) -> bytes:
    """``size`` bytes of Postfix log lines: mostly deliveries and queue lines, one bounce in 20
    (recipients differ per line, so findings are many and their wordings differ)."""
    lines = []
    total = 0
    i = 0
    while total < size:
        qid = f"{seed:02X}{i:08X}"
        if i % 20 == 0:
            line = (f"Jan  3 10:{i // 60 % 60:02d}:{i % 60:02d} mx1 postfix/smtp[{1000 + i % 900}]: {qid}: "
                    f"to=<user{i}@example.com>, relay=mx.example.net[192.0.2.10]:25, delay=1.2, "
                    f"dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.10] said: 550 5.1.1 "
                    f"<user{i}@example.com>: Recipient address rejected: User unknown "
                    f"(in reply to RCPT TO command))")
        else:
            line = (f"Jan  3 10:{i // 60 % 60:02d}:{i % 60:02d} mx1 postfix/qmgr[{100 + i % 50}]: {qid}: "
                    f"from=<sender{i % 97}@example.org>, size={1000 + i % 5000}, nrcpt=1 (queue active)")
        lines.append(line)
        total += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()[:size]


def mixed(args) -> tuple[tuple[float, float], float, float]:
    """The mixed scenario: (idle RSS/peak, RSS after, peak after) in MiB."""
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
    return idle, rss, peak


def with_files(args) -> tuple[tuple[float, float], float, float, float]:
    """The files scenario: (idle RSS/peak, RSS after, peak after, seconds until all answered)."""
    fake = FakeSlack().start()
    server = ServerProcess(fake)
    try:
        url = server.url + "/slack/events"
        idle = rss_mb(server.pid)
        objs = []
        for m in range(args.file_mentions):
            objs.append([fake.add_file(f"FMEM{m:03d}{k}", log_file(m * 10 + k), name=f"mail{m}-{k}.log",
                                       mimetype="text/plain", filetype="text")
                         for k in range(args.files_per_mention)])
        t0 = time.monotonic()
        for m in range(args.file_mentions):
            ts = f"{int(time.time())}.{m:06d}"
            event(url, {"type": "app_mention", "channel": f"CFILE{m:04d}", "user": "U0MEM001", "ts": ts,
                        "text": f"<@{BOT_USER_ID}> what failed here?", "files": objs[m]}, f"EvFILE{m}")
        fake.wait("chat.postMessage", count=args.file_mentions, timeout=300)
        took = time.monotonic() - t0
        time.sleep(0.5)
        rss, peak = rss_mb(server.pid)
    finally:
        server.stop()
        fake.stop()
    return idle, rss, peak, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--file-mentions", type=int, default=10)
    parser.add_argument("--files-per-mention", type=int, default=3)
    args = parser.parse_args()
    idle, rss, peak = mixed(args)
    print(f"HTTP-mode server (smtpbot serve --http), {args.n} mixed requests")
    print(f"  RSS idle after start {idle[0]:6.1f} MiB")
    print(f"  RSS after load       {rss:6.1f} MiB   peak (VmHWM) {peak:6.1f} MiB   target < {TARGET_MB:.0f} MB")
    fidle, frss, fpeak, took = with_files(args)
    print(f"HTTP-mode server, {args.file_mentions} mentions back to back, each with "
          f"{args.files_per_mention} files of 1 MiB (all answered in {took:.1f} s)")
    print(f"  RSS idle after start {fidle[0]:6.1f} MiB")
    print(f"  RSS after load       {frss:6.1f} MiB   peak (VmHWM) {fpeak:6.1f} MiB   target < {TARGET_MB:.0f} MB")
    ok = peak < TARGET_MB and fpeak < TARGET_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

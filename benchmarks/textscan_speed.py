#!/usr/bin/env python3
"""Speed of the free-text scanner (knowledge.textscan) on realistic and adversarial input.

Prints, per input kind, the size and the seconds taken by failures_from_text
and by has_smtp_evidence (the check the Slack app runs on every channel
message), plus the per-message cost of has_smtp_evidence on short chatter.
Target (issue 4, section 6): under 1 s per MB, no catastrophic backtracking.
Usage: python3 benchmarks/textscan_speed.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.textscan import failures_from_text, has_smtp_evidence  # noqa: E402

MB = 1_000_000
LOG = ("Nov 12 10:00:01 mx1 postfix/smtp[12345]: 3F2A1C0B1D: to=<alice@example.com>, "
       "relay=mx.example.net[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced "
       "(host mx.example.net[192.0.2.10] said: 550 5.1.1 <alice@example.com>: Recipient address rejected: "
       "User unknown (in reply to RCPT TO command))\n")
INPUTS = {
    "postfix log, 1 MB": (LOG * (MB // len(LOG) + 1))[:MB],
    "prose with numbers, 1 MB": ("deploy 250 took 421 ms, HTTP 502, port 587; " * (MB // 44 + 1))[:MB],
    "codes only, 1 MB": ("550 5.7.1 said: x\n" * (MB // 18 + 1))[:MB],
    "one long reply line, 1 MB": ("550-5.7.1 " * (MB // 10 + 1))[:MB],
    "digits, 1 MB": "5" * MB,
    "CJK glued codes, 1 MB": ("邮件失败550错误" * (MB // 9 + 1))[:MB],
    "Slack escapes, 1 MB": ("&gt; `&lt;<mailto:a@example.com|a@example.com>&gt;` " * (MB // 50 + 1))[:MB],
    "escaped newlines, 1 MB": ("\\n550-5.2.3 x" * (MB // 14 + 1))[:MB],
    "10 MB paste (cut at 1 MB)": ("lorem ipsum 550 dolor\n" * (10 * MB // 22 + 1))[:10 * MB],
}


def main() -> int:
    worst = 0.0
    for name, text in INPUTS.items():
        t0 = time.perf_counter()
        n = len(failures_from_text(text))
        t1 = time.perf_counter()
        has_smtp_evidence(text)
        t2 = time.perf_counter()
        per_mb = (t1 - t0) / (min(len(text), MB) / MB)
        worst = max(worst, per_mb)
        print(f"{name:28} {len(text) / MB:5.1f} MB  failures={n:4}  scan {t1 - t0:6.3f} s"
              f"  ({per_mb:5.3f} s/MB)  has_smtp_evidence {t2 - t1:6.3f} s")
    chatter = ["lunch at 12?", "deploy 250 took 421 ms", "HTTP 502 again", "see PR #550",
               "host mx.example.net said: 550 5.1.1 unknown"]
    k = 20000
    t0 = time.perf_counter()
    for i in range(k):
        has_smtp_evidence(chatter[i % len(chatter)])
    per = (time.perf_counter() - t0) / k
    print(f"has_smtp_evidence on short messages: {per * 1e6:.1f} us per message")
    print(f"worst: {worst:.3f} s per MB (target < 1 s)")
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

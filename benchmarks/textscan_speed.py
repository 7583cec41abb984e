#!/usr/bin/env python3
"""Speed of the free-text scanner (knowledge.textscan) on realistic, adversarial and code-dense input.

Prints, per input kind, the size, the seconds taken by failures_from_text, by
has_smtp_evidence (the check the Slack app runs on every channel message) and by
knowledge.annotate.annotate_rows (the whole ``smtpbot annotate`` / Slack text
path, with its own bounds), the findings each gives, plus the per-message cost of
has_smtp_evidence on short chatter.

Targets (README; QA report 2, finding 2):
* under 1 s per MB for every 1 MB input, for failures_from_text and annotate_rows;
* texts made of nothing but codes (every code form the scanner knows, 100 KB and
  1 MB) stay under 1 s whatever their size: the work is linear in the size and
  bounded by the number of code-like numbers examined (textscan.MAX_TOKENS,
  annotate.MAX_CODE_CANDIDATES) and of replies turned into failures;
* a repeated identical reply gives one finding whatever the size of the paste.

Usage: python3 benchmarks/textscan_speed.py [--quick]   (--quick: 1 MB dense inputs only)
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.annotate import annotate_rows  # noqa: E402
from knowledge.textscan import failures_from_text, has_smtp_evidence  # noqa: E402

MB = 1_000_000
LOG = ("Nov 12 10:00:01 mx1 postfix/smtp[12345]: 3F2A1C0B1D: to=<alice@example.com>, "
       "relay=mx.example.net[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced "
       "(host mx.example.net[192.0.2.10] said: 550 5.1.1 <alice@example.com>: Recipient address rejected: "
       "User unknown (in reply to RCPT TO command))\n")


def fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


INPUTS = {
    "postfix log, 1 MB": fill(LOG, MB),
    "prose with numbers, 1 MB": fill("deploy 250 took 421 ms, HTTP 502, port 587; ", MB),
    "codes only, 1 MB": fill("550 5.7.1 said: x\n", MB),
    "one long reply line, 1 MB": fill("550-5.7.1 ", MB),
    "digits, 1 MB": "5" * MB,
    "CJK glued codes, 1 MB": fill("邮件失败550错误", MB),
    "Slack escapes, 1 MB": fill("&gt; `&lt;<mailto:a@example.com|a@example.com>&gt;` ", MB),
    "escaped newlines, 1 MB": fill("\\n550-5.2.3 x", MB),
    "10 MB paste (cut at 1 MB)": fill("lorem ipsum 550 dolor\n", 10 * MB),
}

# Texts dense with codes, one per code form the scanner knows (QA report 2, finding 2: "550 " * 25000 took
# 3 s in annotate, "550 5.1.1 " * 100000 pinned Slack's CPU for 133 s and gave 125 findings instead of 1).
DENSE = {
    "550 ": "550 ",
    "550 5.1.1 ": "550 5.1.1 ",
    "4.2.2 550\\n": "4.2.2 550\n",
    "550\\n (many short lines)": "550\n",
    "550-5.7.1 ": "550-5.7.1 ",
    "#5.1.1 ": "#5.1.1 ",
    "dsn=5.1.1 ": "dsn=5.1.1 ",
    "Status: 5.1.1\\n": "Status: 5.1.1\n",
    "(550, b'5.1.1 ...') ": "(550, b'5.1.1 user unknown') ",
    "<<< 550 5.1.1 no\\n": "<<< 550 5.1.1 no\n",
    "SMTP Error (550): x ": "SMTP Error (550): x ",
    "said: 550 x ": "said: 550 x ",
    "邮件失败550错误 (CJK glued)": "邮件失败550错误",
    "<a@example.com>: 550 5.1.1 ...\\n": "<a@example.com>: 550 5.1.1 user unknown\n",
    "550 5.1.1 x + blank line": "550 5.1.1 x\n\n",
    "** addr (Exim, no code)\\n": "** a@example.com R=x T=y: Unrouteable address\n",
}
# expected findings from annotate_rows for the dense texts (a repeated reply is one finding; each Exim
# log line is a failure of its own, up to annotate.MAX_FINDINGS)
DENSE_FINDINGS = {"550 ": 0, "4.2.2 550\\n": 0, "550\\n (many short lines)": 0, "** addr (Exim, no code)\\n": 1000}


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    ok = True
    worst = 0.0
    if not quick:
        for name, text in INPUTS.items():
            fs, dt = timed(failures_from_text, text)
            _, dh = timed(has_smtp_evidence, text)
            (_, rows, _), da = timed(annotate_rows, text.encode())
            mb = min(len(text), MB) / MB
            worst = max(worst, dt / mb, da / mb)
            print(f"{name:28} {len(text) / MB:5.1f} MB  failures={len(fs):4}  scan {dt:6.3f} s ({dt / mb:5.3f} s/MB)"
                  f"  has_smtp_evidence {dh:6.3f} s  annotate {da:6.3f} s ({da / mb:5.3f} s/MB) findings={len(rows)}")
    print("\ntexts made of codes only (failures_from_text / annotate_rows):")
    worst_abs = 0.0
    for name, unit in DENSE.items():
        counts = []
        for size in ((MB,) if quick else (100_000, MB)):
            text = fill(unit, size)
            fs, dt = timed(failures_from_text, text)
            (_, rows, _), da = timed(annotate_rows, text.encode())
            mb = size / MB
            worst_abs = max(worst_abs, dt, da)
            if size == MB:
                worst = max(worst, dt / mb, da / mb)
            counts.append(len(rows))
            print(f"  {name:32} {size / MB:4.1f} MB  scan {dt:6.3f} s ({dt / mb:5.2f} s/MB) failures={len(fs):4}"
                  f"  annotate {da:6.3f} s ({da / mb:5.2f} s/MB) findings={len(rows)}")
        want = DENSE_FINDINGS.get(name, 1)
        if counts[-1] != want or (name not in DENSE_FINDINGS and len(set(counts)) != 1):
            print(f"  !! {name}: findings {counts}, expected {want} at every size")
            ok = False
    chatter = ["lunch at 12?", "deploy 250 took 421 ms", "HTTP 502 again", "see PR #550",
               "host mx.example.net said: 550 5.1.1 unknown"]
    k = 20000
    t0 = time.perf_counter()
    for i in range(k):
        has_smtp_evidence(chatter[i % len(chatter)])
    per = (time.perf_counter() - t0) / k
    print(f"has_smtp_evidence on short messages: {per * 1e6:.1f} us per message")
    print(f"worst: {worst:.3f} s per MB on 1 MB inputs (target < 1 s); "
          f"slowest single code-dense input {worst_abs:.3f} s (target < 1 s at any size)")
    ok = ok and worst < 1.0 and worst_abs < 1.0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

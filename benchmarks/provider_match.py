"""Measure knowledge.providers: data load time and the cost of one match() / lookup() call.

Targets (issue 5): first-call load < 15 ms; match() on a typical ~300-character
response well under 0.1 ms with every rule considered.  Run from the repository
root:  python3 benchmarks/provider_match.py
Prints one line per figure; exits 1 when a target is missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge import providers  # noqa: E402

# Typical Diagnostic-Code texts (personal details replaced), about 300 characters each.
SAMPLES: list[tuple[str | None, str | None, str, tuple[str, ...]]] = [
    ("550", "5.7.26", "550-5.7.26 Unauthenticated email from example.net is not accepted due to domain's DMARC policy. "
     "Please contact the administrator of example.net domain if this was a legitimate mail. To learn about the DMARC "
     "initiative, go to https://support.google.com/mail/?p=DmarcRejection a1b2c3d4e5f6.123 - gsmtp", ("gmail-smtp-in.l.google.com",)),
    ("550", "5.7.606", "550 5.7.606 Access denied, banned sending IP [192.0.2.45]. To request removal from this list please "
     "visit https://sender.office.com/ and follow the directions. For more information please go to "
     "http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) [AM5EUR02FT027.eop-EUR02.prod.protection.outlook.com]", ()),
    ("421", "4.7.0", "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user "
     "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", ("mta6.am0.yahoodns.net",)),
    ("550", "5.7.1", "550 5.7.1 <user@example.com>: Relay access denied; the recipient domain is not served by this host, "
     "please check the MX records of example.net and your own relay configuration before sending again, "
     "queue id 4F2A1B3C9D", ("mx.example.net",)),
    ("554", "5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org; "
     "https://www.spamhaus.org/query/ip/192.0.2.7 (in reply to RCPT TO command) from=<user@example.com> "
     "to=<user@example.net> proto=ESMTP helo=<mail.example.com>", ()),
    ("452", "4.2.2", "452 4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to "
     "https://support.google.com/mail/?p=OverQuotaTemp a1b2c3d4e5f6.321 - gsmtp", ()),
    ("550", "5.1.1", "550 5.1.1 <user@example.net>: Recipient address rejected: User unknown in virtual mailbox table; "
     "please verify the address and try again, see https://www.example.net/help/bounces for details on our policy "
     "and how to reach our postmaster team", ("mx1.example.net",)),
]


def bench_load(repeats: int = 7, cache: bool = True) -> float:
    import os

    if cache:
        os.environ.pop("SMTPBOT_NO_CACHE", None)
    else:
        os.environ["SMTPBOT_NO_CACHE"] = "1"
    times = []
    for _ in range(repeats):
        providers._reset_index()
        t0 = time.perf_counter()
        providers._index()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def bench_calls(fn, args_list, rounds: int = 3000) -> float:
    per = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(rounds):
            for a in args_list:
                fn(*a)
        per.append((time.perf_counter() - t0) / (rounds * len(args_list)))
    return min(per) * 1e6


def main() -> int:
    cold_ms = bench_load(cache=False)
    load_ms = bench_load(cache=True)
    rules = sum(p.rule_count for p in providers.catalog())
    avg_len = statistics.mean(len(s[2]) for s in SAMPLES)
    for rc, enh, text, hosts in SAMPLES:  # warm the per-rule note cache
        providers.match(rc, enh, text, hosts)
    match_us = bench_calls(providers.match, SAMPLES)
    generic = [s for s in SAMPLES if providers.match(*s) is None]
    generic_us = bench_calls(providers.match, generic) if generic else 0.0
    lookup_args = [("gmail", "550", "5.7.26", ""), ("microsoft", None, "5.1.10", ""), ("yahoo", "421", "4.7.0", SAMPLES[2][2])]
    lookup_us = bench_calls(providers.lookup, lookup_args, rounds=3000)
    print(f"providers: {len(providers.catalog())}, rules: {rules}")
    print(f"load, first run (TOML parse + validate all data files): {cold_ms:.2f} ms")
    print(f"load, later runs (parsed-data cache + validate): {load_ms:.2f} ms (target < 15 ms)")
    print(f"match(): {match_us:.1f} us per call, mean text {avg_len:.0f} chars, {len(SAMPLES)} samples (target < 100 us)")
    print(f"match() on responses from unknown hosts (no provider): {generic_us:.1f} us per call")
    print(f"lookup(): {lookup_us:.1f} us per call")
    print(f"throughput: {1e6 / match_us:,.0f} match() calls per second on one core")
    ok = load_ms < 15 and match_us < 100
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

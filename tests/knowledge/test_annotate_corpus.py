"""Score ``smtpbot annotate`` on the shared corpus of real bounce messages.

Runs ../shared/bench/score_bounces.py (the same scorer used for the issue's
targets) against the CLI in this checkout and asserts floors that are raised
as the parser improves.  Skips cleanly when ../shared is absent.
Throughput is not asserted here (see benchmarks/annotate_throughput.py).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SCORER = SHARED / "bench" / "score_bounces.py"
CORPUS = SHARED / "corpus"
CMD = f"{shlex.quote(sys.executable)} -m bot.cli annotate --format json"

# Percentages measured when the floor was last raised, minus a small margin.
FLOORS = {"reply_code": 99.0, "enhanced_status": 99.0, "reason": 98.6, "hard_bounce": 99.0}

pytestmark = pytest.mark.skipif(not SCORER.is_file() or not (CORPUS / "bounces").is_dir(),
                                reason="../shared corpus and scorer not present")


def test_bounce_corpus_floors():
    proc = subprocess.run([sys.executable, str(SCORER), "--cmd", CMD, "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["files_without_output"] == 0
    for key, floor in FLOORS.items():
        assert figures[key]["pct"] >= floor, (key, figures[key])


def test_not_bounces_give_no_findings():
    files = sorted(str(p) for p in (CORPUS / "not-bounces").iterdir() if p.is_file())
    assert files
    proc = subprocess.run(shlex.split(CMD) + files, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [o["source"] for o in objs] == files
    assert [o["findings"] for o in objs] == [[] for _ in files]

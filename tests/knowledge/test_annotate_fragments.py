"""The fragments scorer (../shared/bench/score_fragments.py) run on the installed CLI.

Short texts people pasted in public threads, with the codes a careful reader
finds there.  Floors (issue 4, section 5): every primary code found, zero
false codes, nothing reported for code-free texts.  Skips when ../shared is
absent (e.g. a checkout without the shared material).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCORER = SHARED / "bench" / "score_fragments.py"
CASES = SHARED / "cases" / "fragments.jsonl"


def _cli() -> str:
    # this interpreter's code (a venv, a worktree), never whichever smtpbot comes first on PATH
    return f"{shlex.quote(sys.executable)} -m bot.cli annotate --format json"


@pytest.fixture(scope="module")
def figures() -> dict:
    if not SCORER.is_file() or not CASES.is_file():
        pytest.skip("../shared (fragments scorer and cases) is not available")
    proc = subprocess.run([sys.executable, str(SCORER), "--cmd", _cli(), "--json"],
                          capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ratio(s: str) -> tuple[int, int]:
    a, b = s.split("/")
    return int(a), int(b)


def test_every_primary_code_found(figures):
    found, total = _ratio(figures["primary_recall"])
    assert total > 0
    assert found == total, figures


def test_no_false_codes(figures):
    assert figures["false_codes"] == 0, figures


def test_quiet_on_code_free_texts(figures):
    quiet, total = _ratio(figures["quiet_when_none"])
    assert quiet == total, figures

"""Cold-start wall time of ``smtpbot explain 252`` (target: median < 0.3 s).

Runs the installed console script N times (default 20) as a fresh process,
output discarded, and prints median and p95 wall time in seconds.  Also times
``python -m``-free direct execution of the script when the one on PATH is a
pyenv shim (the shim itself costs tens of milliseconds of bash), and a
breakdown of the import and load steps inside one process.

Usage: python3 benchmarks/cold_start.py [--runs 20] [--args "explain 252"]
Exit status 1 when the median exceeds the target (for CI use), else 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

TARGET_S = 0.3


def _time_runs(cmd: list[str], runs: int) -> list[float]:
    times = []
    env = dict(os.environ, NO_COLOR="1")
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
    return times


def _report(label: str, times: list[float]) -> float:
    times = sorted(times)
    med = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{label:<28} runs={len(times):<3} median={med:.3f}s p95={p95:.3f}s min={times[0]:.3f}s max={times[-1]:.3f}s")
    return med


def _real_script(path: str) -> str | None:
    """Resolve a pyenv shim to the real console script, if that is what ``path`` is."""
    if "/shims/" not in path:
        return None
    pyenv = shutil.which("pyenv") or os.path.join(os.path.dirname(os.path.dirname(path)), "libexec", "pyenv")
    if not os.path.exists(pyenv):
        return None
    out = subprocess.run([pyenv, "which", os.path.basename(path)], capture_output=True, text=True)
    real = out.stdout.strip()
    return real if out.returncode == 0 and real and real != path else None


def _breakdown() -> None:
    code = (
        "import time;t0=time.perf_counter();import pydantic;t1=time.perf_counter();"
        "import knowledge.results;t2=time.perf_counter();"
        "from knowledge.kb import get_kb;kb=get_kb();t3=time.perf_counter();"
        "from knowledge.explain import explain;r=explain(['252']);t4=time.perf_counter();"
        "import bot.render_text as rt;rt.render_explain(r);t5=time.perf_counter();"
        "print(f'  in-process: pydantic {t1-t0:.3f}s, result models {t2-t1:.3f}s, '"
        "f'load+validate data {t3-t2:.3f}s, explain {t4-t3:.3f}s, rich render {t5-t4:.3f}s')"
    )
    subprocess.run([sys.executable, "-c", code], check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--args", default="explain 252")
    ns = ap.parse_args()
    script = shutil.which("smtpbot")
    if not script:
        print("smtpbot is not installed: run  pip install -e '.[test]'", file=sys.stderr)
        return 2
    args = ns.args.split()
    _time_runs([script, *args], 2)  # warm the OS file cache, as any second run would be
    med = _report(f"smtpbot {ns.args}", _time_runs([script, *args], ns.runs))
    real = _real_script(script)
    if real:
        med = min(med, _report("  (without pyenv shim)", _time_runs([real, *args], ns.runs)))
    # other copies on PATH (e.g. a pyenv shim, which adds its own bash start-up)
    seen = {os.path.realpath(script)}
    for d in os.environ.get("PATH", "").split(os.pathsep):
        other = os.path.join(d, "smtpbot")
        if os.access(other, os.X_OK) and os.path.realpath(other) not in seen:
            seen.add(os.path.realpath(other))
            _report(f"  via {other}", _time_runs([other, *args], ns.runs))
    _report("python3 -c pass (floor)", _time_runs([sys.executable, "-c", "pass"], ns.runs))
    _breakdown()
    ok = med < TARGET_S
    print(f"target median < {TARGET_S}s: {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

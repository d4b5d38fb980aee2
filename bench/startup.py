"""Start-up: ``eis --help`` and ``create_app()`` in fresh processes (target: ``eis --help`` < 0.6 s).

Each is run ``RUNS`` times in a new interpreter; wall and CPU (user + system) seconds are
medians. CPU time is less disturbed than wall time by other work on the machine.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .common import median

ORDER = 5
RUNS = 10
TARGET = 0.6
ROOT = Path(__file__).resolve().parent.parent


def _time(command: list[str]) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, "EIS_SECRET_KEY": "bench"})
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return median(walls), median(cpus)


def run() -> bool:
    eis = str(Path(sys.executable).with_name("eis"))
    cases = [("eis --help", [eis, "--help"]),
             ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"]),
             ("create_app() (what a worker loads)", [sys.executable, "-c", "from eis_toolkit import create_app; create_app()"])]
    for label, command in cases:
        wall, cpu = _time(command)
        note = f"  (target < {TARGET} s: {'met' if wall < TARGET else 'NOT met'})" if label == "eis --help" else ""
        print(f"{label:42} wall {wall:6.3f} s   cpu {cpu:6.3f} s{note}", flush=True)
    return True

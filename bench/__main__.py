"""``python -m bench [NAME ...]`` (``make bench``): run the benchmark modules of this package.

Each module ``bench/<name>.py`` that defines ``run() -> bool`` is a benchmark: it prints its
figures and returns whether its targets were met (nothing fails on a slow machine: the exit
status is 1 only when a result is *wrong*, e.g. figures that disagree, or when a module
crashed). Modules run in the order of their ``ORDER`` (default 50), then by name; add one by
dropping a file here — no list to edit. ``python -m bench compute pages`` runs only those;
``python -m bench --list`` names them.

Figures depend on the machine and on what else runs on it: every module prints the load
average before it starts.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

NOT_BENCHMARKS = {"data", "common", "bare"}


def discover() -> list:
    """The benchmark modules of this package, in running order."""
    found = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_") or info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "run", None)):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def main(argv: list[str]) -> int:
    modules = discover()
    names = {m.__name__.removeprefix("bench."): m for m in modules}
    if argv[:1] == ["--list"]:
        for name, module in names.items():
            print(f"{name:12} {(module.__doc__ or '').strip().splitlines()[0]}")
        return 0
    unknown = [a for a in argv if a not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
        return 2
    chosen = [names[a] for a in argv] if argv else modules
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    ok = True
    for module in chosen:
        name = module.__name__.removeprefix("bench.")
        load = os.getloadavg()
        print(f"\n##### {name} — load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
              f"on {os.cpu_count()} CPU(s) #####", flush=True)
        start = time.perf_counter()
        try:
            ok = module.run() is not False and ok
        except Exception:  # a broken benchmark must not hide the others' figures
            traceback.print_exc()
            ok = False
        print(f"({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The benchmark computation from the database against pandas, both cold and warm.

For each database (a fresh SQLite file; PostgreSQL when ``EIS_BENCH_DATABASE_URL`` is set — that
database is emptied first): generate the data of ``bench/data.py`` (300 regions × 8 reviewers ×
40 questions), then time

- ours: ``workshop_benchmark`` (one workshop, 300 hot-seat regions) and ``programme_benchmark``
  (30 workshops × 10 regions): every row of DESIGN.md — question, dimension and overall figures,
  group figures and alpha — from the database, through SQLAlchemy;
- pandas, fairly: ``read_sql_query`` of the same score rows (submitted, N/A left out: the SQL of
  ``submitted_peer_scores``) through a **plain driver connection** (``sqlite3``, or ``psycopg``
  for PostgreSQL; not SQLAlchemy's row layer) and a ``groupby`` computing the question-level
  figures only (n, mean, median, sd, min, max).

**Cold** runs start with every memo cache of ours cleared (the parsed questionnaire, the
histogram, sd and statistics memos) and the session empty; pandas opens a new connection each
run (it keeps nothing between runs); the cold runs of ours and the runs of pandas alternate, so
that a loaded machine weighs on both alike. **Warm** runs repeat with ours' memos filled. Both
report the median of several runs; the very first run of the process (imports done) is shown
too. The cyclic garbage collector runs as usual (its share is printed). The question-level
figures of both are checked to agree. Not a test: nothing fails on a slow machine.
"""
from __future__ import annotations

import gc
import math
import os
import sqlite3
import tempfile
import time
import warnings
from pathlib import Path

from .common import fresh_app, median, ms

ORDER = 10
RUNS = 7
TARGET_SECONDS = 0.5


def clear_memos() -> None:
    """Empty every cache of the benchmark computation (a cold start without a new process)."""
    from eis_toolkit.benchmark import numbers, queries
    from eis_toolkit.questionnaires import services

    numbers._summary_of_histogram.cache_clear()
    numbers._integer_sample_sd.cache_clear()
    numbers.stats_from_summary.cache_clear()
    services._DEFINITIONS.clear()
    queries._STRUCTURES.clear()


def _gc_share(function) -> tuple[float, float]:
    """Wall time of ``function`` and the share of it spent in the cyclic garbage collector (its CPU
    time is appended to :data:`CPU_SECONDS`)."""
    spent = [0.0]
    started = [0.0]

    def callback(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        function()
        total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    finally:
        gc.callbacks.remove(callback)
    CPU_SECONDS.append(cpu)
    return total, spent[0] / total if total else 0.0


#: Process CPU seconds of each timed run, in order (less disturbed by a loaded machine than wall time).
CPU_SECONDS: list[float] = []


def bench_database(url: str, label: str) -> bool:
    import pandas as pd
    from sqlalchemy import select

    from eis_toolkit.benchmark.queries import (programme_benchmark, scored_question_keys, submitted_peer_scores,
                                               workshop_benchmark)
    from eis_toolkit.extensions import db
    from eis_toolkit.models import Programme, Questionnaire, Workshop

    from .data import generate

    app = fresh_app(url, TESTING=True)
    ok = True
    with app.app_context():
        print(f"\n== {label} ==", flush=True)
        start = time.perf_counter()
        generated = generate()
        print(f"generated {generated.peer_scores:,} submitted peer scores per programme "
              f"(+ drafts and N/A) in {time.perf_counter() - start:.1f} s", flush=True)
        dialect = db.engine.dialect

        def ours_workshop():
            db.session.expunge_all()
            return workshop_benchmark(db.session.get(Workshop, generated.one_workshop_id))

        def ours_programme():
            db.session.expunge_all()
            return programme_benchmark(db.session.get(Programme, generated.programme_ids["thirty-workshops"]),
                                       db.session.get(Questionnaire, generated.questionnaire_id)).rows

        def scores_sql(programme_slug: str) -> str:
            workshop_ids = list(db.session.scalars(
                select(Workshop.id).join(Workshop.programme).where(Programme.slug == programme_slug)))
            statement = submitted_peer_scores(workshop_ids)
            return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

        def driver_connection():
            if dialect.name == "sqlite":
                return sqlite3.connect(db.engine.url.database)
            import psycopg

            return psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))

        group_by_time: dict[str, list[float]] = {}

        def pandas_figures(programme_slug: str):
            sql = scores_sql(programme_slug)
            keys = scored_question_keys(generated.questionnaire_id)

            def run():
                connection = driver_connection()
                try:
                    with warnings.catch_warnings():  # pandas prefers SQLAlchemy for non-sqlite3 drivers
                        warnings.simplefilter("ignore", UserWarning)
                        frame = pd.read_sql_query(sql, connection)
                finally:
                    connection.close()
                start = time.perf_counter()
                frame = frame[frame["question_id"].isin(keys)]
                figures = frame.groupby(["workshop_id", "region_id", "question_id"])["score"].agg(
                    ["count", "mean", "median", "std", "min", "max"])
                group_by_time.setdefault(programme_slug, []).append(time.perf_counter() - start)
                return figures
            return run

        cases = [("one workshop, 300 hot-seat regions", "one-workshop", ours_workshop),
                 ("programme, 30 workshops × 10 regions", "thirty-workshops", ours_programme)]
        figures_of = []
        for title, slug, ours in cases:
            clear_memos()
            first_ours, _ = _gc_share(ours)
            pandas_run = pandas_figures(slug)
            first_pandas, _ = _gc_share(pandas_run)
            # Cold runs of ours and runs of pandas alternate, so that both meet the same load.
            cold, cold_gc, cold_cpu, pandas_times, pandas_cpu, figures = [], [], [], [], [], None
            for _ in range(RUNS):
                clear_memos()
                seconds, share = _gc_share(ours)
                cold.append(seconds)
                cold_gc.append(share)
                cold_cpu.append(CPU_SECONDS.pop())
                seconds, _ = _gc_share(lambda: figures_of.append(pandas_run()))
                figures = figures_of.pop()
                pandas_times.append(seconds)
                pandas_cpu.append(CPU_SECONDS.pop())
            cold_cpu, pandas_cpu = median(cold_cpu), median(pandas_cpu)
            warm, rows = [], None
            for _ in range(RUNS):
                start = time.perf_counter()
                rows = ours()
                warm.append(time.perf_counter() - start)
            question_rows = [r for r in rows if r.level == "question"]
            agree = _agree(question_rows, figures, scored_question_keys(generated.questionnaire_id))
            ok = ok and agree
            p = median(pandas_times)
            print(f"{title}: {len(rows):,} rows ({len(question_rows):,} question rows)")
            print(f"  ours, cold (memos cleared)   {ms(median(cold))}  (GC {median(cold_gc) * 100:.0f} % of it;"
                  f" first run of the process {ms(first_ours).strip()})")
            print(f"  ours, warm                   {ms(median(warm))}")
            print(f"  pandas (plain driver)        {ms(p)}  (groupby alone {ms(median(group_by_time[slug])).strip()};"
                  f" first run {ms(first_pandas).strip()})")
            met = median(cold) <= p and median(cold) < TARGET_SECONDS
            print(f"  CPU time (process), medians: ours cold {ms(cold_cpu).strip()}, pandas {ms(pandas_cpu).strip()}:"
                  f" ours / pandas {cold_cpu / pandas_cpu:.2f}")
            print(f"  ours / pandas (wall): cold {median(cold) / p:.2f}, warm {median(warm) / p:.2f}; "
                  f"target (cold ≤ 1.0× pandas and < {TARGET_SECONDS} s): {'met' if met else 'NOT met'}; "
                  f"question figures agree: {'yes' if agree else 'NO'}", flush=True)
        db.session.remove()
        db.engine.dispose()
    return ok


def _agree(question_rows, figures, keys: dict[int, str]) -> bool:
    """Our question rows and pandas' figures are the same numbers (pandas rounds differently)."""
    by_region = {}
    for (_, region_id, question_id), values in figures.iterrows():
        by_region[(f"R{region_id - 1:03d}", keys[question_id])] = values
    if len(by_region) != sum(1 for r in question_rows if r.peer_n):
        return False
    for row in question_rows:
        values = by_region.get((row.region, row.key))
        if values is None:
            if row.peer_n:
                return False
            continue
        pairs = [(row.peer_n, values["count"]), (row.peer_mean, values["mean"]), (row.peer_median, values["median"]),
                 (row.peer_min, values["min"]), (row.peer_max, values["max"])]
        if row.peer_sd is not None:
            pairs.append((row.peer_sd, values["std"]))
        if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in pairs):
            return False
    return True


def run() -> bool:
    ok = True
    with tempfile.TemporaryDirectory(prefix="eis-bench-") as folder:
        ok = bench_database(f"sqlite:///{Path(folder) / 'bench.sqlite'}", "SQLite") and ok
    url = os.environ.get("EIS_BENCH_DATABASE_URL")
    if url:
        ok = bench_database(url, "PostgreSQL (EIS_BENCH_DATABASE_URL)") and ok
    else:
        print("\n(PostgreSQL: set EIS_BENCH_DATABASE_URL to a database the bench may empty)")
    return ok

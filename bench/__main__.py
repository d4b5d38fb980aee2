"""``python -m bench``: the benchmark computation from the database against pandas.

For each database (a fresh SQLite file; PostgreSQL when ``EIS_BENCH_DATABASE_URL`` is set — that
database is emptied first): generate the data of ``bench/data.py``, then time

- ours: ``workshop_benchmark`` (one workshop, 300 hot-seat regions) and ``programme_benchmark``
  (30 workshops × 10 regions): every row of DESIGN.md — question, dimension and overall figures,
  group figures and alpha — from the database;
- pandas: ``read_sql`` of the same score rows (submitted, N/A left out) and a ``groupby`` computing
  the question-level figures (n, mean, median, sd, min, max), with the groupby's own share shown.

Each timing is the median of several runs after a first run (shown too: ours memoises a few
pure functions, so the first run is the cold one); the question-level figures of both are
checked to agree. Not a test: nothing fails on a slow machine.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
TARGET_SECONDS = 0.5


def _timed(function, runs: int = RUNS) -> tuple[float, float, object]:
    """The first run's time, the median time of the runs after it, and the result."""
    times, result = [], None
    for _ in range(runs + 1):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:]), result


def bench_database(url: str, label: str) -> bool:
    import pandas as pd
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from eis_toolkit import create_app
    from eis_toolkit.benchmark.queries import (programme_benchmark, scored_question_keys, submitted_peer_scores,
                                               workshop_benchmark)
    from eis_toolkit.extensions import db
    from eis_toolkit.models import Programme, Questionnaire, Workshop

    from .data import generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    ok = True
    with app.app_context():
        print(f"\n== {label} ==", flush=True)
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        start = time.perf_counter()
        generated = generate()
        print(f"generated {generated.peer_scores:,} submitted peer scores per programme "
              f"(+ drafts and N/A) in {time.perf_counter() - start:.1f} s", flush=True)

        def ours_workshop():
            db.session.expunge_all()
            return workshop_benchmark(db.session.get(Workshop, generated.one_workshop_id))

        def ours_programme():
            db.session.expunge_all()
            return programme_benchmark(db.session.get(Programme, generated.programme_ids["thirty-workshops"]),
                                       db.session.get(Questionnaire, generated.questionnaire_id)).rows

        def scores_query(programme_slug: str):
            workshop_ids = list(db.session.scalars(
                select(Workshop.id).join(Workshop.programme).where(Programme.slug == programme_slug)))
            return submitted_peer_scores(workshop_ids)

        group_by_time = {}

        def pandas_figures(programme_slug: str):
            def run():
                keys = scored_question_keys(generated.questionnaire_id)
                with db.engine.connect() as connection:
                    frame = pd.read_sql(scores_query(programme_slug), connection)
                start = time.perf_counter()
                frame = frame[frame["question_id"].isin(keys)]
                figures = frame.groupby(["workshop_id", "region_id", "question_id"])["score"].agg(
                    ["count", "mean", "median", "std", "min", "max"])
                group_by_time.setdefault(programme_slug, []).append(time.perf_counter() - start)
                return figures
            return run

        cases = [("one workshop, 300 hot-seat regions", "one-workshop", ours_workshop),
                 ("programme, 30 workshops × 10 regions", "thirty-workshops", ours_programme)]
        for title, slug, ours in cases:
            ours_first, ours_time, rows = _timed(ours)
            pandas_first, pandas_time, figures = _timed(pandas_figures(slug))
            question_rows = [r for r in rows if r.level == "question"]
            agree = _agree(question_rows, figures, scored_question_keys(generated.questionnaire_id))
            ok = ok and agree
            share = statistics.median(group_by_time[slug])
            print(f"{title}: {len(rows):,} rows ({len(question_rows):,} question rows)")
            print(f"  ours   (every figure, from the database)       {ours_time * 1000:8.1f} ms"
                  f"   (first run {ours_first * 1000:.1f} ms)")
            print(f"  pandas (read_sql + groupby, question figures)  {pandas_time * 1000:8.1f} ms"
                  f"   (first run {pandas_first * 1000:.1f} ms; groupby alone {share * 1000:.1f} ms)")
            print(f"  ratio ours / pandas = {ours_time / pandas_time:.2f}; "
                  f"target ≤ 1 and < {TARGET_SECONDS} s: "
                  f"{'met' if ours_time <= pandas_time and ours_time < TARGET_SECONDS else 'NOT met'}; "
                  f"question figures agree: {'yes' if agree else 'NO'}", flush=True)
        db.session.remove()
        db.engine.dispose()
    return ok


def _agree(question_rows, figures, keys: dict[int, str]) -> bool:
    """Our question rows and pandas' figures are the same numbers (pandas rounds differently)."""
    import math

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


def main() -> int:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    ok = True
    with tempfile.TemporaryDirectory(prefix="eis-bench-") as folder:
        ok = bench_database(f"sqlite:///{Path(folder) / 'bench.sqlite'}", "SQLite") and ok
    url = os.environ.get("EIS_BENCH_DATABASE_URL")
    if url:
        ok = bench_database(url, "PostgreSQL (EIS_BENCH_DATABASE_URL)") and ok
    else:
        print("\n(PostgreSQL: set EIS_BENCH_DATABASE_URL to a database the bench may empty)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""``python -m bench.reports``: the demo region report end to end, against WeasyPrint alone.

On a fresh SQLite file with the demo loaded, as the demo admin through the download route:

- end to end, cache empty: the request for DK04's report at the Aarhus workshop — the figures
  from the database, the charts (matplotlib, SVG), the HTML (Jinja), WeasyPrint, the cache write.
  Twice over: with the chart cache cleared before each run (the report's data changed, so every
  chart is drawn again) and with the charts already drawn (e.g. the scorecard was just viewed);
- WeasyPrint alone: ``HTML(string=final_html).write_pdf()`` on the final HTML of that report,
  with the same URL fetcher;
- the ratio of the two (target ≤ 1.2×);
- the second request for the unchanged report, served from the cache (target < 50 ms).

The three renderings are interleaved, each timed after a warm-up run; wall-clock and CPU time of
this process are both printed (on a shared machine CPU time is the steadier one). Not a test:
nothing fails on a slow machine.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("EIS_BENCH_RUNS", 3))  # interleaved runs of each rendering
RATIO_TARGET, CACHE_TARGET = 1.2, 0.050
URL = "/reports/workshops/aarhus-2017/regions/DK04.pdf?lang=en"


def _timed(function, runs: int = RUNS, before=None) -> tuple[float, float, float, object]:
    """The first run's wall time, the median wall and CPU time of the runs after it, and the
    last result. CPU time (this process's) barely moves when other programs load the machine."""
    walls, cpus, result = [], [], None
    for _ in range(runs + 1):
        if before:
            before()
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls[0], statistics.median(walls[1:]), statistics.median(cpus[1:]), result


def _once(function) -> tuple[float, float, object]:
    """Wall time, CPU time and result of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> int:
    from flask_migrate import upgrade

    from eis_toolkit import create_app
    from eis_toolkit.benchmark import charts
    from eis_toolkit.extensions import db
    from eis_toolkit.models import Region, Workshop
    from eis_toolkit.reporting import cache
    from eis_toolkit.reporting.fetcher import ReportFetcher
    from eis_toolkit.reporting.readers import Operator
    from eis_toolkit.reporting.region import region_report_context
    from eis_toolkit.reporting.render import html_to_pdf, render_html

    folder = Path(tempfile.mkdtemp(prefix="eis-bench-reports-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}", "SECRET_KEY": "bench",
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "EIS_REPORT_CACHE_DIR": str(folder / "report-cache")})
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo"])
        if result.exit_code:
            print(result.output)
            return 1
    client = app.test_client()
    response = client.post("/login", data={"email": "admin@example.org", "password": "demo-admin"})
    assert response.status_code == 302, "demo admin login failed"

    def download() -> bytes:
        response = client.get(URL)
        assert response.status_code == 200, response.status_code
        return response.data

    with app.app_context():
        print(f"== the demo region report (aarhus-2017, DK04, en), SQLite; load average {_load()} ==", flush=True)
        from sqlalchemy import select
        workshop = db.session.scalar(select(Workshop).where(Workshop.slug == "aarhus-2017"))
        region = db.session.scalar(select(Region).where(Region.code == "DK04"))
        html = render_html("region", region_report_context(workshop, region, Operator(), "en"))

        def alone_pdf():
            return html_to_pdf(html, "0" * 32, ReportFetcher(app.static_folder))

        def cold():
            cache.clear()
            charts.cache_clear()
            return _once(download)

        def warm():
            cache.clear()
            return _once(download)

        for warm_up in (cold, warm, lambda: _once(alone_pdf)):
            warm_up()
        # interleaved, so that a change of load on the machine touches all three alike
        results = {"cold": [], "warm": [], "alone": []}
        for _ in range(RUNS):
            results["cold"].append(cold())
            results["warm"].append(warm())
            results["alone"].append(_once(alone_pdf))
        pdf = results["cold"][-1][2]
        download()  # into the cache
        first_hit, hit, hit_cpu, hit_pdf = _timed(download, runs=RUNS * 4)
        assert hit_pdf == pdf

    def median(kind: str, index: int) -> float:
        return statistics.median(r[index - 1] for r in results[kind])

    import io

    from pypdf import PdfReader
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"report: {len(pdf) / 1024:.0f} kB, {pages} pages; final HTML {len(html) / 1024:.0f} kB")
    rows = (("end to end, charts drawn", "cold"), ("end to end, charts cached", "warm"),
            ("WeasyPrint alone", "alone"))
    print(f"{'':28} {'wall':>9} {'CPU':>9}   (median of {RUNS} interleaved runs after a warm-up)")
    for label, kind in rows:
        print(f"{label + ':':28} {median(kind, 1):8.3f}s {median(kind, 2):8.3f}s")
    for label, kind in rows[:2]:
        wall, cpu = median(kind, 1) / median("alone", 1), median(kind, 2) / median("alone", 2)
        print(f"ratio, {label[12:] + ':':21} {wall:8.2f}x {cpu:8.2f}x   (target ≤ {RATIO_TARGET}x: CPU "
              f"{'met' if cpu <= RATIO_TARGET else 'NOT met'})")
    print(f"{'from the cache:':28} {hit * 1000:7.1f}ms {hit_cpu * 1000:7.1f}ms   (target < "
          f"{CACHE_TARGET * 1000:.0f} ms: CPU {'met' if hit_cpu < CACHE_TARGET else 'NOT met'})")
    print(f"load average at the end: {_load()} (on a loaded machine the ratios move from run to run: "
          f"compare runs of one moment, or raise EIS_BENCH_RUNS)")
    return 0


def _load() -> str:
    """The 1, 5 and 15 minute load averages (on a shared machine every figure needs them)."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())

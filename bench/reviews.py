"""Sixty reviewers save and submit their reviews at once (issue #13): gunicorn, 2 sync workers.

A fresh database (SQLite; PostgreSQL too when ``EIS_BENCH_DATABASE_URL`` is set — that database is
emptied) gets the shipped questionnaire eis-core@1 (33 scored questions), an open workshop with
four hot-seat regions and 60 reviewers from twelve other regions, each assigned to one of them.
Every reviewer, in a thread of their own and all at once, logs in through the real form (CSRF
included), opens the review page, saves a full draft, opens it again and submits it. Printed:
p50 and p99 latency of the saves and submissions, error responses (anything but the expected
redirect), and then the scores stored in submitted reviews, counted in the database: every one
must be there. Target: 0 errors, every score stored, p99 < 500 ms.
"""
from __future__ import annotations

import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from .common import PASSWORD, fresh_app
from .serve import ROOT, _free_port, _request, _start, _stop

ORDER = 40
REVIEWERS, HOT_SEAT, OTHER_REGIONS = 60, 4, 12
TARGET_P99 = 0.5


def _programme(url: str) -> tuple[dict[str, int], int]:
    """The data of the run; returns {reviewer e-mail: assignment id} and the scored question count."""
    from sqlalchemy import select

    from eis_toolkit import ROOT as APP_ROOT
    from eis_toolkit.bundles.load import load_bundle
    from eis_toolkit.extensions import db
    from eis_toolkit.models import ReviewerAssignment, User, Workshop
    from eis_toolkit.questionnaires.schema import load_questionnaire_file
    from eis_toolkit.questionnaires.services import register

    app = fresh_app(url)
    with app.app_context():
        definition = load_questionnaire_file(APP_ROOT / "questionnaires" / "eis-core-v1.yaml")
        register(definition)
        hot = [f"H{i:02d}" for i in range(HOT_SEAT)]
        others = [f"R{i:02d}" for i in range(OTHER_REGIONS)]
        people = [{"email": f"rev{i:02d}@example.org", "name": f"Reviewer {i:02d}", "region": others[i % OTHER_REGIONS],
                   "roles": ["reviewer"], "password": PASSWORD} for i in range(REVIEWERS)]
        load_bundle({
            "programme": {"slug": "bench", "title": "Bench programme"},
            "regions": [{"code": code, "name": f"Region {code}", "country": "DK" if code in hot else "IT"}
                        for code in hot + others],
            "people": people,
            "workshops": [{"slug": "crowd", "title": "Sixty reviewers", "questionnaire": definition.ref, "host": hot[0],
                           "starts": "2026-06-01", "ends": "2026-06-02", "status": "open", "hot_seat": hot,
                           "assessments": [{"region": code, "status": "submitted"} for code in hot]}],
        })
        workshop = db.session.scalar(select(Workshop))
        regions = {r.code: r for r in workshop.hot_seat}
        users = {u.email: u for u in db.session.scalars(select(User))}
        assignments = {}
        for i, person in enumerate(people):
            assignment = ReviewerAssignment(workshop=workshop, reviewer=users[person["email"]],
                                            region=regions[hot[i % HOT_SEAT]])
            db.session.add(assignment)
            db.session.flush()
            assignments[person["email"]] = assignment.id
        db.session.commit()
        db.engine.dispose()
        return assignments, len(definition.scored_questions()), [q.key for q in definition.scored_questions()]


def _cookies(response, cookie: str = "") -> str:
    jar = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        jar[name] = value
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _form_token(html: bytes) -> tuple[str, str]:
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html).group(1).decode()
    version = re.search(rb'name="version"[^>]*value="(\d*)"', html)
    return token, version.group(1).decode() if version else "0"


def _reviewer(port: int, email: str, assignment: int, keys: list[str], timings: list, errors: list) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        response, html = _request(port, "/login")
        cookie = _cookies(response)
        token = _form_token(html)[0]
        response, _ = _request(port, "/login", cookie, "POST",
                               urlencode({"email": email, "password": PASSWORD, "csrf_token": token}), form)
        cookie = _cookies(response, cookie)
        if response.status != 302:
            errors.append(f"{email}: log in answered {response.status}")
            return
        for step, score in (("save", 3), ("submit", 4)):
            response, html = _request(port, f"/reviews/{assignment}", cookie)
            cookie = _cookies(response, cookie)
            token, version = _form_token(html)
            fields = {"csrf_token": token, "version": version, "action": step,
                      **{f"score.{key}": str(score) for key in keys},
                      **{f"comment.{key}": f"{email} on {key}" for key in keys}}
            start = time.perf_counter()
            response, body = _request(port, f"/reviews/{assignment}", cookie, "POST", urlencode(fields), form)
            timings.append(time.perf_counter() - start)
            cookie = _cookies(response, cookie)
            if response.status != 302:
                errors.append(f"{email}: {step} answered {response.status}")
                return
    except Exception as error:  # a refused connection or a timeout counts as an error, never hides
        errors.append(f"{email}: {type(error).__name__}: {error}")


def _stored(url: str) -> int:
    from sqlalchemy import create_engine, func, select

    from eis_toolkit.models import Review, ReviewScore, ReviewStatus

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(ReviewScore).join(Review)
                                  .where(Review.status == ReviewStatus.SUBMITTED, ReviewScore.score.is_not(None)))
    engine.dispose()
    return found


def bench_database(url: str, label: str, folder: Path) -> bool:
    print(f"\n== {label}: {REVIEWERS} reviewers at once, {HOT_SEAT} hot-seat regions ==", flush=True)
    assignments, scored, keys = _programme(url)
    env = {**os.environ, "EIS_DATABASE_URL": url, "EIS_SECRET_KEY": "bench-reviews", "PYTHONPATH": str(ROOT),
           "EIS_LOGIN_LIMIT_ADDRESS": "10000 per minute"}
    port = _free_port()
    server = _start("eis_toolkit:create_app()", port, env, folder / f"{label}.log")
    timings, errors = [], []
    try:
        threads = [threading.Thread(target=_reviewer, args=(port, email, assignment, keys, timings, errors))
                   for email, assignment in assignments.items()]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        wall = time.perf_counter() - start
    finally:
        _stop(server)
    timings.sort()
    p50 = statistics.median(timings) if timings else float("nan")
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] if timings else float("nan")
    stored, expected = _stored(url), REVIEWERS * scored
    print(f"{len(timings)} saves and submissions in {wall:.1f} s: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
          f"(target < {TARGET_P99 * 1000:.0f} ms)")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    print(f"scores stored in submitted reviews: {stored} of {expected}")
    ok = not errors and stored == expected
    print("result:", "every score stored, no error" if ok else "NOT every score stored, or errors",
          "; p99 target", "met" if p99 < TARGET_P99 else "NOT met")
    return ok


def run() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="eis-bench-reviews-"))
    ok = bench_database(f"sqlite:///{folder / 'reviews.sqlite'}", "SQLite", folder)
    if os.environ.get("EIS_BENCH_DATABASE_URL"):
        ok = bench_database(os.environ["EIS_BENCH_DATABASE_URL"], "PostgreSQL", folder) and ok
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if run() else 1)

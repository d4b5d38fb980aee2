"""Sixty reviewers save and submit their reviews at once (issue #13): gunicorn, 2 sync workers.

A fresh database (SQLite; PostgreSQL too when ``EIS_BENCH_DATABASE_URL`` is set — that database is
emptied) gets the shipped questionnaire eis-core@1 (33 scored questions on 8 dimension pages), an
open workshop with four hot-seat regions, its host and 60 reviewers from twelve other regions, each assigned
to one of them. Every reviewer runs in a thread of their own and does what a reviewer does in the
browser, with no pause between clicks:

1. logs in through the real form (CSRF included); the sixty log-ins run at once and are timed
   apart (scrypt is deliberately slow: their figures are printed, not part of the target);
2. once all are in, all at once: opens the review, then each page in turn (the eight dimensions,
   then the general part), saving it full ("Save and go on": scores and comments; the texts on
   the general page), which builds the full draft;
3. reopens the review, opens the confirmation page and submits.

Printed for each database: p50 and p99 latency of the saves and submissions (the POSTs; every GET
in between is load on the same two workers), then of each kind apart (the GETs of the pages, the
first save, which inserts the draft, the other saves, the submissions), error responses (anything but the expected
redirect), and then the scores stored in submitted reviews, counted in the database with the value
saved: every one must be there, and the e-mails to the host (one per submission; under
gunicorn.conf.py's worker they leave when a worker is idle, docs/mail.md): the bench waits for
them, up to :data:`MAIL_WAIT` seconds, before it reads the CPU, so the CPU includes their delivery.
Each request's kind, start and end (wall clock) go to ``<database>-requests.csv`` in the run's
folder, to see when the slow ones happen. The load generator is the standard library:
``http.client``, one connection per request (the sync workers close them), the whole body read,
the CSRF token and the version found in the page with a regex. The load average is printed before
and after. Target: 0 errors, every score stored, every e-mail sent, p99 < 500 ms.
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
MAIL_WAIT = 30  # seconds the e-mails of the submissions may take after the last answer
SCORE = 3
#: The requests timed, by kind: the target is on the POSTs (the first save inserts the draft).
KINDS = ("GET pages", "POST first save", "POST save", "POST submit")


def _programme(url: str) -> tuple[dict[str, int], list[tuple[str, list[str]]]]:
    """The data of the run; returns {reviewer e-mail: assignment id} and the review's pages in
    order, each with the keys of the scored questions it asks."""
    from sqlalchemy import select

    from eis_toolkit import ROOT as APP_ROOT
    from eis_toolkit.bundles.load import load_bundle
    from eis_toolkit.extensions import db
    from eis_toolkit.models import ReviewerAssignment, User, Workshop
    from eis_toolkit.questionnaires.schema import load_questionnaire_file
    from eis_toolkit.questionnaires.services import register
    from eis_toolkit.workshops.reviews import GENERAL, page_questions

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
            # the host, whom each submission notifies (an e-mail queued in the outbox, as in a workshop)
            "people": people + [{"email": "host@example.org", "name": "Host", "region": hot[0], "roles": ["host"],
                                 "password": PASSWORD}],
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
        pages = [(d.key, [q.key for q in page_questions(definition, d.key)]) for d in definition.dimensions]
        return assignments, [page for page in pages if page[1]] + [(GENERAL, [])]


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


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _log_in(port: int, email: str, timings: list, errors: list) -> str | None:
    """Log in through the form; the session cookie, or None (and an error) when refused."""
    try:
        response, html = _request(port, "/login")
        cookie = _cookies(response)
        token = _form_token(html)[0]
        start = time.perf_counter()
        response, _ = _request(port, "/login", cookie, "POST",
                               urlencode({"email": email, "password": PASSWORD, "csrf_token": token}), FORM)
        timings.append(time.perf_counter() - start)
    except Exception as error:  # a refused connection or a timeout counts as an error, never hides
        errors.append(f"{email}: log in: {type(error).__name__}: {error}")
        return None
    if response.status != 302:
        errors.append(f"{email}: log in answered {response.status}")
        return None
    return _cookies(response, cookie)


def _review(port: int, email: str, cookie: str, assignment: int, pages: list, timings: dict, errors: list) -> None:
    """Open the review, save every page full, reopen it and submit: each request timed under its
    kind (:data:`KINDS`)."""
    base = f"/reviews/{assignment}"

    def timed(kind: str, path: str, body: dict | None = None):
        start = time.time()
        answer = _request(port, path, cookie, *(("POST", urlencode(body), FORM) if body is not None else ()))
        timings[kind].append((start, time.time()))
        return answer

    try:
        timed("GET pages", base)
        for number, (page, keys) in enumerate(pages):
            response, html = timed("GET pages", f"{base}/{page}")
            token, version = _form_token(html)
            fields = {"csrf_token": token, "version": version, "action": "next",
                      **{f"score.{key}": str(SCORE) for key in keys},
                      **{f"comment.{key}": f"{email} on {key}" for key in keys}}
            if not keys:  # the general part
                fields.update(strengths=f"{email}: strengths", weaknesses=f"{email}: weaknesses",
                              recommendations=f"{email}: recommendations")
            response, _ = timed("POST first save" if number == 0 else "POST save", f"{base}/{page}", fields)
            if response.status != 302:
                errors.append(f"{email}: saving {page} answered {response.status}")
                return
        timed("GET pages", base)  # reopen the review
        response, html = timed("GET pages", f"{base}/submit")
        response, _ = timed("POST submit", f"{base}/submit", {"csrf_token": _form_token(html)[0]})
        if response.status != 302 or not response.getheader("Location", "").endswith(base):
            errors.append(f"{email}: submit answered {response.status}")
    except Exception as error:  # a refused connection or a timeout counts as an error, never hides
        errors.append(f"{email}: {type(error).__name__}: {error}")


def _all_at_once(target, argument_lists: list[tuple]) -> float:
    """Run ``target(*arguments)`` in one thread each, all started together; the wall time."""
    threads = [threading.Thread(target=target, args=arguments) for arguments in argument_lists]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return time.perf_counter() - start


def _percentiles(timings: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds (nan without timings)."""
    if not timings:
        return float("nan"), float("nan")
    timings = sorted(timings)
    return statistics.median(timings) * 1000, timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000


def _server_cpu(pid: int) -> float:
    """CPU seconds (user and system) of a running process and its children so far: gunicorn's
    master and its workers (Linux's /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return seconds + sum(_server_cpu(int(child)) for child in children.read().split())


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _stored(url: str) -> int:
    """Scores of submitted reviews stored with the value the reviewers saved."""
    from sqlalchemy import create_engine, func, select

    from eis_toolkit.models import Review, ReviewScore, ReviewStatus

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(ReviewScore).join(Review)
                                  .where(Review.status == ReviewStatus.SUBMITTED, ReviewScore.score == SCORE))
    engine.dispose()
    return found


def _sent(url: str) -> int:
    """E-mails of the outbox sent so far (one to the host per submission)."""
    from sqlalchemy import create_engine, func, select

    from eis_toolkit.models import OutboxMessage

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_not(None)))
    engine.dispose()
    return found


def bench_database(url: str, label: str, folder: Path) -> bool:
    print(f"\n== {label}: {REVIEWERS} reviewers at once, {HOT_SEAT} hot-seat regions ==", flush=True)
    assignments, pages = _programme(url)
    env = {**os.environ, "EIS_DATABASE_URL": url, "EIS_SECRET_KEY": "bench-reviews", "PYTHONPATH": str(ROOT),
           "EIS_LOGIN_LIMIT_ADDRESS": "10000 per minute"}
    port = _free_port()
    server = _start("eis_toolkit:create_app()", port, env, folder / f"{label}.log")
    cookies, log_ins, errors = {}, [], []
    spans: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    print(f"load average {_load()} at the start", flush=True)
    try:
        def log_in(email):
            cookies[email] = _log_in(port, email, log_ins, errors)

        log_in_wall = _all_at_once(log_in, [(email,) for email in assignments])
        client_cpu, server_cpu = time.process_time(), _server_cpu(server.pid)
        wall = _all_at_once(_review, [(port, email, cookies[email], assignment, pages, spans, errors)
                                      for email, assignment in assignments.items() if cookies.get(email)])
        answered = time.time()
        sent = _sent(url)
        while sent < REVIEWERS and time.time() < answered + MAIL_WAIT:  # the CPU counted includes the mail
            time.sleep(0.1)
            sent = _sent(url)
        mail_after = time.time() - answered
        client_cpu, server_cpu = time.process_time() - client_cpu, _server_cpu(server.pid) - server_cpu
    finally:
        _stop(server)
    p50, p99 = _percentiles(log_ins)
    print(f"{len(log_ins)} log-ins at once in {log_in_wall:.1f} s: p50 {p50:.0f} ms, p99 {p99:.0f} ms "
          "(scrypt; not part of the target)")
    timings = {kind: [end - start for start, end in spans[kind]] for kind in KINDS}
    timeline = folder / f"{label}-requests.csv"
    timeline.write_text("kind,start,end\n" + "".join(f"{kind},{start:.6f},{end:.6f}\n" for kind in KINDS
                                                      for start, end in sorted(spans[kind])))
    posts = [t for kind in KINDS if kind.startswith("POST") for t in timings[kind]]
    p50, p99 = _percentiles(posts)
    scored = sum(len(keys) for _, keys in pages)
    stored, expected = _stored(url), REVIEWERS * scored
    print(f"{len(posts)} saves and submissions ({len(pages)} pages and the submission per reviewer) in {wall:.1f} s: "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms (target < {TARGET_P99 * 1000:.0f} ms)")
    by_kind = {kind: (len(timings[kind]), *_percentiles(timings[kind])) for kind in KINDS}
    print("  by kind: " + "; ".join(f"{kind} {n}: p50 {low:.0f}, p99 {high:.0f} ms"
                                    for kind, (n, low, high) in by_kind.items()))
    requests = REVIEWERS * (len(pages) * 2 + 4)  # the overview twice, the pages, the confirmation, the submission
    print(f"CPU of the {requests} requests of the reviews: gunicorn {server_cpu:.1f} s "
          f"({server_cpu / requests * 1000:.1f} ms each), the load generator {client_cpu:.1f} s "
          f"({client_cpu / requests * 1000:.1f} ms each)")
    print(f"e-mails to the host sent: {sent} of {REVIEWERS}, the last {mail_after:.1f} s after the last answer")
    print(f"each request's kind, start and end: {timeline}")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    print(f"scores stored in submitted reviews: {stored} of {expected}")
    print(f"load average {_load()} at the end")
    ok = not errors and stored == expected and sent == REVIEWERS
    print("result:", "every score stored, no error" if ok else "NOT every score stored, or errors",
          "; p99 target", "met" if p99 < TARGET_P99 * 1000 else "NOT met")
    return ok


def run() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="eis-bench-reviews-"))
    ok = bench_database(f"sqlite:///{folder / 'reviews.sqlite'}", "SQLite", folder)
    if os.environ.get("EIS_BENCH_DATABASE_URL"):
        ok = bench_database(os.environ["EIS_BENCH_DATABASE_URL"], "PostgreSQL", folder) and ok
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if run() else 1)

"""Throughput under gunicorn: scorecard, workshop and review pages against a bare Flask page of
the same byte size, in the same run, and a crash check over every page kind.

A fresh SQLite database gets ``bench/data.py``'s 300 regions (8 reviewers each). Two gunicorn
servers start with the project's ``gunicorn.conf.py`` (``preload_app`` and ``gc.freeze()``),
2 sync workers each, on loopback: ours (``eis_toolkit:create_app()``) and the bare app of
``bench/bare.py``. Each page is fetched once to learn its size, loaded unmeasured to warm both workers, then the
load generator runs for a few seconds against it and against the bare page of that size,
alternately: ``wrk`` (Debian's package) when installed, else a bounded Python loop of
``http.client`` requests on two connections. A page's ratio is its requests per second divided
by the bare page's. Then every page kind is requested again, ``CRASH_REQUESTS`` in all, and the
server log is searched for dead workers. Target of issue #9: warm scorecard ≥ 0.3× bare (each
page gets ``WARM_UP_SECONDS`` of unmeasured load first, which reaches both workers' caches).
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import PASSWORD, add_people, fresh_app

ORDER = 30
ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("EIS_BENCH_SECONDS", 8))
CONNECTIONS = 2
#: Unmeasured load on each page first, so that both workers have filled their caches.
WARM_UP_SECONDS = 3
CRASH_REQUESTS = int(os.environ.get("EIS_BENCH_CRASH_REQUESTS", 10_000))
TARGET = 0.3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(app: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
               "--workers", "2", "--bind", f"127.0.0.1:{port}", "--max-requests", "0",
               "--access-logfile", "/dev/null", app]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn for {app} stopped: see {log}")
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn for {app} did not start")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _request(port: int, path: str, cookie: str = "", method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    all_headers = {"Cookie": cookie} if cookie else {}
    all_headers.update(headers or {})
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def _login(port: int, email: str) -> str:
    """Log in through the real form (CSRF included); the session cookie."""
    response, html = _request(port, "/login")
    cookie = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html).group(1).decode()
    from urllib.parse import urlencode

    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    response, _ = _request(port, "/login", cookie, "POST", body,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 302, f"log in as {email}: HTTP {response.status}"
    return "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])


def _wrk(port: int, path: str, cookie: str, seconds: int = SECONDS) -> tuple[float, int]:
    """(requests per second, non-2xx/3xx responses) for ``seconds`` of load."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return rate, int(errors.group(1)) if errors else 0
    counts, errors, stop = [0] * CONNECTIONS, [0] * CONNECTIONS, time.perf_counter() + seconds

    def loop(i):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < stop:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            counts[i] += 1
            errors[i] += response.status >= 400
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CONNECTIONS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start), sum(errors)


def run() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="eis-bench-serve-"))
    url = f"sqlite:///{folder / 'serve.sqlite'}"
    app = fresh_app(url)
    with app.app_context():
        from .data import generate

        generated = generate(regions=300, workshops=30)
        ids = add_people(generated.one_workshop_id)
        from eis_toolkit.extensions import db
        db.session.remove()
        db.engine.dispose()
    env = {**os.environ, "EIS_DATABASE_URL": url, "EIS_SECRET_KEY": "bench-serve", "PYTHONPATH": str(ROOT)}
    ours_port, bare_port = _free_port(), _free_port()
    ours = _start("eis_toolkit:create_app()", ours_port, env, folder / "ours.log")
    bare = _start("bench.bare:app", bare_port, env, folder / "bare.log")
    ok = True
    try:
        cookies = {who: _login(ours_port, f"{who}@example.org") for who in ("admin", "member", "peer")}
        pages = [("scorecard", "member", "/benchmark/workshops/one-workshop-0/regions/R000"),
                 ("workshop page", "member", "/benchmark/workshops/one-workshop-0"),
                 ("review page", "peer", f"/reviews/{ids['assignment']}"),
                 ("login page", "", "/login")]
        print(f"wrk {'(Debian)' if shutil.which('wrk') else 'not installed: a Python http.client loop'}, "
              f"{CONNECTIONS} connections, {SECONDS} s per measurement, gunicorn 2 sync workers each, "
              f"gc.freeze() after start-up")
        print(f"{'page':15}{'bytes':>9}{'ours req/s':>12}{'bare req/s':>12}{'ratio':>8}")
        for label, who, path in pages:
            cookie = cookies.get(who, "")
            response, body = _request(ours_port, path, cookie)
            assert response.status == 200, f"{label}: HTTP {response.status}"
            bare_path = f"/bytes/{len(body)}"
            # Warm: each worker has a cache of its own (SimpleCache), so load both before measuring.
            _wrk(ours_port, path, cookie, WARM_UP_SECONDS)
            _wrk(bare_port, bare_path, "", WARM_UP_SECONDS)
            bare_rate, _ = _wrk(bare_port, bare_path, "")
            ours_rate, errors = _wrk(ours_port, path, cookie)
            ratio = ours_rate / bare_rate
            note = f"  ({'met' if ratio >= TARGET else 'NOT met'}: target ≥ {TARGET}×)" if label == "scorecard" else ""
            if errors:
                note += f"  {errors} error responses"
                ok = False
            print(f"{label:15}{len(body):9,}{ours_rate:12.1f}{bare_rate:12.1f}{ratio:8.2f}{note}", flush=True)
        kinds = [("admin", "/benchmark/workshops/one-workshop-0/regions/R007"),
                 ("admin", "/benchmark/workshops/one-workshop-0"),
                 ("admin", "/benchmark/workshops/one-workshop-0?sort=dim1&page=3"),
                 ("admin", "/benchmark/programmes/one-workshop/bench@1"),
                 ("admin", "/benchmark/workshops/one-workshop-0/regions/R007/bars.svg"),
                 ("admin", "/benchmark/workshops/one-workshop-0/heatmap.svg"),
                 ("admin", "/benchmark/workshops/one-workshop-0/regions/R007/benchmark.csv"),
                 ("member", f"/assessments/{ids['assessment']}/questions/dim0"),
                 ("member", f"/assessments/{ids['assessment']}"),
                 ("peer", f"/reviews/{ids['assignment']}"),
                 ("member", "/dashboard")]
        failures, start = 0, time.perf_counter()
        for i in range(CRASH_REQUESTS):
            who, path = kinds[i % len(kinds)]
            try:
                response, _ = _request(ours_port, path, cookies[who])
                failures += response.status != 200
            except (ConnectionError, http.client.HTTPException):
                failures += 1
        log = (folder / "ours.log").read_text(errors="replace")
        dead = len(re.findall(r"Worker \(pid:\d+\) (was sent|exited)|Segmentation fault|WORKER TIMEOUT", log))
        print(f"crash check: {CRASH_REQUESTS:,} requests over {len(kinds)} page kinds in "
              f"{time.perf_counter() - start:.0f} s: {failures} failed, {dead} worker deaths in the log")
        frozen = re.search(r"gc.freeze\(\): (\d+)", log)
        if frozen:
            print(f"gc.freeze(): {int(frozen.group(1)):,} start-up objects frozen in the master")
        ok = ok and failures == 0 and dead == 0
    finally:
        _stop(ours)
        _stop(bare)
        shutil.rmtree(folder, ignore_errors=True)
    return ok

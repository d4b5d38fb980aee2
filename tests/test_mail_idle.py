"""Mail put aside until the server is idle (``outbox.deliver_when_idle``, gunicorn.conf.py's worker):
never sent while a burst of requests waits, never lost."""
from __future__ import annotations

import runpy
import socket
from types import SimpleNamespace

import pytest
from gunicorn.workers.sync import SyncWorker
from sqlalchemy import select

from eis_toolkit import ROOT
from eis_toolkit.extensions import db
from eis_toolkit.mail import outbox
from eis_toolkit.models import OutboxMessage


@pytest.fixture
def idle_delivery(monkeypatch):
    """This process delivers when idle, as a gunicorn worker of gunicorn.conf.py does."""
    put_aside = outbox._PutAside()
    monkeypatch.setattr(outbox, "_put_aside", put_aside)
    outbox.deliver_when_idle()
    return put_aside


def _forgot(client, email: str = "dk@example.org"):
    """A request whose mail leaves after the response (the forgotten-password page), closed as a
    server closes it once sent."""
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 200
    response.get_data()
    response.close()


def _rows() -> list[tuple]:
    """(kind, recipient, sent, attempts, last error) of each message; the test's session then
    ended, as before a request (its savepoint would otherwise hold back what others committed)."""
    db.session.rollback()
    rows = [(m.kind, m.recipient, m.sent_at is not None, m.attempts, m.last_error)
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    db.session.rollback()
    return rows


def test_the_mail_waits_for_the_idle_server_then_leaves_once(loaded, client, smtp_server, idle_delivery):
    _forgot(client)
    _forgot(client, "ie@example.org")
    assert smtp_server.messages == []  # both responses are closed: nothing sent yet
    assert _rows() == [("password_reset", "dk@example.org", False, 0, ""),  # committed, queued
                       ("password_reset", "ie@example.org", False, 0, "")]
    assert outbox.has_put_aside()
    outbox.deliver_put_aside()  # the server has no request waiting
    assert sorted(m["To"] for m in smtp_server.messages) == ["dk@example.org", "ie@example.org"]
    assert [row[2:4] for row in _rows()] == [(True, 1), (True, 1)]
    assert not outbox.has_put_aside()
    outbox.deliver_put_aside()
    assert len(smtp_server.messages) == 2


def test_a_message_that_waited_too_long_leaves_with_the_next_response(loaded, client, smtp_server, idle_delivery,
                                                                     monkeypatch):
    monkeypatch.setattr(outbox._PutAside, "MOST_SECONDS", 0.0)  # a server busy for longer than that
    _forgot(client)
    assert [m["To"] for m in smtp_server.messages] == ["dk@example.org"]
    assert not outbox.has_put_aside()


def test_a_process_killed_before_it_was_idle_leaves_the_message_queued_for_notify_send(
        loaded, client, smtp_server, idle_delivery, runner, monkeypatch):
    _forgot(client)
    monkeypatch.setattr(outbox, "_put_aside", outbox._PutAside())  # what was put aside died with the process
    assert smtp_server.messages == [] and [row[2] for row in _rows()] == [False]
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp_server.messages] == ["dk@example.org"]
    assert [row[2] for row in _rows()] == [True]


def test_a_failed_delivery_stays_queued(loaded, client, idle_delivery, app):
    app.config["EIS_SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    _forgot(client)
    outbox.deliver_put_aside()
    [(_, _, sent, attempts, error)] = _rows()
    assert not sent and attempts == 1 and error


@pytest.fixture
def worker(monkeypatch):
    """gunicorn.conf.py's worker class around a listening socket, its outbox a recorder."""
    Worker = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"]
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    calls = []
    monkeypatch.setattr(SyncWorker, "wait", lambda self, timeout: calls.append("select"))
    instance = Worker.__new__(Worker)
    instance.sockets = [listener]
    instance.outbox = SimpleNamespace(has_put_aside=lambda: instance.pending,
                                      deliver_put_aside=lambda: calls.append("deliver"))
    instance.pending, instance.calls = False, calls
    yield instance
    listener.close()


def test_the_worker_delivers_before_it_sleeps_when_no_connection_waits(worker):
    worker.wait(1.0)
    assert worker.calls == ["select"]  # nothing put aside
    worker.pending = True
    worker.wait(1.0)
    assert worker.calls == ["select", "deliver", "select"]
    worker.calls.clear()
    with socket.create_connection(worker.sockets[0].getsockname()):  # a reviewer waits: serve first
        worker.wait(1.0)
    assert worker.calls == ["select"]


def test_the_worker_delivers_when_it_stops(worker, monkeypatch):
    def serve_then_stop(self):
        raise SystemExit(0)  # gunicorn's quick shutdown

    monkeypatch.setattr(SyncWorker, "run", serve_then_stop)
    with pytest.raises(SystemExit):
        worker.run()
    assert worker.calls == ["deliver"]


def test_the_worker_turns_idle_delivery_on(monkeypatch):
    put_aside = outbox._PutAside()
    monkeypatch.setattr(outbox, "_put_aside", put_aside)
    monkeypatch.setattr(SyncWorker, "init_process", lambda self: None)
    Worker = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"]
    Worker.__new__(Worker).init_process()
    assert put_aside.enabled

"""gunicorn settings for EIS Toolkit: ``gunicorn 'eis_toolkit:create_app()'`` reads this file
from the working directory (or pass ``-c gunicorn.conf.py``). Every value can be overridden on
the command line or with ``GUNICORN_CMD_ARGS``.

The app is built once in the master (``preload_app``), then the master freezes the garbage
collector's view of everything loaded so far (``gc.freeze()``): the objects of start-up
(modules, models, templates, the questionnaire definitions) move to a permanent generation that
the cyclic collector never scans again, so a collection in a worker walks only the request's
objects, and the pages the forked workers share with the master stay shared (a scan writes to
every object's header, which would copy them into each worker).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import select

from gunicorn.workers.sync import SyncWorker

bind = os.environ.get("EIS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("EIS_WORKERS", 2 * multiprocessing.cpu_count() + 1))


class Worker(SyncWorker):
    """gunicorn's sync worker (measured against gthread, 2 × 4 threads, with 60 reviewers at once:
    the requests are CPU-bound Python, threads only share the GIL: longer p99, more CPU per
    request; docs/security.md) that sends the e-mail the app put aside
    (``eis_toolkit.mail.outbox.deliver_when_idle``) when no connection waits, and when it stops."""

    def init_process(self) -> None:
        from eis_toolkit.mail import outbox  # in the worker: the app was loaded by then

        self.outbox = outbox
        outbox.deliver_when_idle()
        super().init_process()

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.outbox.deliver_put_aside()

    def wait(self, timeout):
        """Before sleeping in select (no connection was waiting): the put-aside mail first."""
        if self.outbox.has_put_aside() and not select.select(self.sockets, [], [], 0)[0]:
            self.outbox.deliver_put_aside()
        return super().wait(timeout)


worker_class = Worker
preload_app = True
timeout = 60
graceful_timeout = 30
max_requests = 5000  # recycle a worker now and then (bounded growth of caches and fragmentation)
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"


def when_ready(server) -> None:
    """After the app is loaded in the master and before the workers fork: freeze what start-up
    made, so that no worker's collector scans it again. The PDF renderer (WeasyPrint, which the app
    imports only with the first report) is loaded here first, and every template compiled (pages
    and e-mails: each worker's first request of a kind compiled its own, 30–130 ms), so the
    workers share them too."""
    import eis_toolkit.reporting.render  # noqa: F401

    # Only when the app is loaded here (else each worker loads it), and is Flask (not a middleware).
    environment = getattr(server.app.wsgi(), "jinja_env", None) if server.cfg.preload_app else None
    for name in environment.list_templates() if environment else ():
        environment.get_template(name)
    gc.collect()
    gc.freeze()
    server.log.info("gc.freeze(): %d start-up objects left out of garbage collection", gc.get_freeze_count())


def post_fork(server, worker) -> None:
    """In each worker: the frozen objects stay frozen (gc state is inherited through fork)."""
    worker.log.debug("worker %s: %d frozen objects", worker.pid, gc.get_freeze_count())

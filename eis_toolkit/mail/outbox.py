"""Queue messages in the caller's transaction; deliver them once it has committed.

Delivery goes through SMTP when ``EIS_SMTP_URL`` is set (``smtp://user:pass@host:port``,
``smtp+starttls://...``, ``smtps://...``; ``EIS_SMTP_CA_FILE`` adds CAs to trust), else each message is written to
``EIS_OUTBOX_DIR/<id>.eml`` (``instance/outbox``) and logged, so a development server needs no
mail server. A failed send records the error on the row and leaves it queued; it never raises
into the request that caused it.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, g
from sqlalchemy import event, select

from ..columns import utcnow
from ..extensions import db
from .models import OutboxMessage

log = logging.getLogger(__name__)

_PENDING = "eis_outbox_pending"      # ids queued in the session's open transaction
_COMMITTED = "eis_outbox_committed"  # ids whose transaction has committed: to deliver


def queue(recipient: str, subject: str, text: str, *, html: str = "", kind: str, language: str = "en") -> OutboxMessage:
    """Add a message to the outbox in the current transaction (flushes; the caller commits)."""
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=text, body_html=html,
                            kind=kind, language=language)
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(message.id)
    return message


def _committed(session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        session.info.setdefault(_COMMITTED, []).extend(ids)


def _rolled_back(session) -> None:
    session.info.pop(_PENDING, None)


def as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The message as the standard library's ``EmailMessage`` (plain text, HTML alternative)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or "localhost")
    email["X-EIS-Kind"] = message.kind
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    email["Content-Language"] = message.language  # after the content, which clears Content-* headers
    return email


class Transport:
    """Sends ``EmailMessage`` objects through one SMTP connection, or writes ``.eml`` files."""

    def __init__(self, config):
        self.url = config.get("EIS_SMTP_URL")
        self.folder = Path(config["EIS_OUTBOX_DIR"])
        self.timeout = float(config.get("EIS_SMTP_TIMEOUT", 10))
        self.ca_file = config.get("EIS_SMTP_CA_FILE") or None
        self.smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        parts = urlsplit(self.url)
        if parts.scheme not in ("smtp", "smtp+starttls", "smtps"):
            raise ValueError(f"EIS_SMTP_URL: unknown scheme {parts.scheme!r} (smtp, smtp+starttls, smtps)")
        host = parts.hostname or "localhost"
        # The server's certificate and name are checked, against the system's CAs or EIS_SMTP_CA_FILE.
        context = ssl.create_default_context(cafile=self.ca_file)
        if parts.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(host, parts.port or 465, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, parts.port or (587 if parts.scheme == "smtp+starttls" else 25),
                                timeout=self.timeout)
        try:
            if parts.scheme == "smtp+starttls":
                smtp.starttls(context=context)
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: OutboxMessage, email: EmailMessage) -> None:
        if not self.url:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{message.id}.eml"
            path.write_bytes(bytes(email))
            log.info("e-mail %s to %s (%s) written to %s", message.id, message.recipient, message.subject, path)
            return
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(email)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.smtp = None  # the next message opens a new connection
            raise


def deliver(messages) -> tuple[int, int]:
    """Try each message once; mark it sent, or count the attempt and keep the error. Flushes.

    Returns (sent, failed)."""
    config = current_app.config
    sender = config["EIS_MAIL_FROM"]
    sent = failed = 0
    with Transport(config) as transport:
        for message in messages:
            message.attempts += 1
            try:
                transport.send(message, as_email(message, sender))
            except (smtplib.SMTPException, OSError, ValueError) as error:
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                failed += 1
                log.warning("e-mail %s to %s not sent: %s", message.id, message.recipient, message.last_error)
            else:
                message.sent_at, message.last_error = utcnow(), ""
                sent += 1
    db.session.flush()
    return sent, failed


def queued(limit: int | None = None) -> list[OutboxMessage]:
    """The messages not sent yet, oldest first."""
    statement = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
    return list(db.session.scalars(statement.limit(limit)))


def _deliver(ids) -> None:
    """Send those of the messages ``ids`` not sent yet; commit the outcome. Never raises."""
    try:
        messages = list(db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)))
        deliver(messages)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the request that caused the mail must not fail because of it
        log.exception("the outbox could not be delivered; its messages stay queued")
        db.session.rollback()


def deliver_committed() -> None:
    """Send what the committed transactions of this session queued; commit the outcome.

    Called at the end of each request (and by commands that queue mail). Never raises: a message
    that cannot be sent stays queued for ``eis notify send``."""
    ids = db.session.info.pop(_COMMITTED, None)
    if ids:
        _deliver(ids)


def deliver_after_response() -> None:
    """Send this request's mail only once its response has gone to the client (when the server
    closes it), in an app context of its own: a page whose answer must take as long whether or not
    it sends mail (the forgotten-password page) then makes no SMTP connection while answering.
    Under a server that delivers when idle (:func:`deliver_when_idle`) the mail is put aside
    instead, and leaves when the server has no request waiting."""
    g.eis_outbox_after_response = True


class _PutAside:
    """The mail of this process's requests that waits for the server to be idle: the ids of
    committed messages per app, and since when the oldest waits."""

    #: A message waits at most this long: a response that ends later sends what is put aside.
    MOST_SECONDS = 10.0

    def __init__(self):
        self.enabled = False
        self.lock = threading.Lock()
        self.ids: dict[Flask, list[int]] = {}
        self.since: float | None = None

    def keep(self, app: Flask, ids: list[int]) -> bool:
        """Put ``ids`` aside; whether the oldest message has waited too long."""
        with self.lock:
            self.ids.setdefault(app, []).extend(ids)
            if self.since is None:
                self.since = time.monotonic()
            return time.monotonic() - self.since >= self.MOST_SECONDS

    def take(self) -> dict[Flask, list[int]]:
        with self.lock:
            taken, self.ids, self.since = self.ids, {}, None
        return taken


_put_aside = _PutAside()


def deliver_when_idle() -> None:
    """Called by a server (gunicorn.conf.py's worker) that promises to call
    :func:`deliver_put_aside` whenever no request waits and when it stops: the mail of
    :func:`deliver_after_response` is then put aside and sent in one transaction when the
    process is idle (after a burst of requests, not between them), or at the end of a response
    once the oldest has waited :attr:`_PutAside.MOST_SECONDS`. A message is a committed row
    before it is put aside: a process killed meanwhile leaves it queued for ``eis notify send``."""
    _put_aside.enabled = True


def has_put_aside() -> bool:
    return bool(_put_aside.ids)


def deliver_put_aside() -> None:
    """Send the mail put aside (:func:`deliver_when_idle`), each app's in one transaction. Never raises."""
    for app, ids in _put_aside.take().items():
        with app.app_context():
            _deliver(ids)


def _after_request(response):
    if not db.session.registry.has():
        return response  # the request opened no session (a cached page): it queued nothing
    if not g.get("eis_outbox_after_response"):
        deliver_committed()
        return response
    ids = db.session.info.pop(_COMMITTED, None)
    if ids:
        app = current_app._get_current_object()
        if not _put_aside.enabled:
            def later():
                with app.app_context():
                    _deliver(ids)

            response.call_on_close(later)
        elif _put_aside.keep(app, ids):
            response.call_on_close(deliver_put_aside)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("EIS_OUTBOX_DIR", str(Path(app.instance_path) / "outbox"))
    app.after_request(_after_request)
    if not getattr(db.session, "_eis_outbox_events", False):
        event.listen(db.session, "after_commit", _committed)
        event.listen(db.session, "after_rollback", _rolled_back)
        db.session._eis_outbox_events = True

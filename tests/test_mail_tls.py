"""SMTP over TLS (mail/outbox.py): ``smtp+starttls://`` with a log-in and ``smtps://`` (TLS from the
start), against aiosmtpd with a self-signed certificate made here (``openssl req``); the
certificate is checked (``EIS_SMTP_CA_FILE``), and a refused log-in or an untrusted certificate
leaves the message queued."""
from __future__ import annotations

import socket
import ssl
import subprocess

import pytest
from sqlalchemy import select

from conftest import SmtpServer
from eis_toolkit.extensions import db
from eis_toolkit.mail.outbox import deliver_committed, queue
from eis_toolkit.models import OutboxMessage

CREDENTIALS = ("mailer", "s3cret/pass")  # the "/" is URL-encoded in EIS_SMTP_URL


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["smtp+starttls", "smtps"])
def tls_server(request, app, certificate):
    """aiosmtpd speaking STARTTLS (required, log-in only after it) or TLS from the start, accepting
    only ``CREDENTIALS``; the app trusts its certificate. Yields (handler, scheme, port)."""
    from aiosmtpd.controller import Controller

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*map(str, certificate))
    handler, port = SmtpServer(), _free_port()
    handler.credentials = CREDENTIALS
    if request.param == "smtps":
        # The whole connection is TLS; aiosmtpd only counts STARTTLS as TLS for auth_require_tls.
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_context,
                                authenticator=handler.authenticate, auth_require_tls=False)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_context,
                                require_starttls=True, authenticator=handler.authenticate, auth_require_tls=True)
    controller.start()
    app.config["EIS_SMTP_CA_FILE"] = str(certificate[0])
    try:
        yield handler, request.param, port
    finally:
        controller.stop()


def _send_one(app, url: str) -> OutboxMessage:
    app.config["EIS_SMTP_URL"] = url
    queue("anna@example.org", "Hello", "Over TLS.", kind="test")
    db.session.commit()
    deliver_committed()
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


@pytest.mark.commits
def test_a_message_goes_over_tls_with_a_log_in(app, tls_server):
    handler, scheme, port = tls_server
    message = _send_one(app, f"{scheme}://mailer:s3cret%2Fpass@127.0.0.1:{port}")
    assert message.sent_at is not None and message.last_error == ""
    [received] = handler.to("anna@example.org")
    assert received["Subject"] == "Hello" and received.get_body(("plain",)).get_content().strip() == "Over TLS."


@pytest.mark.commits
def test_a_refused_log_in_leaves_the_message_queued(app, tls_server):
    handler, scheme, port = tls_server
    message = _send_one(app, f"{scheme}://mailer:wrong@127.0.0.1:{port}")
    assert message.sent_at is None and message.attempts == 1 and "Authentication" in message.last_error
    assert handler.messages == []


@pytest.mark.commits
def test_an_untrusted_certificate_leaves_the_message_queued(app, tls_server):
    handler, scheme, port = tls_server
    app.config["EIS_SMTP_CA_FILE"] = None  # the system's CAs do not know the test's certificate
    message = _send_one(app, f"{scheme}://mailer:s3cret%2Fpass@127.0.0.1:{port}")
    assert message.sent_at is None and "CERTIFICATE_VERIFY_FAILED" in message.last_error
    assert handler.messages == []


@pytest.mark.commits
def test_a_server_that_is_not_there_leaves_the_message_queued(app):
    message = _send_one(app, f"smtps://127.0.0.1:{_free_port()}")
    assert message.sent_at is None and message.attempts == 1 and message.last_error

"""Security headers on every response; HTTPS-only cookies and HSTS when served over HTTPS.

Behind a reverse proxy that terminates HTTPS, set ``EIS_TRUSTED_PROXIES`` to the number of
proxies in front of the app, so that their ``X-Forwarded-Proto`` and ``X-Forwarded-For`` are
believed (Werkzeug's ``ProxyFix``) and a request that reached the proxy over HTTPS counts as
secure. Then every cookie carries ``Secure`` and responses carry ``Strict-Transport-Security``.
"""
from functools import lru_cache
from types import SimpleNamespace

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Two years, subdomains included: what the HSTS preload list asks for.
HSTS = "max-age=63072000; includeSubDomains"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session. The cookie is ``Secure`` whenever the request came over HTTPS
    (or the setting says so). A request without a cookie gets an empty session at once, an empty
    session left unchanged is not saved (no cookie: Flask's answer, without working out the
    cookie's settings first), and the signing serializer is built once per secret key rather than
    twice a request (Flask's, as is: the same keys, salt and fallbacks, so every cookie reads and
    signs as before)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if not session and not session.modified:  # Flask's own answer, without working out the cookie
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._serializer(app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))

    @lru_cache(maxsize=4)  # noqa: B019 - one interface per app, a few keys: kept for the process
    def _serializer(self, secret_key, fallbacks: tuple) -> URLSafeTimedSerializer | None:
        app = SimpleNamespace(secret_key=secret_key, config={"SECRET_KEY_FALLBACKS": list(fallbacks)})
        return super().get_signing_serializer(app)


def add_headers(response: Response) -> Response:
    """Each header of :data:`HEADERS` (and HSTS over HTTPS) that the response does not set itself
    (one pass over its headers: ``setdefault`` would scan them once per header)."""
    present = {name.lower() for name in response.headers.keys()}
    wanted = list(HEADERS.items()) + ([("Strict-Transport-Security", HSTS)] if request.is_secure else [])
    response.headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("EIS_TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.session_interface = SessionInterface()
    app.after_request(add_headers)

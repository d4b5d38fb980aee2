"""Security headers on every response; HTTPS-only cookies and HSTS when served over HTTPS.

Behind a reverse proxy that terminates HTTPS, set ``EIS_TRUSTED_PROXIES`` to the number of
proxies in front of the app, so that their ``X-Forwarded-Proto`` and ``X-Forwarded-For`` are
believed (Werkzeug's ``ProxyFix``) and a request that reached the proxy over HTTPS counts as
secure. Then every cookie carries ``Secure`` and responses carry ``Strict-Transport-Security``.
"""
from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
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
    """The session cookie is ``Secure`` whenever the request came over HTTPS (or the setting says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


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

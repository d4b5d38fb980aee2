"""Settings: environment variables first, then ``instance/config.py``, then defaults.

The web app and the ``eis`` command line read the same settings through :func:`load`.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .datafiles import Limits
from .spreadsheets import ArchiveLimits

#: Settings read from the environment (``EIS_<NAME>``) or from ``instance/config.py`` (``<NAME>``).
SETTINGS = ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "MAX_UPLOAD_MB", "MAX_FILE_MB", "MAX_NESTING",
            "TRUSTED_PROXIES", "MAX_WORKBOOK_MB",
            "REDIS_URL", "SESSION_DAYS", "LOGIN_LIMIT_ADDRESS", "LOGIN_LIMIT_ACCOUNT",
            "MAX_TEXT_CHARS", "REPORT_CACHE_DIR", "SMTP_URL", "MAIL_FROM", "BASE_URL", "OUTBOX_DIR",
            "PASSWORD_RESET_HOURS", "PAGE_CACHE_ENTRIES")


def _instance_values(instance_path: Path) -> dict:
    """The upper-case names defined in ``instance/config.py``, if the file exists."""
    path = instance_path / "config.py"
    if not path.exists():
        return {}
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
    return {k: v for k, v in namespace.items() if k.isupper()}


def _secret_key(instance_path: Path) -> str:
    """The key kept in ``instance/secret_key``, generated on first use."""
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def load(instance_path: str | Path, environ: dict | None = None) -> dict:
    """Return the Flask config values for this installation."""
    environ = os.environ if environ is None else environ
    instance_path = Path(instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    from_file = _instance_values(instance_path)

    def setting(name: str, default=None):
        return environ.get(f"EIS_{name}") or from_file.get(name) or from_file.get(f"EIS_{name}") or default

    database_url = setting("DATABASE_URL", f"sqlite:///{instance_path / 'eis.sqlite'}")
    secret_key = setting("SECRET_KEY") or _secret_key(instance_path)
    upload_dir = Path(setting("UPLOAD_DIR", instance_path / "uploads"))
    max_upload_mb = float(setting("MAX_UPLOAD_MB", 10))
    max_file_mb = float(setting("MAX_FILE_MB", 20))
    max_nesting = int(setting("MAX_NESTING", 64))
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secret_key,
        "EIS_UPLOAD_DIR": str(upload_dir),
        "EIS_MAX_UPLOAD_MB": max_upload_mb,
        # Any request body: one upload and its form (pages that attach several files raise it).
        "MAX_CONTENT_LENGTH": int((max_upload_mb + 1) * 1_000_000),
        "EIS_MAX_FILE_MB": max_file_mb,
        "EIS_MAX_NESTING": max_nesting,
        "EIS_MAX_TEXT_CHARS": int(setting("MAX_TEXT_CHARS", 20_000)),
        "EIS_TRUSTED_PROXIES": int(setting("TRUSTED_PROXIES", 0)),
        "EIS_MAX_WORKBOOK_MB": float(setting("MAX_WORKBOOK_MB", 50)),
        "EIS_REDIS_URL": setting("REDIS_URL"),  # the benchmark cache (eis_toolkit/cache.py); None: per process
        "EIS_PAGE_CACHE_ENTRIES": int(setting("PAGE_CACHE_ENTRIES", 400)),  # pages a process keeps without Redis
        "EIS_REPORT_CACHE_DIR": str(setting("REPORT_CACHE_DIR", instance_path / "report-cache")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A log-in (and its remember-me cookie, when asked for) ends after this many days.
        "EIS_SESSION_DAYS": float(setting("SESSION_DAYS", 14)),
        "EIS_LOGIN_LIMIT_ADDRESS": setting("LOGIN_LIMIT_ADDRESS", "10 per minute; 50 per hour"),
        "EIS_LOGIN_LIMIT_ACCOUNT": setting("LOGIN_LIMIT_ACCOUNT", "5 per minute; 20 per hour"),
        "RATELIMIT_STORAGE_URI": setting("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open all afternoon must still submit
        "EIS_LANGUAGES": ("en", "it", "da", "de"),
        # E-mail (eis_toolkit/mail, docs/mail.md): SMTP when set, else .eml files in EIS_OUTBOX_DIR.
        "EIS_SMTP_URL": setting("SMTP_URL"),
        "EIS_MAIL_FROM": setting("MAIL_FROM", "EIS Toolkit <noreply@localhost>"),
        "EIS_OUTBOX_DIR": str(setting("OUTBOX_DIR", instance_path / "outbox")),
        # The address links in e-mails start with when no request is at hand (commands).
        "EIS_BASE_URL": setting("BASE_URL", "http://localhost:5000"),
        "EIS_PASSWORD_RESET_HOURS": float(setting("PASSWORD_RESET_HOURS", 2)),
        "EIS_INVITATION_DAYS": float(setting("INVITATION_DAYS", 7)),
        # How often the live session screens ask for new figures (workshops/live.html, live_view.html).
        "EIS_LIVE_REFRESH_SECONDS": float(setting("LIVE_REFRESH_SECONDS", 4)),
        # A CA file to trust for SMTP over TLS besides the system's (a private mail server).
        "EIS_SMTP_CA_FILE": setting("SMTP_CA_FILE"),
    }


def file_limits(config) -> Limits:
    """The limits on questionnaire and bundle files, from the app's settings."""
    return Limits(max_bytes=int(config["EIS_MAX_FILE_MB"] * 1024 * 1024), max_depth=config["EIS_MAX_NESTING"])


def archive_limits(config) -> ArchiveLimits:
    """The limits on uploaded workbooks (unpacked size), from the app's settings."""
    return ArchiveLimits(max_unpacked=int(config["EIS_MAX_WORKBOOK_MB"] * 1024 * 1024))

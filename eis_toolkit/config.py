"""Settings: environment variables first, then ``instance/config.py``, then defaults.

The web app and the ``eis`` command line read the same settings through :func:`load`.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Settings read from the environment (``EIS_<NAME>``) or from ``instance/config.py`` (``<NAME>``).
SETTINGS = ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "MAX_UPLOAD_MB", "REPORT_CACHE_DIR")


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
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secret_key,
        "EIS_UPLOAD_DIR": str(upload_dir),
        "EIS_MAX_UPLOAD_MB": max_upload_mb,
        "EIS_REPORT_CACHE_DIR": str(setting("REPORT_CACHE_DIR", instance_path / "report-cache")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open all afternoon must still submit
        "EIS_LANGUAGES": ("en", "it", "da", "de"),
    }

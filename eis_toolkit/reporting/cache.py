"""Rendered PDFs on disk, keyed by the data and the language they show.

The key is a SHA-256 digest of the report's kind, its context (every figure, text and chart the
report prints, as plain data, language included) and what prints it (the report templates and
stylesheet, the translated interface strings, this package's code, WeasyPrint's version). So a changed score, comment or practice gives a new key and a new PDF, an
unchanged report is read back from disk, and two readers share a file only when their reports
would be identical byte for byte (a reader who may see less has another context, so another
key: nothing leaks from one reader's report to another's).

Files live in ``EIS_REPORT_CACHE_DIR`` (default: ``report-cache/`` in the instance folder), two
levels deep (``ab/abcdef....pdf``), written atomically (a temporary file, then a rename), so
several workers may share the folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import weasyprint
from flask import current_app

from .. import ROOT

#: The report templates and their print stylesheet, and the words they share with the pages: a
#: change to them must not serve old PDFs.
TEMPLATE_DIR = ROOT / "templates" / "reports"
SHARED_TEMPLATES = (ROOT / "templates" / "_words.html",)
PACKAGE_DIR = Path(__file__).resolve().parent
#: The compiled catalogues the headings and sentences are translated from: a corrected translation
#: must not serve old PDFs either.
TRANSLATIONS_DIR = PACKAGE_DIR.parent / "translations"


def _default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not plain report data: {type(value).__name__}")


@lru_cache(maxsize=1)
def templates_digest() -> str:
    """A digest of what turns a context into a PDF: the report templates, the print stylesheet,
    the compiled translations, this package's code and WeasyPrint's version (read once per process)."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    files = ([p for p in TEMPLATE_DIR.iterdir() if p.suffix in (".html", ".css")] + list(SHARED_TEMPLATES)
             + list(PACKAGE_DIR.glob("*.py")) + list(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.mo")))
    for path in sorted(files):
        digest.update("/".join(path.parts[-3:]).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def report_key(kind: str, context: dict) -> str:
    """The cache key of a report: its kind, its context and the templates that print it."""
    data = json.dumps(context, sort_keys=True, default=_default, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(f"{kind}\0{templates_digest()}\0{data}".encode("utf-8")).hexdigest()


def cache_dir() -> Path:
    return Path(current_app.config.get("EIS_REPORT_CACHE_DIR")
                or Path(current_app.instance_path) / "report-cache")


def _path(key: str) -> Path:
    return cache_dir() / key[:2] / f"{key}.pdf"


def get(key: str) -> bytes | None:
    """The cached PDF for ``key``, or None."""
    try:
        return _path(key).read_bytes()
    except FileNotFoundError:
        return None


def put(key: str, pdf: bytes) -> None:
    """Store a PDF under ``key`` (atomically: readers never see half a file)."""
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(pdf)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def clear() -> int:
    """Remove every cached report; returns how many files were removed."""
    removed = 0
    for path in cache_dir().glob("*/*.pdf"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed

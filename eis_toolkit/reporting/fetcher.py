"""What WeasyPrint may load while it renders a report: the app's own static files, from disk.

WeasyPrint asks its ``url_fetcher`` for every stylesheet, image and font a document names. This
one serves ``/static/...`` (relative to :data:`BASE_URL`) straight from the app's static folder,
in process, so a report never calls the serving app over HTTP (that deadlocks a single worker);
``data:`` URLs only when they hold an image. Everything else is refused, whoever wrote it:
``file:`` URLs, remote URLs, other paths of our own site, and anything that climbs out of the
static folder. A refusal raises :class:`RefusedURL`; WeasyPrint logs it and leaves the resource
out, so a hostile ``<img src=file:///etc/passwd>`` in user text (already escaped by the template,
so never an element in the first place) could not load anything even if it got through.

Every request is kept in :attr:`ReportFetcher.requested` and every served one in
:attr:`ReportFetcher.served`, so tests can assert on what was (not) fetched.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

#: The base of every report document: relative URLs such as ``/static/css/report.css`` resolve
#: against it. ``.invalid`` is a reserved name (RFC 2606): nothing ever answers there.
BASE_URL = "https://report.invalid/"
STATIC_PREFIX = "/static/"


class RefusedURL(ValueError):
    """A report named a resource it may not load."""


class ReportFetcher(URLFetcher):
    """A WeasyPrint URL fetcher over one static folder (pass it as ``url_fetcher``)."""

    def __init__(self, static_folder: str | Path):
        super().__init__(allow_redirects=False)
        self.static_folder = Path(static_folder).resolve()
        self.requested: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        self.requested.append(url)
        result = self._resolve(url)
        self.served.append(url)
        return result

    def _resolve(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
            if not media_type.startswith("image/"):
                raise RefusedURL(f"refused data: URL of type {media_type or 'text/plain'!r}")
            return super().fetch(url)  # urllib decodes data: URLs in memory; no I/O
        base = urlsplit(BASE_URL)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise RefusedURL(f"refused {url[:80]!r}: reports load only the application's own static files")
        if parts.query or not parts.path.startswith(STATIC_PREFIX):
            raise RefusedURL(f"refused {url[:80]!r}: not a static file")
        relative = unquote(parts.path[len(STATIC_PREFIX):])
        path = (self.static_folder / relative).resolve()
        if not path.is_relative_to(self.static_folder) or not path.is_file():
            raise RefusedURL(f"refused {url[:80]!r}: no such static file")
        mime_type, _ = mimetypes.guess_type(path.name)
        headers = {"Content-Type": mime_type or "application/octet-stream"}
        if mime_type and mime_type.startswith("text/"):
            headers["Content-Type"] += "; charset=utf-8"
        return URLFetcherResponse(url, path.read_bytes(), headers)

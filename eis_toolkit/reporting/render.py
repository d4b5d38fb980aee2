"""From a report's context to PDF bytes: Jinja (autoescaped) → HTML → WeasyPrint, through the cache.

Every report goes through :func:`report_pdf`, from the CLI and from the download routes alike,
so both give the same bytes for the same context. The HTML is rendered in an app and request
context of its own carrying only the language (``?lang=``), whoever asks: the person's session,
browser and settings cannot change a byte of it, and the template cannot reach the database
session of the caller (the context is plain data). The PDF's file identifier is derived from the cache
key and WeasyPrint writes no dates unless the document names them, so rendering the same
context twice gives the same bytes too.
"""
from __future__ import annotations

import base64
import logging
import re
import threading
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from . import cache
from .fetcher import BASE_URL, ReportFetcher

log = logging.getLogger(__name__)

#: Report kind → its template in ``templates/reports/``.
TEMPLATES = {"region": "reports/region.html", "workshop": "reports/workshop.html",
             "catalogue": "reports/catalogue.html", "action-plan": "reports/action_plan.html"}


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for generated ``content:``)."""
    return '"' + "".join(ch if ch.isalnum() or ch in " .,:;-–()/" else f"\\{ord(ch):x} " for ch in text) + '"'


def page_x_of_y() -> str:
    """The footer's "page X of Y" as a CSS ``content`` value, words in the report's language."""
    text = gettext("Page %(page)s of %(pages)s", page="\x01", pages="\x02")
    parts = []
    for piece in re.split("([\x01\x02])", text):
        if piece == "\x01":
            parts.append("counter(page)")
        elif piece == "\x02":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))  # every character outside [alnum .,:;-–()/] is escaped


def svg_data_url(svg: str) -> str:
    """A chart's SVG text as a ``data:image/svg+xml`` URL (each chart its own document)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_html(kind: str, context: dict) -> str:
    """The report's final HTML, in the context's language, independent of who asks."""
    language = context["language"]
    app = current_app._get_current_object()
    # a fresh app context (its own ``g``: nothing of the caller's request, login or locale leaks
    # in or out) and a request carrying only the language
    with app.app_context(), app.test_request_context("/", query_string={"lang": language}), \
            force_locale(language):
        return render_template(TEMPLATES[kind], report=context, page_x_of_y=page_x_of_y,
                               svg_data_url=svg_data_url)


_fonts = threading.local()


def font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, made on its first report and kept.

    WeasyPrint makes a new one per document when given none: Fontconfig's configuration loaded
    again and a fresh Pango font map, so every font opened and every glyph shaped anew (about
    0.5 s of a 16-page report's 4 s; the PDF is the same byte for byte). One per thread, as a
    Pango font map is not thread-safe; the report stylesheet has no ``@font-face`` (which would
    add fonts to the configuration for good), only the fonts installed on the system, so a font
    installed later needs a restart.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def html_to_pdf(html: str, key: str, fetcher: ReportFetcher | None = None) -> bytes:
    """WeasyPrint alone: the HTML as PDF bytes, loading only what ``fetcher`` allows."""
    fetcher = fetcher or ReportFetcher(current_app.static_folder)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        pdf_identifier=key[:32].encode("ascii"), font_config=font_config())


@dataclass
class Rendered:
    pdf: bytes
    key: str
    cached: bool
    fetcher: ReportFetcher | None = field(default=None, repr=False)


def report_pdf(kind: str, context: dict) -> Rendered:
    """The report's PDF: from the cache when this exact context was rendered before."""
    key = cache.report_key(kind, context)
    pdf = cache.get(key)
    if pdf is not None:
        return Rendered(pdf, key, cached=True)
    fetcher = ReportFetcher(current_app.static_folder)
    pdf = html_to_pdf(render_html(kind, context), key, fetcher)
    cache.put(key, pdf)
    log.info("rendered %s report %s (%d bytes)", kind, key[:12], len(pdf))
    return Rendered(pdf, key, cached=False, fetcher=fetcher)

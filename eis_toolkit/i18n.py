"""Languages: which one a person reads, and picking a text from a ``{language: text}`` mapping.

The interface strings go through Flask-Babel (``gettext``/``_`` in Python and templates,
``lazy_gettext`` in forms); catalogues live in ``eis_toolkit/translations/``. The language is,
in order: ``?lang=``, the person's setting, the browser's ``Accept-Language``, English.
"""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel
from flask_login import current_user

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "da": "Dansk", "de": "Deutsch"}

babel = Babel()


def translate(texts: dict | str | None, language: str, fallback: str = "en") -> str:
    """The text in ``language``, else in ``fallback``, else any; plain strings pass through."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


def current_language() -> str:
    """``?lang=``, else the logged-in person's language, else the browser's best match, else English."""
    supported = current_app.config["EIS_LANGUAGES"]
    if not has_request_context():
        return "en"
    asked = request.args.get("lang")
    if asked in supported:
        return asked
    if current_user and current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    return request.accept_languages.best_match(supported) or "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=current_language)

    @app.template_filter("tr")
    def tr_filter(texts):
        return translate(texts, current_language())

    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES

"""Languages: which one a person reads, and picking a text from a ``{language: text}`` mapping."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "da": "Dansk", "de": "Deutsch"}


def translate(texts: dict | str | None, language: str, fallback: str = "en") -> str:
    """The text in ``language``, else in ``fallback``, else any; plain strings pass through."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


def current_language() -> str:
    """The logged-in person's language, else the browser's best match, else English."""
    supported = current_app.config["EIS_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    return request.accept_languages.best_match(supported) or "en"


def init_app(app: Flask) -> None:
    @app.template_filter("tr")
    def tr_filter(texts):
        return translate(texts, current_language())

    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES

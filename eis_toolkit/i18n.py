"""Languages: which one a person reads, and picking a text from a ``{language: text}`` mapping.

The interface strings go through Flask-Babel (``gettext``/``_`` in Python and templates,
``lazy_gettext`` in forms, ``ngettext`` for plurals); catalogues live in
``eis_toolkit/translations/`` (docs/languages.md: the extract → update → translate → compile
cycle). The language is, in order (DESIGN.md, *Languages*): ``?lang=`` (then remembered in the
session), the choice remembered in the session, the logged-in person's setting, the browser's
``Accept-Language``, English. An unknown ``?lang=`` is ignored.

Numbers and dates for people go through Babel too: the Jinja filters ``|number`` and ``|day``
(``27. juni 2017``), and the question-type registry reads numbers as the language writes them.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

from babel import support
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations, refresh
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user
from wtforms.i18n import messages_path

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "da": "Dansk", "de": "Deutsch"}

#: The life-cycle states of workshops, reviews and self-assessments, for people (badges, tables);
#: the stored values stay the English keys.
STATUS_LABELS = {
    "planned": _l("planned"), "open": _l("open"), "closed": _l("closed"), "published": _l("published"),
    "draft": _l("draft"), "submitted": _l("submitted"),
}

#: Where the session keeps a choice made with ``?lang=`` or the language switch.
SESSION_KEY = "language"

babel = Babel()


def translate(texts: dict | str | None, language: str, fallback: str = "en") -> str:
    """The text in ``language``, else in ``fallback``, else any; plain strings pass through."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


def supported_language(code: str | None) -> str | None:
    """``code`` if the app offers that language, else None (so unknown values are ignored)."""
    return code if code in current_app.config["EIS_LANGUAGES"] else None


def current_language() -> str:
    """``?lang=``, the session's choice, the person's setting, the browser's best match, English.

    A page asks for it once per translated text (the ``tr`` filter): the answer is remembered on
    the request for as long as the session's choice and the person logged in stay the same (a
    log-in changes the person; the language switch, which also saves the person's setting, the
    session's choice)."""
    if not has_request_context():
        return "en"
    key = (session.get(SESSION_KEY), current_user._get_current_object())
    memo = getattr(request, "_eis_language", None)
    if memo is not None and memo[0][0] == key[0] and memo[0][1] is key[1]:
        return memo[1]
    language = _current_language(*key)
    request._eis_language = (key, language)
    return language


def _current_language(chosen: str | None, user) -> str:
    return choose_language(chosen, user.language if user and user.is_authenticated else None)


def choose_language(chosen: str | None, person_language: str | None) -> str:
    """:func:`current_language` from its inputs: the session's ``chosen`` language and the
    logged-in person's setting (``None`` for a visitor); the page cache asks it without loading
    the person."""
    supported = current_app.config["EIS_LANGUAGES"]
    for candidate in (request.args.get("lang"), chosen):
        if supported_language(candidate):
            return candidate
    if person_language in supported:
        return person_language
    for asked, _quality in request.accept_languages:  # best first; it-CH counts as it
        primary = asked.replace("_", "-").split("-", 1)[0].lower()
        if primary in supported:
            return primary
    return "en"


def remember(language: str) -> None:
    """Keep a language chosen in this browser for the next pages (only when it changes)."""
    if session.get(SESSION_KEY) != language:
        session[SESSION_KEY] = language


def _remember_query_language() -> None:
    """``?lang=`` is remembered in the session; the person's stored setting changes only through
    the language switch (a POST), never through a link someone followed."""
    asked = supported_language(request.args.get("lang"))
    if asked:
        remember(asked)


def status_label(status) -> str:
    """A state (``draft``, ``open`` ...) in the reader's language; unknown values pass through."""
    value = getattr(status, "value", status)
    return str(STATUS_LABELS.get(value, value or ""))


def page_without_lang() -> str:
    """This page's path and query without ``lang``: where the language switch comes back to."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def shown_language() -> str:
    """The language text is being written in now: the one forced by ``force_locale`` (an e-mail
    in its recipient's language, a report in its own), else the page's :func:`current_language`."""
    locale = get_locale()  # Flask-Babel's: the forced locale, else the selector's (current_language)
    return locale.language if locale is not None else current_language()


def format_number(value, language: str | None = None, digits: int | None = None) -> str:
    """A number as the language writes it (``2.000.000`` in Danish, ``2,000,000`` in English);
    with ``digits``, always that many decimals (``3,50`` in Danish, ``3.50`` in English), rounded
    as ``%.2f`` rounds (as the CSV/JSON exports and the charts' ``charts.decimal``), so that the
    figures of a page, its charts and its exports never differ in the last digit.

    Babel takes some 0.1–0.3 ms a number; a page of figures shows few distinct ones, so each
    (number, language, digits) is formatted once per process."""
    if value is None or value == "":
        return ""
    language = language or shown_language()
    if digits is not None:
        return _format_rounded(f"{value:.{digits}f}", digits, language)
    return _format_decimal(value, language)


@lru_cache(maxsize=4096)
def _format_rounded(text: str, digits: int, language: str) -> str:
    """``text``, a number already rounded to ``digits`` decimals, as the language writes it."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(text), format=pattern, locale=language)


@lru_cache(maxsize=4096, typed=True)  # typed: 2 and 2.0 and Decimal("2.0") are kept apart
def _format_decimal(value, language: str) -> str:
    return format_decimal(value, locale=language)


def format_day(value: date | datetime | None, language: str | None = None, format: str = "long") -> str:
    """A date as the language writes it: ``27. juni 2017``, ``27 giugno 2017``, ``June 27, 2017``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=format, locale=language or shown_language())


def format_moment(value: datetime | None, language: str | None = None) -> str:
    """A date and time (UTC, as stored) as the language writes it: ``27. juni 2017 14.05``."""
    if value is None:
        return ""
    language = language or shown_language()
    day = format_date(value.date(), format="long", locale=language)
    hour = format_time(value.time(), format="short", locale=language)
    return get_datetime_format("long", locale=language).replace("'", "").replace("{0}", hour).replace("{1}", day)


#: WTForms' own messages, also in our catalogues: WTForms ships Italian and German but no Danish
#: (and misses some), so a built-in message reads our translation first, then WTForms' own.
#: Listed here only to be extracted; WTForms asks for them by these English texts.
WTFORMS_MESSAGES = (
    _l("This field is required."), _l("Invalid input."), _l("Invalid email address."), _l("Invalid URL."),
    _l("Not a valid choice."), _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Invalid value, must be one of: %(values)s."), _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."), _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."), _l("Date must be between %(min)s and %(max)s."),
    _l("Not a valid datetime value."), _l("Not a valid date value."), _l("Not a valid time value."),
    _l("Not a valid integer value."), _l("Not a valid decimal value."), _l("Not a valid float value."),
    lazy_ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1),
)


class FormMessages:
    """What Flask-WTF asks for a form's built-in messages: our catalogue, then WTForms' own."""

    _wtforms: dict[str, support.NullTranslations] = {}  # WTForms' catalogue of each language, loaded once

    @property
    def catalogues(self) -> tuple:
        locale = get_locale() or "en"
        key = str(locale)
        if key not in self._wtforms:
            self._wtforms[key] = support.Translations.load(messages_path(), [locale], domain="wtforms")
        return get_translations(), self._wtforms[key]

    def ugettext(self, string: str) -> str:
        for catalogue in self.catalogues:
            found = catalogue.ugettext(string)
            if found != string:
                return found
        return string

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        english = singular if n == 1 else plural
        for catalogue in self.catalogues:
            found = catalogue.ungettext(singular, plural, n)
            if found != english:
                return found
        return english


def translations() -> support.NullTranslations:
    """Flask-Babel's catalogue for the language in force (``force_locale`` included), looked up
    once per language in an app context: a page's template asks for it at every ``_()``."""
    locale = get_locale()
    memo = g.get("_eis_translations")
    if memo is None or memo[0] is not locale:
        memo = g._eis_translations = (locale, get_translations())
    return memo[1]


def _start_request() -> None:
    """Before each request (one hook, as each costs Flask a coroutine check): ``?lang=`` remembered;
    Flask-Babel's locale, kept on ``g``, started afresh, also where one app context serves several
    requests (the tests push one for a whole test); Flask-WTF's form messages, which it takes from
    ``request.wtforms_translations``."""
    _remember_query_language()
    refresh()
    request.wtforms_translations = FormMessages()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=current_language)
    app.before_request(_start_request)
    app.jinja_env.install_gettext_callables(  # as Flask-Babel's, with the catalogue looked up once
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n), newstyle=True)

    @app.template_filter("tr")
    def tr_filter(texts):
        return translate(texts, current_language())

    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, page_without_lang=page_without_lang,
                                 status_label=status_label)

"""The practice vocabularies: instruments, sectors and stages from ``taxonomies.yaml``; markets
are every ISO 3166-1 country (pycountry's list), named in en/it/da/de from CLDR (Babel's
``Locale(language).territories``), not a hand-kept list.

Dimension terms are not here: they come from the questionnaires' dimensions when a
questionnaire is registered. The self-check's needs (``needs:`` in the file) map each need to
the instruments that answer it.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pycountry
import yaml
from babel import Locale
from sqlalchemy import select

from ..extensions import db
from .models import Term, Vocabulary

TAXONOMY_FILE = Path(__file__).with_name("taxonomies.yaml")
#: Section of the file → vocabulary.
SECTIONS = {"instruments": Vocabulary.INSTRUMENT, "sectors": Vocabulary.SECTOR,
            "markets": Vocabulary.MARKET, "stages": Vocabulary.STAGE}
LANGUAGES = ("en", "it", "da", "de")


@cache
def _file() -> dict:
    return yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))


@cache
def market_labels() -> dict[str, dict[str, str]]:
    """``{ISO code: {language: CLDR name}}`` for every ISO 3166-1 country."""
    names = {language: Locale(language).territories for language in LANGUAGES}
    result = {}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        result[code] = {language: names[language].get(code) or country.name for language in LANGUAGES}
    return result


@cache
def taxonomy_labels() -> dict[Vocabulary, dict[str, dict[str, str]]]:
    """``{vocabulary: {key: {language: label}}}``: the shipped file, and the markets from CLDR."""
    data = _file()
    labels = {vocabulary: dict(data[section]) for section, vocabulary in SECTIONS.items()
              if section != "markets"}
    labels[Vocabulary.MARKET] = market_labels()
    return {vocabulary: labels[vocabulary] for vocabulary in SECTIONS.values()}


@cache
def needs() -> dict[str, dict]:
    """``{need: {"label": {language: text}, "instruments": [key, ...]}}`` of the self-check."""
    return {key: {"label": dict(value["label"]), "instruments": list(value["instruments"])}
            for key, value in _file()["needs"].items()}


def taxonomy_keys() -> dict[str, set[str]]:
    return {vocabulary.value: set(terms) for vocabulary, terms in taxonomy_labels().items()}


def ensure_terms() -> int:
    """Insert or update the shipped terms; returns how many changed. The caller commits.

    Every bundle load calls it, so the usual case (nothing to change) reads plain rows, not objects."""
    stored = {(vocabulary, key): label for vocabulary, key, label in db.session.execute(
        select(Term.vocabulary, Term.key, Term.label).where(Term.vocabulary.in_(SECTIONS.values())))}
    changed = []
    for vocabulary, terms in taxonomy_labels().items():
        for key, label in terms.items():
            if (vocabulary, key) not in stored:
                db.session.add(Term(vocabulary=vocabulary, key=key, label=dict(label)))
                changed.append(None)
            elif stored[vocabulary, key] != label:
                changed.append((vocabulary, key))
    for vocabulary, key in filter(None, changed):
        term = db.session.scalar(select(Term).where(Term.vocabulary == vocabulary, Term.key == key))
        term.label = dict(taxonomy_labels()[vocabulary][key])
    db.session.flush()
    return len(changed)

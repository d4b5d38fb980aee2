"""The practice vocabularies of ``taxonomies.yaml`` (instruments, sectors, markets, stages).

Dimension terms are not here: they come from the questionnaires' dimensions when a
questionnaire is registered.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select

from ..extensions import db
from .models import Term, Vocabulary

TAXONOMY_FILE = Path(__file__).with_name("taxonomies.yaml")
#: Section of the file → vocabulary.
SECTIONS = {"instruments": Vocabulary.INSTRUMENT, "sectors": Vocabulary.SECTOR,
            "markets": Vocabulary.MARKET, "stages": Vocabulary.STAGE}


@cache
def taxonomy_labels() -> dict[Vocabulary, dict[str, dict[str, str]]]:
    """``{vocabulary: {key: {language: label}}}`` as the shipped file defines them."""
    data = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return {vocabulary: dict(data[section]) for section, vocabulary in SECTIONS.items()}


def taxonomy_keys() -> dict[str, set[str]]:
    return {vocabulary.value: set(terms) for vocabulary, terms in taxonomy_labels().items()}


def ensure_terms() -> int:
    """Insert or update the shipped terms; returns how many changed. The caller commits."""
    stored = {(t.vocabulary, t.key): t for t in db.session.scalars(
        select(Term).where(Term.vocabulary.in_(SECTIONS.values())))}
    changed = 0
    for vocabulary, terms in taxonomy_labels().items():
        for key, label in terms.items():
            term = stored.get((vocabulary, key))
            if term is None:
                db.session.add(Term(vocabulary=vocabulary, key=key, label=dict(label)))
                changed += 1
            elif term.label != label:
                term.label = dict(label)
                changed += 1
    db.session.flush()
    return changed

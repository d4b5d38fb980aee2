"""Keeping ``Practice.search_document`` up to date: computed on every flush that adds or changes
a practice (also from bundles and workshop nominations), so no caller has to remember it."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from . import text
from .models import Practice

_registered = False


def practice_document(practice: Practice) -> str:
    """Stems of the texts in the practice's language, of the English title and summary, and of
    the term labels and region name in every language they have."""
    language = practice.language or "en"
    texts = [(practice.title, language), (practice.summary, language), (practice.description, language),
             (practice.organisation, language), (practice.title_en, "en"), (practice.summary_en, "en")]
    if practice.region is not None:
        texts += [(practice.region.name, "en"), (practice.region.code, "en")]
    for term in practice.terms:
        if term.vocabulary == "dimension":
            continue
        texts += [(label, lang) for lang, label in sorted((term.label or {}).items())]
    return text.document(texts)


def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Practice):
            document = practice_document(obj)
            if obj.search_document != document:
                obj.search_document = document


def register() -> None:
    """Listen on every session (once per process)."""
    global _registered
    if not _registered:
        event.listen(Session, "before_flush", _before_flush)
        _registered = True

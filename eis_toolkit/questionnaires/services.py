"""Registering questionnaire versions in the database."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from ..catalogue.models import Term, Vocabulary
from ..extensions import db
from .models import Dimension, Question, Questionnaire
from .schema import QuestionnaireDef


class QuestionnaireConflict(ValueError):
    """The ``key@version`` exists with other content: changes make a new version."""


def checksum(definition: QuestionnaireDef) -> str:
    canonical = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def find_questionnaire(ref: str) -> Questionnaire | None:
    """The stored version for ``key@version``, if any."""
    key, _, version = ref.partition("@")
    if not version.isdigit():
        return None
    return db.session.scalar(
        select(Questionnaire).where(Questionnaire.key == key, Questionnaire.version == int(version)))


def register(definition: QuestionnaireDef) -> tuple[Questionnaire, bool]:
    """Store a version, or find the same one stored; returns it and whether it was new.

    Raises :class:`QuestionnaireConflict` when the version exists with other content.
    """
    digest = checksum(definition)
    stored = find_questionnaire(definition.ref)
    if stored is not None:
        if stored.checksum != digest:
            raise QuestionnaireConflict(
                f"{definition.ref} is already loaded with other content; "
                f"give the changed questionnaire a new version number")
        return stored, False
    questionnaire = Questionnaire(
        key=definition.key, version=definition.version, title=dict(definition.title),
        scale_min=definition.scale.min, scale_max=definition.scale.max,
        not_applicable=definition.scale.not_applicable, definition=definition.to_dict(), checksum=digest)
    position = 0
    for dimension_def in definition.dimensions:
        dimension = Dimension(key=dimension_def.key, position=dimension_def.position,
                              weight=dimension_def.weight, title=dict(dimension_def.title))
        questionnaire.dimensions.append(dimension)
        for question_def in dimension_def.questions:
            dimension.questions.append(Question(
                questionnaire=questionnaire, key=question_def.key, type=question_def.type,
                position=position, weight=question_def.weight, required=question_def.required,
                text=dict(question_def.text)))
            position += 1
    db.session.add(questionnaire)
    _ensure_dimension_terms(definition)
    db.session.flush()
    return questionnaire, True


def _ensure_dimension_terms(definition: QuestionnaireDef) -> None:
    """Practices are classified by dimension key; the first questionnaire to use a key names it."""
    existing = set(db.session.scalars(select(Term.key).where(Term.vocabulary == Vocabulary.DIMENSION)))
    for dimension in definition.dimensions:
        if dimension.key not in existing:
            db.session.add(Term(vocabulary=Vocabulary.DIMENSION, key=dimension.key, label=dict(dimension.title)))


#: Parsed definitions by (id, checksum): a stored version never changes, so parse it once.
_DEFINITIONS: dict[tuple[int, str], QuestionnaireDef] = {}


def definition_of(questionnaire: Questionnaire) -> QuestionnaireDef:
    """The stored version's definition, parsed once per process.

    The checksum is part of the key because ids are reused when tables are emptied (tests).
    """
    key = (questionnaire.id, questionnaire.checksum)
    definition = _DEFINITIONS.get(key)
    if definition is None:
        definition = _DEFINITIONS[key] = QuestionnaireDef.from_dict(questionnaire.definition)
    return definition

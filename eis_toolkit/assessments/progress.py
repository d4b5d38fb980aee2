"""How far a self-assessment is: answered questions per dimension, what is missing, what next.

Pure code over plain values (``AnswerState``): no Flask, no database.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from ..questionnaires.schema import DimensionDef, QuestionDef, QuestionnaireDef
from ..questionnaires.types import AnswerData, is_answered


@dataclass(frozen=True)
class AnswerState:
    """An answer as plain values, with its version and how many files it has."""

    data: AnswerData = AnswerData()
    version: int = 0
    evidence_count: int = 0
    carried: bool = False  # copied from the previous self-assessment, not confirmed yet


@dataclass(frozen=True)
class DimensionProgress:
    dimension: DimensionDef
    answered: int
    total: int
    missing: tuple[QuestionDef, ...]  # required and unanswered
    carried: int = 0  # of the answered ones: carried over and not confirmed yet

    @property
    def confirmed(self) -> int:
        return self.answered - self.carried

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def progress(definition: QuestionnaireDef, states: dict[str, AnswerState]) -> list[DimensionProgress]:
    """Per dimension: questions answered, questions in all, required ones still unanswered."""
    result = []
    empty = AnswerState()
    for dimension in definition.dimensions:
        answered, carried, missing = 0, 0, []
        for question in dimension.questions:
            state = states.get(question.key, empty)
            if is_answered(question, state.data, state.evidence_count):
                answered += 1
                carried += state.carried
            elif question.required:
                missing.append(question)
        result.append(DimensionProgress(dimension, answered, len(dimension.questions), tuple(missing), carried))
    return result


def missing_questions(definition: QuestionnaireDef, states: dict[str, AnswerState]) -> list[QuestionDef]:
    """The required questions without an answer, in questionnaire order."""
    return [question for dim in progress(definition, states) for question in dim.missing]


class Step(enum.StrEnum):
    START = "start"
    CONTINUE = "continue"
    SUBMIT = "submit"
    DONE = "done"


@dataclass(frozen=True)
class NextStep:
    """What the region should do next, and on which dimension's page."""

    step: Step
    dimension: DimensionDef | None = None
    missing: int = 0  # required questions left


def next_step(submitted: bool, dimensions: list[DimensionProgress]) -> NextStep:
    """Submitted: nothing. Nothing answered: start on the first page. Required questions left:
    continue on the first page that has some. Else: submit."""
    if submitted:
        return NextStep(Step.DONE)
    if dimensions and not any(d.answered for d in dimensions):
        return NextStep(Step.START, dimensions[0].dimension, sum(len(d.missing) for d in dimensions))
    incomplete = [d for d in dimensions if d.missing]
    if incomplete:
        return NextStep(Step.CONTINUE, incomplete[0].dimension, sum(len(d.missing) for d in incomplete))
    return NextStep(Step.SUBMIT)


def carried_count(dimensions: list[DimensionProgress]) -> int:
    """Answered questions whose answer is still carried over, not confirmed."""
    return sum(d.carried for d in dimensions)


def overall_percent(dimensions: list[DimensionProgress]) -> int:
    total = sum(d.total for d in dimensions)
    return round(100 * sum(d.answered for d in dimensions) / total) if total else 100

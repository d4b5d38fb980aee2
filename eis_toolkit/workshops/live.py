"""The live session screen's data: progress, dimension figures and the questions to discuss first.

Pure: it turns benchmark rows (``benchmark.queries.workshop_benchmark``: submitted reviews only)
and progress counts into the JSON the screen polls. Until the host reveals, it holds progress and
nothing else: no score leaves the server.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..benchmark.numbers import Row
from ..i18n import translate
from ..questionnaires.schema import QuestionnaireDef


def disagreement(row: Row) -> float:
    """How much the room should talk about a question: peer spread plus the self/peer gap.

    The sample standard deviation of the peer scores (0 with fewer than two) plus the absolute
    gap between the region's own score and the peer mean (0 when either is missing), both in
    points of the scale.
    """
    return (row.peer_sd or 0.0) + abs(row.gap or 0.0)


def questions_to_discuss(rows: Iterable[Row], order: Sequence[str]) -> list[Row]:
    """Question rows with at least one peer score, most disagreement first (ties: region, then
    questionnaire order)."""
    position = {key: i for i, key in enumerate(order)}
    scored = [r for r in rows if r.level == "question" and r.peer_n]
    return sorted(scored, key=lambda r: (-disagreement(r), r.region, position.get(r.key, len(position))))


def payload(*, slug: str, status: str, revealed: bool, progress: Iterable[tuple[str, str, int, int]],
            rows: Iterable[Row] | None, definition: QuestionnaireDef, language: str = "en") -> dict:
    """The live JSON. ``progress``: (region code, name, submitted, assigned) per hot-seat region.

    ``rows`` are read only when ``revealed``; the caller need not even load them otherwise.
    """
    data = {
        "workshop": slug,
        "status": status,
        "revealed": revealed,
        "progress": [{"region": code, "name": name, "submitted": submitted, "assigned": assigned}
                     for code, name, submitted, assigned in progress],
    }
    if not revealed:
        return data
    rows = list(rows or [])
    titles = {d.key: translate(d.title, language) for d in definition.dimensions}
    texts = {q.key: translate(q.text, language) for q in definition.scored_questions()}
    scale = definition.scale
    data["scale"] = {"min": scale.min, "max": scale.max}
    data["dimensions"] = [
        {"region": r.region, "key": r.key, "title": titles.get(r.key, r.key), "self": r.self,
         "peer_mean": r.peer_mean, "gap": r.gap}
        for r in rows if r.level == "dimension"]
    data["overall"] = [
        {"region": r.region, "self": r.self, "peer_mean": r.peer_mean, "gap": r.gap, "index": r.index}
        for r in rows if r.level == "overall"]
    data["questions"] = [
        {"region": r.region, "key": r.key, "text": texts.get(r.key, r.key), "self": r.self,
         "peer_n": r.peer_n, "peer_mean": r.peer_mean, "peer_sd": r.peer_sd, "peer_min": r.peer_min,
         "peer_max": r.peer_max, "gap": r.gap, "disagreement": disagreement(r)}
        for r in questions_to_discuss(rows, list(texts))]
    return data

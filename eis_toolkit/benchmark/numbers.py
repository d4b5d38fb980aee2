"""Every figure of DESIGN.md (section Numbers), computed from plain values.

No Flask and no database here: the loader (``queries.py``) turns stored scores into these inputs.
N/A scores are ``None`` and are excluded everywhere; only submitted reviews may be passed in.

The flow: :func:`question_stats` per (region, question) → :func:`assemble` rolls question values
up into dimension and overall rows, with group figures across regions → :class:`Row` per
(region, level, key). :func:`benchmark` does all of it from raw scores.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: Columns of the benchmark export, in order (DESIGN.md).
COLUMNS = ("region", "level", "key", "self", "peer_n", "peer_mean", "peer_median", "peer_sd",
           "peer_min", "peer_max", "gap", "group_mean", "group_best", "index", "alpha")

Score = float | int | None


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    weight: float = 1.0


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    weight: float = 1.0
    questions: tuple[QuestionSpec, ...] = ()


@dataclass(frozen=True)
class Structure:
    """The scored part of a questionnaire: its scale and its dimensions with scored questions."""

    scale_min: int
    scale_max: int
    dimensions: tuple[DimensionSpec, ...]

    def question_keys(self) -> list[str]:
        return [q.key for d in self.dimensions for q in d.questions]


@dataclass(frozen=True)
class RegionScores:
    """One hot-seat region's own scores and its submitted peer scores, by question key."""

    region: str
    self_scores: Mapping[str, Score] = field(default_factory=dict)
    #: ``{reviewer: {question key: score}}``; a reviewer who skipped a question simply lacks it.
    peer_scores: Mapping[object, Mapping[str, Score]] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionStats:
    """Self score and peer statistics of one region on one question."""

    self: float | None = None
    n: int = 0
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Row:
    region: str
    level: str  # "question", "dimension" or "overall"
    key: str
    self: float | None = None
    peer_n: int | None = None
    peer_mean: float | None = None
    peer_median: float | None = None
    peer_sd: float | None = None
    peer_min: float | None = None
    peer_max: float | None = None
    gap: float | None = None
    group_mean: float | None = None
    group_best: float | None = None
    index: float | None = None
    alpha: float | None = None

    def as_dict(self) -> dict:
        return {column: getattr(self, column) for column in COLUMNS}


def question_stats(self_score: Score, peer_scores: Iterable[Score]) -> QuestionStats:
    """Peer n, mean, median, sample sd (empty when n < 2), min and max; N/A left out."""
    values = [float(v) for v in peer_scores if v is not None]
    own = None if self_score is None else float(self_score)
    if not values:
        return QuestionStats(self=own)
    return QuestionStats(
        self=own,
        n=len(values),
        mean=math.fsum(values) / len(values),
        median=float(statistics.median(values)),
        sd=statistics.stdev(values) if len(values) >= 2 else None,
        min=min(values),
        max=max(values),
    )


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of the values that exist, by their weights renormalised over those values."""
    present = [(value, weight) for value, weight in pairs if value is not None]
    total = math.fsum(weight for _, weight in present)
    if not present or total <= 0:
        return None
    return math.fsum(value * weight for value, weight in present) / total


def krippendorff_alpha_interval(units: Sequence[Sequence[Score]]) -> float | None:
    """Krippendorff's alpha with the interval metric.

    ``units[u][c]`` is coder c's value for unit u, ``None`` when missing. Units with fewer than
    two values are not pairable and left out. Returns ``None`` when fewer than two coders gave a
    value, or when the values do not vary at all (expected disagreement 0: alpha is undefined).
    """
    coders_with_values = {c for unit in units for c, v in enumerate(unit) if v is not None}
    if len(coders_with_values) < 2:
        return None
    observed = 0.0
    pairable: list[float] = []
    for unit in units:
        values = [float(v) for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        # Σ over ordered pairs i≠j of (v_i − v_j)² = 2(m·Σv² − (Σv)²)
        observed += 2 * (m * math.fsum(v * v for v in values) - math.fsum(values) ** 2) / (m - 1)
        pairable.extend(values)
    n = len(pairable)
    if n < 2:
        return None
    expected = 2 * (n * math.fsum(v * v for v in pairable) - math.fsum(pairable) ** 2) / (n * (n - 1))
    if expected == 0:
        return None
    return 1 - (observed / n) / expected


def index(value: float | None, scale_min: int, scale_max: int) -> float | None:
    """A peer mean on the questionnaire's scale as 0–100."""
    if value is None:
        return None
    return (value - scale_min) / (scale_max - scale_min) * 100


def _gap(own: float | None, peers: float | None) -> float | None:
    return None if own is None or peers is None else own - peers


def region_alpha(structure: Structure, region: RegionScores) -> float | None:
    """Agreement among one region's reviewers: units = scored questions, coders = reviewers."""
    reviewers = list(region.peer_scores.values())
    units = [[scores.get(key) for scores in reviewers] for key in structure.question_keys()]
    return krippendorff_alpha_interval(units)


def assemble(structure: Structure, stats: Mapping[str, Mapping[str, QuestionStats]],
             alphas: Mapping[str, float | None]) -> list[Row]:
    """All rows from question statistics per region (``{region: {question key: stats}}``).

    Rows come per region, in the order of ``stats``: question rows in questionnaire order, then
    dimension rows, then the overall row. Group figures compare the same level and key across
    the regions given.
    """
    rows: list[Row] = []
    for region, by_question in stats.items():
        dimension_values = []
        for dimension in structure.dimensions:
            for question in dimension.questions:
                s = by_question.get(question.key, QuestionStats())
                rows.append(Row(region, "question", question.key, self=s.self, peer_n=s.n, peer_mean=s.mean,
                                peer_median=s.median, peer_sd=s.sd, peer_min=s.min, peer_max=s.max,
                                gap=_gap(s.self, s.mean)))
            own = weighted_mean((by_question.get(q.key, QuestionStats()).self, q.weight) for q in dimension.questions)
            peers = weighted_mean((by_question.get(q.key, QuestionStats()).mean, q.weight) for q in dimension.questions)
            dimension_values.append((dimension, own, peers))
        for dimension, own, peers in dimension_values:
            rows.append(Row(region, "dimension", dimension.key, self=own, peer_mean=peers, gap=_gap(own, peers),
                            index=index(peers, structure.scale_min, structure.scale_max)))
        own = weighted_mean((value, d.weight) for d, value, _ in dimension_values)
        peers = weighted_mean((value, d.weight) for d, _, value in dimension_values)
        rows.append(Row(region, "overall", "overall", self=own, peer_mean=peers, gap=_gap(own, peers),
                        index=index(peers, structure.scale_min, structure.scale_max), alpha=alphas.get(region)))
    return _with_group_figures(rows)


def _with_group_figures(rows: list[Row]) -> list[Row]:
    """Set group_mean and group_best: mean and maximum of peer_mean per (level, key)."""
    groups: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        if row.peer_mean is not None:
            groups.setdefault((row.level, row.key), []).append(row.peer_mean)
    result = []
    for row in rows:
        values = groups.get((row.level, row.key))
        if values:
            row = _replace(row, group_mean=math.fsum(values) / len(values), group_best=max(values))
        result.append(row)
    return result


def _replace(row: Row, **changes) -> Row:
    return Row(**{**row.as_dict(), **changes})


def benchmark(structure: Structure, regions: Sequence[RegionScores]) -> list[Row]:
    """Every benchmark row for the given hot-seat regions, from raw scores."""
    stats, alphas = {}, {}
    for region in regions:
        stats[region.region] = {
            key: question_stats(region.self_scores.get(key), (s.get(key) for s in region.peer_scores.values()))
            for key in structure.question_keys()
        }
        alphas[region.region] = region_alpha(structure, region)
    return assemble(structure, stats, alphas)

"""Every figure of DESIGN.md (section Numbers), computed from plain values.

No Flask and no database here: the loader (``queries.py``) turns stored scores into these inputs.
N/A scores are ``None`` and are excluded everywhere; only submitted reviews may be passed in.

The flow: the peer values of one (region, question) are reduced to a :class:`Summary` (n, exact
Σv and Σv², min, max, median) → :func:`stats_from_summary` gives the question figures and
:func:`alpha_from_summaries` the agreement → :func:`assemble` rolls question values up into
dimension and overall rows, with group figures across regions → :class:`Row` per
(region, level, key). :func:`benchmark` does all of it from raw scores; the SQL loader computes
the summaries in the database and calls :func:`benchmark_from_summaries`, so both paths share
every step after the sums and give identical rows.
"""
from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

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


class Summary(NamedTuple):
    """What every figure needs from one non-empty set of peer values.

    ``total`` (Σv) and ``total_sq`` (Σv²) are exact: ``int`` for integer scores (as stored),
    :class:`~fractions.Fraction` otherwise, so that sums from SQL and from Python agree bit for bit.
    A named tuple, so that hashing it (the memo of :func:`stats_from_summary`, once per region
    and question) costs no Python call.
    """

    n: int
    total: int | Fraction
    total_sq: int | Fraction
    min: float
    max: float
    median: float


class QuestionStats(NamedTuple):
    """Self score and peer statistics of one region on one question: a named tuple whose fields
    are the question row's columns ``self`` to ``gap``, in that order."""

    self: float | None = None
    n: int = 0
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    min: float | None = None
    max: float | None = None
    gap: float | None = None  # self − peer mean


EMPTY = QuestionStats()


class Row(NamedTuple):
    """One row of the benchmark table (DESIGN.md, Numbers): a named tuple, so that building the
    ~15,000 rows of a large workshop and pickling them for the cache stay cheap."""

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
    index: float | None = None  # (shadows ``tuple.index``: the column of DESIGN.md)
    alpha: float | None = None

    def as_dict(self) -> dict:
        return dict(zip(COLUMNS, self))


_new_tuple = tuple.__new__


def _row(*values) -> Row:
    """A :class:`Row` from its values in column order, without the keyword handling of ``Row(...)``."""
    return _new_tuple(Row, values)


def summarise(values: Iterable[Score]) -> Summary | None:
    """The :class:`Summary` of the values that are not N/A; ``None`` when there are none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    exact = [v if isinstance(v, int) else Fraction(v) for v in present]
    return Summary(n=len(present), total=sum(exact), total_sq=sum(v * v for v in exact),
                   min=float(min(present)), max=float(max(present)),
                   median=float(statistics.median(present)))


def summary_from_counts(counts: Iterable[tuple[int, int]]) -> Summary | None:
    """The :class:`Summary` of integer values given as (value, how many times) pairs."""
    present = tuple(sorted((value, count) for value, count in counts if count))
    return _summary_of_histogram(present) if present else None


@lru_cache(maxsize=16384)  # few distinct histograms: a handful of reviewers on a 5-point scale
def _summary_of_histogram(present: tuple[tuple[int, int], ...]) -> Summary:
    n = sum(count for _, count in present)
    low_rank, high_rank = (n + 1) // 2, (n + 2) // 2  # 1-based ranks of the middle value(s)
    seen, low, high = 0, None, None
    for value, count in present:
        seen += count
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    return Summary(n=n, total=sum(value * count for value, count in present),
                   total_sq=sum(value * value * count for value, count in present),
                   min=float(present[0][0]), max=float(present[-1][0]),
                   median=float(low) if low == high else (low + high) / 2)


def sample_sd(n: int, total: int | Fraction, total_sq: int | Fraction) -> float | None:
    """Sample standard deviation (n − 1) from exact sums, correctly rounded; empty when n < 2.

    The variance (nΣv² − (Σv)²) / (n(n − 1)) is exact; its square root is rounded once, so the
    result equals :func:`statistics.stdev` of the same values.
    """
    if n < 2:
        return None
    if isinstance(total, int) and isinstance(total_sq, int):
        return _integer_sample_sd(n, total, total_sq)
    ratio = Fraction(n * total_sq - total * total) / (n * (n - 1))
    return _sqrt_of_ratio(ratio.numerator, ratio.denominator)


@lru_cache(maxsize=16384)  # integer scores on a small scale repeat the same few sums
def _integer_sample_sd(n: int, total: int, total_sq: int) -> float:
    return _sqrt_of_ratio(n * total_sq - total * total, n * (n - 1))


def _sqrt_of_ratio(n: int, m: int) -> float:
    """√(n/m) for integers n ≥ 0, m > 0, correctly rounded (the method of CPython's statistics)."""
    q = (n.bit_length() - m.bit_length() - 109) // 2  # 109 = 2 × 53 mantissa bits + 3
    if q >= 0:
        return float(_isqrt_of_ratio_rto(n, m << 2 * q) << q)
    return _isqrt_of_ratio_rto(n << -2 * q, m) / (1 << -q)


def _isqrt_of_ratio_rto(n: int, m: int) -> int:
    """√(n/m) rounded to an integer, to odd (so that the final rounding to a float is exact)."""
    a = math.isqrt(n // m)
    return a | (a * a * m != n)


@lru_cache(maxsize=16384)
def stats_from_summary(self_score: Score, summary: Summary | None) -> QuestionStats:
    """Peer n, mean, median, sample sd (empty when n < 2), min, max and the gap from a summary."""
    own = None if self_score is None else float(self_score)
    if summary is None:
        return QuestionStats(self=own) if own is not None else EMPTY
    n = summary.n
    mean = float(summary.total) / n
    return QuestionStats(own, n, mean, summary.median, sample_sd(n, summary.total, summary.total_sq),
                         summary.min, summary.max, _gap(own, mean))


def question_stats(self_score: Score, peer_scores: Iterable[Score]) -> QuestionStats:
    """Peer n, mean, median, sample sd (empty when n < 2), min and max; N/A left out."""
    return stats_from_summary(self_score, summarise(peer_scores))


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of the values that exist, by their weights renormalised over those values."""
    present = [(value, weight) for value, weight in pairs if value is not None]
    if not present:
        return None
    total = math.fsum([weight for _, weight in present])
    if total <= 0:
        return None
    return math.fsum([value * weight for value, weight in present]) / total


def _weighted_mean_of(values: Sequence[float | None], weights: Sequence[float], total: float) -> float | None:
    """``weighted_mean(zip(values, weights))`` given ``total``, the weights' ``fsum``: the same
    float, without building pairs when no value is missing."""
    if None in values:
        return weighted_mean(zip(values, weights))
    return math.fsum(map(operator.mul, values, weights)) / total if total > 0 else None


def alpha_from_summaries(units: Iterable[Summary | None]) -> float | None:
    """Krippendorff's alpha (interval metric) from one summary per unit (``None``: no values).

    The interval metric needs only each unit's m, Σv and Σv²: a unit's observed disagreement is
    Σ over ordered pairs i≠j of (v_i − v_j)² / (m − 1) = 2(mΣv² − (Σv)²) / (m − 1), and the expected
    one is the same over all pairable values. Units with fewer than two values are not pairable.
    Returns ``None`` when no unit is pairable (fewer than two coders gave values together) or the
    values do not vary at all (expected disagreement 0: alpha is undefined).
    """
    terms: list[float] = []
    n, total, total_sq = 0, 0, 0
    for unit in units:
        if unit is None or unit.n < 2:
            continue
        terms.append(float(2 * (unit.n * unit.total_sq - unit.total * unit.total) / (unit.n - 1)))
        n, total, total_sq = n + unit.n, total + unit.total, total_sq + unit.total_sq
    if n < 2:
        return None
    expected = float(2 * (n * total_sq - total * total) / (n * (n - 1)))
    if expected == 0:
        return None
    return 1 - (math.fsum(terms) / n) / expected


def krippendorff_alpha_interval(units: Sequence[Sequence[Score]]) -> float | None:
    """Krippendorff's alpha with the interval metric.

    ``units[u][c]`` is coder c's value for unit u, ``None`` when missing. Units with fewer than
    two values are not pairable and left out. Returns ``None`` when fewer than two coders gave a
    value, or when the values do not vary at all (expected disagreement 0: alpha is undefined).
    """
    return alpha_from_summaries(summarise(unit) for unit in units)


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


def assemble(structure: Structure, stats: Mapping[str, Sequence[QuestionStats]],
             alphas: Mapping[str, float | None]) -> list[Row]:
    """All rows from each region's question statistics in questionnaire order
    (``{region: [stats of each of structure.question_keys()]}``).

    Rows come per region, in the order of ``stats``: question rows in questionnaire order, then
    dimension rows, then the overall row. Group figures compare the same level and key across
    the regions given. (Written for speed: a large workshop has some 15,000 rows.)
    """
    lo, hi = structure.scale_min, structure.scale_max
    keys = structure.question_keys()
    dimensions = []  # (key, its questions' slice of a region's stats, their weights, the weights' fsum)
    start = 0
    for d in structure.dimensions:
        weights = tuple(q.weight for q in d.questions)
        dimensions.append((d.key, slice(start, start + len(weights)), weights, math.fsum(weights)))
        start += len(weights)
    dimension_weights = tuple(d.weight for d in structure.dimensions)
    dimension_total = math.fsum(dimension_weights)
    # First every region's values, then the group figures, then the rows (each built once).
    regions = []
    for region, found in stats.items():
        own = [_weighted_mean_of([s.self for s in found[part]], weights, total)
               for _, part, weights, total in dimensions]
        peers = [_weighted_mean_of([s.mean for s in found[part]], weights, total)
                 for _, part, weights, total in dimensions]
        regions.append((region, found, own, peers, _weighted_mean_of(own, dimension_weights, dimension_total),
                        _weighted_mean_of(peers, dimension_weights, dimension_total)))
    # Each question's group figures and the two empty columns after them: the end of its rows.
    question_ends = [_group(means) + (None, None) for means in zip(*[[s.mean for s in r[1]] for r in regions])]
    dimension_groups = [_group(means) for means in zip(*[r[3] for r in regions])]
    overall_group = _group([r[5] for r in regions])

    rows: list[Row] = []
    append = rows.append
    for region, found, own, peers, overall_self, overall_peers in regions:
        for key, s, end in zip(keys, found, question_ends):
            append(_new_tuple(Row, (region, "question", key) + s + end))
        for (key, _, _, _), d_self, d_peers, group in zip(dimensions, own, peers, dimension_groups):
            append(_new_tuple(Row, (region, "dimension", key, d_self, None, d_peers, None, None, None, None,
                                    _gap(d_self, d_peers), *group, index(d_peers, lo, hi), None)))
        append(_new_tuple(Row, (region, "overall", "overall", overall_self, None, overall_peers, None, None, None,
                                None, _gap(overall_self, overall_peers), *overall_group,
                                index(overall_peers, lo, hi), alphas.get(region))))
    return rows


_NO_GROUP = (None, None)


def _group(means: Iterable[float | None]) -> tuple[float | None, float | None]:
    """group_mean and group_best: the mean and maximum of the peer means that exist."""
    values = [v for v in means if v is not None]
    return (math.fsum(values) / len(values), max(values)) if values else _NO_GROUP


def benchmark_from_summaries(structure: Structure,
                             regions: Mapping[str, tuple[Sequence[Score], Sequence[Summary | None]]]
                             ) -> list[Row]:
    """Every row from ``{region: (self scores, peer summaries)}``, regions in that order; both
    sequences follow ``structure.question_keys()`` (``None``: no score, no summary)."""
    stats, alphas = {}, {}
    for region, (self_scores, summaries) in regions.items():
        stats[region] = list(map(stats_from_summary, self_scores, summaries))
        alphas[region] = alpha_from_summaries(summaries)
    return assemble(structure, stats, alphas)


def benchmark(structure: Structure, regions: Sequence[RegionScores]) -> list[Row]:
    """Every benchmark row for the given hot-seat regions, from raw scores."""
    keys = structure.question_keys()
    return benchmark_from_summaries(structure, {
        region.region: ([region.self_scores.get(key) for key in keys],
                        [summarise(s.get(key) for s in region.peer_scores.values()) for key in keys])
        for region in regions
    })


@dataclass(frozen=True)
class Offset:
    """How one reviewer scores against the other reviewers of the same regions (calibration)."""

    n: int  # (region, question) pairs scored by this reviewer and at least one other
    mean: float | None  # mean of (own score − mean of the others' scores); None when n = 0
    regions: tuple[str, ...]  # the regions this reviewer scored


def reviewer_offsets(scores: Iterable[tuple[str, object, str, Score]]) -> dict[object, Offset]:
    """Each reviewer's mean offset from the other reviewers of the same region.

    ``scores`` holds (region, reviewer, question key, score) of submitted reviews; N/A (``None``)
    is left out. For every (region, question) with at least two scores, each reviewer's offset is
    their score minus the mean of the others' scores there; a reviewer's figure is the mean of
    their offsets over all such pairs (positive: scores higher than fellow reviewers).
    """
    groups: dict[tuple[str, str], list[tuple[object, float]]] = {}
    regions: dict[object, set[str]] = {}
    for region, reviewer, key, score in scores:
        regions.setdefault(reviewer, set()).add(region)
        if score is not None:
            groups.setdefault((region, key), []).append((reviewer, float(score)))
    offsets: dict[object, list[float]] = {reviewer: [] for reviewer in regions}
    for values in groups.values():
        if len(values) < 2:
            continue
        total = math.fsum(v for _, v in values)
        for reviewer, value in values:
            offsets[reviewer].append(value - (total - value) / (len(values) - 1))
    return {reviewer: Offset(len(found), math.fsum(found) / len(found) if found else None,
                             tuple(sorted(regions[reviewer])))
            for reviewer, found in offsets.items()}

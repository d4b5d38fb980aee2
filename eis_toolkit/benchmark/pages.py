"""What the benchmark pages show, from benchmark rows: pure, no Flask, no database.

Blind spots, agreement in words, the weakest dimensions and who does better there, rankings,
and the plain arguments of each chart (``charts.py`` caches charts by exactly these).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .charts import ChartWords
from .numbers import Row, Structure, index

#: A question is a blind spot when self-score and peer mean differ by a scale point or more.
BLIND_SPOT_GAP = 1.0
#: Krippendorff's thresholds: reliable from 0.800; tentative conclusions from 0.667.
RELIABLE_ALPHA, TENTATIVE_ALPHA = 0.8, 0.667
#: How many weak dimensions "learn from" covers, and how many regions and practices for each.
WEAK_DIMENSIONS, LEADERS, OTHER_PRACTICES = 3, 3, 3


def rows_by_region(rows: Iterable[Row]) -> dict[str, dict[tuple[str, str], Row]]:
    """Each region's rows by (level, key), regions in the order of the rows."""
    result: dict[str, dict[tuple[str, str], Row]] = {}
    for row in rows:
        result.setdefault(row.region, {})[(row.level, row.key)] = row
    return result


def regions_in(rows: Iterable[Row]) -> list[str]:
    """The regions of the rows, in their order."""
    return list(dict.fromkeys(r.region for r in rows))


@dataclass(frozen=True)
class Agreement:
    alpha: float | None
    level: str  # "reliable", "tentative", "low" or "unknown"; in words: templates/_words.html


def agreement(alpha: float | None) -> Agreement:
    """Krippendorff's alpha among a region's reviewers, as a level of agreement."""
    if alpha is None:
        return Agreement(None, "unknown")
    if alpha >= RELIABLE_ALPHA:
        return Agreement(alpha, "reliable")
    if alpha >= TENTATIVE_ALPHA:
        return Agreement(alpha, "tentative")
    return Agreement(alpha, "low")


def blind_spots(rows: Iterable[Row]) -> list[Row]:
    """Question rows whose |gap| is at least one scale point, the largest gap first."""
    found = [r for r in rows if r.level == "question" and r.gap is not None and abs(r.gap) >= BLIND_SPOT_GAP]
    return sorted(found, key=lambda r: -abs(r.gap))


def is_blind_spot(row: Row) -> bool:
    return row.gap is not None and abs(row.gap) >= BLIND_SPOT_GAP


def weakest_dimensions(rows: Iterable[Row], count: int = WEAK_DIMENSIONS) -> list[Row]:
    """The region's dimension rows with the lowest peer mean (questionnaire order breaks ties)."""
    dimensions = [r for r in rows if r.level == "dimension" and r.peer_mean is not None]
    return sorted(dimensions, key=lambda r: r.peer_mean)[:count]


def leaders(rows: Iterable[Row], dimension: str, better_than: float, exclude: str | None,
            limit: int = LEADERS) -> list[Row]:
    """Other regions' rows of one dimension with a higher peer mean, best first."""
    found = [r for r in rows if r.level == "dimension" and r.key == dimension and r.region != exclude
             and r.peer_mean is not None and r.peer_mean > better_than]
    return sorted(found, key=lambda r: (-r.peer_mean, r.region))[:limit]


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # 1 = best; equal peer means share a rank; None without a value
    row: Row


def ranking(rows: Iterable[Row], level: str, key: str) -> list[Ranked]:
    """Rows of one (level, key) by peer mean, best first, ties sharing a rank; empty ones last."""
    chosen = [r for r in rows if r.level == level and r.key == key]
    scored = sorted((r for r in chosen if r.peer_mean is not None), key=lambda r: (-r.peer_mean, r.region))
    result, previous, rank = [], None, 0
    for position, row in enumerate(scored, start=1):
        if row.peer_mean != previous:
            rank, previous = position, row.peer_mean
        result.append(Ranked(rank, row))
    return result + [Ranked(None, r) for r in chosen if r.peer_mean is None]


def group_index(row: Row, structure: Structure, field: str) -> float | None:
    """A row's group mean or best (``field``) as a 0–100 index, like the row's own index."""
    return index(getattr(row, field), structure.scale_min, structure.scale_max)


# --- chart arguments: plain tuples, the cache keys of charts.py --------------------------------


def series_of(rows: Sequence[Row | None], fields: Sequence[str]) -> tuple:
    """``((field, values), ...)``: the series of ``charts.dimension_bars`` from benchmark rows."""
    return tuple((field, tuple(getattr(r, field) if r else None for r in rows)) for field in fields)


def bars_args(rows: Mapping[tuple[str, str], Row], structure: Structure, titles: Mapping[str, str],
              region: str, words: ChartWords = ChartWords()) -> tuple:
    """Arguments of ``charts.dimension_bars`` for one region's dimension rows."""
    dimensions = [d.key for d in structure.dimensions]
    picked = [rows.get(("dimension", key)) for key in dimensions]
    return (tuple(titles.get(key, key) for key in dimensions),
            series_of(picked, ("self", "peer_mean", "group_mean", "group_best")),
            (structure.scale_min, structure.scale_max), words.bars_title % {"region": region}, words)


def radar_args(rows: Mapping[tuple[str, str], Row], structure: Structure, titles: Mapping[str, str],
               region: str, words: ChartWords = ChartWords()) -> tuple | None:
    """Arguments of ``charts.radar``; ``None`` when there are fewer than three dimensions."""
    dimensions = [d.key for d in structure.dimensions]
    if len(dimensions) < 3:
        return None
    picked = [rows.get(("dimension", key)) for key in dimensions]
    return (tuple(titles.get(key, key) for key in dimensions),
            tuple(r.self if r else None for r in picked), tuple(r.peer_mean if r else None for r in picked),
            (structure.scale_min, structure.scale_max), words.radar_title % {"region": region}, words)


def heatmap_args(rows: Sequence[Row], structure: Structure, titles: Mapping[str, str], title: str,
                 words: ChartWords = ChartWords()) -> tuple:
    """Arguments of ``charts.heatmap``: regions (in row order) × dimensions, peer means."""
    by_key = {(r.region, r.key): r.peer_mean for r in rows if r.level == "dimension"}
    regions = regions_in(rows)
    dimensions = [d.key for d in structure.dimensions]
    return (tuple(regions), tuple(titles.get(key, key) for key in dimensions),
            tuple(tuple(by_key.get((region, key)) for key in dimensions) for region in regions),
            (structure.scale_min, structure.scale_max), title, words)

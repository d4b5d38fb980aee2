"""Progress between assessments (DESIGN.md, *Action plans and progress*) as a pure function.

A region sits in the hot seat of several published workshops. Among those whose questionnaires
share a key (``eis-core@1`` and ``eis-core@2`` both have the key ``eis-core``), ordered by start
date, each pair of consecutive workshops (T0, T1) gives one row per dimension and one ``overall``
row: the benchmark's ``self`` and ``peer_mean`` at T0 and at T1, and ``change = t1 − t0``, empty
when either side is empty. A dimension present on one side only still has its row (the other side
empty). Dimensions come in the order of T0's questionnaire, then those new at T1; ``overall`` last.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

COLUMNS = ("region", "dimension", "t0_workshop", "t1_workshop", "self_t0", "self_t1", "self_change",
           "peer_t0", "peer_t1", "peer_change")


@dataclass(frozen=True)
class Assessed:
    """One published workshop where the region sat in the hot seat, with its figures there:
    ``values`` maps a dimension key or ``overall`` to (self, peer_mean); ``dimensions`` are the
    questionnaire's dimension keys in order."""

    workshop: str
    starts: date
    questionnaire_key: str
    dimensions: tuple[str, ...]
    values: Mapping[str, tuple[float | None, float | None]]


@dataclass(frozen=True)
class ProgressRow:
    region: str
    dimension: str
    t0_workshop: str
    t1_workshop: str
    self_t0: float | None
    self_t1: float | None
    self_change: float | None
    peer_t0: float | None
    peer_t1: float | None
    peer_change: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def _change(t0: float | None, t1: float | None) -> float | None:
    return None if t0 is None or t1 is None else t1 - t0


def pairs(assessed: Iterable[Assessed]) -> list[tuple[Assessed, Assessed]]:
    """Consecutive (T0, T1) pairs per questionnaire key, by start date (then workshop slug);
    pairs of different keys ordered by T1's start date."""
    by_key: dict[str, list[Assessed]] = {}
    for item in sorted(assessed, key=lambda a: (a.starts, a.workshop)):
        by_key.setdefault(item.questionnaire_key, []).append(item)
    found = [(a, b) for items in by_key.values() for a, b in zip(items, items[1:])]
    return sorted(found, key=lambda p: (p[1].starts, p[1].workshop, p[0].starts))


def progress(region: str, assessed: Sequence[Assessed]) -> list[ProgressRow]:
    """The rows of ``eis export progress`` for one region."""
    rows = []
    for t0, t1 in pairs(assessed):
        keys = list(t0.dimensions) + [k for k in t1.dimensions if k not in t0.dimensions] + ["overall"]
        for dimension in keys:
            self0, peer0 = t0.values.get(dimension, (None, None))
            self1, peer1 = t1.values.get(dimension, (None, None))
            rows.append(ProgressRow(region, dimension, t0.workshop, t1.workshop, self0, self1, _change(self0, self1),
                                    peer0, peer1, _change(peer0, peer1)))
    return rows

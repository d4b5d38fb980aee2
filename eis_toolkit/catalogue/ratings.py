"""The peer rating of a practice (DESIGN.md, Practice rating), defined once.

Peers rate a practice 1–5 on three criteria; its peer rating is the mean of every criterion of
every rating, with n = the number of ratings, and a practice without ratings has none (not
zero). The catalogue's selection computes the same mean in SQL (``selection._ratings``) to sort
by it; everything that holds the ratings in memory uses :func:`peer_rating`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: The criteria of DESIGN.md, in the order they are asked and printed.
CRITERIA = ("evidence", "transferability", "usefulness")


@dataclass(frozen=True)
class PeerRating:
    mean: float | None
    n: int
    criteria: dict[str, float | None]  # the mean of each criterion


def peer_rating(ratings: Iterable) -> PeerRating:
    """The peer rating of ``ratings`` (objects with the three criteria as attributes)."""
    ratings = list(ratings)
    if not ratings:
        return PeerRating(None, 0, {c: None for c in CRITERIA})
    values = [getattr(r, c) for r in ratings for c in CRITERIA]
    return PeerRating(sum(values) / len(values), len(ratings),
                      {c: sum(getattr(r, c) for r in ratings) / len(ratings) for c in CRITERIA})

"""Facet counts from memory: the published practices' memberships, one bitset per facet key.

The text match stays in the database (FTS5 on SQLite, the GIN index on PostgreSQL) and gives
the matching ids; the counts come from a :class:`FacetIndex` of the **published** practices,
and each one's term keys (what a list of results shows), built in two queries and kept for the catalogue version (``cache.CATALOGUE``, bumped by every
write of a practice, its terms, editions and ratings, of terms and regions). Bit ``i`` of every
bitset (a Python ``int``) is the ``i``-th published practice, newest first; counting a facet is
an AND and a ``bit_count`` per key: the six facets of 10,000 practices in about a millisecond.

The index lives in the process (for its version) and in Flask-Caching (per process by default,
Redis with ``EIS_REDIS_URL``: shared by the gunicorn workers); a new version is a new key, so an
unpublished practice is never counted once its change is committed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from .. import cache
from ..accounts.models import Region
from ..extensions import db
from .models import Practice, PracticeStatus, Term, practice_term

#: Facet names in the order the page shows them (``selection.FACETS``); ``region`` is the owner's code.
FACETS = ("instrument", "sector", "market", "stage", "dimension", "region")


@dataclass(frozen=True)
class FacetIndex:
    ids: tuple[int, ...]  # published practice ids, newest first: bit positions
    keys: Mapping[str, Mapping[str, int]]  # facet → key → bitset of the practices with it
    position: Mapping[int, int]  # id → bit
    #: id → vocabulary → the practice's keys in it, in ``Practice.terms``' order: what a list of
    #: results shows of its terms without loading them.
    terms: Mapping[int, Mapping[str, tuple[str, ...]]]

    @property
    def everyone(self) -> int:
        return (1 << len(self.ids)) - 1

    def bits(self, ids: Iterable[int]) -> int:
        """The bitset of ``ids`` (those not published are left out)."""
        position = self.position
        return _bitset((position[i] for i in ids if i in position), len(self.ids))

    def passing(self, name: str, keys: Iterable[str]) -> int:
        """The practices with one of ``keys`` in facet ``name``."""
        bits = 0
        for key in keys:
            bits |= self.keys[name].get(key, 0)
        return bits

    def selected(self, within: int, filters: Mapping[str, tuple[str, ...]], without: str | None = None) -> int:
        """The practices of ``within`` that pass every filter (but ``without``)."""
        for name, keys in filters.items():
            if keys and name != without:
                within &= self.passing(name, keys)
        return within

    def counts(self, within: int, filters: Mapping[str, tuple[str, ...]]) -> tuple[int, dict[str, dict[str, int]]]:
        """The selection's total and its facets ``{facet: {key: count}}`` (largest first, then by
        key), each facet counted without its own filter; a filtered key is shown even at 0."""
        everything = self.selected(within, filters)
        result = {}
        for name in FACETS:
            base = self.selected(within, filters, without=name) if filters.get(name) else everything
            counts = {key: n for key, bits in self.keys[name].items() if (n := (bits & base).bit_count())}
            for key in filters.get(name, ()):
                counts.setdefault(key, 0)
            result[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return everything.bit_count(), result

    def page(self, bits: int, offset: int, limit: int | None) -> list[int]:
        """The ids of ``bits`` in index order (newest first), ``limit`` of them from ``offset``."""
        digits = format(bits, "b")[::-1]
        positions = [i for i, digit in enumerate(digits) if digit == "1"]
        end = None if limit is None else offset + limit
        return [self.ids[i] for i in positions[offset:end]]


def build() -> FacetIndex:
    """The index of the published practices, from the database (two statements)."""
    published = Practice.status == PracticeStatus.PUBLISHED
    rows = db.session.execute(select(Practice.id, Region.code).outerjoin(Region, Region.id == Practice.region_id)
                              .where(published).order_by(Practice.published_at.desc(), Practice.id.desc())).all()
    ids = tuple(practice_id for practice_id, _ in rows)
    position = {practice_id: i for i, practice_id in enumerate(ids)}
    members: dict[str, dict[str, list[int]]] = {name: {} for name in FACETS}
    terms: dict[int, dict[str, list[str]]] = {practice_id: {} for practice_id in ids}
    for practice_id, code in rows:
        if code is not None:
            members["region"].setdefault(code, []).append(position[practice_id])
    for practice_id, vocabulary, key in db.session.execute(
            select(practice_term.c.practice_id, Term.vocabulary, Term.key)
            .join(Term, Term.id == practice_term.c.term_id)
            .join(Practice, Practice.id == practice_term.c.practice_id).where(published).order_by(Term.key)):
        members[str(vocabulary)].setdefault(key, []).append(position[practice_id])
        terms[practice_id].setdefault(str(vocabulary), []).append(key)
    return FacetIndex(ids=ids, position=position,
                      keys={name: {key: _bitset(found, len(ids)) for key, found in keys.items()}
                            for name, keys in members.items()},
                      terms={i: {v: tuple(found) for v, found in of.items()} for i, of in terms.items()})


def _bitset(positions: Iterable[int], size: int) -> int:
    flags = bytearray((size + 7) // 8)
    for i in positions:
        flags[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(flags, "little")


_CURRENT: tuple[int, FacetIndex] | None = None  # (catalogue version, its index) in this process


def current() -> FacetIndex:
    """The index at the current catalogue version: this process's, else the shared cache's,
    else built (and shared). Without a version row yet it is built every time."""
    return at(cache.data_version(cache.CATALOGUE))


def at(version: int | None) -> FacetIndex:
    """The index at catalogue ``version``, read now (with other data in one statement: then
    remembered for the request)."""
    global _CURRENT
    if version is None:
        return build()
    cache.remember_versions({cache.CATALOGUE: version})
    if _CURRENT is not None and _CURRENT[0] == version:
        return _CURRENT[1]
    index = cache.cached("facet-index", (), build, row=cache.CATALOGUE)
    _CURRENT = (version, index)
    return index


def latest() -> FacetIndex | None:
    """This process's index at the version it last saw (perhaps no longer the current one)."""
    return None if _CURRENT is None else _CURRENT[1]

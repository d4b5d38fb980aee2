"""Suggesting reviewer assignments: pure code over plain values, no database (the warnings go
through gettext: the reader's language in a request, English elsewhere).

The rules (docs/workshops.md, Assignments):

- nobody reviews their own region (a conflict of interest: never suggested, and refused by the
  service when asked for by hand);
- each hot-seat region gets reviewers from as many different regions as possible;
- the load (assignments per reviewer, existing ones included) stays as even as possible;
- reviewers from another country than the reviewed region are preferred, and a warning names
  every reviewer from the same country and every hot-seat region whose reviewers come from fewer
  than two other countries (the Interreg Europe peer-review rule).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

#: Reviewers a hot-seat region needs before the review round can open.
MIN_REVIEWERS = 2
#: Countries other than the reviewed region's own that its reviewers should come from.
MIN_OTHER_COUNTRIES = 2


@dataclass(frozen=True)
class RegionInfo:
    id: int
    code: str
    country: str


@dataclass(frozen=True)
class ReviewerInfo:
    id: int
    name: str
    region: RegionInfo


@dataclass(frozen=True)
class Pair:
    """One assignment: ``reviewer`` reviews ``region``."""

    reviewer: ReviewerInfo
    region: RegionInfo


@dataclass
class Suggestion:
    pairs: list[Pair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def suggest_assignments(hot_seat: Sequence[RegionInfo], reviewers: Sequence[ReviewerInfo],
                        existing: Iterable[Pair] = (), per_region: int = 3) -> Suggestion:
    """New pairs that bring every hot-seat region up to ``per_region`` reviewers, and warnings.

    ``existing`` assignments are kept and count towards both the target and the load. Round by
    round, the region with the fewest reviewers picks next; it takes, in order of preference, a
    reviewer from a region it does not have yet; while it has reviewers from fewer than
    ``MIN_OTHER_COUNTRIES`` other countries, one from a new other country; then the lowest load;
    then another country than its own, and one it does not have yet (ties: by name, then id, so
    the result is stable).
    """
    existing = list(existing)
    load = Counter(pair.reviewer.id for pair in existing)
    chosen: dict[int, list[ReviewerInfo]] = {region.id: [] for region in hot_seat}
    for pair in existing:
        if pair.region.id in chosen:
            chosen[pair.region.id].append(pair.reviewer)
    pairs: list[Pair] = []
    full: set[int] = set()
    while True:
        open_regions = [r for r in hot_seat if r.id not in full and len(chosen[r.id]) < per_region]
        if not open_regions:
            break
        region = min(open_regions, key=lambda r: (len(chosen[r.id]), r.code))
        candidate = _best_candidate(region, chosen[region.id], reviewers, load)
        if candidate is None:
            full.add(region.id)
            continue
        chosen[region.id].append(candidate)
        load[candidate.id] += 1
        pairs.append(Pair(candidate, region))
    return Suggestion(pairs, assignment_warnings(hot_seat, [*existing, *pairs]))


def _best_candidate(region: RegionInfo, taken: list[ReviewerInfo], reviewers: Sequence[ReviewerInfo],
                    load: Counter) -> ReviewerInfo | None:
    taken_ids = {r.id for r in taken}
    taken_regions = {r.region.id for r in taken}
    taken_countries = {r.region.country for r in taken}
    candidates = [r for r in reviewers if r.region.id != region.id and r.id not in taken_ids]
    if not candidates:
        return None
    # Until the region has reviewers from MIN_OTHER_COUNTRIES other countries, a reviewer who adds
    # one comes before a lighter load: the peer-review rule weighs more than an even spread.
    needs_country = len(taken_countries - {region.country}) < MIN_OTHER_COUNTRIES
    return min(candidates, key=lambda r: (
        r.region.id in taken_regions,
        needs_country and (r.region.country == region.country or r.region.country in taken_countries),
        load[r.id],
        r.region.country == region.country,
        r.region.country in taken_countries,
        r.name,
        r.id,
    ))


def assignment_warnings(hot_seat: Sequence[RegionInfo], pairs: Iterable[Pair]) -> list[str]:
    """What a host should know about a set of assignments (none of it forbids them)."""
    by_region = _by_region(hot_seat, pairs)
    warnings = []
    for region in hot_seat:
        count = len(by_region[region.id])
        if count < MIN_REVIEWERS:
            warnings.append(ngettext("%(region)s has %(num)d reviewer; the review round needs at least %(min)d.",
                                     "%(region)s has %(num)d reviewers; the review round needs at least %(min)d.",
                                     count, region=region.code, min=MIN_REVIEWERS))
    return warnings + country_warnings(hot_seat, [p for ps in by_region.values() for p in ps])


def country_warnings(hot_seat: Sequence[RegionInfo], pairs: Iterable[Pair]) -> list[str]:
    """Reviewers from the reviewed region's country; regions reviewed from too few countries."""
    by_region = _by_region(hot_seat, pairs)
    warnings = []
    for region in hot_seat:
        reviewers = sorted((p.reviewer for p in by_region[region.id]), key=lambda r: (r.name, r.id))
        for reviewer in reviewers:
            if reviewer.region.country == region.country:
                warnings.append(_("%(name)s (%(from)s) is from the same country as %(region)s (%(country)s).",
                                  name=reviewer.name, region=region.code, country=region.country,
                                  **{"from": reviewer.region.code}))
        others = sorted({r.region.country for r in reviewers if r.region.country} - {region.country})
        if reviewers and len(others) < MIN_OTHER_COUNTRIES:
            if others:
                warnings.append(ngettext(
                    "%(region)s's reviewers come from %(num)d other country (%(countries)s); "
                    "the peer-review rule asks for at least %(min)d.",
                    "%(region)s's reviewers come from %(num)d other countries (%(countries)s); "
                    "the peer-review rule asks for at least %(min)d.",
                    len(others), region=region.code, countries=", ".join(others), min=MIN_OTHER_COUNTRIES))
            else:
                warnings.append(_("%(region)s has no reviewer from another country; "
                                  "the peer-review rule asks for reviewers from at least %(min)d other countries.",
                                  region=region.code, min=MIN_OTHER_COUNTRIES))
    return warnings


def _by_region(hot_seat: Sequence[RegionInfo], pairs: Iterable[Pair]) -> dict[int, list[Pair]]:
    by_region: dict[int, list[Pair]] = {region.id: [] for region in hot_seat}
    for pair in pairs:
        if pair.region.id in by_region:
            by_region[pair.region.id].append(pair)
    return by_region


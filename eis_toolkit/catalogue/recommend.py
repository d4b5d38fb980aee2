"""The SME self-check's ranking: pure Python over plain values (no Flask, no session).

``rank(answers, candidates, today)`` scores every published practice against the answers and
returns the ones with at least one reason, best first (ties by title). Reasons are codes with
values (``Reason("market", "JP")``); the pages turn them into sentences in the reader's language.

Points (documented in docs/catalogue.md):
- each asked market the practice covers: 4; a practice with no markets named is "any market": 1
- the asked sector: 3; a practice open to every sector (none named): 1
- the asked stage: 2
- each need one of its instruments answers: 2
- an application deadline still ahead: 1.5 (the nearest one is the reason); an event ahead: 0.5
- the peer rating: rating / 5 (at most 1), so a well-rated practice wins a tie.
A practice that covers none of the asked markets while naming others is left out, and so is one
naming sectors without the asked one, or stages without the asked one: a Japanese mission is no
help to a firm that asked for Brazil.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

MARKET, ANY_MARKET, SECTOR, ANY_SECTOR, STAGE, NEED = 4.0, 1.0, 3.0, 1.0, 2.0, 2.0
DEADLINE, EVENT = 1.5, 0.5


@dataclass(frozen=True)
class Answers:
    sector: str | None = None
    markets: tuple[str, ...] = ()
    stage: str | None = None
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    slug: str
    title: str
    sectors: frozenset[str] = frozenset()
    markets: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    instruments: frozenset[str] = frozenset()
    deadlines: tuple[date, ...] = ()
    event_starts: tuple[date, ...] = ()
    rating: float | None = None


@dataclass(frozen=True)
class Reason:
    code: str  # market | any_market | sector | any_sector | stage | need | deadline | event | rating
    value: object = None


@dataclass
class Recommendation:
    slug: str
    title: str
    score: float
    reasons: list[Reason] = field(default_factory=list)


def score(answers: Answers, candidate: Candidate, today: date,
          need_instruments: dict[str, set[str]]) -> Recommendation | None:
    """One practice's score and reasons, or None when it does not fit the answers."""
    points, reasons = 0.0, []
    if answers.markets:
        covered = [m for m in answers.markets if m in candidate.markets]
        if covered:
            points += MARKET * len(covered)
            reasons += [Reason("market", m) for m in covered]
        elif candidate.markets:
            return None
        else:
            points += ANY_MARKET
            reasons.append(Reason("any_market"))
    if answers.sector:
        if answers.sector in candidate.sectors:
            points += SECTOR
            reasons.append(Reason("sector", answers.sector))
        elif candidate.sectors:
            return None
        else:
            points += ANY_SECTOR
            reasons.append(Reason("any_sector"))
    if answers.stage:
        if answers.stage in candidate.stages:
            points += STAGE
            reasons.append(Reason("stage", answers.stage))
        elif candidate.stages:
            return None
    for need in answers.needs:
        if need_instruments.get(need, set()) & candidate.instruments:
            points += NEED
            reasons.append(Reason("need", need))
    if not reasons or all(r.code in ("any_market", "any_sector") for r in reasons):
        return None
    ahead = sorted(d for d in candidate.deadlines if d >= today)
    if ahead:
        points += DEADLINE
        reasons.append(Reason("deadline", ahead[0]))
    elif any(d >= today for d in candidate.event_starts):
        points += EVENT
        reasons.append(Reason("event", min(d for d in candidate.event_starts if d >= today)))
    if candidate.rating is not None:
        points += min(candidate.rating, 5.0) / 5.0
        reasons.append(Reason("rating", round(candidate.rating, 1)))
    return Recommendation(slug=candidate.slug, title=candidate.title, score=round(points, 4), reasons=reasons)


def rank(answers: Answers, candidates: list[Candidate], today: date,
         need_instruments: dict[str, set[str]]) -> list[Recommendation]:
    """The fitting practices, highest score first, ties by title (then slug)."""
    scored = [r for c in candidates if (r := score(answers, c, today, need_instruments)) is not None]
    return sorted(scored, key=lambda r: (-r.score, r.title.casefold(), r.slug))

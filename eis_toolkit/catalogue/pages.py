"""Assembling what the catalogue's pages show (the HTML page and the JSON share these)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import iter_multi_items

from .. import permissions
from ..accounts.models import Region
from ..extensions import db
from ..i18n import format_number, translate
from ..workshops.models import Nomination, Review, ReviewerAssignment, Workshop, WorkshopStatus, workshop_hot_seat
from . import recommend
from .models import Practice, Term, Vocabulary
from .selection import FILTERS, CatalogueQuery, Item, Selection
from .taxonomies import needs, taxonomy_labels


class Labels:
    """Term labels in one language: ``labels("market", "JP")`` → "Giappone"."""

    def __init__(self, language: str):
        self.language = language
        self._static = taxonomy_labels()
        self._dimensions = {t.key: t.label for t in db.session.scalars(
            select(Term).where(Term.vocabulary == Vocabulary.DIMENSION))}
        self._regions: dict[str, str] | None = None

    def __call__(self, name: str, key: str) -> str:
        if name == "region":
            if self._regions is None:
                self._regions = dict(db.session.execute(select(Region.code, Region.name)).all())
            return self._regions.get(key, key)
        if name == "need":
            return translate(needs().get(key, {}).get("label"), self.language) or key
        if name == "dimension":
            return translate(self._dimensions.get(key), self.language) or key
        return translate(self._static[FILTERS[name]].get(key), self.language) or key

    def options(self, name: str) -> list[tuple[str, str]]:
        """Every key of a vocabulary with its label, sorted by label."""
        if name == "dimension":
            keys = list(self._dimensions)
        elif name == "need":
            keys = list(needs())
        else:
            keys = list(self._static[FILTERS[name]])
        pairs = [(key, self(name, key)) for key in keys]
        return pairs if name in ("need", "stage") else sorted(pairs, key=lambda kv: kv[1].casefold())


class FacetLinks:
    """``links(name, key)``: the address of a facet key's link, exactly as ``url_for(
    "catalogue.index", **query.toggled(name, key))`` writes it (werkzeug's order and encoding),
    each parameter encoded once per process. A page has a link per facet key (some 250): url_for's
    routing and encoding of every parameter of each was a quarter of a new page's CPU."""

    def __init__(self, base: str, query: CatalogueQuery):
        self.base, self.query = base, query

    def __call__(self, name: str, key: str) -> str:
        pairs = [_parameter(k, v) for k, v in iter_multi_items(self.query.toggled(name, key))]
        return f"{self.base}?{'&'.join(pairs)}" if pairs else self.base


@lru_cache(maxsize=8192)
def _parameter(name: str, value) -> str:
    return urlencode([(name, value)], safe="!$'()*,/:;?@")  # werkzeug.urls._urlencode's safe characters


def facet_title(name: str) -> str:
    titles = {"instrument": _("Instruments"), "sector": _("Sectors"), "market": _("Markets"),
              "stage": _("SME stage"), "dimension": _("Dimensions it strengthens"), "region": _("Region")}
    return titles[name]


# --- the practice page -----------------------------------------------------------------------


@dataclass
class DimensionScore:
    key: str
    peer_mean: float | None
    index: float | None
    group_mean: float | None


@dataclass
class RegionEvidence:
    workshop: Workshop
    scores: list[DimensionScore]
    may_see_scorecard: bool


def load_practice(slug: str) -> Practice | None:
    return db.session.scalar(
        select(Practice).where(Practice.slug == slug)
        .options(joinedload(Practice.region), selectinload(Practice.terms), selectinload(Practice.editions),
                 selectinload(Practice.ratings)))


def nominations_of(practice: Practice, user) -> list[Nomination]:
    """The workshop nominations that led to the practice, at workshops the reader may know of:
    published ones for everyone, others for their hosts."""
    rows = db.session.scalars(
        select(Nomination).where(Nomination.practice_id == practice.id)
        .options(joinedload(Nomination.review).joinedload(Review.assignment)
                 .joinedload(ReviewerAssignment.workshop))
        .order_by(Nomination.id))
    return [n for n in rows if n.review.assignment.workshop.status == WorkshopStatus.PUBLISHED
            or permissions.can_host(user, n.review.assignment.workshop)]


def region_evidence(practice: Practice, user) -> RegionEvidence | None:
    """The owner region's peer scores on the practice's dimensions at its latest published
    hot-seat workshop; the scorecard link only for readers who may see it."""
    from ..benchmark.queries import workshop_benchmark

    dimensions = practice.keys(Vocabulary.DIMENSION)
    if practice.region_id is None or not dimensions:
        return None
    workshop = db.session.scalar(
        select(Workshop).join(workshop_hot_seat, workshop_hot_seat.c.workshop_id == Workshop.id)
        .where(workshop_hot_seat.c.region_id == practice.region_id, Workshop.status == WorkshopStatus.PUBLISHED)
        .order_by(Workshop.starts.desc(), Workshop.id.desc()).limit(1))
    if workshop is None:
        return None
    rows = {row.key: row for row in workshop_benchmark(workshop)
            if row.region == practice.region.code and row.level == "dimension"}
    scores = [DimensionScore(key, rows[key].peer_mean, rows[key].index, rows[key].group_mean)
              for key in dimensions if key in rows and rows[key].peer_mean is not None]
    if not scores:
        return None
    return RegionEvidence(workshop, scores, permissions.can_view_scorecard(user, workshop, practice.region_id))


# --- the self-check --------------------------------------------------------------------------


def candidates(selection: Selection) -> list[recommend.Candidate]:
    """Plain values of the selected practices for the pure ranking."""
    def keys(item: Item, vocabulary):
        return frozenset(item.keys(vocabulary))

    return [recommend.Candidate(
        slug=i.practice.slug, title=i.practice.title, sectors=keys(i, Vocabulary.SECTOR),
        markets=keys(i, Vocabulary.MARKET), stages=keys(i, Vocabulary.STAGE),
        instruments=keys(i, Vocabulary.INSTRUMENT),
        deadlines=tuple(e.deadline for e in i.practice.editions if e.deadline),
        event_starts=tuple(e.starts for e in i.practice.editions if e.starts),
        rating=i.rating) for i in selection.items]


def reason_text(reason: recommend.Reason, labels: Labels) -> str:
    """A reason as a sentence in the reader's language."""
    code, value = reason.code, reason.value
    if code == "market":
        return _("covers %(market)s", market=labels("market", value))
    if code == "any_market":
        return _("not tied to one market")
    if code == "sector":
        return _("for the %(sector)s sector", sector=labels("sector", value))
    if code == "any_sector":
        return _("open to every sector")
    if code == "stage":
        stage_texts = {"pre_export": _("for firms preparing to export"),
                       "new_exporter": _("for firms exporting for the first time"),
                       "experienced": _("for experienced exporters")}
        return stage_texts.get(value) or labels("stage", value)
    if code == "need":
        need = labels("need", value)  # inside a sentence: lower case, but German nouns keep their capital
        return _("helps with: %(need)s", need=need if labels.language == "de" else need[:1].lower() + need[1:])
    if code == "deadline":
        return _("application deadline %(date)s", date=format_date(value, "d MMMM y"))
    if code == "event":
        return _("next date %(date)s", date=format_date(value, "d MMMM y"))
    if code == "rating":
        return _("peer rating %(rating)s of 5", rating=format_number(value, labels.language, digits=1))
    return code


def need_instruments() -> dict[str, set[str]]:
    return {key: set(value["instruments"]) for key, value in needs().items()}


def today() -> date:
    return date.today()


def blocks(text: str) -> list[tuple[str, object]]:
    """A text as paragraphs and bullet lists: ``[("p", "..."), ("ul", ["...", ...])]``. Lines of a
    paragraph are joined (texts are often wrapped at 100 columns); lines starting with ``- `` are
    list items, indented lines continue the item above."""
    result: list[tuple[str, object]] = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith(("- ", "• ")):
                if paragraph:
                    result.append(("p", " ".join(paragraph)))
                    paragraph = []
                items.append(stripped[2:].strip())
            elif items and line[:1].isspace():
                items[-1] += " " + stripped
            else:
                if items:
                    result.append(("ul", items))
                    items = []
                paragraph.append(stripped)
        if paragraph:
            result.append(("p", " ".join(paragraph)))
        if items:
            result.append(("ul", items))
    return result

"""Page assembly for the benchmark pages, exports and reports: one place, plain data out.

The HTML pages (``views.py``), the CSV/JSON downloads and the PDF reports call these builders.
They take loaded model objects and the viewer (the permission checks stay with the caller, who
has already asked ``permissions.py`` whether the page may be shown) and return frozen
dataclasses of plain values (:class:`~.numbers.Row`, tuples, strings); ``workshop`` and
``region`` are passed through as the caller gave them, for titles and links.

Each builder assembles only what its page shows. The benchmark rows come from the cache
(``eis_toolkit/cache.py``) keyed by the data version: a workshop's rows are computed once per
version (every score, review, assessment or workshop write makes a new version) and kept split
per region, so a scorecard unpickles one region's rows, and the workshop page the dimension
and overall rows only. Chart addresses and ETags are digests of the data version and what the
chart shows, computed without the numbers.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from .. import permissions
from ..cache import CATALOGUE, cache, cached, digest, key
from ..extensions import db
from ..i18n import current_language, translate
from ..models import Assessment, Programme, Questionnaire, Region, Workshop, WorkshopStatus
from ..questionnaires.schema import QuestionnaireDef
from ..questionnaires.services import definition_of
from . import charts, pages
from .numbers import Row, Structure
from .queries import (PracticeNote, ProgrammeBenchmark, ReviewerCalibration, programme_benchmark,
                      programme_workshops, published_practices, reviewer_calibration, structure_for,
                      workshop_benchmark)

#: Up to this many regions a heatmap shows every region at once; beyond, the regions table is
#: paged and the heatmap drawn for the page shown (never an unbounded SVG).
HEATMAP_MAX_REGIONS = 60
#: Regions per page of the paged regions table (and of its heatmap).
REGIONS_PER_PAGE = 30

RegionRows = dict[tuple[str, str], Row]


def titles_for(questionnaire: Questionnaire, language: str | None = None) -> dict[str, str]:
    """Dimension titles in the language of the page."""
    language = language or current_language()
    return {d.key: translate(d.title, language) for d in definition_of(questionnaire).dimensions}


# --- cached rows -----------------------------------------------------------------------------------


def workshop_rows(workshop: Workshop) -> list[Row]:
    """Every row of the workshop's benchmark (the export's table), cached by data version."""
    return cached("workshop-rows", (workshop.id,), lambda: workshop_benchmark(workshop))


def region_rows(workshop: Workshop, code: str) -> RegionRows:
    """One hot-seat region's rows by (level, key), group figures included; empty if none.

    On a miss the workshop's rows are computed (or read) once and stored per region, so the next
    scorecard of any region of the workshop reads only its own rows.
    """
    region_key = key("region-rows", workshop.id, code)
    if region_key is not None:
        found = cache.get(region_key)
        if found is not None:
            return found
    by_region = pages.rows_by_region(workshop_rows(workshop))
    if region_key is not None:
        entries = {key("region-rows", workshop.id, c): rows for c, rows in by_region.items()}
        entries.setdefault(region_key, {})
        cache.set_many(entries)
    return by_region.get(code, {})


def workshop_summary(workshop: Workshop) -> dict[str, RegionRows]:
    """Each hot-seat region's dimension and overall rows (no question rows), regions by code."""
    def compute():
        return {code: {k: r for k, r in rows.items() if r.level != "question"}
                for code, rows in pages.rows_by_region(workshop_rows(workshop)).items()}
    return cached("workshop-summary", (workshop.id,), compute)


def programme_summary(programme: Programme, questionnaire: Questionnaire,
                      workshop_ids: list[int]) -> ProgrammeBenchmark:
    """The programme's dimension and overall rows (what rankings, heatmaps and "learn from"
    need) for the workshops that count, with where each region's figures come from."""
    ids = sorted(set(workshop_ids))

    def compute():
        result = programme_benchmark(programme, questionnaire, ids)
        return ProgrammeBenchmark([r for r in result.rows if r.level != "question"], result.sources)
    return cached("programme-summary", (programme.id, questionnaire.id, *ids), compute)


#: The calibration table shows the reviewers furthest from the others, at most this many.
CALIBRATION_SHOWN = 30


def calibration(workshop: Workshop) -> tuple[list[ReviewerCalibration], int]:
    """The reviewer calibration table (hosts only: the caller checks), cached by data version:
    the :data:`CALIBRATION_SHOWN` reviewers with the largest offsets, and how many there are."""
    def compute():
        found = reviewer_calibration(workshop)
        return found[:CALIBRATION_SHOWN], len(found)
    return cached("calibration", (workshop.id,), compute)


# --- the regions table: sort and pages ---------------------------------------------------------


@dataclass(frozen=True)
class RegionTable:
    """One page of a sortable regions table (server-side: ``?sort=&order=&page=``)."""

    codes: tuple[str, ...]  # the regions of this page, in order
    sort: str  # "region", "overall", "self", "gap" or a dimension key
    descending: bool
    page: int
    pages: int
    total: int
    paged: bool  # more regions than one heatmap shows: the table and the heatmap are paged

    @property
    def query(self) -> dict:
        """The query parameters that reproduce this page (defaults left out)."""
        values = {}
        if self.sort != "region":
            values["sort"] = self.sort
        if self.descending != (self.sort != "region"):
            values["order"] = "desc" if self.descending else "asc"
        if self.page != 1:
            values["page"] = self.page
        return values


class BadTableQuery(ValueError):
    """An unknown sort key, order or page: the view answers 400 with the message."""


def region_table(summary: Mapping[str, RegionRows], structure: Structure, sort: str | None = None,
                 order: str | None = None, page: int | str | None = None) -> RegionTable:
    """Sort the regions by a column (empty values last), then cut the page asked for."""
    sort = sort or "region"
    dimensions = [d.key for d in structure.dimensions]
    if sort not in ("region", "overall", "self", "gap", *dimensions):
        raise BadTableQuery(f"unknown sort {sort!r}: use region, overall, self, gap or a dimension key")
    if order not in (None, "", "asc", "desc"):
        raise BadTableQuery(f"unknown order {order!r}: use asc or desc")
    descending = (order == "desc") if order else sort != "region"
    try:
        page = int(page or 1)
    except (TypeError, ValueError):
        raise BadTableQuery(f"page must be a number, not {page!r}") from None
    codes = list(summary)
    if sort == "region":
        codes.sort(reverse=descending)
    else:
        level, row_key, field = {"overall": ("overall", "overall", "peer_mean"),
                                 "self": ("overall", "overall", "self"),
                                 "gap": ("overall", "overall", "gap")}.get(sort, ("dimension", sort, "peer_mean"))

        def value(code):
            row = summary[code].get((level, row_key))
            return None if row is None else getattr(row, field)
        present = sorted((c for c in codes if value(c) is not None), key=lambda c: (value(c), c),
                         reverse=descending)
        codes = present + sorted(c for c in codes if value(c) is None)
    total = len(codes)
    paged = total > HEATMAP_MAX_REGIONS
    per_page = REGIONS_PER_PAGE if paged else max(total, 1)
    pages_ = max(1, -(-total // per_page))
    if not 1 <= page <= pages_:
        raise BadTableQuery(f"page {page} does not exist: there are {pages_}")
    chosen = codes[(page - 1) * per_page:page * per_page]
    return RegionTable(tuple(chosen), sort, descending, page, pages_, total, paged)


def chart_words(language: str | None = None) -> charts.ChartWords:
    """The words the charts draw, and the language their numbers are written in: ``language``
    (the reader's by default)."""
    return _chart_words(language or current_language())


@lru_cache(maxsize=16)  # the interface's translations do not change while the process runs
def _chart_words(language: str) -> charts.ChartWords:
    with force_locale(language):
        return charts.ChartWords(
            self=_("Self-assessment"), peer_mean=_("Peer mean"), group_mean=_("Group mean"),
            group_best=_("Group best"), score=_("Score"), no_value=_("no value"),
            bars_title=_("%(region)s: self-assessment, peer mean, group mean and group best per dimension"),
            radar_title=_("%(region)s: self-assessment against peer mean"),
            questions_title=_("%(region)s, %(dimension)s: self-assessment and peer mean per question"),
            heatmap_title=_("Peer mean per dimension: %(workshop)s"),
            heatmap_page_title=_("Peer mean per dimension: %(workshop)s (regions, page %(page)s of %(pages)s)"),
            progress_title=_("%(region)s: self-assessment and peer mean at %(t0)s and at %(t1)s"),
            then=_("then"), now=_("now"), language=language)


def heatmap_title(words: charts.ChartWords, name: str, page: int = 1, pages_: int = 1) -> str:
    """The heatmap's title for a workshop or programme ``name``, naming the page when paged."""
    if pages_ > 1:
        return words.heatmap_page_title % {"workshop": name, "page": page, "pages": pages_}
    return words.heatmap_title % {"workshop": name}


def heatmap_args(summary: Mapping[str, RegionRows], codes, structure: Structure, titles: Mapping[str, str],
                 title: str, words: charts.ChartWords) -> tuple:
    """Arguments of ``charts.heatmap`` for these regions (a page of the table)."""
    dimensions = [d.key for d in structure.dimensions]
    values = tuple(tuple((summary[c].get(("dimension", k)) or _NONE).peer_mean for k in dimensions) for c in codes)
    return (tuple(codes), tuple(titles.get(k, k) for k in dimensions), values,
            (structure.scale_min, structure.scale_max), title, words)


class _None:
    peer_mean = None


_NONE = _None()


# --- the scorecard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scorecard:
    """Everything a region's scorecard shows (the page, its downloads and the region report)."""

    workshop: Workshop
    region: Region
    definition: QuestionnaireDef
    structure: Structure
    titles: dict[str, str]
    rows: RegionRows  # this region's rows by (level, key), group figures included
    overall: Row | None
    self_status: str | None  # "submitted", "draft" or None (no self-assessment)
    agreement: pages.Agreement
    blind_spots: list[Row]
    learn_from: list[dict]
    bars: tuple  # arguments of charts.dimension_bars
    radar: tuple | None  # arguments of charts.radar (None under three dimensions)
    bars_key: str
    radar_key: str | None
    can_see_workshop: bool
    #: The cache key of the page's figures as HTML (the same for every viewer allowed to see them)
    fragment_key: str


def scorecard(workshop: Workshop, region: Region, viewer) -> Scorecard:
    """A hot-seat region's scorecard as ``viewer`` may see it (the caller checked
    ``permissions.can_view_scorecard``)."""
    language = current_language()
    mine = region_rows(workshop, region.code)
    structure = structure_for(workshop.questionnaire)
    titles = titles_for(workshop.questionnaire, language)
    self_status = cached("self-status", (workshop.id, region.id), lambda: db.session.scalar(
        select(Assessment.status).where(Assessment.workshop_id == workshop.id, Assessment.region_id == region.id)))
    overall = mine.get(("overall", "overall"))
    words = chart_words(language)
    bars = pages.bars_args(mine, structure, titles, region.code, words)
    radar = pages.radar_args(mine, structure, titles, region.code, words)
    return Scorecard(
        workshop=workshop, region=region, definition=definition_of(workshop.questionnaire),
        structure=structure, titles=titles, rows=mine, overall=overall,
        self_status=None if self_status is None else str(getattr(self_status, "value", self_status)),
        agreement=pages.agreement(overall.alpha if overall else None),
        blind_spots=pages.blind_spots(mine.values()),
        learn_from=learn_from(workshop, region.code, mine, titles, viewer),
        bars=bars, radar=radar,
        bars_key=chart_key("bars", bars, workshop.id, region.code, language),
        radar_key=chart_key("radar", radar, workshop.id, region.code, language) if radar else None,
        can_see_workshop=permissions.can_view_benchmark(viewer, workshop),
        fragment_key=key("scorecard-html", workshop.id, region.code, language) or f"uncached-{secrets.token_hex(8)}")


def scorecard_chart(workshop: Workshop, region: Region, chart: str) -> tuple[tuple | None, str | None]:
    """The arguments and key of a scorecard chart (``bars`` or ``radar``) from cached rows."""
    language = current_language()
    mine = region_rows(workshop, region.code)
    structure, titles = structure_for(workshop.questionnaire), titles_for(workshop.questionnaire, language)
    args = (pages.bars_args if chart == "bars" else pages.radar_args)(mine, structure, titles, region.code,
                                                                       chart_words(language))
    return args, (chart_key(chart, args, workshop.id, region.code, language) if args else None)


def chart_key(name: str, args: tuple | None, *parts) -> str:
    """A chart's ETag and address digest: from the data version and what it shows; from its
    numbers only when there is no data version yet."""
    return digest(f"chart-{name}", *parts) or charts.chart_key(*(args or ()))


def learn_from(workshop: Workshop, code: str, mine: RegionRows, titles: Mapping[str, str], viewer) -> list[dict]:
    """For the region's weakest dimensions: regions of the programme with a better peer mean there
    (each region's latest workshop with this questionnaire that the viewer may see) and their
    published practices for the dimension, then other published practices for it."""
    weak = pages.weakest_dimensions(mine.values())
    if not weak:
        return []
    visible = visible_programme_workshop_ids(workshop, viewer)
    best = best_by_dimension(workshop.programme, workshop.questionnaire, visible + [workshop.id])
    practices = dimension_practices(row.key for row in weak)
    better_by_dimension = {row.key: pages.leaders(best.get(row.key, ()), row.key, row.peer_mean, exclude=code)
                           for row in weak}
    names = region_names({r.region for rows in better_by_dimension.values() for r in rows})
    result = []
    for row in weak:
        better = better_by_dimension[row.key]
        leading = {r.region for r in better}
        result.append({
            "row": row, "title": titles.get(row.key, row.key),
            "leaders": [{"row": r, "name": names.get(r.region, r.region),
                         "practices": [p for p in practices[row.key] if p.region and p.region.code == r.region]}
                        for r in better],
            "others": [p for p in practices[row.key]
                       if not (p.region and p.region.code in leading | {code})][:pages.OTHER_PRACTICES],
        })
    return result


def dimension_practices(dimension_keys) -> dict[str, list[PracticeNote]]:
    """The published practices per dimension (public: the same for every viewer), cached by the
    catalogue's version, which every practice, term and region write bumps."""
    keys = sorted(set(dimension_keys))
    return cached("dimension-practices", tuple(keys), lambda: published_practices(keys), row=CATALOGUE)


def visible_programme_workshop_ids(workshop: Workshop, viewer) -> list[int]:
    """The workshops of ``workshop``'s programme with its questionnaire whose numbers count for
    ``viewer`` (``permissions.counts_in_programme_benchmark``), newest first. Their ids and
    statuses are cached by data version; only the unpublished ones, whose answer depends on more
    than being logged in, are loaded and asked of the predicate."""
    statuses = cached("programme-workshops", (workshop.programme_id, workshop.questionnaire_id), lambda: [
        (w.id, str(getattr(w.status, "value", w.status)))
        for w in programme_workshops(workshop.programme_id, workshop.questionnaire_id)])
    unpublished = [i for i, status in statuses if status != WorkshopStatus.PUBLISHED]
    loaded = {w.id: w for w in db.session.scalars(select(Workshop).where(Workshop.id.in_(unpublished)))} \
        if unpublished else {}
    published = permissions.can_view_programme_benchmark(viewer)
    return [i for i, status in statuses
            if (permissions.counts_in_programme_benchmark(viewer, loaded[i]) if i in loaded else published)]


def best_by_dimension(programme: Programme, questionnaire: Questionnaire,
                      workshop_ids: list[int]) -> dict[str, list[Row]]:
    """{dimension key: the programme's best dimension rows there, best first}: enough of them
    (``LEADERS`` + 1) for "learn from" to leave the region itself out. Cached by data version."""
    ids = sorted(set(workshop_ids))

    def compute():
        rows = programme_summary(programme, questionnaire, ids).rows
        keys = {r.key for r in rows if r.level == "dimension"}
        return {k: pages.leaders(rows, k, float("-inf"), exclude=None, limit=pages.LEADERS + 1) for k in keys}
    return cached("best-by-dimension", (programme.id, questionnaire.id, *ids), compute)


def region_names(codes) -> dict[str, str]:
    """{region code: name} of these regions (one query, even for none: a constant count)."""
    codes = sorted(set(codes))
    return cached("region-names", tuple(codes), lambda: dict(db.session.execute(
        select(Region.code, Region.name).where(Region.code.in_(codes))).tuples().all()))


# --- the workshop page -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopPage:
    """The workshop benchmark page: one page of the regions table and its heatmap."""

    workshop: Workshop
    structure: Structure
    titles: dict[str, str]
    names: dict[str, str]  # region code → name, for the regions shown
    by_region: dict[str, RegionRows]  # the regions of this page, in table order: dimension + overall rows
    table: RegionTable
    heatmap: tuple | None  # arguments of charts.heatmap for this page's regions
    heatmap_key: str | None
    calibration: list[ReviewerCalibration] | None  # hosts only (the furthest reviewers), else None
    calibration_total: int  # how many reviewers the calibration covers
    #: The cache key of the regions tables as HTML (the same for every viewer allowed to see them)
    fragment_key: str


def workshop_page(workshop: Workshop, viewer, sort: str | None = None, order: str | None = None,
                  page: int | str | None = None) -> WorkshopPage:
    """The workshop page as ``viewer`` may see it (the caller checked ``can_view_benchmark``);
    raises :class:`BadTableQuery` for an unknown sort, order or page."""
    language = current_language()
    structure = structure_for(workshop.questionnaire)
    titles = titles_for(workshop.questionnaire, language)
    table, by_region = workshop_table(workshop, sort, order, page)
    heatmap, heatmap_key_ = None, None
    if table.codes:
        words = chart_words(language)
        heatmap = heatmap_args(by_region, table.codes, structure, titles,
                               heatmap_title(words, workshop.title, table.page, table.pages), words)
        heatmap_key_ = chart_key("heatmap", heatmap, workshop.id, language, *sorted(table.query.items()))
    shown, total = (calibration(workshop) if permissions.can_see_calibration(viewer, workshop) else (None, 0))
    return WorkshopPage(
        workshop=workshop, structure=structure, titles=titles, names=region_names(table.codes),
        by_region=by_region, table=table, heatmap=heatmap, heatmap_key=heatmap_key_,
        calibration=shown, calibration_total=total,
        fragment_key=key("workshop-html", workshop.id, language, *sorted(table.query.items()))
        or f"uncached-{secrets.token_hex(8)}")


def workshop_table(workshop: Workshop, sort=None, order=None, page=None) -> tuple[RegionTable, dict[str, RegionRows]]:
    """One page of the workshop's regions table and those regions' dimension and overall rows,
    cached by data version and query (so a page view reads only what it shows)."""
    structure = structure_for(workshop.questionnaire)

    def compute():
        summary = workshop_summary(workshop)
        table = region_table(summary, structure, sort, order, page)
        return table, {c: summary[c] for c in table.codes}
    return cached("workshop-table", (workshop.id, sort, order, page), compute)


def workshop_heatmap(workshop: Workshop, sort=None, order=None, page=None) -> tuple[tuple | None, str | None]:
    """The arguments and key of the workshop heatmap for one page of the regions table."""
    language = current_language()
    structure = structure_for(workshop.questionnaire)
    table, by_region = workshop_table(workshop, sort, order, page)
    if not table.codes:
        return None, None
    words = chart_words(language)
    args = heatmap_args(by_region, table.codes, structure, titles_for(workshop.questionnaire, language),
                        heatmap_title(words, workshop.title, table.page, table.pages), words)
    return args, chart_key("heatmap", args, workshop.id, language, *sorted(table.query.items()))


# --- the programme page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammePage:
    """The programme page: one page of the ranking and the heatmap of those regions."""

    programme: Programme
    questionnaire: Questionnaire
    structure: Structure
    titles: dict[str, str]
    dimension: str  # "overall" or a dimension key: what the ranking is by
    sources: dict  # region code → Source, for the regions of this page
    region_count: int  # regions in the comparison
    ranking: list[pages.Ranked]  # this page of the ranking
    names: dict[str, str]
    viewable: frozenset[int]  # workshops whose scorecards the viewer may open
    page: int
    pages: int
    heatmap: tuple | None
    heatmap_key: str | None

    @property
    def query(self) -> dict:
        """The query parameters that reproduce this page (defaults left out)."""
        values = {} if self.dimension == "overall" else {"dimension": self.dimension}
        if self.page != 1:
            values["page"] = self.page
        return values


def programme_page(programme: Programme, questionnaire: Questionnaire, viewer, dimension: str = "overall",
                   page: int | str | None = None) -> ProgrammePage:
    """The programme page as ``viewer`` may see it; ``dimension`` must be ``overall`` or a key of
    the questionnaire's dimensions (the caller answers 404 otherwise); raises
    :class:`BadTableQuery` for a page that does not exist."""
    language = current_language()
    workshops = [w for w in programme_workshops(programme.id, questionnaire.id)
                 if permissions.counts_in_programme_benchmark(viewer, w)]
    ids = sorted(w.id for w in workshops)
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        raise BadTableQuery(f"page must be a number, not {page!r}") from None
    level = "overall" if dimension == "overall" else "dimension"

    def compute():
        result = programme_summary(programme, questionnaire, ids)
        ranking = pages.ranking(result.rows, level, dimension)
        paged_ = len(ranking) > HEATMAP_MAX_REGIONS
        per_page = REGIONS_PER_PAGE if paged_ else max(len(ranking), 1)
        pages_ = max(1, -(-len(ranking) // per_page))
        if not 1 <= number <= pages_:
            raise BadTableQuery(f"page {number} does not exist: there are {pages_}")
        shown = ranking[(number - 1) * per_page:number * per_page]
        codes = {item.row.region for item in shown}
        return (shown, pages_, paged_, len(result.sources), {c: result.sources[c] for c in codes},
                pages.rows_by_region(r for r in result.rows if r.region in codes))
    shown, pages_, paged, region_count, sources, summary = cached(
        "programme-page", (programme.id, questionnaire.id, dimension, number, *ids), compute)
    structure, titles = structure_for(questionnaire), titles_for(questionnaire, language)
    codes = [item.row.region for item in shown]
    heatmap, heatmap_key_ = None, None
    if codes:
        words = chart_words(language)
        title = heatmap_title(words, programme.title, number, pages_ if paged else 1)
        heatmap = heatmap_args(summary, codes, structure, titles, title, words)
        heatmap_key_ = chart_key("programme-heatmap", heatmap, programme.id, questionnaire.id, language,
                                 dimension, number, *sorted(w.id for w in workshops))
    return ProgrammePage(
        programme=programme, questionnaire=questionnaire, structure=structure, titles=titles,
        dimension=dimension, sources=sources, region_count=region_count, ranking=shown,
        names=region_names(codes),
        viewable=frozenset(w.id for w in workshops if permissions.can_view_benchmark(viewer, w)),
        page=number, pages=pages_, heatmap=heatmap, heatmap_key=heatmap_key_)

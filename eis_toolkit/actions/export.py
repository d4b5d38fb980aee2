"""``eis export progress``: a region's change between consecutive assessments (DESIGN.md,
*Action plans and progress*), loaded from the benchmark builders and computed by
:func:`progress.progress`; rendered like the benchmark export (empty cells empty in CSV, ``null``
in JSON, numbers at full precision)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..benchmark import builders
from ..cache import cached
from ..benchmark.export import to_csv, to_json
from ..questionnaires.services import definition_of
from ..extensions import db
from ..models import Region, Workshop, WorkshopStatus, workshop_hot_seat
from .progress import COLUMNS, Assessed, ProgressRow, progress


def assessed(region: Region) -> list[Assessed]:
    """The published workshops where the region sat in the hot seat, with its dimension and
    overall ``self`` and ``peer_mean`` there (the benchmark's rows, from the cache)."""
    workshops = db.session.scalars(
        select(Workshop).join(workshop_hot_seat, workshop_hot_seat.c.workshop_id == Workshop.id)
        .where(workshop_hot_seat.c.region_id == region.id, Workshop.status == WorkshopStatus.PUBLISHED)
        .options(joinedload(Workshop.questionnaire)).order_by(Workshop.starts, Workshop.id))
    found = []
    for workshop in workshops:
        rows = builders.region_rows(workshop, region.code)  # this region only, cached per region
        values = {key: (row.self, row.peer_mean) for (level, key), row in rows.items()
                  if level in ("dimension", "overall")}
        found.append(Assessed(workshop.slug, workshop.starts, workshop.questionnaire.key,
                              tuple(d.key for d in definition_of(workshop.questionnaire).dimensions), values))
    return found


def region_progress(region: Region) -> list[ProgressRow]:
    """The region's progress rows, cached by data version (they are computed from benchmark rows)."""
    return cached("region-progress", (region.id,), lambda: progress(region.code, assessed(region)))


def render(rows: list[ProgressRow], format: str) -> str:
    return to_csv(rows, COLUMNS) if format == "csv" else to_json(rows)

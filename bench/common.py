"""Helpers the benchmark modules share: a fresh database, timings, people to log in as."""
from __future__ import annotations

import gc
import statistics
import time
from datetime import UTC, datetime
from collections.abc import Callable
from contextlib import contextmanager

PASSWORD = "bench-pass"


def fresh_app(url: str, **config):
    """An app on ``url`` with an empty schema built by the migrations (the database is emptied)."""
    from sqlalchemy import text

    from eis_toolkit import create_app
    from eis_toolkit.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", **config})
    with app.app_context():
        from flask_migrate import upgrade

        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    return app


def add_people(one_workshop_id: int, member_of: str = "R000", reviewed: str = "R000",
               reviewer_from: str = "R001") -> dict[str, int]:
    """A member of ``member_of``, an admin, and a reviewer from ``reviewer_from`` assigned to
    ``reviewed`` with a submitted review (so the review page shows the other reviews): their
    passwords are :data:`PASSWORD`. Returns the ids of the assignment and the member's assessment."""
    from sqlalchemy import select

    from eis_toolkit.extensions import db
    from eis_toolkit.models import Assessment, Region, Review, ReviewerAssignment, Role, User

    regions = dict(db.session.execute(select(Region.code, Region.id)).tuples().all())
    people = {}
    for email, name, region, roles in (("member@example.org", "Mia Member", member_of, [Role.REGION]),
                                       ("peer@example.org", "Pia Peer", reviewer_from, [Role.REVIEWER]),
                                       ("admin@example.org", "Ada Admin", None, [Role.ADMIN])):
        user = User(email=email, name=name, region_id=regions.get(region))
        user.set_password(PASSWORD)
        user.roles = roles
        db.session.add(user)
        people[email] = user
    db.session.flush()
    assignment = ReviewerAssignment(workshop_id=one_workshop_id, reviewer_id=people["peer@example.org"].id,
                                    region_id=regions[reviewed])
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(assignment_id=assignment.id, status="submitted", submitted_at=datetime.now(UTC).replace(tzinfo=None)))
    assessment_id = db.session.scalar(select(Assessment.id).where(
        Assessment.workshop_id == one_workshop_id, Assessment.region_id == regions[member_of]))
    db.session.commit()
    return {"assignment": assignment.id, "assessment": assessment_id}


def timed(function: Callable, runs: int, before: Callable | None = None) -> list[float]:
    """Seconds of each of ``runs`` calls of ``function`` (``before()`` runs untimed each time)."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def median(values) -> float:
    return statistics.median(values)


@contextmanager
def gc_collected():
    """A full collection first, so that one case's garbage is not collected in the next's time."""
    gc.collect()
    yield


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"

"""The data version (eis_toolkit/cache.py): every write the benchmark reads gives it a new value,
in the same transaction; the cached benchmark rows follow it across app instances (workers)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from eis_toolkit.cache import DataVersion
from eis_toolkit.extensions import db
from eis_toolkit.models import (Answer, Assessment, AuditEvent, Region, Review, ReviewerAssignment, ReviewScore,
                                User, Workshop)

SLUG = "aarhus-2017"


def version() -> int | None:
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1))


def _workshop() -> Workshop:
    return db.session.scalar(select(Workshop).where(Workshop.slug == SLUG))


def _change_score():
    db.session.scalars(select(ReviewScore)).first().score = 1


def _change_review():
    db.session.scalars(select(Review)).first().strengths = "Changed"


def _change_assessment():
    db.session.scalars(select(Assessment)).first().status = "draft"


def _change_answer():
    db.session.scalars(select(Answer).where(Answer.score.is_not(None))).first().score = 2


def _change_workshop():
    _workshop().title = "Renamed workshop"


def _change_hot_seat():
    workshop = _workshop()
    workshop.hot_seat.remove(next(r for r in workshop.hot_seat if r.code == "IE04"))


def _add_assignment():
    workshop = _workshop()
    reviewer = db.session.scalar(select(User).where(User.email == "ie@example.org"))
    dk = db.session.scalar(select(Region).where(Region.code == "DK04"))
    db.session.add(ReviewerAssignment(workshop=workshop, reviewer_id=reviewer.id, region_id=dk.id))


def _remove_review():
    db.session.delete(db.session.scalars(select(Review)).first())


def _bulk_update():
    db.session.execute(update(ReviewScore).values(comment="bulk"))


@pytest.mark.parametrize("write", [_change_score, _change_review, _change_assessment, _change_answer,
                                   _change_workshop, _change_hot_seat, _add_assignment, _remove_review,
                                   _bulk_update])
def test_each_kind_of_write_gives_a_new_data_version(loaded, write):
    before = version()
    assert before is not None
    write()
    db.session.commit()
    assert version() not in (None, before)


def test_a_rolled_back_write_keeps_the_version(loaded):
    before = version()
    _change_score()
    db.session.flush()
    db.session.rollback()
    assert version() == before


@pytest.mark.parametrize("write", [
    lambda: db.session.add(AuditEvent(action="test.noop", object_type="test", object_id=1)),
    lambda: None,
])
def test_writes_the_benchmark_does_not_read_keep_the_version(loaded, write):
    before = version()
    write()
    db.session.commit()
    assert version() == before


def test_a_write_through_another_worker_shows_on_the_next_view(loaded, make_app):
    """Two app instances (two gunicorn workers, each with its own SimpleCache) on one database."""
    worker_a, worker_b = make_app(), make_app()
    clients = {}
    for name, worker in (("a", worker_a), ("b", worker_b)):
        clients[name] = worker.test_client()
        assert clients[name].post("/login", data={"email": "host@example.org", "password": "host-pass"}).status_code == 302
    url = f"/benchmark/workshops/{SLUG}/regions/DK04/benchmark.csv"
    before = clients["a"].get(url).get_data(as_text=True)
    assert "strategy.vision,4.0,1,3.0" in before
    with worker_b.app_context():
        db.session.scalars(select(ReviewScore).where(ReviewScore.score == 3)).first().score = 5
        db.session.commit()
    after = clients["a"].get(url).get_data(as_text=True)
    assert "strategy.vision,4.0,1,5.0" in after, "worker a must not serve its cached rows of the old version"


def test_the_cache_is_redis_when_configured(make_app):
    pytest.importorskip("redis")
    app = make_app(EIS_REDIS_URL="redis://127.0.0.1:1/0")
    from eis_toolkit.cache import cache, pages
    with app.app_context():
        assert type(cache.cache).__name__ == "RedisCache" and type(pages.cache).__name__ == "RedisCache"
    assert {type(make_app().extensions["cache"][store]).__name__ for store in (cache, pages)} == {"SimpleCache"}

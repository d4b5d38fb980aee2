"""Issue #9: large programmes served without a crash, in a constant amount of work per page.

The data are those of ``bench/data.py`` at a size that crashed Python 3.11 workers (from about
100 regions the self-assessment dimension page loaded 9 assignments per region for one
permission check, and the garbage collector segfaulted on the second or third request).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, event, func, select

from bench.data import generate
from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.extensions import db
from eis_toolkit.models import Assessment, Region, Review, ReviewerAssignment, ReviewScore, User, Workshop

PASSWORD = "scale-pass"


def _people(member_of: str = "R000", reviewer_of: str = "R001"):
    """A member of ``member_of``, a reviewer from ``reviewer_of`` and an admin, loaded as a bundle."""
    load_bundle({"people": [
        {"email": "member@example.org", "name": "Mia Member", "region": member_of, "roles": ["region"],
         "password": PASSWORD},
        {"email": "peer@example.org", "name": "Pia Peer", "region": reviewer_of, "roles": ["reviewer"],
         "password": PASSWORD},
        {"email": "boss@example.org", "name": "Bo Admin", "roles": ["admin"], "password": PASSWORD}]})


@pytest.fixture(scope="module")
def programme(shared_data):
    """120 hot-seat regions in one workshop (1,080 assignments), 8 reviewers each: built once for
    the module, each test rolled back to it."""
    return shared_data(_build_programme)


def _build_programme():
    generated = generate(regions=120, reviewers=8, workshops=None)
    _people()
    peer = db.session.scalar(select(User).where(User.email == "peer@example.org"))
    db.session.add(ReviewerAssignment(workshop_id=generated.one_workshop_id, reviewer_id=peer.id,
                                      region_id=db.session.scalar(select(Region.id).where(Region.code == "R000"))))
    db.session.commit()
    return generated


def _assessment_id(code: str) -> int:
    return db.session.scalar(
        select(Assessment.id).join(Region, Region.id == Assessment.region_id).join(Workshop, Workshop.id == Assessment.workshop_id)
        .where(Region.code == code, Workshop.slug == "one-workshop-0"))


def test_the_dimension_page_survives_ten_views_on_a_large_programme(programme, client, login):
    """The in-process repro of the crash: on Python 3.11 this died in the garbage collector."""
    login("member@example.org", PASSWORD)
    url = f"/assessments/{_assessment_id('R000')}/questions/dim0"
    for _ in range(10):
        response = client.get(url)
        assert response.status_code == 200
        assert "Dimension 0" in response.get_data(as_text=True)


@pytest.fixture
def loaded_objects():
    """``with loaded_objects(Model) as seen: ...``: instances of Model the ORM loads meanwhile."""
    from contextlib import contextmanager

    @contextmanager
    def watching(model):
        seen = []

        def on_load(target, context):
            seen.append(target)

        event.listen(model, "load", on_load)
        try:
            yield seen
        finally:
            event.remove(model, "load", on_load)

    return watching


@pytest.mark.parametrize("email, code", [("member@example.org", "R000"), ("peer@example.org", "R000")])
def test_assessment_pages_never_load_the_workshops_assignments(programme, client, login, count_queries,
                                                               loaded_objects, email, code):
    """A member (own region) and an assigned reviewer (from R001, assigned to R000):
    the permission check asks the database, the page loads no assignment objects, and the number
    of queries is the same for a region with many or no assignments."""
    login(email, PASSWORD)
    url = f"/assessments/{_assessment_id(code)}/questions/dim0"
    client.get(url)
    with count_queries() as queries, loaded_objects(ReviewerAssignment) as seen:
        assert client.get(url).status_code == 200
    assert seen == []
    assert not any("reviewer_assignment" in q and "EXISTS" not in q.upper() for q in queries), \
        "assignments are only asked about with EXISTS"
    # Every other region's assignments (and their reviews) gone: the page costs the same queries.
    _keep_only_assignments_of(code)
    with count_queries() as fewer:
        client.get(url)
    assert len(fewer) == len(queries)


def _keep_only_assignments_of(code: str) -> None:
    """Delete every assignment (with its review and scores) of the other regions: a programme
    of one reviewed region, the rest of the data as it was."""
    region_id = select(Region.id).where(Region.code == code).scalar_subquery()
    gone = select(ReviewerAssignment.id).where(ReviewerAssignment.region_id != region_id)
    reviews = select(Review.id).where(Review.assignment_id.in_(gone))
    db.session.execute(delete(ReviewScore).where(ReviewScore.review_id.in_(reviews)))
    db.session.execute(delete(Review).where(Review.id.in_(reviews)))
    db.session.execute(delete(ReviewerAssignment).where(ReviewerAssignment.id.in_(gone)))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReviewerAssignment)) == 9 + 1  # the generated ones, and the peer's


def _without_tokens(html: str) -> str:
    """The page without its per-request CSRF tokens and nonces."""
    return re.sub(r'(value|content|nonce)="[A-Za-z0-9._\-]{20,}"', r'\1="…"', html)


@pytest.mark.parametrize("page", ["", "/dim0", "/general"])
def test_the_review_pages_load_only_the_reviewed_region(programme, client, login, count_queries, loaded_objects, page):
    """Issue #9: the reviewer's pages (overview, a dimension, the general part) load the
    assignments of the reviewed region only, in the same queries and with the same content
    whether the workshop has 120 reviewed regions or one."""
    login("peer@example.org", PASSWORD)
    peer_id = db.session.scalar(select(User.id).where(User.email == "peer@example.org"))
    assignment = db.session.scalar(select(ReviewerAssignment).where(ReviewerAssignment.reviewer_id == peer_id))
    r000 = assignment.region_id
    url = f"/reviews/{assignment.id}{page}"
    client.get(url)
    with count_queries() as queries, loaded_objects(ReviewerAssignment) as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert seen and {a.region_id for a in seen} == {r000}
    before = _without_tokens(response.get_data(as_text=True))
    _keep_only_assignments_of("R000")
    with count_queries() as fewer:
        after = client.get(url)
    assert len(fewer) == len(queries)
    assert _without_tokens(after.get_data(as_text=True)) == before


def test_an_unassigned_reviewer_is_refused_by_the_database_check(programme, client, login):
    login("peer@example.org", PASSWORD)  # from R001, which reviews R000 but not R050
    assert client.get(f"/assessments/{_assessment_id('R050')}/questions/dim0").status_code == 403
    assert client.get(f"/assessments/{_assessment_id('R001')}/questions/dim0").status_code == 403  # own region


ROUTES = ["/benchmark/workshops/one-workshop-0", "/benchmark/workshops/one-workshop-0/regions/R007",
          "/benchmark/programmes/one-workshop/bench@1", "/benchmark/workshops/one-workshop-0/heatmap.svg",
          "/benchmark/workshops/one-workshop-0/regions/R007/bars.svg",
          "/benchmark/workshops/one-workshop-0/regions/R007/benchmark.csv",
          "/benchmark/workshops/one-workshop-0?sort=dim3&page=2"]


def test_every_benchmark_page_kind_serves_a_large_programme(programme, client, login):
    login("boss@example.org", PASSWORD)
    for route in ROUTES:
        for _ in range(3):
            assert client.get(route).status_code == 200, route


def test_beyond_sixty_regions_the_tables_are_paged_and_the_heatmap_drawn_per_page(programme, client, login):
    login("boss@example.org", PASSWORD)
    html = client.get("/benchmark/workshops/one-workshop-0?sort=dim3").get_data(as_text=True)
    table = html[html.index('id="heatmap-table"'):]
    table = table[:table.index("</table>")]
    assert table.count('<th scope="row">') == 30
    assert 'aria-sort="descending"' in html and "page=4" in html and "page=5" not in html
    src = html.split('src="/benchmark/workshops/one-workshop-0/heatmap.svg?')[1].split('"')[0]
    assert "sort=dim3" in src
    svg = client.get(f"/benchmark/workshops/one-workshop-0/heatmap.svg?{src.replace('&amp;', '&')}")
    assert svg.status_code == 200 and svg.get_data(as_text=True).count("R0") < 80  # 30 regions, not 120
    assert "(regions, page 1 of 4)</title>" in svg.get_data(as_text=True)
    # sorted server-side: the first row of page 1 has the highest peer mean in dim3
    rows = [line for line in table.split("<tr>")[2:]]
    first, second = (float(r.split('<td class="num">')[4].split("<")[0]) for r in rows[:2])
    assert first >= second
    programme_page = client.get("/benchmark/programmes/one-workshop/bench@1?page=2").get_data(as_text=True)
    assert programme_page.count('<td class="num">') > 0 and 'aria-current="page" href' in programme_page


def test_unknown_sort_order_or_page_is_a_bad_request(programme, client, login):
    login("boss@example.org", PASSWORD)
    for query in ["sort=nope", "order=sideways", "page=0", "page=x", "page=99"]:
        assert client.get(f"/benchmark/workshops/one-workshop-0?{query}").status_code == 400, query
    for query in ["page=0", "page=x", "page=99"]:
        assert client.get(f"/benchmark/programmes/one-workshop/bench@1?{query}").status_code == 400, query


def test_a_warm_scorecard_reads_only_its_own_regions_entries(programme, client, login, monkeypatch):
    """Issue #9: a scorecard (with its progress block) reads its region's cached rows, never the
    whole workshop's (300 regions' rows unpickled per view made it grow with the programme).
    The view itself, warm: the whole-page cache (tests/test_pagecache.py) is left out here."""
    from eis_toolkit import pagecache
    from eis_toolkit.cache import cache

    monkeypatch.setattr(pagecache, "_reader", lambda rows: None)  # no reader it may answer for: the view runs
    login("boss@example.org", PASSWORD)
    url = "/benchmark/workshops/one-workshop-0/regions/R007"
    assert client.get(url).status_code == 200
    read, get = [], cache.get
    monkeypatch.setattr(cache, "get", lambda key: read.append(key) or get(key))
    assert client.get(url).status_code == 200
    names = {key.split(":")[2] for key in read if key.count(":") >= 3}  # version:format:name:parts
    assert "region-rows" in names
    assert not names & {"workshop-rows", "workshop-summary", "workshop-table", "programme-summary"}, read


def test_the_programme_page_reads_the_questionnaire_definition_once(programme, client, login, count_queries):
    """The progress view joins the questionnaires to filter by key: loading them with each hot-seat
    row decoded the JSON definition 2 × 120 more times here (at 300 regions: 230 of 270 ms)."""
    login("boss@example.org", PASSWORD)
    url = "/benchmark/programmes/one-workshop/bench@1"
    assert client.get(url).status_code == 200
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    assert len([s for s in statements if "questionnaire.definition" in s]) == 1, "the page's own questionnaire only"

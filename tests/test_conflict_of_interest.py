"""A host who works for a hot-seat region is held to a reviewer's rule until publication (#13):
no peer reviews, drafts, reviewer names, nominations or benchmark of the workshop's hot seat."""
import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import ReviewerAssignment, Workshop, WorkshopStatus


@pytest.fixture
def closed(load, bundle):
    """aarhus-2017 closed (not yet published); DK04 (the host's own region) and IE04 in the hot seat,
    each with a submitted review by ITC4's reviewer."""
    workshop = bundle["workshops"][0]
    workshop["status"] = "closed"
    workshop["reviews"].append({"reviewer": "it@example.org", "region": "IE04", "status": "submitted",
                                "scores": {"strategy.vision": {"score": 2, "comment": "Thin"}}})
    load(bundle)
    return bundle


def _assignment(code: str) -> int:
    return db.session.scalar(select(ReviewerAssignment.id).join(ReviewerAssignment.region)
                             .where(ReviewerAssignment.region.has(code=code)))


@pytest.mark.parametrize("path, own_region_closed", [
    ("/workshops/aarhus-2017/results/DK04", True),
    ("/workshops/aarhus-2017/results/DK04.csv", True),
    ("/workshops/aarhus-2017/results/DK04.json", True),
    ("/workshops/aarhus-2017/results/IE04", False),
    ("/benchmark/workshops/aarhus-2017", True),
    ("/benchmark/workshops/aarhus-2017/regions/DK04", True),
    ("/benchmark/workshops/aarhus-2017/regions/IE04", True),
    ("/benchmark/workshops/aarhus-2017/benchmark.csv", True),
])
def test_a_host_of_a_hot_seat_region_waits_for_publication(closed, client, login, path, own_region_closed):
    login("host@example.org")
    assert client.get(path).status_code == (403 if own_region_closed else 200)


@pytest.mark.parametrize("path", ["/workshops/aarhus-2017/results/DK04", "/benchmark/workshops/aarhus-2017",
                                  "/benchmark/workshops/aarhus-2017/regions/DK04"])
def test_an_admin_runs_that_part(closed, client, login, path):
    login("admin@example.org")
    assert client.get(path).status_code == 200


def test_the_review_pages_of_the_own_region_are_closed_and_the_others_open(closed, client, login):
    login("host@example.org")
    assert client.get(f"/reviews/{_assignment('DK04')}").status_code == 403
    assert client.get(f"/reviews/{_assignment('IE04')}").status_code == 200


def test_nominations_for_the_own_region_are_not_listed(closed, client, login):
    login("host@example.org")
    page = client.get("/workshops/aarhus-2017/nominations").get_data(as_text=True)
    assert "Company visits" not in page
    client.post("/logout")
    login("admin@example.org")
    assert "Company visits" in client.get("/workshops/aarhus-2017/nominations").get_data(as_text=True)


def test_the_workshop_page_says_who_runs_that_part(closed, client, login):
    login("host@example.org")
    page = client.get("/workshops/aarhus-2017").get_data(as_text=True)
    assert "You work for DK04, in the hot seat of this" in page
    assert "the admins (Ada Admin)" in page
    assert "your region: after publication" in page


def test_after_publication_the_host_reads_everything(closed, client, login):
    workshop = db.session.scalar(select(Workshop))
    workshop.status = WorkshopStatus.PUBLISHED
    db.session.commit()
    login("host@example.org")
    for path in ("/workshops/aarhus-2017/results/DK04", "/benchmark/workshops/aarhus-2017",
                 "/benchmark/workshops/aarhus-2017/regions/DK04"):
        assert client.get(path).status_code == 200, path
    assert "You work for DK04" not in client.get("/workshops/aarhus-2017").get_data(as_text=True)

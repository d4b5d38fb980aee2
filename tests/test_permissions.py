"""The permission predicates, as a matrix of people × objects."""
import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from eis_toolkit import permissions
from eis_toolkit.extensions import db
from eis_toolkit.models import Assessment, Workshop
from tests.conftest import person as person_of

PEOPLE = ["admin@example.org", "host@example.org", "dk@example.org", "it@example.org", "ie@example.org", None]


def person(email):
    if email is None:
        return AnonymousUserMixin()
    return person_of(email)


@pytest.fixture
def dk_assessment(loaded):
    return db.session.scalar(select(Assessment))


@pytest.mark.parametrize("email, expected", list(zip(PEOPLE, [True, False, False, False, False, False])))
def test_only_admins_manage_people(loaded, email, expected):
    assert permissions.can_manage_people(person(email)) is expected


@pytest.mark.parametrize("email, expected", list(zip(PEOPLE, [True, True, False, False, False, False])))
def test_hosts_run_their_own_regions_workshops(loaded, email, expected):
    workshop = db.session.scalar(select(Workshop))
    assert permissions.can_host(person(email), workshop) is expected


def test_a_host_of_another_region_does_not_run_the_workshop(loaded):
    host = person("host@example.org")
    host.region = person("it@example.org").region
    assert permissions.can_host(host) is True
    assert permissions.can_host(host, db.session.scalar(select(Workshop))) is False


# DK04's assessment: its member, the DK04 host, the admin, and its assigned reviewer (it@) may read it;
# only its member may edit it, and only while it is a draft.
@pytest.mark.parametrize("email, can_view, can_edit", [
    ("admin@example.org", True, False),
    ("host@example.org", True, True),
    ("dk@example.org", True, True),
    ("it@example.org", True, False),
    ("ie@example.org", False, False),
    (None, False, False),
])
def test_who_sees_and_edits_a_self_assessment(dk_assessment, email, can_view, can_edit):
    dk_assessment.status = "draft"
    assert permissions.can_view_assessment(person(email), dk_assessment) is can_view
    assert permissions.can_edit_assessment(person(email), dk_assessment) is can_edit
    dk_assessment.status = "submitted"
    assert permissions.can_edit_assessment(person(email), dk_assessment) is False


def test_a_reviewer_is_never_the_assigned_reviewer_of_their_own_region(dk_assessment):
    reviewer = person("it@example.org")
    workshop = dk_assessment.workshop
    assert permissions.is_assigned_reviewer(reviewer, workshop, dk_assessment.region_id)
    assert not permissions.is_assigned_reviewer(reviewer, workshop, reviewer.region_id)


@pytest.mark.parametrize("status, expected", [("planned", False), ("open", False), ("closed", False),
                                              ("published", True)])
def test_a_region_reads_its_reviews_only_once_published(dk_assessment, status, expected):
    workshop = dk_assessment.workshop
    workshop.status = status
    assert permissions.can_read_own_reviews(person("dk@example.org"), workshop, dk_assessment.region_id) is expected
    assert permissions.can_read_own_reviews(person("it@example.org"), workshop, dk_assessment.region_id) is False

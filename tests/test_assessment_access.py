"""Who may do what on a self-assessment, route by route: DK04's draft (Odense) and its submitted
Aarhus one, for every kind of person. The data is built once for the module (``shared_data``);
each case is rolled back."""
import copy

import pytest

from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.extensions import db
from tests.assessment_fixtures import HOST_ONLY, ODENSE, assessment_of, sign_in  # noqa: F401
from tests.conftest import SMALL_BUNDLE


@pytest.fixture(scope="module")
def assessments(shared_data):
    """The ids of DK04's draft (Odense) and submitted (Aarhus) self-assessments."""
    return shared_data(_build)


def _build() -> dict[str, int]:
    bundle = copy.deepcopy(SMALL_BUNDLE)
    bundle["people"].append(dict(HOST_ONLY))
    bundle["workshops"].append(copy.deepcopy(ODENSE))
    load_bundle(bundle)
    db.session.commit()
    return {"draft": assessment_of("DK04").id, "submitted": assessment_of("DK04", "aarhus-2017").id}


PEOPLE = [None, "dk@example.org", "host@example.org", "ho@example.org", "it@example.org", "ie@example.org",
          "admin@example.org"]
# (method, path) on DK04's draft → expected status for each of PEOPLE. "A" is the assessment's id.
DRAFT_ROUTES = {
    ("GET", "/assessments/A"): [302, 200, 200, 200, 200, 403, 200],
    ("GET", "/assessments/A/questions/strategy"): [302, 200, 200, 200, 200, 403, 200],
    ("POST", "/assessments/A/questions/strategy"): [401, 302, 302, 403, 403, 403, 403],
    ("POST", "/assessments/A/questions/strategy/autosave"): [401, 200, 200, 403, 403, 403, 403],
    ("GET", "/assessments/A/submit"): [302, 200, 200, 403, 403, 403, 403],
    ("POST", "/assessments/A/submit"): [302, 422, 422, 403, 403, 403, 403],
    ("POST", "/assessments/A/reopen"): [302, 403, 403, 403, 403, 403, 403],
    ("GET", "/assessments/A/print"): [302, 200, 200, 200, 200, 403, 200],
    ("GET", "/assessments/A/compare"): [302, 200, 200, 200, 200, 403, 200],
    ("GET", "/assessments/A/workbook.xlsx"): [302, 200, 200, 200, 200, 403, 200],
    ("GET", "/assessments/A/workbook"): [302, 200, 200, 403, 403, 403, 403],
    ("POST", "/assessments/A/workbook/resolve"): [302, 302, 302, 403, 403, 403, 403],
    ("GET", "/assessments/A/evidence/999999"): [302, 404, 404, 404, 404, 403, 404],
    ("GET", "/assessments/"): [302, 200, 200, 403, 200, 200, 403],
}
# DK04's submitted Aarhus self-assessment: read-only for members; hosts of DK04 may reopen it.
SUBMITTED_ROUTES = {
    ("GET", "/assessments/A/questions/strategy"): [302, 200, 200, 200, 200, 403, 200],
    ("POST", "/assessments/A/questions/strategy"): [401, 403, 403, 403, 403, 403, 403],
    ("POST", "/assessments/A/questions/strategy/autosave"): [401, 409, 409, 403, 403, 403, 403],
    ("GET", "/assessments/A/submit"): [302, 403, 403, 403, 403, 403, 403],
    ("GET", "/assessments/A/workbook"): [302, 403, 403, 403, 403, 403, 403],
    ("POST", "/assessments/A/reopen"): [302, 403, 302, 302, 403, 403, 302],
}


def _matrix(routes):
    return [(method, path, email, expected) for (method, path), statuses in routes.items()
            for email, expected in zip(PEOPLE, statuses)]


def _call(client, method, path, assessment_id):
    path = path.replace("/A", f"/{assessment_id}")
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"reason": "A figure was wrong", "payload": '{"answers": {}, "conflicts": []}'})


@pytest.mark.parametrize("method, path, email, expected", _matrix(DRAFT_ROUTES))
def test_who_may_do_what_on_a_draft(client, assessments, sign_in, method, path, email, expected):
    sign_in(email)
    assert _call(client, method, path, assessments["draft"]).status_code == expected


@pytest.mark.parametrize("method, path, email, expected", _matrix(SUBMITTED_ROUTES))
def test_who_may_do_what_once_submitted(client, assessments, sign_in, method, path, email, expected):
    sign_in(email)
    assert _call(client, method, path, assessments["submitted"]).status_code == expected

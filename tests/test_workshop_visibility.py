"""The blind and publication rules on every route and export that shows scores, as a matrix of
people × workshop states.

Scenario (DK04 in the hot seat): Ida (it@, ITC4) and Dora (de@, DE21) submitted their reviews of
DK04, Ian (ie@, IE04) has a draft. Dora also submitted IE04; Ida's IE04 review is a draft. Every
review's comments carry a marker, so a leak shows up as text.
"""
import io

import pytest

from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.extensions import db
from eis_toolkit.models import WorkshopStatus
from eis_toolkit.workshops import reviews as services
from eis_toolkit.workshops.queries import scored_question_ids
from tests.workshop_support import (assignment_of, definition, login_as, reviewing_bundle, score_fields,  # noqa: F401
                                    workshop)

STATES = ["planned", "open", "closed", "published"]
PEOPLE = ["admin@example.org", "host@example.org", "dk@example.org", "ie@example.org", "it@example.org",
          "de@example.org", "it2@example.org", None]
SUBMITTED_DK = {"MARK-IT-DK": "Ida Reviewer", "MARK-DE-DK": "Dora Reviewer"}


@pytest.fixture(scope="module")
def scenario(shared_data):
    """Built once for the module: every test starts from it and is rolled back."""
    return shared_data(_build_scenario)


def _build_scenario() -> None:
    def scored(email, code, marker, submit):
        a = assignment_of(email, code)
        fields = {**score_fields(3, comment=marker), "strengths": marker}
        values = services.parse_review_input(fields, definition())
        ids = scored_question_ids(a.workshop.questionnaire_id)
        services.save_review(a.review, values, a.review.version, ids)
        if submit:
            services.submit_review(a.review, ids)

    load_bundle(reviewing_bundle())
    scored("it@example.org", "DK04", "MARK-IT-DK", True)
    scored("de@example.org", "DK04", "MARK-DE-DK", True)
    scored("ie@example.org", "DK04", "MARK-IE-DRAFT", False)
    scored("de@example.org", "IE04", "MARK-DE-IE", True)
    scored("it@example.org", "IE04", "MARK-IT-IE-DRAFT", False)
    db.session.commit()


def _cells_text(data: bytes) -> str:
    """A workbook's cells as one text, to look for markers and names in it."""
    from openpyxl import load_workbook

    return "\n".join(str(v) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
                     for v in row if v is not None)


def set_state(status, show_names=False):
    w = workshop()
    w.status, w.show_reviewer_names = WorkshopStatus(status), show_names
    db.session.commit()


def sees_dk04_reviews(email, status):
    """Who may read DK04's submitted reviews (DESIGN.md, People; docs/workshops.md)."""
    if email == "admin@example.org":
        return True
    if email == "host@example.org":  # a host who works for DK04: a reviewer's rule, until publication (#13)
        return status == "published"
    if email in ("it@example.org", "de@example.org"):
        return True  # they submitted their own review of DK04
    if email == "dk@example.org":
        return status == "published"
    return False  # ie@ has only a draft; it2@ is not assigned; anonymous


def sees_names(email, show_names):
    return email != "dk@example.org" or show_names


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("email", PEOPLE)
def test_dk04_results_and_exports(scenario, client, login_as, email, status):
    set_state(status)
    if email:
        login_as(email)
    allowed = sees_dk04_reviews(email, status)
    for suffix in ("", ".csv", ".json", ".xlsx"):
        response = client.get(f"/workshops/aarhus-2017/results/DK04{suffix}")
        if not allowed:
            assert response.status_code == (403 if email else 302), suffix
            continue
        assert response.status_code == 200, suffix
        text = _cells_text(response.data) if suffix == ".xlsx" else response.get_data(as_text=True)
        for marker, name in SUBMITTED_DK.items():
            assert marker in text, (suffix, marker)
            assert (name in text) == sees_names(email, False), (suffix, name)
        assert "MARK-IE-DRAFT" not in text, "a draft is shown to nobody but its author"
        assert "MARK-DE-IE" not in text, "another region's reviews"


@pytest.mark.parametrize("show_names", [False, True])
def test_the_reviewed_region_reads_its_reviews_once_published_names_as_the_host_chose(scenario, client, login_as,
                                                                                       show_names):
    set_state("published", show_names)
    login_as("dk@example.org")
    page = client.get("/workshops/aarhus-2017/results/DK04").text
    assert ("Ida Reviewer" in page) is show_names and ("Dora Reviewer" in page) is show_names
    assert ("Reviewer A" in page) is not show_names
    exported = client.get("/workshops/aarhus-2017/results/DK04.json").json
    labels = [r["reviewer"] for r in exported["reviews"]]
    assert labels == (["Ida Reviewer", "Dora Reviewer"] if show_names else ["Reviewer A", "Reviewer B"])
    assert "Ida Reviewer" not in client.get("/workshops/aarhus-2017/results/DK04.csv").text or show_names
    assert client.get("/workshops/aarhus-2017/results/IE04").status_code == 403, "not another region's"


@pytest.mark.parametrize("status", ["open", "closed", "published"])
def test_a_reviewer_sees_other_scores_on_the_review_page_only_after_submitting(scenario, client, login_as, status):
    set_state(status)
    login_as("ie@example.org")
    page = client.get(f"/reviews/{assignment_of('ie@example.org', 'DK04').id}/strategy").text
    assert "MARK-IE-DRAFT" in page, "one's own draft"
    assert "MARK-IT-DK" not in page and "MARK-DE-DK" not in page
    login_as("it@example.org")
    submitted = client.get(f"/reviews/{assignment_of('it@example.org', 'DK04').id}/strategy").text
    assert "MARK-DE-DK" in submitted and "Dora Reviewer" in submitted
    assert "MARK-IE-DRAFT" not in submitted
    draft = client.get(f"/reviews/{assignment_of('it@example.org', 'IE04').id}/general").text
    assert "MARK-IT-IE-DRAFT" in draft and "MARK-DE-IE" not in draft, "submitting one region opens only that one"


def test_submitting_opens_the_other_scores(scenario, client, login_as):
    login_as("ie@example.org")
    a = assignment_of("ie@example.org", "DK04")
    client.post(f"/reviews/{a.id}", data={"version": a.review.version, "action": "save", **score_fields(2)})
    client.post(f"/reviews/{a.id}/submit")  # from the confirmation page
    page = client.get(f"/reviews/{a.id}/strategy").text
    assert "MARK-IT-DK" in page and "MARK-DE-DK" in page


@pytest.mark.parametrize("email, status", [
    ("admin@example.org", 200), ("host@example.org", 403),  # the host works for DK04: not before publication
    ("ie@example.org", 200), ("it@example.org", 403),
    ("de@example.org", 403), ("dk@example.org", 403), ("it2@example.org", 403), (None, 302)])
def test_review_pages_are_their_reviewers_and_the_hosts(scenario, client, login_as, email, status):
    if email:
        login_as(email)
    response = client.get(f"/reviews/{assignment_of('ie@example.org', 'DK04').id}/strategy")
    assert response.status_code == status
    if status == 200:
        assert "MARK-IE-DRAFT" in response.text  # its author, and the admin, read the draft


HOST_ONLY = ["", "/edit", "/suggest", "/nominations", "/import", "/import/template.csv", "/live", "/live.json",
             "/status/close", "/site-visits/new"]


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("email, code", [("admin@example.org", 200), ("host@example.org", 200),
                                         ("dk@example.org", 403), ("it@example.org", 403), ("de@example.org", 403),
                                         ("ie@example.org", 403), (None, 302)])
def test_host_pages_and_the_live_json(scenario, client, login_as, email, code, status):
    set_state(status)
    if email:
        login_as(email)
    for path in HOST_ONLY:
        assert client.get(f"/workshops/aarhus-2017{path}").status_code == code, path
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1"}).status_code == (
        302 if code == 200 else code)


@pytest.mark.parametrize("email, status", [("it@example.org", 200), ("ie@example.org", 200), ("de@example.org", 200),
                                           ("dk@example.org", 403), ("host@example.org", 403), (None, 302)])
def test_the_inbox_lists_ones_own_assignments_only(scenario, client, login_as, email, status):
    if email:
        login_as(email)
    response = client.get("/reviews")
    assert response.status_code == status
    if status == 200:
        assert "MARK" not in response.text
        rows = response.text.count('<th scope="row">')
        assert rows == {"it@example.org": 2, "ie@example.org": 1, "de@example.org": 2}[email]


def test_autosave_answers_with_the_version_only(scenario, client, login_as):
    login_as("ie@example.org")
    a = assignment_of("ie@example.org", "DK04")
    body = client.post(f"/reviews/{a.id}/autosave", json={"version": a.review.version, "fields": {}}).json
    assert set(body) == {"version", "missing", "saved_at"}


def test_a_loaded_assignment_answers_the_blind_rule_only_for_its_own_reviewer(scenario, count_queries):
    """The review pages pass the assignment they loaded (``known``): it replaces the query only
    when it is the reader's own assignment to that region; anyone else's is ignored."""
    from eis_toolkit import permissions
    from tests.workshop_support import person, region

    w, dk = workshop(), region("DK04").id
    ida, ian = person("it@example.org"), person("ie@example.org")
    idas, ians = assignment_of("it@example.org", "DK04"), assignment_of("ie@example.org", "DK04")
    assert idas.review.status == "submitted" and ians.review.status == "draft"
    with count_queries() as statements:
        assert permissions.has_submitted_review(ida, w, dk, known=idas)
        assert not permissions.has_submitted_review(ian, w, dk, known=ians)
    assert statements == [], "the loaded review was read"
    with count_queries() as statements:
        assert not permissions.has_submitted_review(ian, w, dk, known=idas), "someone else's submission"
        assert permissions.has_submitted_review(ida, w, dk, known=ians)
    assert len(statements) == 2, "asked the database"
    assert not permissions.has_submitted_review(ida, w, region("IE04").id, known=idas), "another region"

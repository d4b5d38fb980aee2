"""The reviewer's work: the overview, one page per dimension and the general part, drafts,
autosave with optimistic locking, errors named by question, submitting behind a confirmation,
nominations and practice ratings; two reviewers submitting at the same moment."""
import re
import threading

import pytest
from sqlalchemy import select

from eis_toolkit.audit import AuditEvent
from eis_toolkit.catalogue.models import PracticeRating
from eis_toolkit.extensions import db
from eis_toolkit.models import Nomination, Review, ReviewScore, ReviewStatus
from eis_toolkit.workshops import reviews as services
from eis_toolkit.workshops.queries import scored_question_ids
from eis_toolkit.workshops.services import accept_nomination
from tests.workshop_support import (assignment_of, definition, login_as, open_workshop, person,  # noqa: F401
                                    score_fields, submit_as, workshop, workshop_bundle)
from tests.conftest import hand_over


@pytest.fixture
def ie_on_dk(open_workshop, login):
    """Ian (IE04) logged in, reviewing DK04."""
    login("ie@example.org")
    return assignment_of("ie@example.org", "DK04")


def checked(page: str, key: str) -> list[str]:
    """The values of the checked score inputs of a question on a page."""
    inputs = re.findall(r'<input[^>]*name="score\.%s"[^>]*>' % re.escape(key), page)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if re.search(r"\schecked[\s>]", tag)]


def review_of(assignment) -> Review:
    return db.session.get(Review, assignment.review.id)


def test_the_overview_shows_progress_per_dimension_with_links(ie_on_dk, client):
    services.save_review(ie_on_dk.review, services.parse_review_input(
        {"score.strategy.vision": "3", "score.strategy.kpis": "na"}, definition(), page="strategy"),
        ie_on_dk.review.version, scored_question_ids(workshop().questionnaire_id))
    db.session.commit()
    page = client.get(f"/reviews/{ie_on_dk.id}").text
    assert "Review of Central Denmark (DK04)" in page
    assert f'href="/reviews/{ie_on_dk.id}/strategy"' in page and f'href="/reviews/{ie_on_dk.id}/followup"' in page
    assert f'href="/reviews/{ie_on_dk.id}/general"' in page and f'href="/reviews/{ie_on_dk.id}/submit"' in page
    assert page.count(">2 of 5</span>") == 1 and page.count(">0 of 4</span>") == 7, "scored or N/A, per dimension"
    assert 'type="radio"' not in page, "the overview asks nothing"


def test_a_dimension_page_shows_the_regions_answers_beside_its_score_inputs(ie_on_dk, client):
    page = client.get(f"/reviews/{ie_on_dk.id}/strategy").text
    assert "Strategy and governance" in page
    assert "Written strategy" in page, "the region's comment"
    assert "4 – Established and monitored" in page, "the region's own score, with its anchored level"
    assert "540,000 EUR" in page, "a non-scored answer is shown as context"
    assert page.count('name="score.strategy.') == 5 * 7  # five levels, N/A, "not scored yet"
    assert checked(page, "strategy.vision") == [""], "not scored yet"
    assert 'value="na"' in page and 'data-autosave-url="/reviews/' in page and 'data-page="strategy"' in page
    assert "js/review.js" in page and "outreach.channels" not in page
    assert "Save, continue to Outreach and access" in page
    assert client.get(f"/reviews/{ie_on_dk.id}/nonsense").status_code == 404


def test_save_one_dimension_then_the_next_and_the_general_part(ie_on_dk, client):
    version = ie_on_dk.review.version
    response = client.post(f"/reviews/{ie_on_dk.id}/strategy", data={
        "version": version, "action": "save", "score.strategy.vision": "2", "comment.strategy.vision": "Old plan",
        "score.strategy.kpis": "na"}, follow_redirects=True)
    assert "Your draft is saved." in response.text and response.request.path == f"/reviews/{ie_on_dk.id}/strategy"
    assert checked(response.text, "strategy.vision") == ["2"] and checked(response.text, "strategy.kpis") == ["na"]
    review = review_of(ie_on_dk)
    assert review.version == version + 1
    scores = {s.question.key: (s.score, s.not_applicable, s.comment) for s in review.scores}
    assert scores == {"strategy.vision": (2, False, "Old plan"), "strategy.kpis": (None, True, "")}

    onward = client.post(f"/reviews/{ie_on_dk.id}/outreach", data={
        "version": review.version, "action": "next", "score.outreach.single_entry": "4",
        "score.strategy.vision": "5"})  # another page's field: ignored
    assert onward.status_code == 302 and onward.location.endswith(f"/reviews/{ie_on_dk.id}/readiness")
    scores = {s.question.key: s.score for s in review_of(ie_on_dk).scores}
    assert scores == {"strategy.vision": 2, "strategy.kpis": None, "outreach.single_entry": 4}, "other pages kept"

    last = client.post(f"/reviews/{ie_on_dk.id}/followup", data={"version": review_of(ie_on_dk).version,
                                                                  "action": "next"})
    assert last.location.endswith(f"/reviews/{ie_on_dk.id}/general")
    general = client.post(f"/reviews/{ie_on_dk.id}/general", data={
        "version": review_of(ie_on_dk).version, "action": "save", "strengths": "Strong cluster"},
        follow_redirects=True)
    assert "Strong cluster" in general.text
    review = review_of(ie_on_dk)
    assert review.strengths == "Strong cluster" and len(review.scores) == 3, "the general page leaves the scores"


def test_an_invalid_score_saves_nothing_keeps_the_input_and_names_the_question(ie_on_dk, client):
    response = client.post(f"/reviews/{ie_on_dk.id}/strategy", data={
        "version": ie_on_dk.review.version, "action": "save", "score.strategy.vision": "7",
        "score.strategy.kpis": "3", "comment.strategy.vision": "kept comment"})
    assert response.status_code == 422
    text = response.text
    assert ('<li><a href="#score-strategy-vision">The region has a written strategy or action plan for SME '
            "internationalisation, with objectives, priority markets and priority sectors: &#39;7&#39; is not a "
            "level from 1 to 5 or N/A.</a></li>") in text
    assert 'id="score-strategy-vision"' in text, "the link's target"
    assert "strategy.vision:" not in text, "never the raw key"
    assert "kept comment" in text and checked(text, "strategy.kpis") == ["3"], "what was typed"
    assert checked(text, "strategy.vision") == [""], "no level is '7'"
    assert review_of(ie_on_dk).scores == []


def test_the_error_names_the_question_in_the_readers_language(ie_on_dk, client):
    client.get("/?lang=it")
    text = client.post(f"/reviews/{ie_on_dk.id}/strategy", data={
        "version": ie_on_dk.review.version, "score.strategy.vision": "7"}).text
    italian = definition().dimensions[0].questions[0].text.get("it")
    assert italian and f'<a href="#score-strategy-vision">{italian.rstrip(".")}:' in text.replace("&#39;", "'")


def test_a_too_long_overall_text_is_named_by_its_label(ie_on_dk, client, app):
    app.config["EIS_MAX_TEXT_CHARS"] = 10
    text = client.post(f"/reviews/{ie_on_dk.id}/general", data={
        "version": ie_on_dk.review.version, "weaknesses": "x" * 11}).text
    assert '<a href="#weaknesses">Weaknesses is longer than 10 characters.</a>' in text


def test_the_former_single_page_post_saves_all_and_submit_leads_to_the_confirmation(ie_on_dk, client):
    response = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": ie_on_dk.review.version, "action": "submit", **score_fields(4), "strengths": "S"})
    assert response.status_code == 302 and response.location.endswith(f"/reviews/{ie_on_dk.id}/submit")
    review = review_of(ie_on_dk)
    assert review.status == ReviewStatus.DRAFT and len(review.scores) == 33 and review.strengths == "S"


# --- submitting behind a confirmation ---------------------------------------------------------


def test_the_confirmation_lists_what_will_be_sent_and_blocks_while_questions_are_open(ie_on_dk, client):
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": ie_on_dk.review.version, "action": "save",
                                                  **score_fields(3, {"strategy.kpis": "na", "followup.learning": ""}),
                                                  "weaknesses": "Few staff"})
    page = client.get(f"/reviews/{ie_on_dk.id}/submit")
    assert page.status_code == 200
    text = page.text
    assert '<th scope="row"><a href="/reviews/%d/strategy">Strategy and governance</a></th>\n        ' \
           "<td>4</td><td>1</td><td>0</td>" % ie_on_dk.id in text
    assert "Few staff" in text and "(empty)" in text
    assert "1 question is not scored yet" in text
    followup = next(q for q in definition().scored_questions() if q.key == "followup.learning")
    assert f'href="/reviews/{ie_on_dk.id}/followup#score-followup-learning"' in text and followup.text["en"] in text
    assert "Once submitted" not in text, "no submit button while a question is open"
    services.add_nomination(review_of(ie_on_dk), definition(), title="Export ambassadors", dimension_key="outreach")
    db.session.commit()
    refused = client.post(f"/reviews/{ie_on_dk.id}/submit")
    assert refused.status_code == 422 and "1 question is still open" in refused.text
    assert "Export ambassadors" in refused.text, "the refused submission's page lists the nominations"
    assert review_of(ie_on_dk).status == ReviewStatus.DRAFT


def test_submit_from_the_confirmation_then_see_the_others_scores(ie_on_dk, client):
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": ie_on_dk.review.version, "action": "save",
                                                  **score_fields(4)})
    page = client.get(f"/reviews/{ie_on_dk.id}/submit").text
    assert "Once submitted, your review can no longer be changed." in page
    done = client.post(f"/reviews/{ie_on_dk.id}/submit", follow_redirects=True)
    assert "Your review is submitted" in done.text and done.request.path == f"/reviews/{ie_on_dk.id}"
    review = review_of(ie_on_dk)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == review.id)) == "review.submit"
    strategy = client.get(f"/reviews/{ie_on_dk.id}/strategy").text
    assert 'type="radio"' not in strategy, "a submitted review is read-only"
    # the already submitted review: neither the confirmation nor a save
    assert client.get(f"/reviews/{ie_on_dk.id}/submit").status_code == 403
    assert client.post(f"/reviews/{ie_on_dk.id}/submit").status_code == 403
    assert client.post(f"/reviews/{ie_on_dk.id}/strategy", data={"version": review.version}).status_code == 403


def test_no_submission_once_the_workshop_is_closed(ie_on_dk, client):
    from eis_toolkit.workshops import lifecycle

    client.post(f"/reviews/{ie_on_dk.id}", data={"version": ie_on_dk.review.version, **score_fields(4)})
    submit_as("it@example.org", "DK04")
    submit_as("de@example.org", "IE04")
    lifecycle.apply(workshop(), "close", confirmed=True)
    db.session.commit()
    assert client.get(f"/reviews/{ie_on_dk.id}/submit").status_code == 403
    assert client.post(f"/reviews/{ie_on_dk.id}/submit").status_code == 403
    assert review_of(ie_on_dk).status == ReviewStatus.DRAFT


@pytest.mark.parametrize("email", ["it@example.org", "dk@example.org", "host@example.org"])
def test_nobody_else_submits_someone_elses_review(ie_on_dk, client, login_as, email):
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": ie_on_dk.review.version, **score_fields(4)})
    login_as(email)
    assert client.post(f"/reviews/{ie_on_dk.id}/submit").status_code == 403
    assert client.post(f"/reviews/{ie_on_dk.id}/strategy", data={"version": ie_on_dk.review.version}).status_code == 403
    assert review_of(ie_on_dk).status == ReviewStatus.DRAFT


def test_the_confirmation_needs_its_csrf_token(open_workshop, make_app):
    from tests.conftest import csrf_token

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.post("/login", data={"email": "ie@example.org", "password": "review-pass",
                                "csrf_token": csrf_token(client.get("/login").text)})
    assignment = assignment_of("ie@example.org", "DK04")
    services.save_review(assignment.review, services.parse_review_input(score_fields(4), definition()),
                         assignment.review.version, scored_question_ids(workshop().questionnaire_id))
    db.session.commit()
    token = csrf_token(client.get(f"/reviews/{assignment.id}/submit").text)
    assert client.post(f"/reviews/{assignment.id}/submit").status_code == 400
    assert assignment_of("ie@example.org", "DK04").review.status == ReviewStatus.DRAFT
    assert client.post(f"/reviews/{assignment.id}/submit", data={"csrf_token": token}).status_code == 302
    assert assignment_of("ie@example.org", "DK04").review.status == ReviewStatus.SUBMITTED


@pytest.mark.parametrize("path", ["", "/strategy", "/matchmaking", "/general", "/submit"])
def test_the_review_pages_cost_the_same_queries_however_many_questions_are_scored(ie_on_dk, client,
                                                                                   count_queries, path):
    def queries_of(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    url = f"/reviews/{ie_on_dk.id}{path}"
    queries_of(url)  # the first also reads the questionnaire's question ids (then kept by the process)
    none = queries_of(url)
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": ie_on_dk.review.version, **score_fields(4, comment="c")})
    assert queries_of(url) == none, f"{url}: {none} queries with no score"


def test_dimension_pages_of_different_sizes_cost_the_same_queries(ie_on_dk, client, count_queries):
    counts = {}
    client.get(f"/reviews/{ie_on_dk.id}")  # the first request after logging in costs one query less
    for key in ("strategy", "matchmaking", "followup"):  # 8, 4 and 6 questions
        with count_queries() as statements:
            client.get(f"/reviews/{ie_on_dk.id}/{key}")
        counts[key] = len(statements)
    assert len(set(counts.values())) == 1, counts



def test_a_dimension_page_costs_five_statements_once_the_process_knows_the_questionnaire(ie_on_dk, client,
                                                                                         count_queries):
    """Sixty reviewers at once (issue #13): the person, the assignment with its review, its scores,
    the region's self-assessment and the page's answers. The question ids are kept by the process,
    and the blind rule reads the reviewer's own draft, already loaded, instead of asking again."""
    url = f"/reviews/{ie_on_dk.id}/strategy"
    client.get(url)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    assert len(statements) == 5, statements
    assert not [s for s in statements if "FROM question " in s or "EXISTS" in s], statements


def test_a_submission_costs_nine_statements(ie_on_dk, client, count_queries):
    """Sixty reviewers at once (issue #13): the person, the assignment with its review, its scores,
    the hosts to notify (without their roles) and their opt-outs, then the writes: the hosts'
    e-mail, the review, the data version, the audit event."""
    base = f"/reviews/{ie_on_dk.id}"
    client.post(base, data={"version": ie_on_dk.review.version, **score_fields(4)})
    client.get(f"{base}/submit")
    with count_queries() as statements:
        assert client.post(f"{base}/submit").status_code == 302
    assert len(statements) == 9, statements
    assert not [s for s in statements if "FROM user_role" in s], statements


def test_the_question_ids_are_kept_per_questionnaire_row(ie_on_dk, count_queries):
    from eis_toolkit.workshops.queries import question_ids, question_ids_of

    questionnaire = ie_on_dk.workshop.questionnaire
    ids = question_ids_of(questionnaire)
    assert ids.all == question_ids(questionnaire.id) and ids.scored == scored_question_ids(questionnaire.id)
    assert ids.keys == {i: k for k, i in ids.scored.items()} and len(ids.scored) == 33 < len(ids.all)
    with count_queries() as statements:
        assert question_ids_of(questionnaire) is ids
    assert statements == []


_WRITE = re.compile(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.I)


def _writes(statements: list[str]) -> list[tuple[str, str]]:
    """(verb, table) of each write statement, in order."""
    return [(m.group(1).split()[0].upper(), m.group(2)) for m in map(_WRITE.match, statements) if m]


def test_a_page_save_writes_only_what_changed_in_a_constant_number_of_reads(ie_on_dk, client, count_queries):
    """Sixty reviewers save at once (issue #13): a save reads what it checks, writes the review row
    (its version), the changed scores only and the data version, and reads nothing after."""
    base = f"/reviews/{ie_on_dk.id}"

    def save(page, value, comment="c"):
        fields = {"version": review_of(ie_on_dk).version, "action": "next", **score_fields(value, comment=comment)}
        with count_queries() as statements:
            response = client.post(f"{base}/{page}", data=fields)
        assert response.status_code == 302, response.text
        return statements

    client.get(base)  # the first request after logging in costs one query less
    first = save("strategy", 3)
    inserted = [w for w in _writes(first) if w == ("INSERT", "review_score")]
    assert 1 <= len(inserted) <= 8 and set(_writes(first)) == {
        ("UPDATE", "review"), ("INSERT", "review_score"), ("UPDATE", "data_version")}
    save("matchmaking", 3)
    again = {page: save(page, 3) for page in ("strategy", "matchmaking")}  # 8 and 4 questions, unchanged
    for statements in again.values():
        assert _writes(statements) == [("UPDATE", "review"), ("UPDATE", "data_version")], "no score rewritten"
    reads = {page: len(statements) - len(_writes(statements)) for page, statements in again.items()}
    assert reads["strategy"] == reads["matchmaking"] == 3, reads  # the person, the assignment, its scores
    changed = save("strategy", 3, comment="changed")
    assert _writes(changed).count(("UPDATE", "review_score")) == 1, "one statement for the eight changed rows"
    assert {s.comment for s in review_of(ie_on_dk).scores if s.question.key.startswith("strategy.")} == {"changed"}


def test_a_submission_runs_a_constant_number_of_statements_and_mails_the_host_after_answering(
        ie_on_dk, client, count_queries, smtp_server):
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": ie_on_dk.review.version, "action": "save",
                                                  **score_fields(4, comment="c")})
    with count_queries() as statements:
        response = client.post(f"/reviews/{ie_on_dk.id}/submit")
        assert response.status_code == 302
    writes = _writes(statements)
    assert writes == [("INSERT", "outbox_message"), ("UPDATE", "review"), ("UPDATE", "data_version"),
                      ("INSERT", "audit_event")], "the review row only: no score rewritten"
    first_write = next(i for i, statement in enumerate(statements) if _WRITE.match(statement))
    assert len(statements) - first_write == len(writes), \
        "the host's e-mail read and rendered before the first write: the write lock holds the writes only"
    assert not [s for s in statements if "FROM nomination" in s], "a submission reads no nominations"
    assert len(statements) <= 20, statements
    assert smtp_server.messages == [], "no SMTP while the reviewer waits for the answer"
    response.close()  # as the server does once the answer has gone
    assert [m["To"] for m in smtp_server.messages] == ["host@example.org"]
    assert review_of(ie_on_dk).status == ReviewStatus.SUBMITTED


def test_sqlite_connections_use_the_write_ahead_log_and_wait_for_a_busy_database(tmp_path):
    """Every SQLite connection the app opens (the listener is on every engine): checked on a file
    database of its own, so on the PostgreSQL run too."""
    from sqlalchemy import create_engine, text

    from eis_toolkit.extensions import SQLITE_BUSY_TIMEOUT_MS

    engine = create_engine(f"sqlite:///{tmp_path / 'eis.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS >= 10_000
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2, "FULL: a committed score survives"
    engine.dispose()


def test_a_stale_page_does_not_overwrite_a_newer_save(ie_on_dk, client):
    version = ie_on_dk.review.version
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": version, "action": "save", "score.strategy.vision": "2"})
    response = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": version, "action": "save", "score.strategy.vision": "5"}, follow_redirects=True)
    assert "saved from another window or device" in response.text
    assert [s.score for s in review_of(ie_on_dk).scores] == [2]


def test_autosave(ie_on_dk, client):
    url = f"/reviews/{ie_on_dk.id}/autosave"
    version = ie_on_dk.review.version
    response = client.post(url, json={"version": version, "fields": {"score.strategy.vision": "3", "weaknesses": "W"}})
    assert response.status_code == 200
    assert response.json["version"] == version + 1 and response.json["missing"] == 32
    again = client.post(url, json={"version": version + 1, "fields": {"score.strategy.vision": "4"}})
    assert again.status_code == 200 and again.json["version"] == version + 2
    review = review_of(ie_on_dk)
    assert [s.score for s in review.scores] == [4] and review.weaknesses == ""

    stale = client.post(url, json={"version": version + 1, "fields": {"score.strategy.vision": "1"}})
    assert stale.status_code == 409 and "another window" in stale.json["error"]
    invalid = client.post(url, json={"version": version + 2, "fields": {"score.strategy.vision": "9"}})
    assert invalid.status_code == 400 and "score.strategy.vision" in invalid.json["fields"]
    assert client.post(url, json={"fields": {}}).status_code == 400
    assert [s.score for s in review_of(ie_on_dk).scores] == [4]


def test_autosave_of_one_page_leaves_the_others(ie_on_dk, client):
    url = f"/reviews/{ie_on_dk.id}/autosave"
    version = ie_on_dk.review.version
    client.post(url, json={"version": version, "page": "strategy", "fields": {"score.strategy.vision": "3"}})
    client.post(url, json={"version": version + 1, "page": "general", "fields": {"strengths": "S"}})
    saved = client.post(url, json={"version": version + 2, "page": "outreach",
                                   "fields": {"score.outreach.single_entry": "na"}})
    assert saved.status_code == 200 and saved.json["missing"] == 31
    review = review_of(ie_on_dk)
    assert {s.question.key: (s.score, s.not_applicable) for s in review.scores} == {
        "strategy.vision": (3, False), "outreach.single_entry": (None, True)}
    assert review.strengths == "S"


@pytest.mark.parametrize("email", ["it@example.org", "dk@example.org", "host@example.org"])
def test_nobody_else_saves_someone_elses_review(ie_on_dk, client, login_as, email):
    login_as(email)
    version = ie_on_dk.review.version
    assert client.post(f"/reviews/{ie_on_dk.id}/autosave",
                       json={"version": version, "fields": {"score.strategy.vision": "1"}}).status_code == 403
    assert client.post(f"/reviews/{ie_on_dk.id}", data={"version": version, "action": "save"}).status_code == 403


def test_a_reviewer_moved_to_their_own_region_cannot_review_it(ie_on_dk, client):
    ian = person("ie@example.org")
    ian.region = ie_on_dk.region  # Ian moved to DK04: the old assignment is a conflict of interest now
    db.session.commit()
    assert client.get(f"/reviews/{ie_on_dk.id}").status_code == 403


# --- nominations and ratings ------------------------------------------------------------------


def test_nominations(ie_on_dk, client):
    url = f"/reviews/{ie_on_dk.id}/nominations"
    client.post(url, data={"title": "Export ambassadors", "description": "Firms coach firms",
                           "dimension_key": "outreach", "why": "Cheap and trusted"})
    refused = client.post(url, data={"title": "No dimension", "dimension_key": "nonsense"}, follow_redirects=True)
    assert "Not a valid choice" in refused.text
    [nomination] = review_of(ie_on_dk).nominations
    assert (nomination.title, nomination.dimension_key, nomination.why) == ("Export ambassadors", "outreach", "Cheap and trusted")
    assert "Export ambassadors" in client.get(f"/reviews/{ie_on_dk.id}/general").text
    accept_nomination(nomination)
    db.session.commit()
    kept = client.post(f"{url}/{nomination.id}/delete", follow_redirects=True)
    assert "already taken" in kept.text
    other = services.add_nomination(review_of(ie_on_dk), definition(), title="Second", dimension_key="finance")
    db.session.commit()
    client.post(f"{url}/{other.id}/delete")
    assert [n.title for n in db.session.scalars(select(Nomination).where(Nomination.review_id == ie_on_dk.review.id))] == [
        "Export ambassadors"]


def test_reviewers_rate_the_practices_nominated_at_the_workshop(ie_on_dk, client, login_as):
    # Ida (ITC4) nominated a DK04 practice in the small bundle; the host accepts it.
    practice = accept_nomination(db.session.scalar(select(Nomination).where(Nomination.title == "Company visits")))
    db.session.commit()
    page = client.get(f"/reviews/{ie_on_dk.id}/general").text
    assert "Rate the practices nominated at this workshop" in page and "Company visits" in page
    field = f"rating.{practice.id}"
    response = client.post(f"/reviews/{ie_on_dk.id}/ratings", data={
        f"{field}.evidence": "4", f"{field}.transferability": "5", f"{field}.usefulness": "3"}, follow_redirects=True)
    assert "Saved 1 rating." in response.text
    client.post(f"/reviews/{ie_on_dk.id}/ratings", data={
        f"{field}.evidence": "2", f"{field}.transferability": "5", f"{field}.usefulness": "3"})
    ratings = db.session.scalars(select(PracticeRating).where(PracticeRating.practice_id == practice.id)).all()
    assert [(r.rater.email, r.evidence, r.workshop_id) for r in ratings] == [("ie@example.org", 2, workshop().id)]
    incomplete = client.post(f"/reviews/{ie_on_dk.id}/ratings", data={f"{field}.evidence": "2"}, follow_redirects=True)
    assert "on every criterion from 1 to 5" in incomplete.text

    login_as("dk@example.org")  # DK04's own members are not reviewers of this workshop
    assert client.post(f"/reviews/{ie_on_dk.id}/ratings", data={f"{field}.evidence": "5"}).status_code == 403


def test_a_practice_of_ones_own_region_is_not_rated(open_workshop):
    practice = accept_nomination(db.session.scalar(select(Nomination)))
    with pytest.raises(services.WorkshopError, match="your own region"):
        services.rate_practice(practice, person("host@example.org"), open_workshop, evidence=5, transferability=5,
                               usefulness=5)


# --- at the same moment -----------------------------------------------------------------------


def _in_threads(app, *jobs):
    """Run each job in its own thread and app context (its own database session), all at once.
    The test's own session is handed over first, as before a request: read after this, its
    objects show what the jobs committed."""
    hand_over()
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                results[index] = job(barrier)
            except Exception as error:  # noqa: BLE001 - reported to the test
                results[index] = error
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.commits  # threads, each with its own connection
def test_two_reviewers_submit_at_the_same_moment(open_workshop, app):
    def submit(email, value):
        def job(barrier):
            assignment = assignment_of(email, "DK04")
            ids = scored_question_ids(assignment.workshop.questionnaire_id)
            values = services.parse_review_input(score_fields(value), definition(assignment.workshop))
            barrier.wait(10)
            services.save_review(assignment.review, values, assignment.review.version, ids)
            services.submit_review(assignment.review, ids)
            db.session.commit()
            return "submitted"
        return job

    results = _in_threads(app, submit("ie@example.org", 2), submit("de@example.org", 4))
    assert results == ["submitted", "submitted"]
    statuses = {a.reviewer.email: a.review.status for a in workshop().assignments if a.region.code == "DK04"}
    assert statuses == {"ie@example.org": "submitted", "de@example.org": "submitted", "it@example.org": "draft"}
    scores = db.session.scalars(select(ReviewScore.score).join(Review).where(Review.status == "submitted")).all()
    assert sorted(set(scores)) == [2, 4] and len(scores) == 66


@pytest.mark.commits  # threads, each with its own connection
def test_two_saves_of_the_same_review_at_the_same_moment_one_wins(open_workshop, app):
    base = assignment_of("ie@example.org", "DK04").review.version

    def save(value):
        def job(barrier):
            assignment = assignment_of("ie@example.org", "DK04")
            ids = scored_question_ids(assignment.workshop.questionnaire_id)
            values = services.parse_review_input({"score.strategy.vision": str(value)}, definition(assignment.workshop))
            assert assignment.review.version == base
            barrier.wait(10)
            services.save_review(assignment.review, values, base, ids)
            db.session.commit()
            return value
        return job

    results = _in_threads(app, save(1), save(5))
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, services.ReviewConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    review = assignment_of("ie@example.org", "DK04").review
    assert review.version == base + 1
    assert [s.score for s in review.scores] == winners


# --- with CSRF protection on, as in production -----------------------------------------------


def test_autosave_and_the_reveal_switch_need_the_csrf_token(open_workshop, make_app):
    from tests.conftest import csrf_token

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").text
    client.post("/login", data={"email": "ie@example.org", "password": "review-pass",
                                "csrf_token": csrf_token(login_page)})
    assignment = assignment_of("ie@example.org", "DK04")
    token = csrf_token(client.get(f"/reviews/{assignment.id}").text)
    body = {"version": assignment.review.version, "fields": {"score.strategy.vision": "3"}}
    assert client.post(f"/reviews/{assignment.id}/autosave", json=body).status_code == 400
    saved = client.post(f"/reviews/{assignment.id}/autosave", json=body, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    client.post("/logout", data={"csrf_token": token})
    logged_out = client.post(f"/reviews/{assignment.id}/autosave", json=body, headers={"X-CSRFToken": token})
    assert logged_out.status_code in (400, 401) and logged_out.is_json is (logged_out.status_code == 401)

    login_page = client.get("/login").text
    client.post("/login", data={"email": "host@example.org", "password": "host-pass",
                                "csrf_token": csrf_token(login_page)})
    token = csrf_token(client.get("/workshops/aarhus-2017/live").text)
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1"}).status_code == 400
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1", "csrf_token": token}).status_code == 302
    assert workshop().live_revealed


def test_a_logged_out_autosave_gets_json(open_workshop, client):
    assignment = assignment_of("ie@example.org", "DK04")
    response = client.post(f"/reviews/{assignment.id}/autosave", json={"version": 1, "fields": {}})
    assert response.status_code == 401 and "logged out" in response.json["error"]


def test_a_review_without_a_draft_row_is_started_on_the_first_save(ie_on_dk, client):
    db.session.delete(ie_on_dk.review)
    db.session.commit()
    response = client.post(f"/reviews/{ie_on_dk.id}", data={"version": "1", "action": "save",
                                                             "score.strategy.vision": "4"}, follow_redirects=True)
    assert "Your draft is saved." in response.text
    assert [s.score for s in assignment_of("ie@example.org", "DK04").review.scores] == [4]


def test_the_review_pages_write_nothing_and_the_first_save_starts_the_draft(ie_on_dk, client):
    """A review assigned without a draft (as a bundle does): the pages only read; the first save
    from a page shown before the draft existed (version 0) creates it; a second page shown then
    (another tab) is a conflict once the first has saved."""
    db.session.delete(ie_on_dk.review)
    db.session.commit()
    for path in ("", "/strategy", "/general", "/submit"):
        assert client.get(f"/reviews/{ie_on_dk.id}{path}").status_code == 200, path
    assert assignment_of("ie@example.org", "DK04").review is None, "a GET wrote a draft"
    assert 'name="version" value="0"' in client.get(f"/reviews/{ie_on_dk.id}/strategy").text

    first = client.post(f"/reviews/{ie_on_dk.id}/strategy", data={"version": "0", "score.strategy.vision": "2"})
    assert first.status_code == 302
    assert [s.score for s in assignment_of("ie@example.org", "DK04").review.scores] == [2]
    other_tab = client.post(f"/reviews/{ie_on_dk.id}/autosave",
                            json={"version": 0, "fields": {"score.strategy.vision": "5"}})
    assert other_tab.status_code == 409
    assert [s.score for s in assignment_of("ie@example.org", "DK04").review.scores] == [2]


def test_a_pages_score_form_class_is_built_once_per_questions_and_language(app, core_definition):
    """The review pages bind a form class kept per process (no WTForms class built per request):
    the same class for the same questions and language, another for another language or page,
    and each binding shows its own values."""
    from eis_toolkit.questionnaires.schema import load_questionnaire_file
    from eis_toolkit.workshops.forms import review_score_fields
    from tests.conftest import CORE_QUESTIONNAIRE

    strategy, outreach = (services.page_questions(core_definition, key) for key in ("strategy", "outreach"))
    scale = core_definition.scale
    first = review_score_fields(strategy, scale, "en", data={"score.strategy.vision": "3"})
    second = review_score_fields(strategy, scale, "en", data={"score.strategy.vision": "na"})
    assert type(first) is type(second)
    assert (first["score.strategy.vision"].data, second["score.strategy.vision"].data) == ("3", "na")
    assert first["score.strategy.vision"].id == "score-strategy-vision"
    assert type(review_score_fields(strategy, scale, "it", data={})) is not type(first)
    assert type(review_score_fields(outreach, scale, "en", data={})) is not type(first)
    parsed_again = load_questionnaire_file(CORE_QUESTIONNAIRE)
    again = services.page_questions(parsed_again, "strategy")
    assert type(review_score_fields(again, parsed_again.scale, "en", data={})) is not type(first), \
        "another parse of the file (other objects) gets a class of its own"

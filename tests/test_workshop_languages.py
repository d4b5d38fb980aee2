"""The host's workshop pages, their scripts' words and the live screen's room language in it/da/de;
answer errors in the reader's language on the review form and the self-assessment.

(tests/test_i18n_pages.py checks that no marked English sentence reaches the host pages; these
tests check that what reaches them is the right language, and the room language.)
"""
from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from eis_toolkit.questionnaires.services import definition_of
from eis_toolkit.extensions import db
from eis_toolkit.i18n import translate
from eis_toolkit.models import Region, ReviewerAssignment, User, Workshop

from tests.assessment_fixtures import draft, drafted, sign_in  # noqa: F401
from tests.conftest import assert_accessible, log_in
from tests.workshop_support import open_workshop, workshop_bundle  # noqa: F401


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _messages(page: str, element_id: str) -> dict:
    """The ``data-messages`` JSON of the element with that id."""
    match = re.search(rf'id="{element_id}"[^>]*?data-messages=\'([^\']*)\'', page, re.S)
    assert match, f"no data-messages on #{element_id}"
    return json.loads(match.group(1))


def _odense_review() -> int:
    """Ida Reviewer's (it@) draft review of DK04 at the open Odense workshop."""
    return db.session.scalar(select(ReviewerAssignment.id).join(ReviewerAssignment.workshop)
                             .join(ReviewerAssignment.region).join(ReviewerAssignment.reviewer)
                             .where(Workshop.slug == "odense-2018", Region.code == "DK04",
                                    User.email == "it@example.org"))


@pytest.mark.parametrize("language, expected", [
    ("it", ["Hot seat e revisori", "2 maggio 2018", "Prima di chiudere il ciclo di revisione:", "ancora nessun revisore",
            "Visite in loco", "Lavorate per DK04, nell'hot seat di questo workshop"]),
    ("da", ["Hot seat og bedømmere", "2. maj 2018", "Før bedømmelsesrunden kan lukkes:", "ingen bedømmer endnu",
            "Studiebesøg", "Du arbejder for DK04, som sidder i hot seat"]),
])
def test_the_workshop_page_speaks_the_hosts_language(client, drafted, sign_in, language, expected):
    client.get(f"/?lang={language}")
    sign_in("ho@example.org")
    page = _text(client.get("/workshops/odense-2018"))
    for text in expected:
        assert text in page, text
    assert "May 2, 2018" not in page and "2018-05-02" not in page


def test_refusals_warnings_and_flashes_are_in_the_hosts_language(client, drafted, sign_in):
    client.get("/?lang=it")
    sign_in("ho@example.org")
    page = _text(client.get("/workshops/odense-2018/status/close"))
    assert "Non è ancora possibile:" in page
    assert "DK04 non ha ancora nessuna revisione inviata: non ci sarebbe nulla da pubblicare." in page
    page = _text(client.post("/workshops/odense-2018/assignments", data={}, follow_redirects=True))
    assert "Scegliete un revisore e una regione dell'hot seat." in page
    host = db.session.scalar(select(User).where(User.email == "ho@example.org"))
    dk04 = db.session.scalar(select(Region).where(Region.code == "DK04"))
    page = _text(client.post("/workshops/odense-2018/assignments", data={"reviewer_id": host.id, "region_id": dk04.id},
                             follow_redirects=True))
    assert "Holger Host non ha il ruolo di revisore." in page
    page = _text(client.post("/workshops/odense-2018/edit", data={"title": "", "starts": "2018-05-02", "ends": "2018-05-01"}))
    assert "Questo campo è obbligatorio." in page


def test_the_paper_import_explains_its_problems_in_the_hosts_language(client, drafted, sign_in):
    client.get("/?lang=de")
    sign_in("ho@example.org")
    from io import BytesIO
    csv = "reviewer,region,question,score\nnobody@example.org,XX99,strategy.vision,9\n".encode()
    page = _text(client.post("/workshops/odense-2018/import", data={"file": (BytesIO(csv), "scores.csv")},
                             content_type="multipart/form-data"))
    assert "Es wurde nichts importiert: Die Datei hat" in page
    assert "Zeile 2, Spalte reviewer: niemand hat die E-Mail-Adresse 'nobody@example.org'" in page
    assert "Zeile 2, Spalte region: 'XX99' ist nicht im Hot Seat dieses Workshops (DK04, IE04)" in page


def test_the_review_script_gets_its_words_in_the_readers_language(client, drafted, sign_in):
    client.get("/?lang=it")
    sign_in("it@example.org")
    messages = _messages(_text(client.get(f"/reviews/{_odense_review()}/strategy")), "review-form")
    assert messages["saved"] == "Bozza salvata alle %(time)s."
    assert messages["missing"] == ["%(num)d domanda ancora da valutare.", "%(num)d domande ancora da valutare."]
    assert messages["offline"].startswith("Non salvato: nessuna connessione.")


# --- the room's language --------------------------------------------------------------------


def test_the_live_screen_follows_the_room_not_the_host(client, drafted, sign_in):
    client.get("/?lang=da")
    sign_in("ho@example.org")
    page = _text(client.get("/workshops/odense-2018/live"))  # no choice yet: the host's language
    assert '<html lang="da"' in page and "Lokalets sprog" in page
    page = _text(client.get("/workshops/odense-2018/live?room=it"))
    assert '<html lang="it"' in page
    assert "Lingua della sala" in page and "Mostra i punteggi" in page and "Lokalets sprog" not in page
    assert re.search(r'<option value="it" lang="it" selected>Italiano</option>', page)
    assert 'data-url="/workshops/odense-2018/live.json?room=it"' in page  # the script polls in the room's language
    messages = _messages(page, "live")
    assert messages["updated"] == "Aggiornato alle %(time)s" and messages["statuses"]["open"] == "aperto"
    # remembered for this workshop, without the parameter
    assert '<html lang="it"' in _text(client.get("/workshops/odense-2018/live"))
    # the host's own pages stay in the host's language
    page = _text(client.get("/workshops/odense-2018"))
    assert '<html lang="da"' in page and "Hot seat og bedømmere" in page
    # an unknown language is ignored
    assert '<html lang="it"' in _text(client.get("/workshops/odense-2018/live?room=xx"))


def test_the_room_language_is_per_workshop(client, drafted, sign_in):
    client.get("/?lang=de")
    sign_in("admin@example.org")
    assert '<html lang="it"' in _text(client.get("/workshops/odense-2018/live?room=it"))
    assert '<html lang="de"' in _text(client.get("/workshops/aarhus-2017/live"))


def test_the_live_data_is_in_the_room_language(client, drafted, sign_in):
    client.get("/?lang=en")
    sign_in("ho@example.org")
    client.get("/workshops/odense-2018/live?room=da")
    for url in ("/workshops/odense-2018/live.json?room=da", "/workshops/odense-2018/live.json"):
        data = client.get(url).get_json()
        assert data["status"] == "open" and "progress" in data
    english = client.get("/workshops/odense-2018/live.json?room=en").get_json()
    assert english == client.get("/workshops/odense-2018/live.json").get_json()  # ?room= chose English again


def test_a_reviewer_cannot_choose_the_room_language(client, drafted, sign_in):
    sign_in("it@example.org")
    assert client.get("/workshops/odense-2018/live?room=it").status_code == 403


# --- answer errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("language, message", [
    ("it", "'7' non è un livello da 1 a 5 né N/A"), ("da", "'7' er hverken et niveau fra 1 til 5 eller N/A"),
    ("de", "'7' ist weder eine Stufe von 1 bis 5 noch N/A"),
])
def test_a_bad_score_on_the_review_form_is_refused_in_the_readers_language(client, drafted, sign_in, language, message):
    client.get(f"/?lang={language}")
    sign_in("it@example.org")
    assignment = _odense_review()
    review = db.session.get(ReviewerAssignment, assignment).review
    page = _text(client.post(f"/reviews/{assignment}/strategy", data={
        "version": review.version, "action": "save", "score.strategy.vision": "7"}))
    question = next(q for q in definition_of(review.assignment.workshop.questionnaire).scored_questions()
                    if q.key == "strategy.vision")
    assert f"{translate(question.text, language).rstrip('.')}: {message}." in page, "the question by its text, in the reader's language"
    assert "strategy.vision:" not in page
    assert "is not a level" not in page


@pytest.mark.parametrize("language, number", [
    ("it", "'molto' non è un numero."), ("da", "'molto' er ikke et tal."), ("de", "'molto' ist keine Zahl."),
])
def test_a_bad_number_in_the_self_assessment_is_refused_in_the_readers_language(client, draft, sign_in, language, number):
    client.get(f"/?lang={language}")
    sign_in("dk@example.org")
    response = client.post(f"/assessments/{draft.id}/questions/strategy", data={
        "strategy.budget-version": "0", "strategy.budget-answer": "molto"})
    assert response.status_code == 422
    page = _text(response)
    assert number in page and "is not a number" not in page


# --- the live screen's script in a browser ----------------------------------------------------


@pytest.mark.browser
def test_the_live_screens_script_writes_in_the_room_language(open_workshop, live_server, page):
    log_in(page, live_server, "host@example.org")
    page.goto(f"{live_server}/workshops/aarhus-2017/live?room=it")
    assert page.locator("html").get_attribute("lang") == "it"
    page.locator("#live-updated").get_by_text(re.compile(r"^Aggiornato alle \d")).wait_for()  # written by the script
    assert page.locator("#live-workshop-status").text_content() == "aperto"
    count = page.locator("#live-progress .live-count").first.inner_text()
    assert re.fullmatch(r"\d+ su \d+", count), count
    label = page.locator("#live-progress progress").first.get_attribute("aria-label")
    assert re.fullmatch(r"DK04: \d+ revisioni inviate su \d+", label), label
    page.get_by_role("button", name="Mostra i punteggi").click()
    page.get_by_role("button", name="Nascondi i punteggi").wait_for()  # the script's new label
    page.get_by_text("Ancora nessun punteggio dei pari inviato.").wait_for()
    headers = page.locator("#live-dimensions thead").first.text_content()
    assert "Dimensione" in headers and "Scarto" in headers and "Gap" not in headers
    figures = page.locator("#live-dimensions tbody").first.text_content()
    assert re.search(r"\d,\d", figures) and not re.search(r"\d\.\d", figures), figures  # Italian decimal commas
    assert_accessible(page)


def test_anonymous_reviewers_are_named_in_the_readers_language_but_not_in_the_exports(client, drafted, sign_in):
    client.get("/?lang=it")
    sign_in("dk@example.org")
    page = _text(client.get("/workshops/aarhus-2017/results/DK04"))
    assert "Revisore A" in page and "Reviewer A" not in page
    export = client.get("/workshops/aarhus-2017/results/DK04.csv").get_data(as_text=True)
    assert "Reviewer A" in export and "Revisore" not in export


def test_another_language_costs_no_query(client, drafted, sign_in, count_queries):
    sign_in("ho@example.org")
    counts = {}
    for path in ("/workshops/odense-2018", "/workshops/odense-2018/live", "/workshops/odense-2018/live.json"):
        client.get(path)  # warm (session, caches)
        with count_queries() as english:
            assert client.get(path).status_code == 200
        client.get("/?lang=it")
        client.get(f"{path}?room=da")
        with count_queries() as other:
            assert client.get(path).status_code == 200
        client.get("/?lang=en")
        counts[path] = (len(english), len(other))
    assert all(en == other for en, other in counts.values()), counts

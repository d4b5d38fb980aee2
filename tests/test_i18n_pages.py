"""The pages of the home, log-in, dashboard, self-assessment, admin, benchmark and reviewer areas in it, da and de:
``<html lang>`` is the language shown, and no English sentence marked for translation is left."""
from __future__ import annotations

import html
import json
import re

import pytest
from flask_babel import force_locale, gettext, refresh
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Region, ReviewerAssignment, User, Workshop

from tests.assessment_fixtures import draft, drafted, person, sign_in  # noqa: F401
from tests.test_i18n_catalogues import _catalogue

LANGUAGES = ("it", "da", "de")


def _sentences(language: str) -> list[str]:
    """English msgids of three words or more, without placeholders, translated differently."""
    found = []
    for message in _catalogue(language):
        if not message.id or not isinstance(message.id, str) or "%(" in message.id:
            continue
        if len(message.id.split()) >= 3 and message.string and message.string != message.id:
            found.append(message.id)
    return found


PAGES = {
    None: ["/", "/login", "/nowhere"],
    "dk@example.org": ["/dashboard", "/assessments/", "/assessments/A", "/assessments/A/questions/strategy",
                       "/assessments/A/submit", "/assessments/A/print", "/assessments/A/compare",
                       "/assessments/A/workbook", "/workshops/aarhus-2017/results/DK04",
                       "/workshops/odense-2018/live/view"],  # DK04 sits in the hot seat of the open Odense workshop
    "it@example.org": ["/reviews", "/reviews/{review}"],
    "admin@example.org": ["/dashboard", "/admin/people", "/admin/people/new", "/admin/regions", "/admin/regions/R",
                          "/admin/programmes", "/admin/programmes/new", "/admin/programmes/{programme}",
                          "/benchmark/", "/benchmark/workshops/aarhus-2017", "/benchmark/workshops/aarhus-2017/regions/DK04",
                          "/benchmark/programmes/eis/eis-core@1", "/workshops/aarhus-2017/live",
                          "/workshops/aarhus-2017", "/workshops/aarhus-2017/status/publish"],
    # the host's workshop pages: DK04's host, at the open Odense workshop where DK04 is in the hot seat
    "ho@example.org": ["/workshops", "/workshops/new", "/workshops/odense-2018", "/workshops/odense-2018/edit",
                       "/workshops/odense-2018/import", "/workshops/odense-2018/suggest",
                       "/workshops/odense-2018/nominations", "/workshops/odense-2018/site-visits/new",
                       "/workshops/odense-2018/status/close", "/workshops/odense-2018/live"],
}


def _review_of_dk04() -> int:
    """The id of Ida Reviewer's (it@) assignment to review DK04 at the Aarhus workshop."""
    return db.session.scalar(select(ReviewerAssignment.id).join(ReviewerAssignment.workshop)
                             .join(ReviewerAssignment.region).join(ReviewerAssignment.reviewer)
                             .where(Workshop.slug == "aarhus-2017", Region.code == "DK04",
                                    User.email == "it@example.org"))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("email", list(PAGES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_marked_english_sentence_reaches_a_page(client, draft, sign_in, language, email):
    sentences = _sentences(language)
    assert len(sentences) > 100
    paths = [p.replace("/A", f"/{draft.id}").replace("/R", f"/{draft.region_id}").replace("{review}", str(_review_of_dk04()))
             .replace("{programme}", str(draft.workshop.programme_id))
             for p in PAGES[email]]
    client.get(f"/?lang={language}")  # chosen once, then remembered by the session
    sign_in(email)
    for path in paths:
        response = client.get(path)
        assert response.status_code == (404 if path == "/nowhere" else 200), path
        page = _text(response)
        assert re.search(f'<html lang="{language}"[ >]', page), path  # the live screen's <html> has a class too
        left = [s for s in sentences if s in page]
        assert not left, f"{path} in {language} still shows English: {left}"


@pytest.mark.parametrize("language, expected", [
    ("it", ["Le autovalutazioni della vostra regione", "di tutte le domande", "il workshop inizia il 2 maggio 2018",
            "Benchmark pubblicati", "27 giugno 2017"]),
    ("da", ["Din regions selvevalueringer", "af alle spørgsmål", "workshoppen begynder 2. maj 2018",
            "Offentliggjorte benchmarks", "27. juni 2017"]),
    ("de", ["Die Selbstbewertungen Ihrer Region", "aller Fragen", "Workshop beginnt am 2. Mai 2018",
            "Veröffentlichte Benchmarks", "27. Juni 2017"]),
    ("en", ["Your region's self-assessments", "of all questions", "workshop starts May 2, 2018",
            "Published benchmarks", "June 27, 2017"]),
])
def test_the_dashboard_speaks_the_language_with_its_dates(client, draft, sign_in, language, expected):
    client.get(f"/?lang={language}")
    sign_in("dk@example.org")
    page = _text(client.get("/dashboard"))
    for text in expected:
        assert text in page, text
    assert re.search(r"\b36\b", page)  # the figures stay figures


@pytest.mark.parametrize("language, plural", [
    ("it", "Mancano 36 domande obbligatorie."), ("da", "36 obligatoriske spørgsmål tilbage."),
    ("de", "Noch 36 Pflichtfragen offen."), ("en", "36 required questions left."),
])
def test_plurals_follow_the_language(client, draft, sign_in, language, plural):
    client.get(f"/?lang={language}")
    sign_in("dk@example.org")
    assert plural in _text(client.get("/assessments/"))


def test_flash_messages_and_form_errors_are_translated(client, drafted):
    client.get("/?lang=de")
    page = _text(client.post("/login", data={"email": "", "password": ""}))
    assert page.count("Dieses Feld ist ein Pflichtfeld.") == 2
    page = _text(client.post("/login", data={"email": "dk@example.org", "password": "wrong"}))
    assert "E-Mail-Adresse oder Passwort sind nicht richtig" in page
    page = _text(client.get("/dashboard", follow_redirects=True))
    assert "Bitte melden Sie sich an, um diese Seite zu sehen." in page


def test_error_pages_are_translated(client, drafted):
    client.get("/?lang=da")
    response = client.get("/nowhere")
    assert response.status_code == 404
    page = _text(response)
    assert "Ikke fundet" in page and "Der er intet på denne adresse." in page


def test_the_page_script_gets_its_messages_in_the_language(client, draft, sign_in):
    client.get("/?lang=it")
    sign_in("dk@example.org")
    page = client.get(f"/assessments/{draft.id}/questions/strategy").get_data(as_text=True)
    messages = json.loads(html.unescape(re.search(r"data-messages='([^']*)'", page).group(1)))
    assert messages["saving"] == "Salvataggio in corso…"
    assert messages["all_saved"] == "Tutte le modifiche salvate alle %(time)s."  # the script fills in the time
    assert messages["saved_except"][1].startswith("Salvato alle %(time)s, tranne %(num)d risposte")


def test_texts_outside_a_request_are_english(app):
    """CLI output and services called without a request read English; inside a request the person's."""
    assert gettext("Saved.") == "Saved."
    with app.test_request_context("/?lang=da"):
        refresh()  # the app context of the test is shared with this request's
        assert gettext("Saved.") == "Gemt."
        with force_locale("de"):
            assert gettext("Saved.") == "Gespeichert."


def test_a_language_adds_no_queries(client, draft, sign_in, count_queries):
    sign_in("dk@example.org")
    client.get("/dashboard")
    counts = {}
    for language in ("en", "it", "da"):
        client.get(f"/?lang={language}")
        with count_queries() as queries:
            response = client.get("/dashboard")
        assert f'<html lang="{language}">' in response.get_data(as_text=True)
        counts[language] = len(queries)
    assert counts["it"] == counts["en"] == counts["da"], counts


@pytest.mark.parametrize("language, choice, roles", [
    ("da", "Ugyldigt valg.", "'nope' er ikke et gyldigt valg i dette felt."),
    ("de", "Keine gültige Auswahl.", "'nope' ist für dieses Feld keine gültige Auswahl."),
    ("it", "Scelta non valida.", "'nope' non è una scelta valida per questo campo."),
    ("en", "Not a valid choice.", "'nope' is not a valid choice for this field."),
])
def test_wtforms_own_messages_are_translated_too(client, loaded, login, language, choice, roles):
    """WTForms ships no Danish: its built-in messages come from our catalogues, then from its own."""
    client.get(f"/?lang={language}")
    login("admin@example.org")
    response = client.post("/admin/people/new", data={"name": "X", "email": "x@example.org", "region_id": "999",
                                                      "roles": ["nope"], "language": "zz", "password": ""})
    page = _text(response)
    assert response.status_code == 200 and page.count(choice) == 2 and roles in page

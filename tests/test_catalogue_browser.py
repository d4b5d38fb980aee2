"""An SME in a real browser: searches "Japan", filters by sector, opens a practice, runs the
self-check; at desktop width and on a phone. axe-core checks every catalogue page on the way."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(load, bundle):
    deadline = (date.today() + timedelta(days=30)).isoformat()
    bundle["practices"] = [
        {"slug": "japan-cosmetics-path", "title": "Percorso Giappone per la cosmetica", "region": "ITC4",
         "status": "published", "language": "it", "title_en": "Japan path for cosmetics firms",
         "summary": "Webinar, preparazione e missione a Tokyo.", "summary_en": "Webinar, preparation and a mission to Tokyo.",
         "markets": ["JP"], "sectors": ["cosmetics", "food"], "stages": ["new_exporter"],
         "instruments": ["webinar", "mission", "matchmaking"], "dimensions": ["missions"],
         "editions": [{"title": "Missione a Tokyo", "deadline": deadline, "place": "Tokyo",
                       "eligibility": "PMI lombarde"}],
         "ratings": [{"rater": "ie@example.org", "evidence": 4, "transferability": 5, "usefulness": 5}]},
        {"slug": "japan-machinery-fair", "title": "Machinery fair in Osaka", "region": "DK04", "status": "published",
         "markets": ["JP"], "sectors": ["machinery"], "instruments": ["trade_fair"], "summary": "A stand."},
        {"slug": "usa-desk", "title": "US export desk", "region": "IE04", "status": "published",
         "markets": ["US"], "instruments": ["coaching"], "summary": "Advice for the US."},
        {"slug": "japan-draft", "title": "Unpublished Japan idea", "region": "ITC4", "status": "draft",
         "markets": ["JP"]},
    ]
    load(bundle)


def journey(page, base: str) -> None:
    page.goto(base + "/practices/")
    assert_accessible(page, "catalogue")
    page.get_by_label("Search the practices").fill("Japan")
    page.get_by_role("button", name="Search").click()
    results = page.locator(".practice-list > li")
    expect(results).to_have_count(2)
    assert "Unpublished" not in page.content()
    assert_accessible(page, "search results")

    page.locator(".facets").get_by_role("link", name="Cosmetics").click()
    expect(results).to_have_count(1)
    assert "sector=cosmetics" in page.url and "q=Japan" in page.url and "sort=newest" not in page.url
    expect(page.locator(".practice-list").get_by_text("Open now")).to_be_visible()
    expect(page.get_by_role("heading", name="Open now and coming up")).to_be_visible()

    page.locator(".practice-list").get_by_role("link", name="Percorso Giappone per la cosmetica").click()
    page.wait_for_url("**/practices/japan-cosmetics-path")
    assert page.url.endswith("/practices/japan-cosmetics-path")
    assert page.get_by_role("heading", level=1).inner_text() == "Percorso Giappone per la cosmetica"
    expect(page.get_by_text("Peer rating 4.7 of 5").first).to_be_visible()
    assert_accessible(page, "practice page")

    page.goto(base + "/practices/")
    page.get_by_role("link", name="Find help for your firm: the self-check").click()
    assert_accessible(page, "self-check")
    page.get_by_label("1. What does your firm do?").select_option("cosmetics")
    page.get_by_label("Japan").check()
    page.get_by_label("New exporter").check()
    page.get_by_label("Fairs and missions").check()
    page.get_by_role("button", name="Show what fits").click()
    page.wait_for_url("**/self-check/results?**")
    assert "/self-check/results?" in page.url and "market=JP" in page.url
    first = page.locator(".recommendations > li").first
    assert "Percorso Giappone per la cosmetica" in first.inner_text()
    assert "covers Japan" in first.inner_text() and "for firms exporting for the first time" in first.inner_text()
    assert_accessible(page, "self-check results")

    shared = page.url  # the address carries the answers: a new visit gets the same results
    page.goto(shared)
    assert "Percorso Giappone per la cosmetica" in page.locator(".recommendations > li").first.inner_text()


def test_an_sme_finds_help_for_japan(catalogue, live_server, page):
    journey(page, live_server)


def test_the_same_on_a_phone(catalogue, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    journey(page, live_server)
    for language in ("en", "de"):  # German: the longest words, and the sort order's longest option
        page.goto(f"{live_server}/practices/?q=Japan&lang={language}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the catalogue in {language} is {overflow}px wider than the phone"

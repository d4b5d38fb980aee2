"""The action plan's timeline chart (benchmark/charts.py, on the plan page and in the PDF) and the
action plan report (``eis report action-plan``, the download on the plan page): its content in
the Interreg layout, the language, hostile text, who may download it, the cache."""
from __future__ import annotations

import io
import os
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eis_toolkit.benchmark import charts
from eis_toolkit.extensions import db
from eis_toolkit.models import Action, Region, Workshop
from eis_toolkit.reporting.action_plan import action_plan_report_context
from eis_toolkit.reporting.render import render_html, report_pdf

PLAN = "/action-plans/aarhus-2017/DK04"
URL = "/reports/action-plans/aarhus-2017/DK04.pdf"
HOSTILE = '<script>alert("x")</script> <img src=file:///etc/passwd>'
TODAY = date(2018, 9, 1)


def _action(number: int, **changes) -> dict:
    return {"title": f"Action title {number}", "background_kind": "dimension", "background_ref": "strategy",
            "background": f"Background {number}", "description": f"What is done {number}",
            "players": f"Players {number}", "starts": "2018-01-01", "ends": "2018-12-31", "costs": f"€{number}0,000",
            "funding": "ERDF regional programme", "dimension": "strategy", "indicator": f"Indicator {number}",
            "baseline": number, "target": number * 10, "unit": "firms"} | changes


def _plan_bundle(bundle, status="submitted", actions=None, policy_context="ERDF ROP axis 3, internationalisation"):
    bundle["workshops"][0]["action_plans"] = [{
        "region": "DK04", "status": status, "policy_context": policy_context,
        "actions": actions if actions is not None else [
            _action(1, reports=[{"date": "2018-02-01", "status": "started", "current_value": 4, "note": "Kick-off"},
                                {"date": "2018-06-01", "status": "done", "current_value": 12}]),
            _action(2, ends="2018-06-30", reports=[{"date": "2018-03-01", "status": "started", "current_value": 7}]),
            _action(3, reports=[{"date": "2018-03-01", "status": "dropped", "reason": "No budget left"}]),
        ]}]
    return bundle


@pytest.fixture
def plan(load, bundle):
    """The small bundle (aarhus-2017 published) with a submitted plan of DK04: three actions, one
    done, one late (ended 2018-06-30, still started), one dropped; a comment that stays internal."""
    load(_plan_bundle(bundle))
    return bundle


def _models():
    return (db.session.scalar(select(Workshop).where(Workshop.slug == "aarhus-2017")),
            db.session.scalar(select(Region).where(Region.code == "DK04")))


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


# --- the chart ----------------------------------------------------------------------------------


def test_the_timeline_names_every_action_and_handles_missing_dates():
    items = (charts.TimelineItem("1. A KPI set", date(2018, 1, 1), date(2018, 12, 31), "done"),
             charts.TimelineItem("2. Export days & $5 $6", date(2018, 3, 1), date(2018, 6, 30), "started", True),
             charts.TimelineItem("3. Not dated yet", None, None, "planned"),
             charts.TimelineItem("4. Only a start", date(2019, 1, 1), None, "planned"),
             charts.TimelineItem("5. Given up", date(2018, 5, 1), date(2018, 9, 1), "dropped"))
    words = charts.TimelineWords(planned="Pianificata", late="in ritardo", today="Oggi", no_dates="senza date")
    svg = charts.timeline(items, TODAY, "DK04: timeline", words)
    assert svg.startswith("<?xml") or "<svg" in svg[:400]
    for label in ("1. A KPI set", "2. Export days &amp; $5 $6", "3. Not dated yet", "4. Only a start", "5. Given up"):
        assert label in svg  # as text (fonttype none), escaped, no mathtext for "$5 $6"
    assert "senza date" in svg and "Pianificata" in svg and "in ritardo" in svg and "Oggi (2018-09-01)" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "3. Not dated yet: senza date, Pianificata" in desc
    assert "2. Export days &amp; $5 $6: 2018-03-01 – 2018-06-30, Started, in ritardo" in desc
    assert "4. Only a start: 2019-01-01 – –, Pianificata" in desc


def test_a_timeline_of_actions_without_any_date_is_drawn_around_today():
    svg = charts.timeline((charts.TimelineItem("1. Undated", None, None, "planned"),), TODAY, "t")
    assert "1. Undated" in svg and "no dates" in svg and "Today (2018-09-01)" in svg


def test_the_same_timeline_is_drawn_once():
    items = (charts.TimelineItem("1. Once", date(2018, 1, 1), date(2018, 2, 1), "planned"),)
    charts.timeline(items, TODAY, "cached")
    before = charts.renders
    assert charts.timeline(items, TODAY, "cached") == charts.timeline(items, TODAY, "cached")
    assert charts.renders == before


# --- the plan page ------------------------------------------------------------------------------


def test_the_plan_page_shows_the_timeline_with_its_text_and_the_download(plan, client, login):
    login("dk@example.org")
    html = client.get(PLAN + "?lang=en").get_data(as_text=True)
    image = re.search(r'<img src="(data:image/svg\+xml;base64,[^"]+)" alt="([^"]+)"', html)
    assert image, "the timeline is an <img> with a text alternative"
    assert "1. Action title 1: 2018-01-01 – 2018-12-31, Done" in image.group(2)
    assert "2. Action title 2: 2018-01-01 – 2018-06-30, Started" in image.group(2)
    assert f'href="{URL}?lang=en"' in html


def test_the_timeline_speaks_the_page_language(plan, client, login):
    login("dk@example.org")
    html = client.get(PLAN + "?lang=it").get_data(as_text=True)
    assert "Cronoprogramma" in html and "1. Action title 1: 2018-01-01 – 2018-12-31, Completata" in html
    assert f'href="{URL}?lang=it"' in html


def test_a_draft_with_an_undated_action_still_shows_its_timeline(load, bundle, client, login):
    load(_plan_bundle(bundle, status="draft", actions=[{"title": "Just an idea"}]))
    login("dk@example.org")
    html = client.get(PLAN).get_data(as_text=True)
    assert "1. Just an idea: no dates, Planned" in html


def test_a_region_without_a_plan_has_no_timeline_nor_download(load, bundle, client, login):
    load(bundle)
    login("dk@example.org")
    html = client.get(PLAN).get_data(as_text=True)
    assert "data:image/svg+xml" not in html and URL not in html
    assert client.get(URL).status_code == 404


def test_the_plan_page_costs_the_same_queries_for_one_action_or_six(load, bundle, client, login, count_queries):
    def count(actions):
        load(_plan_bundle(bundle, actions=actions))
        if not client.get(PLAN).status_code == 200:
            login("dk@example.org")
        client.get(PLAN)  # warm the benchmark cache
        with count_queries() as queries:
            html = client.get(PLAN).get_data(as_text=True)
        assert html.count("Action title") >= len(actions) and "data:image/svg+xml" in html
        return len(queries)

    one = count([_action(1, reports=[{"date": "2018-02-01", "status": "started"}])])
    six = count([_action(n, reports=[{"date": "2018-02-01", "status": "started"},
                                     {"date": "2018-03-01", "status": "started", "current_value": n}])
                 for n in range(1, 7)])
    assert one == six, (one, six)
    print(f"plan page with its timeline: {one} queries for one action or six")


# --- the report ---------------------------------------------------------------------------------


def test_the_report_prints_the_plan_in_the_interreg_layout(plan, runner, tmp_path, app):
    out = tmp_path / "plan.pdf"
    result = runner.invoke(args=["report", "action-plan", "aarhus-2017", "DK04", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    for heading in ("Part I – General information", "Part II – Policy context",
                    "Part III – Details of the actions envisaged", "Timeline", "Progress reports"):
        assert heading in text
    assert "Central Denmark (DK04)" in text and "ERDF ROP axis 3, internationalisation" in text
    assert "Status of the plan Submitted" in text
    for n in (1, 2, 3):
        assert f"Action {n}: Action title {n}" in text
        for field in (f"Background {n}", f"What is done {n}", f"Players {n}", f"€{n}0,000"):
            assert field in text
    # indicator: baseline → target and the latest value
    assert "Indicator 1 1 10 12 firms" in text
    assert "Indicator 2 2 20 7 firms" in text
    assert "Indicator 3 3 30 – firms" in text
    assert "Done" in text and "Late" in text and "Dropped" in text and "No budget left" in text and "Kick-off" in text
    reader = PdfReader(out)
    assert reader.metadata.title.startswith("Action plan: Central Denmark (DK04)")
    assert [i.title for i in reader.outline if not isinstance(i, list)][1:2] == ["Contents"]
    assert re.search(r"Page 2 of (\d+)", text)


def test_the_report_leaves_the_comments_out(plan, client, login, runner, tmp_path):
    login("it@example.org")
    assert client.post(f"{PLAN}/comments", data={"body": "Internal remark of the peer"}).status_code == 302
    assert "Internal remark of the peer" in client.get(PLAN).get_data(as_text=True)
    assert "Internal remark of the peer" not in pdf_text(client.get(URL).data)


def test_lang_it_changes_the_headings(plan, runner, tmp_path):
    texts = {}
    for language in ("it", "en"):
        out = tmp_path / f"plan-{language}.pdf"
        assert runner.invoke(args=["report", "action-plan", "aarhus-2017", "DK04", "-o", str(out),
                                   "--lang", language]).exit_code == 0
        texts[language] = pdf_text(out.read_bytes())
    assert "Part I – General information" in texts["en"] and "Part I – General information" not in texts["it"]
    assert "Parte II – Contesto politico" in texts["it"] and "Action title 1" in texts["it"]


def test_hostile_text_is_printed_as_text_and_fetches_nothing(load, bundle, app, report_cache):
    load(_plan_bundle(bundle, policy_context=f"Policy {HOSTILE}", actions=[
        _action(1, title=f"Title {HOSTILE}"[:200], background=f"Background {HOSTILE}",
                reports=[{"date": "2018-02-01", "status": "started", "note": f"Note {HOSTILE}"}])]))
    workshop, region = _models()
    context = action_plan_report_context(workshop, region, "en", today=TODAY)
    html = render_html("action-plan", context)
    assert "<script>" not in html and "<img src=file" not in html and "&lt;script&gt;" in html
    rendered = report_pdf("action-plan", context)
    text = pdf_text(rendered.pdf)
    assert text.count('<script>alert("x")</script>') >= 4  # policy, title (TOC and heading), background, note
    assert "<img src=file:///etc/passwd>" in text
    fetched = rendered.fetcher.requested
    assert fetched and all(url == "https://report.invalid/static/favicon.svg" or url.startswith("data:image/svg+xml;")
                           for url in fetched), fetched
    assert rendered.fetcher.served == fetched


# --- who may download it: exactly who may read the plan ------------------------------------------


@pytest.mark.parametrize("status, who, expected", [
    ("published", None, 302),                  # anonymous: to log in
    ("published", "dk@example.org", 200),      # a member of the region
    ("published", "host@example.org", 200),    # the workshop's host
    ("published", "admin@example.org", 200),
    ("published", "it@example.org", 200),      # the peer who reviewed DK04
    ("published", "ie@example.org", 403),      # another hot-seat region
])
def test_the_download_follows_who_may_read_the_plan(plan, client, login, status, who, expected):
    if who:
        login(who)
    response = client.get(URL)
    assert response.status_code == expected
    plan_page = client.get(PLAN).status_code
    assert plan_page == expected  # the same answer as the plan page
    if expected == 200:
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_a_draft_plan_is_refused_to_other_regions_and_an_unknown_region_is_404(load, bundle, client, login):
    load(_plan_bundle(bundle, status="draft", actions=[{"title": "Secret draft"}]))
    login("ie@example.org")
    assert client.get(URL).status_code == 403
    client.post("/logout")
    login("dk@example.org")
    assert "Secret draft" in pdf_text(client.get(URL).data)
    assert client.get("/reports/action-plans/aarhus-2017/ITC4.pdf").status_code == 404
    assert client.get("/reports/action-plans/nowhere/DK04.pdf").status_code == 404


def test_the_cli_refuses_unknown_names_a_reader_who_may_not_see_it_and_no_plan(load, bundle, runner, tmp_path):
    load(bundle)
    out = tmp_path / "p.pdf"
    result = runner.invoke(args=["report", "action-plan", "nope", "DK04", "-o", str(out)])
    assert result.exit_code == 1 and "unknown workshop 'nope'" in result.output
    result = runner.invoke(args=["report", "action-plan", "aarhus-2017", "ITC4", "-o", str(out)])
    assert result.exit_code == 1 and "not a hot-seat region" in result.output
    result = runner.invoke(args=["report", "action-plan", "aarhus-2017", "DK04", "-o", str(out)])
    assert result.exit_code == 1 and "DK04 has no action plan after aarhus-2017" in result.output
    load(_plan_bundle(bundle))
    result = runner.invoke(args=["report", "action-plan", "aarhus-2017", "DK04", "-o", str(out),
                                 "--as", "ie@example.org"])
    assert result.exit_code == 1 and "may not see the action plan of DK04" in result.output
    assert not out.exists()


# --- the cache ----------------------------------------------------------------------------------


def test_the_download_and_the_cli_give_the_same_bytes_and_an_edit_gives_new_ones(plan, client, login, runner,
                                                                                   tmp_path, report_cache):
    out = tmp_path / "p.pdf"
    rendered = runner.invoke(args=["report", "action-plan", "aarhus-2017", "DK04", "-o", str(out)])
    assert rendered.exit_code == 0 and "(from the cache)" not in rendered.output
    login("it@example.org")
    first = client.get(URL + "?lang=en").data
    assert first == out.read_bytes()
    result = runner.invoke(args=["report", "action-plan", "aarhus-2017", "DK04", "-o", str(out)])
    assert "(from the cache)" in result.output
    action = db.session.scalar(select(Action).order_by(Action.position, Action.id))
    action.costs = "€99,000"
    db.session.commit()
    second = client.get(URL + "?lang=en").data
    assert second != first and "€99,000" in pdf_text(second)
    assert client.get(URL + "?lang=en").data == second


# --- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_plan_page_with_its_timeline_passes_axe_and_downloads_the_pdf(plan, live_server, page):
    from conftest import assert_accessible, log_in

    log_in(page, live_server, "it@example.org")  # the reviewing peer reads the plan
    page.goto(f"{live_server}{PLAN}")
    page.get_by_role("heading", name="Timeline").wait_for()
    image = page.get_by_role("img", name=re.compile(r"^1\. Action title 1: 2018-01-01 – 2018-12-31, Done"))
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")  # the page's CSP lets the data: image in
    assert_accessible(page, "the submitted plan with its timeline")
    shots = os.environ.get("EIS_SCREENSHOTS")
    if shots:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{shots}/plan-timeline-{width}.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the action plan (PDF)").click()
    assert download.value.suggested_filename == "aarhus-2017-DK04-action-plan-en.pdf"
    assert "Action title 3" in pdf_text(open(download.value.path(), "rb").read())

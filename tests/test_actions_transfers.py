"""Transfers (an action of a submitted plan that adopts another region's practice) on the practice
page and the programme page, and the programme's progress view across regions."""
from __future__ import annotations

import copy
import re

from eis_toolkit.actions.transfers import transfers
from tests.test_actions_progress import _second_workshop, _with_plan


def _adopting(bundle, status="submitted", practice="paths-japan"):
    """DK04's plan after aarhus-2017 gets a second action that learns from ITC4's practice."""
    bundle = _with_plan(bundle)
    plan = bundle["workshops"][0]["action_plans"][0]
    plan["status"] = status
    plan["actions"].append(copy.deepcopy(plan["actions"][0]) | {
        "title": "Japan accompaniment paths", "background_kind": "practice", "background_ref": practice,
        "dimension": "missions", "reports": [{"date": "2018-03-01", "status": "started"}]})
    if status == "draft":
        for action in plan["actions"]:
            action.pop("reports")
    return bundle


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_transfer_is_derived_from_the_action(load, bundle, app):
    load(_adopting(bundle))
    found = transfers()
    assert [(t.from_region.code, t.to_region.code, t.practice.slug, t.action.title, t.status) for t in found] == [
        ("ITC4", "DK04", "paths-japan", "Japan accompaniment paths", "started")]


def test_a_transfer_comes_with_its_plan_in_a_bundle(load, bundle, app):
    """Derived from the action: reloading the bundle keeps it; a bundle that changes the action's
    background to a recommendation ends it."""
    data = _adopting(bundle)
    load(data)
    load(copy.deepcopy(data))
    assert [t.action.title for t in transfers()] == ["Japan accompaniment paths"]
    data["workshops"][0]["action_plans"][0]["actions"][1]["background_kind"] = "recommendation"
    load(data)
    assert transfers() == []


def test_no_transfer_from_a_draft_plan_or_the_region_s_own_practice(load, bundle, app):
    own = _adopting(bundle, status="draft")
    own["practices"].append({"slug": "dk-own", "title": "Our own", "region": "DK04", "status": "published"})
    load(own)
    assert transfers() == []  # a draft plan is not public
    load(_adopting(copy.deepcopy(bundle), practice="dk-own") | {"practices": own["practices"]})
    assert transfers() == []  # DK04 learning from DK04 is no transfer


def test_the_practice_page_shows_who_adopted_it(load, bundle, client, login):
    load(_adopting(bundle))
    text = _text(client.get("/practices/paths-japan"))  # public: no login
    assert "Adopted by Central Denmark (DK04) : action “Japan accompaniment paths” of its plan after Aarhus workshop Started" in text


def test_the_plan_page_links_the_practice_an_action_adopts(load, bundle, client, login):
    load(_adopting(bundle))
    login("dk@example.org")
    html = client.get("/action-plans/aarhus-2017/DK04").get_data(as_text=True)
    assert '<a href="/practices/paths-japan">Paths to Japan</a> (Lombardy)' in html


def test_the_practice_page_hides_a_draft_plan(load, bundle, client):
    load(_adopting(bundle, status="draft"))
    assert "Adopted by" not in _text(client.get("/practices/paths-japan"))


def test_the_programme_page_lists_transfers_and_progress(load, bundle, client, login):
    load(_adopting(_second_workshop(bundle)))
    login("dk@example.org")
    html = client.get("/benchmark/programmes/eis/eis-core@1").get_data(as_text=True)
    text = _text(client.get("/benchmark/programmes/eis/eis-core@1"))
    assert "Central Denmark adopted “ Paths to Japan ” from Lombardy" in text
    assert '<a href="/practices/paths-japan">Paths to Japan</a>' in html
    row = re.search(r"<tr><th scope=\"row\">(.*?)</tr>", html[html.index('class="progress-regions"'):], re.S).group(0)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
    assert cells == ["Central Denmark (DK04)", "Aarhus workshop", "Aarhus again", "4.00", "5.00", "+1.00",
                     "3.00", "4.00", "+1.00"]
    assert 'href="/action-plans/progress/DK04"' in row  # its own member opens the progress page


def test_a_partner_is_linked_to_the_scorecard_instead(load, bundle, client, login):
    load(_second_workshop(bundle))
    login("ie@example.org")
    html = client.get("/benchmark/programmes/eis/eis-core@1").get_data(as_text=True)
    row = html[html.index('class="progress-regions"'):]
    assert "/action-plans/progress/DK04" not in row
    assert 'href="/benchmark/workshops/aarhus-2019/regions/DK04#progress"' in row
    assert "No submitted action plan adopts a practice of another region yet." in html


def test_without_a_second_review_the_programme_says_so(loaded, client, login):
    login("ie@example.org")
    assert "No region has been reviewed twice" in client.get("/benchmark/programmes/eis/eis-core@1").get_data(as_text=True)


def test_the_programme_page_runs_a_constant_number_of_queries(load, bundle, client, login, count_queries):
    """More regions reviewed twice, more transfers: the same number of statements."""
    first = _adopting(_second_workshop(copy.deepcopy(bundle)))
    load(first)
    login("admin@example.org")
    url = "/benchmark/programmes/eis/eis-core@1"
    client.get(url)
    with count_queries() as before:
        client.get(url)
    more = copy.deepcopy(first)
    for workshop in more["workshops"][:2]:
        workshop["hot_seat"] = ["DK04", "IE04"]
    more["workshops"][1]["assessments"].append({"region": "IE04", "status": "submitted",
                                                "answers": {"strategy.vision": {"score": 2}}})
    more["workshops"][1]["reviews"].append({"reviewer": "it@example.org", "region": "IE04", "status": "submitted",
                                           "scores": {"strategy.vision": {"score": 2}}})
    plan = more["workshops"][0]["action_plans"][0]
    plan["actions"] = plan["actions"] + plan["actions"][1:] * 3  # four transfers
    load(more)
    client.get(url)
    with count_queries() as after:
        html = client.get(url).get_data(as_text=True)
    assert "Northern and Western (IE04)" in html[html.index('class="progress-regions"'):]
    assert html.count('adopted “<a href="/practices/paths-japan">Paths to Japan</a>”') == 4
    assert len(after) == len(before)

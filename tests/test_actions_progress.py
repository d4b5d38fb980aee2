"""Progress between assessments (eis_toolkit/actions/progress.py) against hand-computed cases,
and ``eis export progress`` as DESIGN.md says."""
from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import date

import pytest

from eis_toolkit.actions.progress import COLUMNS, Assessed, ProgressRow, pairs, progress


def _assessed(slug, day, key="eis-core", dimensions=("a", "b"), **values):
    return Assessed(slug, date.fromisoformat(day), key, tuple(dimensions), values)


T0 = _assessed("w2017", "2017-06-27", dimensions=("a", "b"), a=(4.0, 3.0), b=(2.0, None), overall=(3.0, 3.0))
T1 = _assessed("w2019", "2019-05-01", dimensions=("a", "c"), a=(5.0, 3.5), c=(1.0, 2.0), overall=(4.0, 2.5))


def test_change_per_dimension_with_a_dimension_on_one_side_and_an_empty_side():
    assert progress("DK04", [T1, T0]) == [  # given out of order: sorted by start date
        ProgressRow("DK04", "a", "w2017", "w2019", 4.0, 5.0, 1.0, 3.0, 3.5, 0.5),
        ProgressRow("DK04", "b", "w2017", "w2019", 2.0, None, None, None, None, None),  # at T0 only; no peer
        ProgressRow("DK04", "c", "w2017", "w2019", None, 1.0, None, None, 2.0, None),  # new at T1
        ProgressRow("DK04", "overall", "w2017", "w2019", 3.0, 4.0, 1.0, 3.0, 2.5, -0.5),
    ]


def test_a_workshop_where_the_region_has_no_figures_gives_empty_changes():
    empty = _assessed("w2021", "2021-03-01", dimensions=("a", "c"))
    rows = progress("DK04", [T0, T1, empty])
    later = [r for r in rows if r.t0_workshop == "w2019"]
    assert [(r.dimension, r.self_t0, r.self_t1, r.self_change, r.peer_change) for r in later] == [
        ("a", 5.0, None, None, None), ("c", 1.0, None, None, None), ("overall", 4.0, None, None, None)]


def test_only_workshops_of_the_same_questionnaire_key_pair_up_consecutively():
    other = _assessed("w2018", "2018-01-01", key="eis-lite", a=(1.0, 1.0))
    third = _assessed("w2021", "2021-03-01", a=(5.0, 5.0))
    found = [(a.workshop, b.workshop) for a, b in pairs([third, other, T1, T0])]
    assert found == [("w2017", "w2019"), ("w2019", "w2021")]  # eis-lite has a single workshop: no pair


def test_different_versions_with_the_same_key_pair_up():
    # the key is what counts; eis-core@1 and eis-core@2 (a renamed dimension) still compare
    v2 = _assessed("w2019", "2019-05-01", key="eis-core", dimensions=("a", "d"), a=(3.0, 3.0), d=(2.0, 2.0))
    rows = progress("DK04", [T0, v2])
    assert [r.dimension for r in rows] == ["a", "b", "d", "overall"]
    assert rows[0].self_change == -1.0 and rows[0].peer_change == 0.0


def test_a_single_assessment_gives_no_rows():
    assert progress("DK04", [T0]) == []


# --- eis export progress ------------------------------------------------------------------------


def _second_workshop(bundle):
    first = bundle["workshops"][0]
    second = copy.deepcopy(first)
    second.update(slug="aarhus-2019", title="Aarhus again", starts="2019-05-01", ends="2019-05-02",
                  hot_seat=["DK04"], site_visits=[])
    second["assessments"] = [{"region": "DK04", "status": "submitted",
                              "answers": {"strategy.vision": {"score": 5}}}]
    second["reviews"] = [{"reviewer": "it@example.org", "region": "DK04", "status": "submitted",
                          "scores": {"strategy.vision": {"score": 4}}}]
    bundle["workshops"].append(second)
    unpublished = copy.deepcopy(second)
    unpublished.update(slug="aarhus-2021", starts="2021-05-01", ends="2021-05-02", status="closed")
    bundle["workshops"].append(unpublished)  # not published: not counted
    return bundle


def test_export_progress_csv(load, bundle, runner, tmp_path):
    load(_second_workshop(bundle))
    result = runner.invoke(args=["export", "progress", "DK04", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == list(COLUMNS)
    by_dimension = {r["dimension"]: r for r in rows}
    # hand-computed: DK04 self 4 → 5, peer 3 → 4 on strategy.vision, the only scored question
    assert by_dimension["strategy"] == {
        "region": "DK04", "dimension": "strategy", "t0_workshop": "aarhus-2017", "t1_workshop": "aarhus-2019",
        "self_t0": "4.0", "self_t1": "5.0", "self_change": "1.0", "peer_t0": "3.0", "peer_t1": "4.0",
        "peer_change": "1.0"}
    assert by_dimension["overall"]["self_change"] == "1.0" and by_dimension["overall"]["peer_change"] == "1.0"
    assert by_dimension["outreach"]["self_t0"] == "" and by_dimension["outreach"]["self_change"] == ""
    assert rows[-1]["dimension"] == "overall"
    assert {r["t1_workshop"] for r in rows} == {"aarhus-2019"}


def test_export_progress_json_to_a_file(load, bundle, runner, tmp_path):
    load(_second_workshop(bundle))
    out = tmp_path / "progress.json"
    result = runner.invoke(args=["export", "progress", "DK04", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    strategy = next(r for r in rows if r["dimension"] == "strategy")
    assert strategy["self_change"] == 1.0 and strategy["peer_t0"] == 3.0
    assert next(r for r in rows if r["dimension"] == "outreach")["peer_change"] is None
    assert "rows of DK04" in result.output


def test_export_progress_refuses_an_unknown_region(loaded, runner):
    result = runner.invoke(args=["export", "progress", "XX99", "--format", "csv"])
    assert result.exit_code == 1 and "unknown region" in result.output


def test_export_progress_of_a_region_assessed_once_is_the_header_only(loaded, runner):
    result = runner.invoke(args=["export", "progress", "IE04", "--format", "csv"])
    assert result.exit_code == 0 and result.output == ",".join(COLUMNS) + "\n"


# --- the progress page --------------------------------------------------------------------------


def _with_plan(bundle):
    bundle["workshops"][0]["action_plans"] = [{"region": "DK04", "status": "submitted", "actions": [{
        "title": "A KPI set", "background": "Set targets", "description": "Define KPIs", "players": "Agency",
        "starts": "2018-01-01", "ends": "2018-12-31", "costs": "€1", "funding": "ERDF", "dimension": "strategy",
        "indicator": "KPIs", "baseline": 0, "target": 5, "unit": "KPIs",
        "reports": [{"date": "2018-03-01", "status": "started"}, {"date": "2018-12-01", "status": "done"}]}]}]
    return bundle


def test_the_progress_page_shows_the_change_and_the_actions_aimed_at_each_dimension(load, bundle, client, login):
    load(_with_plan(_second_workshop(bundle)))
    login("dk@example.org")
    response = client.get("/action-plans/progress/DK04")
    html = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "Aarhus workshop → Aarhus again" in html
    assert _cells(html, "Strategy and governance") == ["4.00", "5.00", "+1.00", "3.00", "4.00", "+1.00", "A KPI set Done"]
    assert "/action-plans/aarhus-2019/DK04/progress.svg?v=" in html  # the dumbbell chart of the pair


def _cells(html, heading):
    """The texts of the cells of the table row headed ``heading``."""
    row = re.search(r"<tr[^>]*><th scope=\"row\">" + re.escape(heading) + r"</th>(.*?)</tr>", html).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_the_later_scorecard_shows_the_progress_block(load, bundle, client, login):
    load(_with_plan(_second_workshop(bundle)))
    login("dk@example.org")
    html = " ".join(client.get("/benchmark/workshops/aarhus-2019/regions/DK04").get_data(as_text=True).split())
    block = html[html.index('id="progress"'):html.index('id="learn-heading"')]
    assert "Progress since Aarhus workshop" in block
    assert _cells(block, "Strategy and governance") == ["4.00", "5.00", "+1.00", "3.00", "4.00", "+1.00", "A KPI set Done"]
    assert _cells(block, "Overall")[:3] == ["4.00", "5.00", "+1.00"]
    assert 'href="/action-plans/progress/DK04"' in block
    # the first workshop has nothing before it
    first = client.get("/benchmark/workshops/aarhus-2017/regions/DK04").get_data(as_text=True)
    assert 'id="progress"' not in first


def test_a_partner_sees_the_figures_but_not_the_plan_s_actions(load, bundle, client, login):
    load(_with_plan(_second_workshop(bundle)))
    login("ie@example.org")  # a partner region: sees the scorecard, did not review DK04 at T0
    html = " ".join(client.get("/benchmark/workshops/aarhus-2019/regions/DK04").get_data(as_text=True).split())
    block = html[html.index('id="progress"'):html.index('id="learn-heading"')]
    assert _cells(block, "Strategy and governance") == ["4.00", "5.00", "+1.00", "3.00", "4.00", "+1.00", ""]
    assert "A KPI set" not in block and "/action-plans/progress/DK04" not in block


def test_the_progress_chart(load, bundle, client, login):
    load(_with_plan(_second_workshop(bundle)))
    assert client.get("/action-plans/aarhus-2019/DK04/progress.svg").status_code in (302, 401, 403)  # anonymous
    login("ie@example.org")
    response = client.get("/action-plans/aarhus-2019/DK04/progress.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "DK04: self-assessment and peer mean at Aarhus workshop and at Aarhus again" in svg
    assert "Strategy and governance: Self-assessment then 4.00, now 5.00, Peer mean then 3.00, now 4.00" in svg
    again = client.get("/action-plans/aarhus-2019/DK04/progress.svg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/action-plans/aarhus-2017/DK04/progress.svg").status_code == 404  # no T0 before it
    assert client.get("/action-plans/aarhus-2021/DK04/progress.svg").status_code == 403  # not published


def test_the_scorecard_with_progress_runs_a_constant_number_of_queries(load, bundle, client, login, count_queries):
    bundle = _with_plan(_second_workshop(bundle))
    load(bundle)
    login("dk@example.org")
    url = "/benchmark/workshops/aarhus-2019/regions/DK04"
    client.get(url)  # fills the caches
    with count_queries() as before:
        client.get(url)
    plan = bundle["workshops"][0]["action_plans"][0]
    plan["actions"] = plan["actions"] * 4  # more actions, more reports: the same queries
    load(bundle)
    client.get(url)
    with count_queries() as after:
        client.get(url)
    assert len(after) == len(before), [q for q in after][:40]


@pytest.mark.parametrize("email, expected", [("dk@example.org", 200), ("admin@example.org", 200),
                                             ("it@example.org", 403), ("ie@example.org", 403)])
def test_who_sees_a_region_s_progress(load, bundle, client, login, email, expected):
    load(_second_workshop(bundle))
    login(email)
    assert client.get("/action-plans/progress/DK04").status_code == expected


def test_progress_of_a_region_assessed_once_says_so(loaded, client, login):
    login("ie@example.org")
    assert "progress shows once it is reviewed again" in client.get("/action-plans/progress/IE04").get_data(as_text=True)
    assert client.get("/action-plans/progress/XX99").status_code == 404


# --- the dumbbell chart --------------------------------------------------------------------------


def test_the_dumbbell_draws_missing_ends_and_is_cached_by_its_values():
    from eis_toolkit.benchmark import charts

    charts.cache_clear()
    args = (("Strategy", "Outreach", "Overall"), ((4.0, 5.0), (None, 3.0), (None, None)),
            ((3.0, 4.0), (2.5, None), (3.0, 3.5)), (1, 5), "DK04: then and now", charts.ChartWords())
    before = charts.renders
    svg = charts.progress_dumbbell(*args)
    assert svg.count("<svg") == 1 and 'role="img"' in svg and "<title id=\"chart-title\">DK04: then and now</title>" in svg
    assert ("Outreach: Self-assessment then no value, now 3.00, Peer mean then 2.50, now no value; "
            "Overall: Self-assessment then no value, now no value") in svg
    assert charts.progress_dumbbell(*args) == svg and charts.renders == before + 1  # drawn once

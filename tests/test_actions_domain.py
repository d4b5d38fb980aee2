"""The pure rules of action plans (eis_toolkit/actions/domain.py): what is missing before a plan
is submitted, the life cycle of an action, and the plan overview."""
from datetime import date

import pytest

from eis_toolkit.actions import domain
from eis_toolkit.actions.domain import BadReport, Missing

COMPLETE = {"background": "Peers: no KPIs", "title": "KPI set", "description": "Define five KPIs",
            "players": "Agency", "starts": date(2018, 1, 1), "ends": date(2018, 6, 30), "costs": "€10,000",
            "funding": "ERDF", "dimension_key": "strategy", "indicator": "KPIs in use", "baseline": 0.0,
            "target": 5.0, "unit": "KPIs"}


def test_a_complete_plan_misses_nothing():
    assert domain.missing_for_submit([COMPLETE, COMPLETE]) == []


def test_a_plan_without_actions_misses_its_actions():
    assert domain.missing_for_submit([]) == [Missing(None, "", "actions")]


def test_every_missing_field_is_listed_per_action_in_form_order():
    second = COMPLETE | {"players": "  ", "baseline": None, "unit": "", "title": "Second"}
    assert domain.missing_for_submit([COMPLETE, second]) == [
        Missing(2, "Second", "players"), Missing(2, "Second", "baseline"), Missing(2, "Second", "unit")]


def test_a_zero_baseline_is_a_value_not_a_gap():
    assert domain.missing_for_submit([COMPLETE | {"baseline": 0.0, "target": 0}]) == []


def test_an_action_ending_before_it_starts_is_listed():
    wrong = COMPLETE | {"starts": date(2018, 6, 1), "ends": date(2018, 5, 1)}
    assert domain.missing_for_submit([wrong]) == [Missing(1, "KPI set", "dates")]


def test_an_empty_action_misses_every_required_field():
    assert [m.field for m in domain.missing_for_submit([{}])] == list(domain.REQUIRED_FIELDS)


def test_the_status_is_the_latest_report_s():
    assert domain.current_status([]) == "planned"
    assert domain.current_status(["started", "started", "done"]) == "done"


@pytest.mark.parametrize("current, new", [
    ("planned", "started"), ("planned", "planned"), ("planned", "dropped"), ("started", "started"),
    ("started", "done"), ("started", "dropped")])
def test_allowed_transitions(current, new):
    domain.check_report(current, new, reason="no budget")


@pytest.mark.parametrize("current, new", [
    ("planned", "done"), ("started", "planned"), ("done", "started"), ("done", "done"), ("dropped", "started"),
    ("dropped", "dropped")])
def test_refused_transitions(current, new):
    with pytest.raises(BadReport, match="cannot become"):
        domain.check_report(current, new, reason="x")


def test_unknown_status_is_refused():
    with pytest.raises(BadReport, match="unknown status"):
        domain.check_report("planned", "finished")


@pytest.mark.parametrize("reason", ["", "   "])
def test_dropping_needs_a_reason(reason):
    with pytest.raises(BadReport, match="reason"):
        domain.check_report("started", "dropped", reason)


def test_a_report_is_not_dated_before_the_latest():
    with pytest.raises(BadReport, match="before the latest"):
        domain.check_report("started", "done", reported_on=date(2018, 1, 1), last_reported_on=date(2018, 2, 1))
    domain.check_report("started", "done", reported_on=date(2018, 2, 1), last_reported_on=date(2018, 2, 1))


TODAY = date(2018, 6, 1)


@pytest.mark.parametrize("status, starts, ends, expected", [
    ("done", date(2017, 1, 1), date(2017, 2, 1), "done"),  # done late is done
    ("dropped", None, None, "dropped"),
    ("started", date(2018, 1, 1), date(2018, 5, 31), "late"),  # end passed
    ("started", date(2018, 1, 1), date(2018, 6, 1), "on_time"),  # ends today
    ("planned", date(2018, 5, 1), date(2018, 12, 1), "late"),  # should have started
    ("planned", date(2018, 6, 1), date(2018, 12, 1), "on_time"),  # starts today
    ("planned", None, None, "on_time"),
])
def test_timing(status, starts, ends, expected):
    assert domain.timing(status, starts, ends, TODAY) == expected


def test_the_overview_counts_each_kind():
    found = domain.overview([("done", None, None), ("dropped", None, None), ("started", None, date(2018, 1, 1)),
                             ("started", None, date(2019, 1, 1)), ("planned", None, None)], TODAY)
    assert (found.on_time, found.late, found.done, found.dropped, found.total) == (2, 1, 1, 1, 5)

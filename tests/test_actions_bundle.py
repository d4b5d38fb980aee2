"""Action plans in bundles (workshops[].action_plans): loading, idempotence, updates, and clear
errors naming the field path."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eis_toolkit.bundles.validate import BundleError
from eis_toolkit.extensions import db
from eis_toolkit.models import Action, ActionPlan, ProgressReport

ACTION = {"title": "A KPI set", "background_kind": "recommendation", "background": "Set targets",
          "description": "Define five KPIs", "players": "The agency", "starts": "2018-01-01", "ends": "2018-12-31",
          "costs": "€20,000", "funding": "ERDF", "dimension": "strategy", "indicator": "KPIs in use",
          "baseline": 0, "target": 5, "unit": "KPIs",
          "reports": [{"date": "2018-03-01", "status": "started", "current_value": 2},
                      {"date": "2018-12-20", "status": "done", "current_value": 5, "note": "All five"}]}


def _with_plan(bundle, **plan):
    bundle["workshops"][0]["action_plans"] = [{"region": "DK04", "status": "submitted",
                                               "policy_context": "ROP axis 3", "actions": [ACTION]} | plan]
    return bundle


def test_a_plan_loads_and_loading_it_again_changes_nothing(load, bundle):
    counts = load(_with_plan(bundle))
    assert counts["action plan created"] == 1 and counts["action created"] == 1
    assert counts["progress report created"] == 2
    plan = db.session.scalar(select(ActionPlan))
    assert str(plan.status) == "submitted" and plan.submitted_at and plan.policy_context == "ROP axis 3"
    action = plan.actions[0]
    assert (action.dimension_key, action.baseline, action.target, str(action.background_kind)) == (
        "strategy", 0, 5, "recommendation")
    assert [(str(r.status), r.current_value) for r in action.reports] == [("started", 2), ("done", 5)]
    again = load(_with_plan(bundle))
    assert {k: v for k, v in again.items() if k.startswith(("action", "progress"))} == {}


def test_a_plan_keeps_the_date_of_submission_the_bundle_gives(load, bundle):
    load(_with_plan(bundle, submitted_at="2017-11-30"))
    assert db.session.scalar(select(ActionPlan.submitted_at)).date().isoformat() == "2017-11-30"
    again = load(_with_plan(bundle, submitted_at="2017-11-30"))
    assert {k: v for k, v in again.items() if k.startswith("action")} == {}


def test_a_changed_bundle_updates_and_removes_what_it_no_longer_lists(load, bundle):
    load(_with_plan(bundle))
    changed = ACTION | {"players": "The agency and the chamber", "reports": ACTION["reports"][:1]}
    counts = load(_with_plan(bundle, actions=[changed]))
    assert counts["action updated"] == 1 and counts["progress report deleted"] == 1
    assert db.session.scalar(select(Action.players)) == "The agency and the chamber"
    assert len(db.session.scalars(select(ProgressReport.id)).all()) == 1


@pytest.mark.parametrize("plan, path, message", [
    ({"region": "ITC4"}, "workshops[0].action_plans[0].region", "not in the hot seat"),
    ({"status": "approved"}, "workshops[0].action_plans[0].status", "not one of"),
    ({"status": "draft", "actions": [ACTION | {"reports": []}], "submitted_at": "2017-11-30"},
     "workshops[0].action_plans[0].submitted_at", "only a submitted plan"),
    ({"submitted_at": "30/11/2017"}, "workshops[0].action_plans[0].submitted_at", "YYYY-MM-DD"),
    ({"actions": [ACTION | {"players": ""}]}, "workshops[0].action_plans[0].actions[0].players",
     "required in a submitted plan"),
    ({"actions": []}, "workshops[0].action_plans[0].actions", "at least one action"),
    ({"actions": [ACTION | {"dimension": "nowhere"}]}, "workshops[0].action_plans[0].actions[0].dimension",
     "no dimension"),
    ({"actions": [ACTION | {"baseline": "zero"}]}, "workshops[0].action_plans[0].actions[0].baseline",
     "not a number"),
    ({"actions": [ACTION | {"reports": [{"date": "2018-01-01", "status": "done"}]}]},
     "workshops[0].action_plans[0].actions[0].reports[0].status", "cannot become done"),
    ({"actions": [ACTION | {"reports": [{"date": "2018-01-01", "status": "dropped"}]}]},
     "workshops[0].action_plans[0].actions[0].reports[0].reason", "needs the reason"),
    ({"status": "draft", "actions": [ACTION]}, "workshops[0].action_plans[0].actions[0].reports",
     "submitted plan"),
    ({"actions": [ACTION | {"colour": "red"}]}, "workshops[0].action_plans[0].actions[0].colour", "unknown field"),
])
def test_errors_name_the_field(load, bundle, plan, path, message):
    with pytest.raises(BundleError) as raised:
        load(_with_plan(bundle, **plan))
    assert any(p.path == path and message in p.message for p in raised.value.problems), raised.value.problems
    assert db.session.scalar(select(ActionPlan.id)) is None


def test_plans_need_a_published_workshop(load, bundle):
    _with_plan(bundle)["workshops"][0]["status"] = "closed"
    with pytest.raises(BundleError) as raised:
        load(bundle)
    assert any(p.path == "workshops[0].action_plans" and "published" in p.message for p in raised.value.problems)


def test_a_draft_plan_may_be_incomplete(load, bundle):
    load(_with_plan(bundle, status="draft", actions=[{"title": "Just an idea"}]))
    assert str(db.session.scalar(select(ActionPlan.status))) == "draft"


def test_a_reload_keeps_what_it_leaves_out(load, bundle):
    load(_with_plan(bundle, status="draft", actions=[{k: v for k, v in ACTION.items() if k != "reports"}]))
    counts = load(_with_plan(bundle, status="draft", actions=[{"title": "A KPI set"}]))
    assert {k: v for k, v in counts.items() if k.startswith("action")} == {}
    action = db.session.scalar(select(Action))
    assert (action.players, action.baseline, action.dimension_key) == ("The agency", 0, "strategy")

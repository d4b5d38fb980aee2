"""Action plans in a bundle (docs/bundle-format.md, ``workshops[].action_plans``): the checks,
called by ``bundles/validate.py``, and the writing, called by ``bundles/load.py``. Actions and
their progress reports are matched by position, so that loading a bundle twice changes nothing
and a changed bundle updates what it names (the listed actions and reports are the whole list)."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from ..columns import utcnow
from ..extensions import db
from . import domain
from .models import Action, ActionPlan, ActionStatus, BackgroundKind, PlanStatus, ProgressReport

ACTION_TEXTS = ("background_ref", "background", "title", "description", "players", "costs", "funding", "indicator",
                "unit")
ACTION_FIELDS = ACTION_TEXTS + ("background_kind", "starts", "ends", "dimension", "baseline", "target", "reports")
LENGTHS = {"title": 200, "background_ref": 200, "indicator": 300, "unit": 64}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check(checker, plans, path: str, hot_seat: list, questionnaire, workshop_status) -> None:
    """Add a problem to ``checker`` for everything wrong in a workshop's ``action_plans``."""
    plans = checker.items(plans, path)
    if plans and workshop_status != "published":
        checker.problem(path, "action plans follow a published workshop: set the workshop's status to published")
    checker.unique(plans, "region", path)
    dimensions = {d.key for d in questionnaire.dimensions} if questionnaire is not None else None
    for i, plan in enumerate(plans):
        plan_path = f"{path}[{i}]"
        if checker.mapping(plan, plan_path, ("region",), ("status", "policy_context", "submitted_at", "actions")) is None:
            continue
        region = plan.get("region")
        checker.region(plan, "region", plan_path)
        if isinstance(region, str) and region not in hot_seat:
            checker.problem(f"{plan_path}.region", f"{region!r} is not in the hot seat of this workshop")
        checker.choice(plan, "status", plan_path, [s.value for s in PlanStatus])
        checker.text(plan, "policy_context", plan_path)
        submitted = plan.get("status") == "submitted"
        if checker.date(plan, "submitted_at", plan_path) and not submitted:
            checker.problem(f"{plan_path}.submitted_at", "only a submitted plan has a date of submission")
        actions = checker.items(plan.get("actions"), f"{plan_path}.actions")
        values = []
        for j, action in enumerate(actions):
            action_path = f"{plan_path}.actions[{j}]"
            if checker.mapping(action, action_path, ("title",), ACTION_FIELDS) is None:
                values.append({})
                continue
            values.append(_check_action(checker, action, action_path, dimensions, submitted))
        if submitted:
            for missing in domain.missing_for_submit(values):
                if missing.action is None:
                    checker.problem(f"{plan_path}.actions", "a submitted plan needs at least one action")
                elif missing.field == "dates":
                    checker.problem(f"{plan_path}.actions[{missing.action - 1}].ends", "ends before it starts")
                else:
                    name = "dimension" if missing.field == "dimension_key" else missing.field
                    checker.problem(f"{plan_path}.actions[{missing.action - 1}].{name}",
                                    "is required in a submitted plan")


def _check_action(checker, action: dict, path: str, dimensions, submitted: bool) -> dict:
    for name in ACTION_TEXTS:
        checker.text(action, name, path, LENGTHS.get(name))
    checker.choice(action, "background_kind", path, [k.value for k in BackgroundKind])
    starts, ends = checker.date(action, "starts", path), checker.date(action, "ends", path)
    if starts and ends and ends < starts and not submitted:
        checker.problem(f"{path}.ends", "ends before it starts")
    for name in ("baseline", "target"):
        if action.get(name) is not None and not _number(action[name]):
            checker.problem(f"{path}.{name}", f"{action[name]!r} is not a number")
    dimension = action.get("dimension")
    if dimension is not None and dimensions is not None and dimension not in dimensions:
        checker.problem(f"{path}.dimension", f"the workshop's questionnaire has no dimension {dimension!r}")
    reports = checker.items(action.get("reports"), f"{path}.reports")
    if reports and not submitted:
        checker.problem(f"{path}.reports", "progress is reported on a submitted plan")
    status, last = "planned", None
    for k, report in enumerate(reports):
        report_path = f"{path}.reports[{k}]"
        if checker.mapping(report, report_path, ("date", "status"), ("current_value", "note", "reason")) is None:
            continue
        day = checker.date(report, "date", report_path)
        checker.text(report, "note", report_path)
        checker.text(report, "reason", report_path)
        if report.get("current_value") is not None and not _number(report["current_value"]):
            checker.problem(f"{report_path}.current_value", f"{report['current_value']!r} is not a number")
        new = report.get("status")
        try:
            domain.check_report(status, new if isinstance(new, str) else "", report.get("reason") or "", day, last)
        except domain.BadReport as error:
            field = error.code if error.code in ("date", "reason") else "status"
            checker.problem(f"{report_path}.{field}", str(error))
        else:
            status, last = new, day or last
    values = {name: action.get(name) for name in domain.REQUIRED_FIELDS}
    values["dimension_key"] = dimension
    values["starts"], values["ends"] = starts, ends
    return values


def _date(value) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def write(writer, workshop, plans: list[dict]) -> None:
    """Create or update the workshop's plans named in the bundle (``writer`` is the bundle's
    writer: its ``_set`` counts what was created or updated)."""
    existing = {p.region_id: p for p in workshop_plans(workshop)}
    for entry in plans:
        region = writer.regions[entry["region"]]
        plan = existing.get(region.id) or ActionPlan(workshop=workshop, region=region)
        writer._set(plan, "action plan", **writer._optional(
            entry, plan.id is None, {"status": PlanStatus, "policy_context": lambda t: t or ""},
            status=PlanStatus.DRAFT, policy_context=""))
        if entry.get("submitted_at"):
            plan.submitted_at = datetime.combine(_date(entry["submitted_at"]), time(12))
        elif plan.status == PlanStatus.SUBMITTED and plan.submitted_at is None:
            plan.submitted_at = utcnow()
        if "actions" not in entry:
            continue
        given_actions = entry.get("actions") or []
        for position, given in enumerate(given_actions, start=1):
            action = plan.actions[position - 1] if position <= len(plan.actions) else Action()
            given = dict(given)
            if "dimension" in given:
                given["dimension_key"] = given.pop("dimension")
            texts = {name: "" for name in ACTION_TEXTS if name != "title"}
            writer._set(action, "action", plan=plan, position=position, title=given["title"], **writer._optional(
                given, action.id is None,
                {"background_kind": lambda k: BackgroundKind(k) if k else None, "starts": _date, "ends": _date,
                 "dimension_key": lambda k: k or "", **{name: (lambda t: t or "") for name in texts}},
                background_kind=None, starts=None, ends=None, dimension_key="", baseline=None, target=None,
                **texts))
            if "reports" not in given:
                continue
            given_reports = given.get("reports") or []
            for k, report in enumerate(given_reports):
                found = action.reports[k] if k < len(action.reports) else ProgressReport()
                writer._set(found, "progress report", action=action, reported_on=_date(report["date"]),
                            status=ActionStatus(report["status"]), **writer._optional(
                                report, found.id is None, {"note": lambda t: t or "", "reason": lambda t: t or ""},
                                current_value=None, note="", reason=""))
            for stale in action.reports[len(given_reports):]:
                action.reports.remove(stale)
                writer.counts["progress report deleted"] += 1
        for stale in plan.actions[len(given_actions):]:
            plan.actions.remove(stale)
            writer.counts["action deleted"] += 1


def workshop_plans(workshop) -> list[ActionPlan]:
    if workshop.id is None:
        return []
    return list(db.session.scalars(select(ActionPlan).where(ActionPlan.workshop_id == workshop.id)))

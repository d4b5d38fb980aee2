"""The rules of action plans as pure functions over plain values (no Flask, no session).

* :func:`missing_for_submit` — what a draft plan still lacks before it may be submitted;
* :data:`TRANSITIONS` / :func:`allowed_next` / :func:`check_report` — the life cycle of an action
  (``planned → started → done``, or ``dropped`` with a reason);
* :func:`overview` — the plan-level count of actions on time, late, done and dropped.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

#: The fields every action needs before its plan is submitted, in the order of the form.
REQUIRED_FIELDS = ("background", "title", "description", "players", "starts", "ends", "costs", "funding",
                   "dimension_key", "indicator", "baseline", "target", "unit")

#: status → the statuses a next progress report may give. A report may repeat the status (a new
#: reading of the indicator); ``done`` and ``dropped`` are final.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "planned": frozenset({"planned", "started", "dropped"}),
    "started": frozenset({"started", "done", "dropped"}),
    "done": frozenset(),
    "dropped": frozenset(),
}


@dataclass(frozen=True)
class Missing:
    """One thing a plan lacks: ``action`` is the action's number (1-based) or None for the plan."""

    action: int | None
    title: str
    field: str  # a name of REQUIRED_FIELDS, or "actions" (the plan has none) or "dates" (ends before starts)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_for_submit(actions: Iterable[Mapping]) -> list[Missing]:
    """Everything the plan lacks, plan first then action by action and field by field; empty when
    it may be submitted. ``actions`` are mappings with the keys of :data:`REQUIRED_FIELDS`."""
    actions = list(actions)
    if not actions:
        return [Missing(None, "", "actions")]
    found = []
    for number, action in enumerate(actions, start=1):
        title = (action.get("title") or "").strip()
        found.extend(Missing(number, title, name) for name in REQUIRED_FIELDS if _empty(action.get(name)))
        starts, ends = action.get("starts"), action.get("ends")
        if starts and ends and ends < starts:
            found.append(Missing(number, title, "dates"))
    return found


def current_status(report_statuses: Iterable[str]) -> str:
    """An action's status: that of its latest report (in date order), ``planned`` before any."""
    status = "planned"
    for status in report_statuses:
        pass
    return str(status)


def allowed_next(status: str) -> frozenset[str]:
    return TRANSITIONS.get(str(status), frozenset())


class BadReport(ValueError):
    """A progress report that the life cycle refuses; the message says why and ``code`` names the
    rule (``status``, ``transition``, ``reason`` or ``date``) for a translated message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_report(current: str, new: str, reason: str = "", reported_on: date | None = None,
                 last_reported_on: date | None = None) -> None:
    """Raise :class:`BadReport` unless a report moving an action from ``current`` to ``new`` is
    allowed: a known transition, a reason for ``dropped``, not dated before the latest report."""
    if new not in TRANSITIONS:
        raise BadReport("status", f"unknown status {new!r}")
    if new not in allowed_next(current):
        raise BadReport("transition", f"an action that is {current} cannot become {new}")
    if new == "dropped" and _empty(reason):
        raise BadReport("reason", "a dropped action needs the reason")
    if reported_on and last_reported_on and reported_on < last_reported_on:
        raise BadReport("date", "a report cannot be dated before the latest one")


@dataclass(frozen=True)
class Overview:
    on_time: int
    late: int
    done: int
    dropped: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.done + self.dropped


def timing(status: str, starts: date | None, ends: date | None, today: date) -> str:
    """``done``, ``dropped``, ``late`` (its end date has passed, or its start date while still
    planned) or ``on_time``."""
    if status in ("done", "dropped"):
        return status
    if ends is not None and today > ends:
        return "late"
    if status == "planned" and starts is not None and today > starts:
        return "late"
    return "on_time"


def overview(actions: Iterable[tuple[str, date | None, date | None]], today: date) -> Overview:
    """Count the plan's actions, given as (status, starts, ends), by :func:`timing`."""
    counts = {"on_time": 0, "late": 0, "done": 0, "dropped": 0}
    for status, starts, ends in actions:
        counts[timing(status, starts, ends, today)] += 1
    return Overview(**counts)

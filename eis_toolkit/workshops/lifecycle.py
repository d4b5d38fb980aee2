"""The workshop's life cycle ``planned → open → closed → published``.

Each step is an *action* (``open``, ``close``, ``publish``). :func:`check` says, before anything
changes, why an action is refused, what the host should know, and whether the host must confirm;
:func:`apply` does it (or raises :class:`TransitionRefused`) and records it in the audit trail.
The guards are documented in docs/workshops.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import audit
from ..mail import notify
from ..extensions import db
from ..i18n import status_label
from ..models import AssessmentStatus, ReviewStatus, User, Workshop, WorkshopStatus
from .assignment import MIN_REVIEWERS, country_warnings
from .services import (WorkshopError, ensure_assessments, ensure_review, existing_pairs,
                       hot_seat_infos)

#: action → (from, to)
ACTIONS: dict[str, tuple[WorkshopStatus, WorkshopStatus]] = {
    "open": (WorkshopStatus.PLANNED, WorkshopStatus.OPEN),
    "close": (WorkshopStatus.OPEN, WorkshopStatus.CLOSED),
    "publish": (WorkshopStatus.CLOSED, WorkshopStatus.PUBLISHED),
}

LABELS = {"open": _l("Open the review round"), "close": _l("Close the review round"), "publish": _l("Publish the results")}


class TransitionRefused(WorkshopError):
    """An action that cannot be taken now; ``reasons`` says why."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(" ".join(reasons))


@dataclass
class Check:
    action: str
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Drafts would be left out: the host must confirm explicitly.
    needs_confirmation: bool = False

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def label(self) -> str:
        return str(LABELS[self.action])


def next_action(workshop: Workshop) -> str | None:
    """The action that moves the workshop on, or None once published."""
    return next((action for action, (source, _) in ACTIONS.items() if source == workshop.status), None)


def check(workshop: Workshop, action: str) -> Check:
    """Why ``action`` is refused, what the host should know, whether it needs confirming."""
    if action not in ACTIONS:
        raise KeyError(action)
    source, target = ACTIONS[action]
    result = Check(action)
    if workshop.status != source:
        result.refusals.append(_("The workshop is %(status)s; only a %(source)s workshop can be %(target)s.",
                                  status=status_label(workshop.status), source=status_label(source),
                                  target=status_label(target)))
        return result
    getattr(_Guards(workshop), action)(result)
    return result


class _Guards:
    def __init__(self, workshop: Workshop):
        self.workshop = workshop

    def open(self, result: Check) -> None:
        workshop = self.workshop
        if not workshop.hot_seat:
            result.refusals.append(_("The workshop has no hot-seat region yet: choose at least one on the "
                                     "workshop's Edit page before opening the review round."))
        assessments = {a.region_id: a for a in workshop.assessments}
        reviewers = {region.id: 0 for region in workshop.hot_seat}
        for assignment in workshop.assignments:
            reviewers[assignment.region_id] = reviewers.get(assignment.region_id, 0) + 1
        for region in workshop.hot_seat:
            assessment = assessments.get(region.id)
            if assessment is None:
                result.refusals.append(_("%(region)s has no self-assessment yet.", region=region.code))
            elif assessment.status != AssessmentStatus.SUBMITTED:
                result.refusals.append(_("%(region)s has not submitted its self-assessment yet.", region=region.code))
            if reviewers[region.id] < MIN_REVIEWERS:
                result.refusals.append(ngettext("%(region)s has %(num)d reviewer; at least %(min)d are needed.",
                                                "%(region)s has %(num)d reviewers; at least %(min)d are needed.",
                                                reviewers[region.id], region=region.code, min=MIN_REVIEWERS))
        result.warnings.extend(country_warnings(hot_seat_infos(workshop), existing_pairs(workshop)))

    def close(self, result: Check) -> None:
        submitted = {region.id: 0 for region in self.workshop.hot_seat}
        drafts = []
        for assignment in self.workshop.assignments:
            review = assignment.review
            if review is not None and review.status == ReviewStatus.SUBMITTED:
                submitted[assignment.region_id] = submitted.get(assignment.region_id, 0) + 1
            else:
                drafts.append(assignment)
        for region in self.workshop.hot_seat:
            if not submitted[region.id]:
                result.refusals.append(_("%(region)s has no submitted review yet: there would be "
                                         "nothing to publish for it.", region=region.code))
        if drafts:
            result.needs_confirmation = True
            names = ", ".join(f"{a.reviewer.name} → {a.region.code}" for a in drafts)
            result.warnings.append(ngettext("%(num)d review is not submitted and will be left out of the results: %(names)s.",
                                            "%(num)d reviews are not submitted and will be left out of the results: %(names)s.",
                                            len(drafts), names=names))

    def publish(self, result: Check) -> None:
        result.warnings.append(_("The reviewed regions will read their peer reviews, with the reviewers' names.")
                               if self.workshop.show_reviewer_names else
                               _("The reviewed regions will read their peer reviews, without the reviewers' names."))


def apply(workshop: Workshop, action: str, user: User | None = None, confirmed: bool = False) -> Check:
    """Take ``action``; raise :class:`TransitionRefused` when a guard refuses or confirmation is missing."""
    result = check(workshop, action)
    if not result.allowed:
        raise TransitionRefused(result.refusals)
    if result.needs_confirmation and not confirmed:
        raise TransitionRefused([_("Confirm that the reviews not submitted will be left out.")])
    source, target = ACTIONS[action]
    detail = {"from": source.value, "to": target.value}
    if action == "open":
        ensure_assessments(workshop)
        for assignment in workshop.assignments:
            ensure_review(assignment)
    elif action == "close":
        detail["left_out"] = sum(1 for a in workshop.assignments
                                 if a.review is None or a.review.status != ReviewStatus.SUBMITTED)
    workshop.status = target
    db.session.flush()
    audit.record(f"workshop.{action}", workshop, user, **detail)
    if action == "open":
        notify.workshop_opened(workshop)
    elif action == "publish":
        notify.workshop_published(workshop)
    return result

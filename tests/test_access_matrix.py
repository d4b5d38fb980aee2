"""Every route of the app × every kind of person (#13): generated from the URL map, so that a new
route fails here until someone says who may use it.

The scenario: workshop aarhus-2017, **closed** (reviews in, not published), DK04 and IE04 in the
hot seat. DK04 was reviewed by ITC4's reviewer (submitted) and IE04's (a draft). The host works
for DK04, so before publication they are held to a reviewer's rule for DK04 (and for the
workshop's benchmark). The workshop's host from a region outside the hot seat meets the same
routes in tests/test_access_matrix_host.py (kind ``HOST``). Each (route, person) runs its one
request in a test of its own, from the scenario built once for the module, rolled back.

What is asserted: nobody gets a 500; those not in a route's ``allowed`` set are sent to log in
(anonymous) or refused (403/404, or 401 for a script's JSON); those in it are not. The finer
rules (what each page shows) are the matrices of test_workshop_visibility.py,
test_reports_region.py, test_catalogue_practices.py and test_conflict_of_interest.py.
"""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from eis_toolkit import create_app
from eis_toolkit.extensions import db
from tests.conftest import SMALL_BUNDLE

KINDS = ("anonymous", "member", "other_member", "reviewer_submitted", "reviewer_draft", "reviewer_unassigned",
         "host_in_hot_seat", "admin")
#: The workshop's host from a region outside the hot seat. A workshop's hosts work for its host
#: region, so no workshop has both kinds of host: this kind meets the same routes in the same
#: scenario with the workshop hosted by ITC4 (tests/test_access_matrix_host.py).
HOST = "host"
EMAILS = {"member": "dk@example.org", "other_member": "plain.itc4@example.org",
          "reviewer_submitted": "it@example.org", "reviewer_draft": "ie@example.org",
          "reviewer_unassigned": "free.itc4@example.org", "host_in_hot_seat": "host@example.org",
          "admin": "admin@example.org", HOST: "host.itc4@example.org"}
EXTRA_PEOPLE = [
    {"email": "plain.itc4@example.org", "name": "Pia Plain", "region": "ITC4", "roles": ["region"],
     "password": "region-pass"},
    {"email": "free.itc4@example.org", "name": "Fred Free", "region": "ITC4", "roles": ["reviewer"],
     "password": "review-pass"},
    {"email": "host.itc4@example.org", "name": "Iris Host", "region": "ITC4", "roles": ["host", "region"],
     "password": "host-pass"},
]
EXTRA_PASSWORDS = {p["email"]: p["password"] for p in EXTRA_PEOPLE}

EVERYONE = set(KINDS) | {HOST}
LOGGED_IN = EVERYONE - {"anonymous"}
ADMIN = {"admin"}
HOSTS = {"host_in_hot_seat", HOST, "admin"}
REVIEWERS = {"reviewer_submitted", "reviewer_draft", "reviewer_unassigned"}
#: Who runs the DK04 part of the closed workshop: the DK04 host waits for publication.
RUNS_DK04 = {HOST, "admin"}

#: endpoint → who may use it in the scenario. A new route must be added here.
ALLOWED = {
    "main.index": EVERYONE, "main.dashboard": LOGGED_IN, "main.language": EVERYONE,
    "accounts.login": EVERYONE, "accounts.logout": LOGGED_IN,
    "accounts.password_change": LOGGED_IN, "accounts.password_forgot": EVERYONE,
    "accounts.password_reset": EVERYONE,  # a token that does not work: 400 for everyone
    "accounts.invitation": EVERYONE,  # the same
    # The host (of DK04) invites for their programme's regions; dk@example.org has a password: refused
    # with a message (a redirect), for those allowed to ask.
    "accounts.invite": HOSTS, "accounts.reinvite": HOSTS,
    "mail.preferences": LOGGED_IN, "mail.outbox": ADMIN, "mail.outbox_message": ADMIN,
    "static": EVERYONE,
    # admin pages
    "admin.people": ADMIN, "admin.person_edit": ADMIN, "admin.person_new": ADMIN,
    "admin.regions": ADMIN, "admin.region_edit": ADMIN, "admin.region_new": ADMIN,
    "admin.programmes": ADMIN, "admin.programme_new": ADMIN, "admin.programme_edit": ADMIN,
    "admin.programme_partner_add": ADMIN, "admin.programme_partner_remove": ADMIN, "admin.programme_delete": ADMIN,
    # self-assessments: DK04's, submitted (members read it; reviewers of DK04 and hosts too)
    "assessments.index": {"member", "other_member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST},
    "assessments.overview": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST, "admin"},
    "assessments.compare": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST, "admin"},
    "assessments.print_view": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST, "admin"},
    "assessments.workbook_download": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST,
                                      "admin"},
    "assessments.evidence": set(),  # no file in the scenario: 404 for those who may see, refused for others
    # submitted: read-only pages for those who may see it; nobody saves
    "assessments.dimension": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST, "admin"},
    "assessments.autosave": set(),
    "assessments.submit": set(),
    "assessments.carry_over": set(),  # submitted: 409 for its members, refused for the rest
    "assessments.workbook_upload": set(),
    "assessments.workbook_resolve": set(),
    "assessments.reopen": HOSTS,
    "assessments.session_token": LOGGED_IN,
    # benchmark: closed, so those who run DK04's part only; the DK04 host waits for publication
    "benchmark.index": LOGGED_IN, "benchmark.programme_page": LOGGED_IN,
    "benchmark.programme_heatmap": RUNS_DK04,  # only they count the closed workshop: 404 (nothing to draw) else
    "benchmark.workshop_page": RUNS_DK04, "benchmark.workshop_export": RUNS_DK04,
    "benchmark.workshop_heatmap": RUNS_DK04,
    "benchmark.scorecard": RUNS_DK04, "benchmark.scorecard_chart": RUNS_DK04, "benchmark.scorecard_export": RUNS_DK04,
    "reports.workshop_report": RUNS_DK04, "reports.region_report": RUNS_DK04,
    "reports.catalogue_report": EVERYONE,
    # the public catalogue and the self-check
    "catalogue.index": EVERYONE, "catalogue.index_csv": EVERYONE, "catalogue.index_json": EVERYONE,
    "catalogue.index_xlsx": EVERYONE,
    "catalogue.deadlines_ics": EVERYONE, "catalogue.practice": EVERYONE,
    "catalogue.self_check": EVERYONE, "catalogue.self_check_results": EVERYONE,
    "catalogue.self_check_results_json": EVERYONE,
    # practice editing: ITC4's published practice; its region's members and the moderators
    "catalogue.manage": {"other_member", "reviewer_submitted", "member", "reviewer_draft", "host_in_hot_seat", HOST,
                         "admin"},
    "catalogue.new": {"member", "other_member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST,
                      "admin"},
    "catalogue.edit": {"other_member", "reviewer_submitted", "host_in_hot_seat", HOST, "admin"},
    "catalogue.moderate": {"host_in_hot_seat", HOST, "admin"},
    # reviewing
    "workshops.inbox": REVIEWERS | {"reviewer_submitted"},
    "workshops.review": {"reviewer_submitted"} | RUNS_DK04,  # it@'s review of DK04 (the DK04 host: no)
    "workshops.review_dimension": {"reviewer_submitted"} | RUNS_DK04,
    "workshops.review_general": {"reviewer_submitted"} | RUNS_DK04,
    "workshops.review_submit": set(),  # submitted, and the round closed: there is nothing to confirm
    "workshops.autosave": set(),  # the review is submitted and the round closed: nobody edits it
    "workshops.nomination_add": set(), "workshops.nomination_delete": set(), "workshops.ratings": set(),
    # hosting
    "workshops.index": LOGGED_IN,
    "workshops.new": HOSTS,
    "workshops.detail": HOSTS, "workshops.edit": HOSTS, "workshops.delete": HOSTS, "workshops.assessments_start": HOSTS,
    "workshops.assignment_add": HOSTS, "workshops.assignment_remove": HOSTS,
    "workshops.import_scores": HOSTS, "workshops.import_template": HOSTS, "workshops.import_template_xlsx": HOSTS,
    "workshops.live_screen": HOSTS, "workshops.live_data": HOSTS, "workshops.live_reveal": HOSTS,
    # the live screen on one's own device: the workshop's reviewers, the hot-seat regions' members (DK04's
    # dk@, IE04's ie@), hosts; not a reviewer without an assignment here, nor a region outside the hot seat
    "workshops.live_view": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST, "admin"},
    "workshops.live_view_data": {"member", "reviewer_submitted", "reviewer_draft", "host_in_hot_seat", HOST, "admin"},
    "workshops.nominations": HOSTS, "workshops.nomination_moderate": RUNS_DK04,  # a DK04 nomination
    "workshops.site_visit_edit": HOSTS, "workshops.site_visit_delete": HOSTS, "workshops.site_visit_new": HOSTS,
    "workshops.transition": HOSTS, "workshops.suggest_reviewers": HOSTS,
    # DK04's peer reviews: those who run DK04's part, and DK04's reviewer who submitted; IE04's draft
    # reviewer has not
    "workshops.results": {"reviewer_submitted"} | RUNS_DK04,
    "workshops.results_export": {"reviewer_submitted"} | RUNS_DK04,
    # action plans follow publication: the workshop is closed, so nobody has one yet
    # (tests/test_actions_pages.py has the published matrix)
    "actions.plan": set(), "actions.action_new": set(), "actions.action_edit": set(),
    "actions.action_delete": set(), "actions.submit": set(), "actions.progress": set(), "actions.comment": set(),
    # DK04's progress: its members (not ITC4's host)
    "actions.region_progress": {"member", "host_in_hot_seat", "admin"},
    # the action plan's PDF: exactly who may read the plan (tests/test_reports_action_plan.py has the
    # published matrix)
    "reports.action_plan_report": set(),
    "actions.progress_chart": set(),  # the change up to a published workshop: not yet
}

#: Refused requests where the address says nothing about the object may answer 404 as well as 403.
NOT_FOUND_IS_REFUSAL = {"catalogue.edit", "catalogue.moderate", "assessments.evidence", "workshops.nomination_moderate",
                        "benchmark.programme_heatmap"}


def _rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint)


RULES = _rules()


def test_every_route_says_who_may_use_it():
    endpoints = {rule.endpoint for rule in RULES}
    assert endpoints - set(ALLOWED) == set(), "new routes: add them to ALLOWED with who may use them"
    assert set(ALLOWED) - endpoints == set(), "routes that no longer exist"


@pytest.fixture(scope="module")
def scenario(shared_data):
    """Built once for the module: every case starts from it and is rolled back."""
    return shared_data(build_scenario)


def build_scenario(host_region: str = "DK04") -> dict:
    from eis_toolkit.bundles.load import load_bundle
    from eis_toolkit.models import (Assessment, Nomination, Programme, Region, ReviewerAssignment, SiteVisit, User)

    bundle = copy.deepcopy(SMALL_BUNDLE)
    bundle["people"].extend(EXTRA_PEOPLE)
    workshop = bundle["workshops"][0]
    workshop["status"] = "closed"
    workshop["host"] = host_region
    workshop["reviews"].append({"reviewer": "ie@example.org", "region": "DK04", "status": "draft",
                                "scores": {"strategy.vision": {"score": 2, "comment": "draft"}}})
    load_bundle(bundle)
    db.session.commit()

    def one(statement):
        return db.session.scalar(statement)

    dk04 = one(select(Region.id).where(Region.code == "DK04"))
    it_user = one(select(User.id).where(User.email == "it@example.org"))
    return {
        "slug": "aarhus-2017", "code": "DK04", "ref": "eis-core@1", "fmt": "csv", "chart": "bars",
        "dimension_key": "strategy", "filename": "favicon.svg",
        "assessment_id": one(select(Assessment.id).where(Assessment.region_id == dk04)),
        "assignment_id": one(select(ReviewerAssignment.id).where(ReviewerAssignment.reviewer_id == it_user,
                                                                 ReviewerAssignment.region_id == dk04)),
        "evidence_id": 999, "user_id": one(select(User.id).where(User.email == "dk@example.org")),
        "region_id": dk04, "visit_id": one(select(SiteVisit.id)),
        "programme_id": one(select(Programme.id)),
        "nomination_id": one(select(Nomination.id)),
        "token": "not-a-token", "message_id": _outbox_message(),
        "action_id": 999,
    }


def _outbox_message() -> int:
    from eis_toolkit.mail.outbox import queue

    message_id = queue("someone@example.org", "Hello", "Text", kind="test").id
    db.session.commit()
    return message_id


def _address(rule, values: dict) -> str:
    args = {}
    for name in rule.arguments:
        if name == "slug" and rule.endpoint.startswith("catalogue."):
            args[name] = "paths-japan"
        elif name == "slug" and rule.endpoint == "benchmark.programme_page" or (
                name == "slug" and rule.endpoint == "benchmark.programme_heatmap"):
            args[name] = "eis"
        elif name == "action":
            args[name] = {"catalogue.moderate": "return", "workshops.transition": "publish",
                          "workshops.nomination_moderate": "accept"}[rule.endpoint]
        else:
            args[name] = values[name]
    return rule.build(args, append_unknown=False)[1]


CASES = [(rule, kind) for rule in RULES for kind in KINDS]


@pytest.mark.parametrize("rule, kind", CASES, ids=[f"{r.endpoint}-{k}" for r, k in CASES])
def test_the_route_answers_each_kind_of_person_as_it_should(scenario, client, login, rule, kind):
    check_route(scenario, client, login, rule, kind)


def check_route(scenario: dict, client, login, rule, kind: str) -> None:
    """One request of ``rule`` as ``kind``, answered as ``ALLOWED`` says."""
    if kind != "anonymous":
        login(EMAILS[kind], EXTRA_PASSWORDS.get(EMAILS[kind]))
    path = _address(rule, scenario)
    method = "GET" if "GET" in rule.methods else "POST"
    response = client.open(path, method=method, data={} if method == "POST" else None)
    status = response.status_code
    assert status < 500, f"{method} {path} as {kind}: {status}"
    allowed = kind in ALLOWED[rule.endpoint]
    to_login = status == 302 and "/login" in response.headers.get("Location", "")
    if allowed:
        assert status not in (401, 403) and not to_login, f"{method} {path} as {kind}: refused ({status})"
        if rule.endpoint not in NOT_FOUND_IS_REFUSAL:
            assert status != 404, f"{method} {path} as {kind}: 404"
    elif kind == "anonymous":
        assert to_login or status in (401, 404), f"{method} {path} anonymous: {status}, not sent to log in"
    else:
        refused = (403, 404, 401) if rule.endpoint in NOT_FOUND_IS_REFUSAL else (403, 401)
        if method == "POST":
            refused = (403, 404, 401, 409)  # 409: the object's state refuses the change (e.g. submitted)
        assert status in refused, f"{method} {path} as {kind}: {status}, expected a refusal"

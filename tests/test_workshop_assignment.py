"""Reviewer assignments: the pure suggestion, its warnings, and the own-region rule on the server."""
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eis_toolkit.audit import AuditEvent
from eis_toolkit.extensions import db
from eis_toolkit.models import ReviewStatus
from eis_toolkit.workshops.assignment import (Pair, RegionInfo, ReviewerInfo, assignment_warnings,
                                              suggest_assignments)
from eis_toolkit.workshops.services import (OwnRegionError, WorkshopError, assign_reviewer, remove_assignment,
                                            suggest)
from tests.workshop_support import (assignment_of, open_workshop, person, region, submit_as,  # noqa: F401
                                    workshop_bundle)

DK = RegionInfo(1, "DK04", "DK")
IE = RegionInfo(2, "IE04", "IE")
ITC4 = RegionInfo(3, "ITC4", "IT")
ITC3 = RegionInfo(4, "ITC3", "IT")
DE = RegionInfo(5, "DE21", "DE")


def reviewer(id_, region, name=None):
    return ReviewerInfo(id_, name or f"R{id_:02d}", region)


# --- the pure suggestion ----------------------------------------------------------------------


def test_nobody_is_suggested_for_their_own_region():
    reviewers = [reviewer(1, DK), reviewer(2, DK), reviewer(3, IE)]
    suggestion = suggest_assignments([DK, IE], reviewers, per_region=3)
    assert all(p.reviewer.region.id != p.region.id for p in suggestion.pairs)
    assert {(p.reviewer.id, p.region.code) for p in suggestion.pairs} == {(3, "DK04"), (1, "IE04"), (2, "IE04")}


def test_each_region_gets_reviewers_from_as_many_regions_as_possible():
    # Two ITC4 reviewers are listed first; still DK04 gets one from each of three regions.
    reviewers = [reviewer(1, ITC4, "A"), reviewer(2, ITC4, "B"), reviewer(3, ITC3, "C"), reviewer(4, DE, "D")]
    suggestion = suggest_assignments([DK], reviewers, per_region=3)
    assert sorted(p.reviewer.region.code for p in suggestion.pairs) == ["DE21", "ITC3", "ITC4"]


def test_the_load_is_balanced_across_reviewers():
    reviewers = [reviewer(i, region) for i, region in enumerate([ITC4, ITC3, DE, ITC4, ITC3, DE], 1)]
    suggestion = suggest_assignments([DK, IE], reviewers, per_region=3)
    load = Counter(p.reviewer.id for p in suggestion.pairs)
    assert len(suggestion.pairs) == 6
    assert max(load.values()) == 1


def test_existing_assignments_count_towards_target_and_load():
    busy, free = reviewer(1, ITC4, "Busy"), reviewer(2, ITC4, "Free")
    existing = [Pair(busy, DK)]
    suggestion = suggest_assignments([DK, IE], [busy, free, reviewer(3, DE)], existing, per_region=2)
    assert Pair(busy, DK) not in suggestion.pairs
    pairs = {(p.reviewer.id, p.region.code) for p in suggestion.pairs}
    assert (3, "DK04") in pairs  # DK04 needed one more, from another region than ITC4
    assert {(2, "IE04"), (3, "IE04")} <= pairs or {(1, "IE04"), (3, "IE04")} <= pairs


def test_reviewers_from_another_country_are_preferred():
    same, other = reviewer(1, ITC3, "Same country"), reviewer(2, DE, "Other country")
    suggestion = suggest_assignments([ITC4], [same, other], per_region=1)
    assert [p.reviewer.id for p in suggestion.pairs] == [2]


def test_the_suggestion_is_stable():
    reviewers = [reviewer(i, r) for i, r in enumerate([ITC4, ITC3, DE, IE], 1)]
    assert suggest_assignments([DK], reviewers) == suggest_assignments([DK], list(reversed(reviewers)))


def test_warnings_name_same_country_reviewers_and_too_few_countries():
    pairs = [Pair(reviewer(1, ITC3, "Chiara"), ITC4), Pair(reviewer(2, DE, "Dora"), ITC4)]
    warnings = assignment_warnings([ITC4, DK], pairs)
    assert "Chiara (ITC3) is from the same country as ITC4 (IT)." in warnings
    assert "ITC4's reviewers come from 1 other country (DE); the peer-review rule asks for at least 2." in warnings
    assert "DK04 has 0 reviewers; the review round needs at least 2." in warnings


def test_no_warning_when_the_rules_are_met():
    pairs = [Pair(reviewer(1, ITC4), DK), Pair(reviewer(2, DE), DK)]
    assert assignment_warnings([DK], pairs) == []


regions = st.sampled_from([DK, IE, ITC4, ITC3, DE])


@settings(max_examples=200, deadline=None)
@given(hot_seat=st.lists(regions, min_size=1, max_size=3, unique=True),
       reviewer_regions=st.lists(regions, max_size=12), per_region=st.integers(1, 4))
def test_suggestion_properties(hot_seat, reviewer_regions, per_region):
    reviewers = [reviewer(i, r) for i, r in enumerate(reviewer_regions)]
    suggestion = suggest_assignments(hot_seat, reviewers, per_region=per_region)
    pairs = [(p.reviewer.id, p.region.id) for p in suggestion.pairs]
    assert len(pairs) == len(set(pairs)), "no pair twice"
    assert all(p.reviewer.region.id != p.region.id for p in suggestion.pairs), "never the own region"
    for region in hot_seat:
        chosen = [p.reviewer for p in suggestion.pairs if p.region == region]
        eligible = [r for r in reviewers if r.region.id != region.id]
        assert len(chosen) == min(per_region, len(eligible)), "as many as wanted, or all there are"
        distinct_available = len({r.region.id for r in eligible})
        assert len({r.region.id for r in chosen}) == min(len(chosen), distinct_available), "regions spread"


# --- the services -----------------------------------------------------------------------------


def test_assigning_a_reviewer_to_their_own_region_is_refused(open_workshop):
    with pytest.raises(OwnRegionError, match="cannot review their own region"):
        assign_reviewer(open_workshop, person("ie@example.org"), region("IE04"))


@pytest.mark.parametrize("email, code, message", [
    ("dk@example.org", "IE04", "does not have the reviewer role"),
    ("it2@example.org", "ITC4", "not in the hot seat"),
    ("it@example.org", "DK04", "already reviews DK04"),
])
def test_other_refused_assignments(open_workshop, email, code, message):
    with pytest.raises(WorkshopError, match=message):
        assign_reviewer(open_workshop, person(email), region(code))


def test_an_assignment_made_while_open_gets_its_draft_review_and_an_audit_event(open_workshop, app):
    assignment = assign_reviewer(open_workshop, person("it2@example.org"), region("IE04"), person("host@example.org"))
    db.session.commit()
    assert assignment.review.status == ReviewStatus.DRAFT
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "assignment.add"))
    assert event.detail == {"reviewer": "it2@example.org", "region": "IE04"}


@pytest.mark.parametrize("status", ["closed", "published"])
def test_assignments_are_fixed_once_closed(open_workshop, status):
    open_workshop.status = status
    with pytest.raises(WorkshopError, match="only while the workshop is planned or open"):
        assign_reviewer(open_workshop, person("it2@example.org"), region("IE04"))
    with pytest.raises(WorkshopError, match="only while the workshop is planned or open"):
        remove_assignment(assignment_of("de@example.org", "IE04"))


def test_a_submitted_review_keeps_its_assignment(open_workshop):
    submit_as("de@example.org", "IE04")
    with pytest.raises(WorkshopError, match="has submitted"):
        remove_assignment(assignment_of("de@example.org", "IE04"))
    remove_assignment(assignment_of("it@example.org", "IE04"))  # a draft goes with its assignment
    db.session.commit()
    assert assignment_of("it@example.org", "IE04") is None


def test_suggest_uses_the_programme_reviewers(open_workshop):
    suggestion = suggest(open_workshop, per_region=4)
    pairs = {(p.reviewer.name, p.region.code) for p in suggestion.pairs}
    # it2 (ITC4) is the only reviewer not yet on both regions (ie@ is from IE04): it joins both.
    assert pairs == {("Ugo Reviewer", "DK04"), ("Ugo Reviewer", "IE04")}
    assert not any("reviewers; the review round needs" in w for w in suggestion.warnings)


# --- the routes -------------------------------------------------------------------------------


def test_the_host_assigns_by_hand_and_the_server_refuses_the_own_region(open_workshop, client, login):
    login("host@example.org")
    ie, ie04 = person("ie@example.org"), region("IE04")
    response = client.post(f"/workshops/{open_workshop.slug}/assignments",
                           data={"reviewer_id": ie.id, "region_id": ie04.id}, follow_redirects=True)
    assert "cannot review their own region" in response.text
    assert assignment_of("ie@example.org", "IE04") is None
    it2 = person("it2@example.org")
    response = client.post(f"/workshops/{open_workshop.slug}/assignments",
                           data={"reviewer_id": it2.id, "region_id": ie04.id}, follow_redirects=True)
    assert "Ugo Reviewer reviews IE04." in response.text
    assert assignment_of("it2@example.org", "IE04") is not None


def test_the_host_accepts_a_suggestion_and_a_forged_own_region_pair_is_refused(open_workshop, client, login):
    login("host@example.org")
    page = client.get(f"/workshops/{open_workshop.slug}/suggest?per_region=4")
    assert page.status_code == 200 and "Ugo Reviewer" in page.text
    it2, ie = person("it2@example.org"), person("ie@example.org")
    forged = client.post(f"/workshops/{open_workshop.slug}/suggest",
                         data={"pair": [f"{it2.id}:{region('DK04').id}", f"{ie.id}:{region('IE04').id}"]},
                         follow_redirects=True)
    assert "cannot review their own region" in forged.text
    assert assignment_of("it2@example.org", "DK04") is None, "all or nothing"
    accepted = client.post(f"/workshops/{open_workshop.slug}/suggest",
                           data={"pair": [f"{it2.id}:{region('DK04').id}"]}, follow_redirects=True)
    assert "Assigned 1 reviewer." in accepted.text


def test_the_host_removes_an_assignment(open_workshop, client, login):
    login("host@example.org")
    assignment = assignment_of("de@example.org", "IE04")
    response = client.post(f"/workshops/{open_workshop.slug}/assignments/{assignment.id}/delete",
                           follow_redirects=True)
    assert "Dora Reviewer no longer reviews IE04." in response.text


@pytest.mark.parametrize("email", ["dk@example.org", "it@example.org", None])
def test_only_hosts_assign(open_workshop, client, login, email):
    if email:
        login(email)
    it2 = person("it2@example.org")
    response = client.post(f"/workshops/{open_workshop.slug}/assignments",
                           data={"reviewer_id": it2.id, "region_id": region("IE04").id})
    assert response.status_code == (403 if email else 302)
    assert assignment_of("it2@example.org", "IE04") is None


def test_the_country_rule_comes_before_an_even_load():
    # Two foreign reviewers and six Italians for two Italian regions: both foreigners review both.
    foreign = [reviewer(1, DK, "Anne"), reviewer(2, IE, "Declan")]
    italians = [reviewer(3, ITC4, "Giulia"), reviewer(4, ITC4, "Matteo"), reviewer(5, ITC3, "Chiara")]
    suggestion = suggest_assignments([ITC3, ITC4], foreign + italians, per_region=3)
    for region in (ITC3, ITC4):
        countries = {p.reviewer.region.country for p in suggestion.pairs if p.region == region}
        assert {"DK", "IE"} <= countries
    assert not any("other country" in w for w in suggestion.warnings)

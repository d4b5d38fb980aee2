"""Bundles: validated as a whole with field paths, written all-or-nothing, idempotent."""
import json

import pytest
from sqlalchemy import func, select

from eis_toolkit.bundles.load import load_bundle, read_bundle
from eis_toolkit.bundles.validate import BundleError
from eis_toolkit.extensions import db
from eis_toolkit.models import (Answer, Assessment, Nomination, Practice, Review, ReviewerAssignment,
                                ReviewScore, User, Workshop)


def snapshot() -> dict:
    """Every row of every table, to compare the database before and after."""
    return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables}


def test_a_bundle_loads_everything_it_names(loaded):
    workshop = db.session.scalar(select(Workshop).where(Workshop.slug == "aarhus-2017"))
    assert workshop.status == "published" and [r.code for r in workshop.hot_seat] == ["DK04", "IE04"]
    assert workshop.programme.slug == "eis" and workshop.host_region.code == "DK04"
    assert [v.firm for v in workshop.site_visits] == ["EASI'R"]
    assessment = workshop.assessments[0]
    answers = {a.question.key: a for a in assessment.answers}
    assert answers["strategy.vision"].score == 4 and answers["strategy.budget"].value == 540000
    review = db.session.scalar(select(Review))
    scores = {s.question.key: s for s in review.scores}
    assert scores["strategy.vision"].score == 3
    assert scores["strategy.kpis"].score is None and scores["strategy.kpis"].not_applicable
    assert review.assignment.reviewer.email == "it@example.org", "a review implies its assignment"
    assert review.nominations[0].dimension_key == "outreach"
    practice = db.session.scalar(select(Practice))
    assert practice.keys("instrument") == ["mission", "webinar"] and practice.keys("market") == ["JP"]
    assert practice.keys("dimension") == ["missions"]
    assert practice.ratings[0].transferability == 5


def test_loading_the_same_bundle_twice_changes_nothing(load, bundle):
    load(bundle)
    before = snapshot()
    counts = load(bundle)
    assert counts == {}
    assert snapshot() == before


def test_a_changed_bundle_updates_what_it_names(load, bundle):
    load(bundle)
    bundle["workshops"][0]["title"] = "Aarhus hot-seat workshop"
    bundle["workshops"][0]["reviews"][0]["scores"]["strategy.vision"]["score"] = 2
    bundle["people"][2]["password"] = "a-new-password"
    counts = load(bundle)
    assert counts == {"workshop updated": 1, "score updated": 1}
    assert db.session.scalar(select(Workshop.title)) == "Aarhus hot-seat workshop"
    assert db.session.scalar(select(ReviewScore.score).join(ReviewScore.question)
                             .where(ReviewScore.score.is_not(None))) == 2
    assert db.session.scalar(select(User).where(User.email == "dk@example.org")).check_password("a-new-password")
    assert db.session.scalar(select(func.count()).select_from(ReviewerAssignment)) == 1


@pytest.mark.parametrize("change, path, words", [
    (lambda b: b["regions"][0].pop("country"), "regions[0].country", "is required"),
    (lambda b: b["regions"][1].update(code="ie04"), "regions[1].code", "upper-case"),
    (lambda b: b["people"][2].update(region="XX99"), "people[2].region", "unknown region 'XX99'"),
    (lambda b: b["people"][2].update(roles=["boss"]), "people[2].roles[0]", "'boss' is not one of"),
    (lambda b: b["people"][3].update(email="dk@example.org"), "people[3].email", "appears twice"),
    (lambda b: b["workshops"][0].update(questionnaire="eis-core@9"), "workshops[0].questionnaire",
     "unknown questionnaire"),
    (lambda b: b["workshops"][0].update(status="finished"), "workshops[0].status", "'finished' is not one of"),
    (lambda b: b["workshops"][0].update(ends="2017-06-01"), "workshops[0].ends", "before the start"),
    (lambda b: b["workshops"][0].update(starts="27/06/2017"), "workshops[0].starts", "not a date"),
    (lambda b: b["workshops"][0].update(colour="red"), "workshops[0].colour", "unknown field"),
    (lambda b: b["workshops"][0]["reviews"][0]["scores"]["strategy.vision"].update(score=6),
     "workshops[0].reviews[0].scores.strategy.vision.score", "is not a level from 1 to 5"),
    (lambda b: b["workshops"][0]["reviews"][0]["scores"].update({"strategy.budget": {"score": 3}}),
     "workshops[0].reviews[0].scores.strategy.budget", "no scored question"),
    (lambda b: b["workshops"][0]["reviews"][0].update(reviewer="dk@example.org"),
     "workshops[0].reviews[0].reviewer", "does not have the reviewer role"),
    (lambda b: b["workshops"][0]["reviews"][0].update(region="ITC4"),
     "workshops[0].reviews[0].region", "not in the hot seat"),
    (lambda b: b["workshops"][0]["reviews"][0].update(reviewer="ie@example.org", region="IE04"),
     "workshops[0].reviews[0].reviewer", "cannot review their own region IE04"),
    (lambda b: b["workshops"][0]["assessments"][0]["answers"].update({"strategy.nothing": {"score": 3}}),
     "workshops[0].assessments[0].answers.strategy.nothing", "has no question"),
    (lambda b: b["workshops"][0]["assessments"][0]["answers"].update({"strategy.budget": {"value": "lots"}}),
     "workshops[0].assessments[0].answers.strategy.budget.value", "not a number"),
    (lambda b: b["workshops"][0]["assessments"][0]["answers"].update({"strategy.lead_body": {"value": "king"}}),
     "workshops[0].assessments[0].answers.strategy.lead_body.value", "'king' is not one of"),
    (lambda b: b["workshops"][0]["assessments"][0]["answers"].update({"strategy.vision": {"value": 3}}),
     "workshops[0].assessments[0].answers.strategy.vision.value", "takes a score"),
    (lambda b: b["workshops"][0]["reviews"][0]["nominations"][0].update(dimension="magic"),
     "workshops[0].reviews[0].nominations[0].dimension", "no dimension 'magic'"),
    (lambda b: b["practices"][0].update(markets=["Japan"]), "practices[0].markets[0]", "unknown market 'Japan'"),
    (lambda b: b["practices"][0].update(links=["ftp://x"]), "practices[0].links[0]", "not an http(s) address"),
    (lambda b: b["practices"][0]["ratings"][0].update(usefulness=0), "practices[0].ratings[0].usefulness",
     "from 1 to 5"),
    (lambda b: b["practices"][0].update(slug="Paths Japan"), "practices[0].slug", "lower-case"),
])
def test_a_malformed_bundle_is_refused_with_the_field_path_and_nothing_written(
        app, core_questionnaire, bundle, change, path, words):
    change(bundle)
    before = snapshot()
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    db.session.rollback()
    messages = [str(p) for p in refused.value.problems]
    assert any(m.startswith(f"{path}: ") and words in m for m in messages), messages
    assert snapshot() == before


def test_every_problem_is_reported_at_once(app, core_questionnaire, bundle):
    bundle["regions"][0].pop("name")
    bundle["people"][0]["roles"] = ["root"]
    bundle["practices"][0]["stages"] = ["teenager"]
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    assert [p.path for p in refused.value.problems] == [
        "regions[0].name", "people[0].roles[0]", "practices[0].stages[0]"]


def test_a_bundle_can_name_people_and_regions_already_in_the_database(load, bundle):
    load(bundle)
    later = {"workshops": [], "practices": [{"slug": "later", "title": "Later", "region": "DK04",
                                             "ratings": [{"rater": "it@example.org", "evidence": 3,
                                                          "transferability": 3, "usefulness": 3}]}]}
    assert load(later) == {"practice created": 1, "rating created": 1}


def test_read_bundle_reads_json_and_names_the_line_of_a_syntax_error(tmp_path, bundle):
    good = tmp_path / "bundle.json"
    good.write_text(json.dumps(bundle))
    assert read_bundle(good)["programme"]["slug"] == "eis"
    bad = tmp_path / "bad.yaml"
    bad.write_text("programme:\n  slug: eis\n  title: [unclosed\nregions: []\n")
    with pytest.raises(BundleError) as refused:
        read_bundle(bad)
    assert str(refused.value).startswith(f"{bad}:")
    assert read_bundle.__doc__
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('{"programme": {\n"slug": "eis",\n}}')
    with pytest.raises(BundleError, match=rf"{broken_json}:3:"):
        read_bundle(broken_json)


def test_the_top_level_must_be_a_mapping(app, core_questionnaire):
    with pytest.raises(BundleError, match="must be a mapping, not a list"):
        load_bundle([1, 2])


def test_demo_counts(loaded):
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 2
    assert db.session.scalar(select(func.count()).select_from(Nomination)) == 1

"""Reloading a bundle updates only what it names (#13, docs/bundle-format.md)."""
import copy

from eis_toolkit.cache import CATALOGUE
from eis_toolkit.extensions import db
from tests.test_bundles import snapshot


def rich(bundle: dict) -> dict:
    """The small bundle with every optional field filled in."""
    bundle["programme"].update(description="Interreg Europe, 2017–2021", starts="2017-01-01", ends="2021-12-31")
    bundle["people"].append({"email": "gone@example.org", "name": "Gone Person", "region": "ITC4",
                             "roles": ["region"], "active": False, "language": "it"})
    workshop = bundle["workshops"][0]
    workshop.update(description="Hot seat for DK04 and IE04", show_reviewer_names=True)
    workshop["site_visits"] = [{"firm": "EASI'R", "what": "Car dealers' app", "story": "Went to Japan"},
                               {"firm": "Unique North", "what": "Interior design", "story": "Found a partner"}]
    review = workshop["reviews"][0]
    review.update(weaknesses="Few KPIs", recommendations="Measure more")
    review["nominations"][0].update(description="Visits to firms", why="Cheap and useful")
    return bundle


def bare(bundle: dict) -> dict:
    """The same entries with only their required fields (and a review that names no score)."""
    workshop = bundle["workshops"][0]
    return {
        "programme": {k: bundle["programme"][k] for k in ("slug", "title")},
        "regions": [{k: r[k] for k in ("code", "name", "country")} for r in bundle["regions"]],
        "people": [{k: p[k] for k in ("email", "name", "roles")} for p in bundle["people"]],
        "workshops": [{**{k: workshop[k] for k in ("slug", "title", "questionnaire", "host", "starts", "ends",
                                                   "hot_seat")},
                       "assessments": [{"region": "DK04", "answers": {"strategy.vision": {}}}],
                       "reviews": [{"reviewer": "it@example.org", "region": "DK04",
                                    "scores": {"strategy.vision": {}},
                                    "nominations": [{"title": "Company visits", "dimension": "outreach"}]}]}],
    }


def test_a_bare_reload_over_a_rich_database_changes_nothing(load, bundle):
    full = rich(bundle)
    load(full)
    before = snapshot()
    counts = load(bare(copy.deepcopy(full)))
    assert snapshot() == before
    assert not counts, counts


def test_what_a_reload_names_it_changes_and_nothing_else(load, bundle):
    from eis_toolkit.models import SiteVisit, User, Workshop

    full = rich(bundle)
    load(full)
    partial = bare(copy.deepcopy(full))
    partial["workshops"][0]["place"] = "Aarhus, Dokk1"
    partial["people"][0]["active"] = False
    load(partial)
    workshop = db.session.query(Workshop).one()
    assert workshop.place == "Aarhus, Dokk1" and workshop.description == "Hot seat for DK04 and IE04"
    assert [v.firm for v in db.session.query(SiteVisit).order_by(SiteVisit.position)] == ["EASI'R", "Unique North"]
    people = {u.email: u for u in db.session.query(User)}
    assert people["admin@example.org"].active is False
    assert people["gone@example.org"].active is False, "a disabled person stays disabled"
    assert people["gone@example.org"].language == "it" and people["gone@example.org"].region.code == "ITC4"


def test_a_list_given_empty_is_emptied(load, bundle):
    from eis_toolkit.models import SiteVisit

    full = rich(bundle)
    load(full)
    partial = bare(copy.deepcopy(full))
    partial["workshops"][0]["site_visits"] = []
    load(partial)
    assert db.session.query(SiteVisit).count() == 0


def _hostile_changes():
    def code_list(b):
        b["regions"][0]["code"] = ["DK04"]

    def host_list(b):
        b["workshops"][0]["host"] = ["DK04"]

    def hot_seat_twice(b):
        b["workshops"][0]["hot_seat"] = ["DK04", "DK04"]

    def hot_seat_codes_nested(b):
        b["workshops"][0]["hot_seat"] = [["DK04"], {"code": "IE04"}]

    def email_list(b):
        b["people"][0]["email"] = ["admin@example.org"]

    def reviewer_mapping(b):
        b["workshops"][0]["reviews"][0]["reviewer"] = {"email": "it@example.org"}

    def region_of_person_list(b):
        b["people"][1]["region"] = ["DK04"]

    def practice_region_list(b):
        b["practices"][0]["region"] = ["ITC4"]

    def score_list(b):
        b["workshops"][0]["reviews"][0]["scores"]["strategy.vision"] = [3]

    def answers_list(b):
        b["workshops"][0]["assessments"][0]["answers"] = [{"strategy.vision": 3}]

    def questionnaire_number(b):
        b["workshops"][0]["questionnaire"] = 1

    return {f.__name__: f for f in (code_list, host_list, hot_seat_twice, hot_seat_codes_nested, email_list,
                                    reviewer_mapping, region_of_person_list, practice_region_list, score_list,
                                    answers_list, questionnaire_number)}


HOSTILE = _hostile_changes()


import pytest  # noqa: E402

from eis_toolkit.bundles.load import load_bundle  # noqa: E402
from eis_toolkit.bundles.validate import BundleError  # noqa: E402


@pytest.mark.parametrize("name", HOSTILE)
def test_wrongly_shaped_values_are_problems_not_tracebacks(app, core_questionnaire, bundle, name):
    HOSTILE[name](bundle)
    before = snapshot()
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    db.session.rollback()
    assert refused.value.problems and all(str(p).split(": ", 1)[0] for p in refused.value.problems)
    assert snapshot() == before


def test_a_bare_practice_reload_keeps_its_texts_terms_and_editions(load, bundle):
    from eis_toolkit.models import Practice

    practice = bundle["practices"][0]
    practice.update(summary="Missions to Tokyo", organisation="Lombardy Region", sectors=["cosmetics"],
                    editions=[{"title": "Call 2019", "deadline": "2019-05-31", "place": "Milan"}])
    load(bundle)
    before = snapshot()
    load({"practices": [{"slug": "paths-japan", "title": "Paths to Japan", "markets": ["JP", "US"]}]})
    stored = db.session.query(Practice).one()
    assert stored.summary == "Missions to Tokyo" and stored.organisation == "Lombardy Region"
    assert stored.keys("market") == ["JP", "US"] and stored.keys("sector") == ["cosmetics"]
    assert stored.keys("instrument") == ["mission", "webinar"]
    assert [e.title for e in stored.editions] == ["Call 2019"] and stored.region.code == "ITC4"
    load({"practices": [{"slug": "paths-japan", "title": "Paths to Japan", "markets": ["JP"]}]})
    after = snapshot()
    # the practice and its terms changed, and with them the catalogue's version (cache.CATALOGUE)
    catalogue_version = {CATALOGUE: "changed"}
    assert dict(after["data_version"])[CATALOGUE] != dict(before["data_version"])[CATALOGUE]
    for rows in (after, before):
        rows["data_version"] = sorted({**dict(rows["data_version"]), **catalogue_version}.items())
    assert {k: v for k, v in after.items() if k not in ("practice", "practice_term")} == \
        {k: v for k, v in before.items() if k not in ("practice", "practice_term")}

"""The SQL loader against the pure module: same rows on random data, constant query count."""
import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from eis_toolkit.benchmark.numbers import RegionScores, benchmark, sample_sd, summarise
from eis_toolkit.benchmark.queries import programme_benchmark, structure_for, workshop_benchmark
from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.extensions import db
from eis_toolkit.models import Programme, Questionnaire, Workshop

#: Scored questions the random data uses (two dimensions, weights 2 and 1); the others stay empty.
KEYS = ["strategy.vision", "strategy.kpis", "outreach.single_entry", "outreach.digital"]
#: Region codes in an order that is not the code order.
CODES = ["ZZ01", "AA02", "MM03", "BB04"]

na = st.just("na")
score = st.one_of(st.just(None), na, st.integers(1, 5))  # None: skipped, "na": N/A
scores = st.lists(score, min_size=len(KEYS), max_size=len(KEYS))
status = st.sampled_from(["submitted", "draft"])
region_data = st.fixed_dictionaries({
    "self_status": st.sampled_from(["submitted", "draft", None]),  # None: no self-assessment
    "self": scores,
    "reviews": st.lists(st.tuples(status, scores), max_size=4),
})


def scores_entry(values) -> dict:
    """Bundle scores: N/A is ``score: null``, a skipped question is left out."""
    return {key: {"score": None if v == "na" else v} for key, v in zip(KEYS, values) if v is not None}


def make_bundle(regions: list[dict], slug="bench-ws", extra_workshop=True) -> dict:
    """A bundle with a workshop whose hot seat holds ``len(regions)`` regions, plus noise: another
    workshop with the same questionnaire whose submitted reviews must not count here."""
    codes = CODES[:len(regions)]
    people = [{"email": f"rev{i}@example.org", "name": f"Reviewer {i}", "region": "PEER",
               "roles": ["reviewer"]} for i in range(4)]
    workshop = {
        "slug": slug, "title": "Random", "questionnaire": "eis-core@1", "host": "PEER",
        "starts": "2020-01-01", "ends": "2020-01-02", "status": "published", "hot_seat": codes,
        "assessments": [{"region": code, "status": r["self_status"],
                         "answers": {**scores_entry(r["self"]), "strategy.budget": {"value": 5}}}
                        for code, r in zip(codes, regions) if r["self_status"]],
        "reviews": [{"reviewer": f"rev{i}@example.org", "region": code, "status": review_status,
                     "scores": scores_entry(values)}
                    for code, r in zip(codes, regions) for i, (review_status, values) in enumerate(r["reviews"])],
    }
    workshops = [workshop]
    if extra_workshop:
        workshops.append({
            "slug": slug + "-other", "title": "Other", "questionnaire": "eis-core@1", "host": "PEER",
            "starts": "2019-01-01", "ends": "2019-01-02", "status": "published", "hot_seat": CODES,
            "assessments": [{"region": code, "status": "submitted", "answers": {KEYS[0]: {"score": 1}}}
                            for code in CODES],
            "reviews": [{"reviewer": "rev0@example.org", "region": code, "status": "submitted",
                         "scores": {key: {"score": 1} for key in KEYS}} for code in CODES],
        })
    return {
        "programme": {"slug": "eis", "title": "EIS"},
        "regions": [{"code": code, "name": code, "country": "IT"} for code in CODES + ["PEER"]],
        "people": people,
        "workshops": workshops,
    }


def expected_rows(structure, regions: list[dict]):
    """The pure path: only submitted reviews, the submitted self-assessment, N/A as None."""
    def plain(values):
        return {key: None if v == "na" else v for key, v in zip(KEYS, values) if v is not None}

    region_scores = [
        RegionScores(code,
                     self_scores=plain(r["self"]) if r["self_status"] == "submitted" else {},
                     peer_scores={i: plain(values) for i, (review_status, values) in enumerate(r["reviews"])
                                  if review_status == "submitted"})
        for code, r in zip(CODES, regions)
    ]
    return benchmark(structure, sorted(region_scores, key=lambda r: r.region))


def workshop(slug="bench-ws") -> Workshop:
    return db.session.scalar(select(Workshop).where(Workshop.slug == slug))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regions=st.lists(region_data, max_size=len(CODES)))
def test_the_sql_path_and_the_pure_path_give_the_same_rows(core_questionnaire, regions):
    try:
        load_bundle(make_bundle(regions))
        structure = structure_for(core_questionnaire)
        assert workshop_benchmark(workshop()) == expected_rows(structure, regions)
    finally:
        db.session.rollback()


def test_only_submitted_reviews_and_the_submitted_self_assessment_count(load):
    load(make_bundle([
        {"self_status": "draft", "self": [5, 5, 5, 5], "reviews": [("submitted", [2, "na", None, 4]),
                                                                  ("draft", [5, 5, 5, 5])]},
        {"self_status": "submitted", "self": [3, "na", None, 2], "reviews": []},
    ], extra_workshop=False))
    rows = {(r.region, r.level, r.key): r for r in workshop_benchmark(workshop())}
    zz, aa = ("ZZ01", "question", KEYS[0]), ("AA02", "question", KEYS[0])
    assert rows[zz].self is None, "a draft self-assessment does not count"
    assert (rows[zz].peer_n, rows[zz].peer_mean) == (1, 2.0), "a draft review does not count"
    assert rows[("ZZ01", "question", KEYS[1])].peer_n == 0, "N/A is left out"
    assert rows[aa].self == 3.0 and rows[("AA02", "question", KEYS[1])].self is None
    assert list(dict.fromkeys(r.region for r in rows.values())) == ["AA02", "ZZ01"], "region-code order"


def test_the_shipped_questionnaire_structure(core_questionnaire):
    structure = structure_for(core_questionnaire)
    assert (structure.scale_min, structure.scale_max) == (1, 5)
    assert structure.dimensions[0].key == "strategy"
    assert structure.dimensions[0].questions[0].key == "strategy.vision"
    assert structure.dimensions[0].questions[0].weight == 2
    assert "strategy.budget" not in structure.question_keys(), "only scale questions are scored"
    assert len(structure.question_keys()) == 33


def grow(n_regions: int, n_reviewers: int) -> list[dict]:
    return [{"self_status": "submitted", "self": [3, 4, 2, "na"],
             "reviews": [("submitted", [1 + (i + j) % 5, 2, "na", 4]) for j in range(n_reviewers)]}
            for i in range(n_regions)]


@pytest.mark.parametrize("what", ["workshop", "programme"])
def test_the_number_of_queries_does_not_grow_with_the_data(load, count_queries, what):
    counts = []
    for size, (n_regions, n_reviewers) in enumerate([(1, 1), (4, 4)]):
        load(make_bundle(grow(n_regions, n_reviewers), slug=f"ws-{size}"))
        w = workshop(f"ws-{size}")  # loaded, but not its questionnaire
        programme = db.session.get(Programme, w.programme_id)
        with count_queries() as queries:
            if what == "workshop":
                rows = workshop_benchmark(w)
            else:
                rows = programme_benchmark(programme, w.questionnaire).rows
        assert rows
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5


def test_the_programme_takes_each_regions_latest_visible_workshop(load):
    load(make_bundle(grow(2, 2)))
    newer, older = workshop("bench-ws"), workshop("bench-ws-other")
    programme, questionnaire = newer.programme, db.session.get(Questionnaire, newer.questionnaire_id)
    result = programme_benchmark(programme, questionnaire)
    assert [code for code in result.sources] == sorted(CODES)
    assert result.sources["AA02"].slug == "bench-ws" and result.sources["BB04"].slug == "bench-ws-other"
    only_older = programme_benchmark(programme, questionnaire, workshop_ids=[older.id])
    assert {s.slug for s in only_older.sources.values()} == {"bench-ws-other"}
    newer.status = "closed"
    db.session.flush()
    assert programme_benchmark(programme, questionnaire).sources["AA02"].slug == "bench-ws-other", \
        "by default only published workshops count"
    overall = [r for r in result.rows if r.level == "overall"]
    assert len(overall) == len(CODES) and overall[0].group_best == max(r.peer_mean for r in overall)


@given(st.lists(st.one_of(st.integers(-50, 50), st.floats(-1e6, 1e6, allow_nan=False)), min_size=2, max_size=30))
def test_the_sample_sd_from_exact_sums_is_statistics_stdev(values):
    summary = summarise(values)
    assert sample_sd(summary.n, summary.total, summary.total_sq) == statistics.stdev(values)

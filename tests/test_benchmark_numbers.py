"""The pure benchmark numbers against hand-computed cases and Krippendorff's published example."""
import math

import pytest

from eis_toolkit.benchmark.numbers import (COLUMNS, DimensionSpec, QuestionSpec, RegionScores, Structure,
                                           benchmark, krippendorff_alpha_interval, question_stats,
                                           weighted_mean)

STRUCTURE = Structure(1, 5, (
    DimensionSpec("strategy", 1, (QuestionSpec("strategy.vision", 2), QuestionSpec("strategy.kpis", 1))),
    DimensionSpec("outreach", 3, (QuestionSpec("outreach.digital", 1),)),
))


def rows_by_key(rows, region):
    return {(r.level, r.key): r for r in rows if r.region == region}


def test_question_statistics_leave_out_na():
    stats = question_stats(4, [3, None, 5, 2])
    assert (stats.self, stats.n, stats.min, stats.max, stats.median) == (4.0, 3, 2.0, 5.0, 3.0)
    assert stats.mean == 10 / 3 and stats.gap == 4.0 - 10 / 3
    assert stats.sd == pytest.approx(math.sqrt(((3 - 10 / 3) ** 2 + (5 - 10 / 3) ** 2 + (2 - 10 / 3) ** 2) / 2))


def test_a_single_reviewer_has_no_standard_deviation():
    stats = question_stats(None, [4])
    assert (stats.n, stats.mean, stats.median, stats.sd, stats.self) == (1, 4.0, 4.0, None, None)


def test_no_peer_scores_leaves_everything_empty():
    stats = question_stats(3, [None, None])
    assert (stats.n, stats.mean, stats.sd, stats.min, stats.gap) == (0, None, None, None, None) and stats.self == 3.0


def test_weighted_mean_renormalises_over_present_values():
    assert weighted_mean([(4, 2), (None, 1), (1, 1)]) == 3.0
    assert weighted_mean([(None, 1)]) is None
    assert weighted_mean([(2, 0.2), (4, 0.3)]) == pytest.approx(3.2), "weights need not sum to one"


def test_dimension_and_overall_rows_by_hand():
    region = RegionScores("DK04",
                          self_scores={"strategy.vision": 4, "strategy.kpis": 2, "outreach.digital": None},
                          peer_scores={"a": {"strategy.vision": 3, "strategy.kpis": 1, "outreach.digital": 4},
                                       "b": {"strategy.vision": 5, "outreach.digital": 2},  # skipped kpis
                                       "c": {"strategy.vision": None, "strategy.kpis": 3}})
    rows = rows_by_key(benchmark(STRUCTURE, [region]), "DK04")
    vision, kpis = rows[("question", "strategy.vision")], rows[("question", "strategy.kpis")]
    assert (vision.peer_n, vision.peer_mean, vision.gap) == (2, 4.0, 0.0)
    assert (kpis.peer_n, kpis.peer_mean, kpis.gap) == (2, 2.0, 0.0)
    strategy = rows[("dimension", "strategy")]
    assert strategy.self == pytest.approx((4 * 2 + 2 * 1) / 3)
    assert strategy.peer_mean == pytest.approx((4.0 * 2 + 2.0 * 1) / 3)
    assert strategy.index == pytest.approx((strategy.peer_mean - 1) / 4 * 100)
    outreach = rows[("dimension", "outreach")]
    assert outreach.self is None and outreach.peer_mean == 3.0 and outreach.gap is None
    overall = rows[("overall", "overall")]
    assert overall.self == pytest.approx(strategy.self), "outreach has no self value: weights renormalised"
    assert overall.peer_mean == pytest.approx((strategy.peer_mean * 1 + 3.0 * 3) / 4)
    assert overall.gap == pytest.approx(overall.self - overall.peer_mean)
    assert overall.alpha is not None
    assert strategy.peer_n is None and strategy.alpha is None and vision.index is None


def test_group_mean_and_best_across_hot_seat_regions():
    a = RegionScores("DK04", {"strategy.vision": 4}, {"r1": {"strategy.vision": 2}, "r2": {"strategy.vision": 4}})
    b = RegionScores("IE04", {"strategy.vision": 3}, {"r3": {"strategy.vision": 5}})
    rows = benchmark(STRUCTURE, [a, b])
    dk, ie = rows_by_key(rows, "DK04"), rows_by_key(rows, "IE04")
    for level_key in [("question", "strategy.vision"), ("dimension", "strategy"), ("overall", "overall")]:
        assert dk[level_key].group_mean == ie[level_key].group_mean == 4.0
        assert dk[level_key].group_best == ie[level_key].group_best == 5.0
    assert dk[("question", "strategy.kpis")].group_mean is None


def test_a_0_to_4_scale_changes_the_index():
    structure = Structure(0, 4, (DimensionSpec("d", 1, (QuestionSpec("d.q"),)),))
    rows = rows_by_key(benchmark(structure, [RegionScores("X", {}, {"r": {"d.q": 3}})]), "X")
    assert rows[("overall", "overall")].index == 75.0


def test_rows_have_every_column_in_order():
    rows = benchmark(STRUCTURE, [RegionScores("DK04")])
    assert list(rows[0].as_dict()) == list(COLUMNS)
    assert [(r.level, r.key) for r in rows] == [
        ("question", "strategy.vision"), ("question", "strategy.kpis"), ("question", "outreach.digital"),
        ("dimension", "strategy"), ("dimension", "outreach"), ("overall", "overall")]


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders × 12 units, missing values.
KRIPPENDORFF_EXAMPLE = [  # rows = coders A-D, columns = units 1-12
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_krippendorffs_published_example_interval_alpha_is_0_849():
    units = [list(unit) for unit in zip(*KRIPPENDORFF_EXAMPLE)]
    assert round(krippendorff_alpha_interval(units), 3) == 0.849


def test_alpha_is_one_for_perfect_agreement_and_empty_when_undefined():
    assert krippendorff_alpha_interval([[1, 1], [3, 3], [5, 5]]) == 1.0
    assert krippendorff_alpha_interval([[2, None], [3, None]]) is None, "one coder"
    assert krippendorff_alpha_interval([[3, 3], [3, 3]]) is None, "no variation at all"
    assert krippendorff_alpha_interval([[1, None], [None, 2]]) is None, "no pairable unit"


def test_alpha_for_systematic_disagreement_is_negative():
    assert krippendorff_alpha_interval([[1, 5], [5, 1], [1, 5], [5, 1]]) < 0


def test_alpha_matches_a_brute_force_coincidence_computation():
    units = [[1, 2, None], [3, 3, 4], [5, None, 4], [2, 2, 2], [None, 1, None]]
    values = [[float(v) for v in u if v is not None] for u in units]
    pairable = [u for u in values if len(u) >= 2]
    n = sum(len(u) for u in pairable)
    d_o = sum(sum((a - b) ** 2 for i, a in enumerate(u) for j, b in enumerate(u) if i != j) / (len(u) - 1)
              for u in pairable) / n
    flat = [v for u in pairable for v in u]
    d_e = sum((a - b) ** 2 for i, a in enumerate(flat) for j, b in enumerate(flat) if i != j) / (n * (n - 1))
    assert krippendorff_alpha_interval(units) == pytest.approx(1 - d_o / d_e)

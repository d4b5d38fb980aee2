"""Charts (valid SVG, text alternative, cached by their numbers) and the pure page logic."""
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from matplotlib.figure import Figure

from eis_toolkit.benchmark import charts, pages
from eis_toolkit.benchmark.numbers import Row

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ("Strategy", "Outreach", "Finance and financial instruments")
BARS = (LABELS, (("self", (4.0, None, 2.5)), ("peer_mean", (3.25, 3.0, 2.0)),
                 ("group_mean", (3.0, 2.5, 2.0)), ("group_best", (3.25, 3.0, 2.0))), (1, 5), "DK04 dimensions")
RADAR = (LABELS, (4.0, None, 2.5), (3.25, 3.0, 2.0), (1, 5), "DK04 radar")
HEATMAP = (("DK04", "IE04"), LABELS, ((3.25, 3.0, 2.0), (2.5, None, 4.75)), (1, 5), "Workshop heatmap")


@pytest.fixture
def drawn(monkeypatch):
    """How many times matplotlib wrote a figure."""
    charts.cache_clear()
    calls = []
    original = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (calls.append(1), original(self, *a, **k))[1])
    return calls


@pytest.mark.parametrize("draw, args, numbers", [
    (charts.dimension_bars, BARS, ["4.00", "no value", "3.25"]),
    (charts.radar, RADAR, ["Self-assessment 4.00", "no value", "Peer mean 2.00"]),
    (charts.heatmap, HEATMAP, ["DK04: Strategy 3.25", "Outreach no value", "4.75"]),
])
def test_each_chart_is_svg_with_title_and_description_and_drawn_once(drawn, draw, args, numbers):
    svg = draw(*args)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    assert root.find(f"{SVG}title").text == args[-1]
    description = root.find(f"{SVG}desc").text
    assert all(n in description for n in numbers)
    assert draw(*args) == svg and len(drawn) == 1, "the same numbers: from the cache"
    changed = list(args)
    changed[-1] = "another title"
    draw(*changed)
    assert len(drawn) == 2
    assert "<script" not in svg


def test_charts_use_the_okabe_ito_colours(drawn):
    svg = charts.dimension_bars(*BARS).lower()
    for colour in ("#e69f00", "#0072b2", "#56b4e9", "#009e73"):
        assert colour in svg


def test_the_chart_module_never_imports_pyplot():
    code = ("import sys; from eis_toolkit.benchmark import charts; "
            f"charts.radar(*{RADAR!r}); charts.heatmap(*{HEATMAP!r}); charts.dimension_bars(*{BARS!r}); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_chart_keys_follow_the_numbers():
    assert charts.chart_key(*BARS) == charts.chart_key(*BARS)
    other = (BARS[0], BARS[1][:1], BARS[2], BARS[3])
    assert charts.chart_key(*other) != charts.chart_key(*BARS)


@pytest.mark.parametrize("alpha, level", [(None, "unknown"), (0.95, "reliable"), (0.8, "reliable"),
                                          (0.7, "tentative"), (0.667, "tentative"), (0.66, "low"), (-0.2, "low")])
def test_agreement_levels(alpha, level):
    found = pages.agreement(alpha)
    assert found.level == level and found.alpha == alpha


def question(key, gap, region="DK04"):
    return Row(region, "question", key, gap=gap)


def dimension(key, peer_mean, region="DK04"):
    return Row(region, "dimension", key, peer_mean=peer_mean)


def test_blind_spots_are_gaps_of_a_scale_point_or_more_largest_first():
    rows = [question("a", 0.99), question("b", -1.0), question("c", 1.5), question("d", None), dimension("x", 2)]
    assert [r.key for r in pages.blind_spots(rows)] == ["c", "b"]


def test_the_weakest_dimensions_and_who_does_better_there():
    mine = [dimension("a", 3.0), dimension("b", 2.0), dimension("c", None), dimension("d", 2.0), dimension("e", 4.0)]
    assert [r.key for r in pages.weakest_dimensions(mine)] == ["b", "d", "a"]
    others = [dimension("b", 2.5, "IE04"), dimension("b", 4.0, "ITC4"), dimension("b", 1.0, "ITC3"),
              dimension("b", 3.0, "DK04"), dimension("a", 5.0, "ITH5")]
    assert [r.region for r in pages.leaders(others, "b", 2.0, exclude="DK04")] == ["ITC4", "IE04"]


def test_ranking_shares_ranks_on_ties_and_puts_empty_rows_last():
    rows = [dimension("a", 3.0, "R1"), dimension("a", None, "R2"), dimension("a", 4.0, "R3"),
            dimension("a", 3.0, "R4"), dimension("b", 5.0, "R5")]
    assert [(r.rank, r.row.region) for r in pages.ranking(rows, "dimension", "a")] == [
        (1, "R3"), (2, "R1"), (2, "R4"), (None, "R2")]


def test_charts_of_a_region_without_any_score_still_render(drawn):
    empty = (None, None, None)
    for svg in (charts.radar(LABELS, empty, empty, (1, 5), "empty"),
                charts.dimension_bars(LABELS, (("self", empty), ("peer_mean", empty)), (0, 4), "empty"),
                charts.heatmap(("XX99",), LABELS, (empty,), (1, 5), "empty")):
        assert "no value" in ET.fromstring(svg.encode("utf-8")).find(f"{SVG}desc").text


OTHER_BARS = (("Reach", "Money", "A long name for a third dimension"),
              (("self", (None, 1.5, 5.0)), ("peer_mean", (2.0, None, 4.5)),
               ("group_mean", (None, None, None)), ("group_best", (5.0, 1.0, 3.0))), (1, 5), "other")
OTHER_RADAR = (("Reach", "Money", "A long name for a third dimension"), (1.0, 5.0, None), (2.0, None, 4.0), (1, 5),
               "other")


@pytest.mark.parametrize("draw, first, second", [(charts.dimension_bars, BARS, OTHER_BARS),
                                                 (charts.radar, RADAR, OTHER_RADAR)])
def test_a_chart_drawn_on_a_reused_figure_is_the_chart_drawn_afresh(draw, first, second):
    """Bars and radars reuse a figure of their shape: nothing of one chart stays in the next
    (missing values draw nothing, not the bar or line of the chart before)."""
    fresh = {}
    for args in (first, second):
        charts.cache_clear()
        charts._BAR_TEMPLATES.clear()
        charts._RADAR_TEMPLATES.clear()
        fresh[args] = draw(*args)
    for args in (first, second, first):  # one figure, drawn three times
        charts.cache_clear()
        assert draw(*args) == fresh[args]
    assert fresh[first] != fresh[second]

"""``eis export benchmark``: exactly the columns, rows and empty cells of DESIGN.md, full precision."""
import csv
import io
import json

import pytest

from eis_toolkit.benchmark.export import to_csv, to_json
from eis_toolkit.benchmark.numbers import COLUMNS, Row

HEADER = ("region,level,key,self,peer_n,peer_mean,peer_median,peer_sd,peer_min,peer_max,gap,group_mean,"
          "group_best,index,alpha")
QUESTION_ONLY = {"peer_n", "peer_median", "peer_sd", "peer_min", "peer_max"}  # peer_mean: every level


def export(runner, *args):
    return runner.invoke(args=["export", "benchmark", *args])


def parse_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_header_is_the_columns_of_design_md_in_order():
    assert ",".join(COLUMNS) == HEADER
    assert to_csv([]).splitlines() == [HEADER]
    assert to_json([]) == "[]\n"


def test_floats_keep_full_precision_and_empty_cells_stay_empty():
    row = Row("DK04", "dimension", "strategy", self=10 / 3, peer_mean=2 / 3, gap=10 / 3 - 2 / 3, index=1e-17)
    line = to_csv([row]).splitlines()[1]
    assert line == f"DK04,dimension,strategy,{10 / 3!r},,{2 / 3!r},,,,,{10 / 3 - 2 / 3!r},,,1e-17,"
    assert "3.3333333333333335" in line
    [obj] = json.loads(to_json([row]))
    assert list(obj) == list(COLUMNS)
    assert obj["self"] == 10 / 3 and obj["peer_n"] is None and obj["alpha"] is None


def test_the_small_bundle_by_hand(loaded, runner):
    """DK04: self 4 and one submitted peer score 3 on strategy.vision (weight 2), peer N/A on
    strategy.kpis; IE04: nothing yet."""
    result = export(runner, "aarhus-2017", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == HEADER
    rows = {(r["region"], r["level"], r["key"]): r for r in parse_csv(result.output)}
    assert len(lines) - 1 == len(rows) == 2 * (33 + 8 + 1), "per region: 33 questions, 8 dimensions, overall"
    assert list(rows)[:2] == [("DK04", "question", "strategy.vision"), ("DK04", "question", "strategy.coordination")]
    assert list(rows)[33:35] == [("DK04", "dimension", "strategy"), ("DK04", "dimension", "outreach")]
    assert list(rows)[41:43] == [("DK04", "overall", "overall"), ("IE04", "question", "strategy.vision")]

    vision = rows[("DK04", "question", "strategy.vision")]
    assert {k: vision[k] for k in COLUMNS[3:]} == {
        "self": "4.0", "peer_n": "1", "peer_mean": "3.0", "peer_median": "3.0", "peer_sd": "", "peer_min": "3.0",
        "peer_max": "3.0", "gap": "1.0", "group_mean": "3.0", "group_best": "3.0", "index": "", "alpha": ""}
    kpis = rows[("DK04", "question", "strategy.kpis")]
    assert kpis["peer_n"] == "0" and kpis["peer_mean"] == kpis["gap"] == kpis["group_mean"] == ""
    strategy = rows[("DK04", "dimension", "strategy")]
    assert {k: strategy[k] for k in COLUMNS[3:]} == {
        "self": "4.0", "peer_n": "", "peer_mean": "3.0", "peer_median": "", "peer_sd": "", "peer_min": "",
        "peer_max": "", "gap": "1.0", "group_mean": "3.0", "group_best": "3.0", "index": "50.0", "alpha": ""}
    overall = rows[("DK04", "overall", "overall")]
    assert (overall["self"], overall["peer_mean"], overall["index"], overall["alpha"]) == ("4.0", "3.0", "50.0", "")
    ie = rows[("IE04", "overall", "overall")]
    assert (ie["self"], ie["peer_mean"], ie["gap"], ie["index"], ie["group_mean"]) == ("", "", "", "", "3.0")


def test_each_level_fills_only_its_columns(load, bundle, runner):
    bundle["workshops"][0]["reviews"].append(
        {"reviewer": "ie@example.org", "region": "DK04", "status": "submitted",
         "scores": {"strategy.vision": {"score": 5}, "strategy.kpis": {"score": 2}}})
    load(bundle)
    rows = parse_csv(export(runner, "aarhus-2017", "--format", "csv").output)
    for row in rows:
        if row["level"] == "question":
            assert row["index"] == row["alpha"] == ""
            assert row["peer_n"] != ""
        else:
            assert all(row[c] == "" for c in QUESTION_ONLY)
            assert (row["alpha"] == "") if row["level"] == "dimension" else True
    dk = {(r["level"], r["key"]): r for r in rows if r["region"] == "DK04"}
    vision = dk[("question", "strategy.vision")]
    assert (vision["peer_n"], vision["peer_mean"], vision["peer_median"], vision["peer_sd"]) == (
        "2", "4.0", "4.0", repr(2 ** 0.5))
    assert dk[("overall", "overall")]["alpha"] != "", "two reviewers: alpha"


def test_csv_and_json_carry_the_same_numbers_exactly(load, bundle, runner):
    bundle["workshops"][0]["reviews"].append(
        {"reviewer": "ie@example.org", "region": "DK04", "status": "submitted",
         "scores": {"strategy.vision": {"score": 5}, "strategy.coordination": {"score": 2},
                    "outreach.digital": {"score": 4}}})
    load(bundle)
    from_csv = parse_csv(export(runner, "aarhus-2017", "--format", "csv").output)
    from_json = json.loads(export(runner, "aarhus-2017", "--format", "json").output)
    assert len(from_csv) == len(from_json)
    for c, j in zip(from_csv, from_json):
        assert list(j) == list(COLUMNS)
        for column in COLUMNS:
            if j[column] is None:
                assert c[column] == ""
            elif isinstance(j[column], str):
                assert c[column] == j[column]
            else:
                assert type(j[column])(c[column]) == j[column], "no rounding: the same float both ways"


def test_output_to_a_file(loaded, runner, tmp_path):
    target = tmp_path / "benchmark.json"
    result = export(runner, "aarhus-2017", "--format", "json", "-o", str(target))
    assert result.exit_code == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 84
    assert "84 rows" in result.output


@pytest.mark.parametrize("args, message", [
    (["nope", "--format", "csv"], "unknown workshop 'nope'"),
    (["aarhus-2017", "--format", "csv", "-o", "/nonexistent/dir/x.csv"], "cannot write /nonexistent/dir/x.csv"),
])
def test_bad_input_exits_1_with_one_line(loaded, runner, args, message):
    result = export(runner, *args)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith(f"Error: {message}")


@pytest.mark.parametrize("args", [["aarhus-2017"], ["aarhus-2017", "--format", "xlsx"]])
def test_the_format_is_required_and_checked(loaded, runner, args):
    result = export(runner, *args)
    assert result.exit_code != 0 and "--format" in result.output

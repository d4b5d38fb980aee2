"""Hostile questionnaire and bundle files are refused with a line and a reason, never a crash.

Each file here broke the toolkit before the limits existed: a 50,000-deep questionnaire killed
``eis questionnaire validate`` with a segmentation fault (libyaml recursing), and a 400-byte alias
bomb ran ``eis load`` for minutes and gigabytes.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from eis_toolkit.datafiles import Limits, LimitError, check_yaml, depth_of, load_json, safe_load_yaml


def alias_bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines + [f"programme: *a{levels - 1}"]) + "\n"


def deep_questionnaire(depth: int = 50_000) -> str:
    return "key: deep\nversion: 1\ntitle: " + "[" * depth + "]" * depth + "\n"


def test_the_questionnaire_that_crashed_validate_is_refused_in_a_subprocess(tmp_path):
    """In a subprocess: before the limit this died with SIGSEGV (exit -11), taking pytest with it."""
    path = tmp_path / "deep-v1.yaml"
    path.write_text(deep_questionnaire())
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "eis_toolkit", "questionnaire", "validate",
                           str(path)], capture_output=True, text=True, timeout=120,
                          env={"EIS_SECRET_KEY": "t", "EIS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                               "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1, done.stderr
    assert f"{path}:3: nested more than 64 levels deep" in done.stdout + done.stderr


def test_an_alias_bomb_bundle_is_refused_at_once(runner, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: YAML anchors and aliases" in result.output
    assert "nothing was loaded" in result.output


def test_a_deep_json_bundle_is_refused(runner, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"programme": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 1 and "nested more than 64 levels deep" in result.output


def test_a_bundle_over_the_size_setting_is_refused(make_app, tmp_path):
    app = make_app(EIS_MAX_FILE_MB=0.001)
    path = tmp_path / "big.yaml"
    path.write_text("programme: {slug: eis, title: '" + "x" * 2000 + "'}\n")
    result = app.test_cli_runner().invoke(args=["load", str(path)])
    assert result.exit_code == 1 and "at most 1,048 are accepted" in result.output


@pytest.mark.parametrize("text, line", [("a: [1, [2, [3]]]\n", 1), ("a:\n  b:\n    c:\n      d: 1\n", 4)])
def test_depth_is_counted_from_the_events(text, line):
    with pytest.raises(LimitError) as refused:
        check_yaml(text, Limits(max_depth=3))
    assert refused.value.line == line
    assert safe_load_yaml(text, Limits(max_depth=4))


def test_an_anchor_alone_is_refused_too():
    with pytest.raises(LimitError, match="anchors and aliases"):
        check_yaml("a: &x 1\n", Limits())


def test_json_depth_is_measured_without_recursion():
    assert depth_of({"a": [1, {"b": []}]}) == 4
    assert depth_of(5) == 0
    assert load_json('{"a": [[1]]}', Limits(max_depth=3)) == {"a": [[1]]}
    with pytest.raises(LimitError):
        load_json('{"a": [[[1]]]}', Limits(max_depth=3))


def test_the_shipped_files_are_within_the_limits(runner):
    from eis_toolkit.cli import DEFAULT_QUESTIONNAIRES, DEMO_BUNDLE

    for path in [*DEFAULT_QUESTIONNAIRES, DEMO_BUNDLE]:
        check_yaml(path.read_text(encoding="utf-8"), Limits())

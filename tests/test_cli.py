"""The ``eis`` command line (DESIGN.md, Command line)."""
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from eis_toolkit import ROOT
from eis_toolkit.extensions import db
from eis_toolkit.models import Dimension, Practice, Question, Questionnaire, Review, User, Workshop
from tests.conftest import CORE_QUESTIONNAIRE, write_yaml

BROKEN_QUESTIONNAIRE = """\
key: tiny
version: 1
title: {en: Tiny}
scale:
  min: 1
  max: 3
  labels: {1: {en: Low}, 2: {en: Mid}, 3: {en: High}}
dimensions:
  - key: only
    title: {en: Only}
    questions:
      - key: other.q
        type: scale
        text: {en: A question}
      - key: only.r
        type: colour
        text: {en: Another}
"""


def test_questionnaire_validate_accepts_the_shipped_questionnaire(runner):
    result = runner.invoke(args=["questionnaire", "validate", str(CORE_QUESTIONNAIRE)])
    assert result.exit_code == 0, result.output
    assert "eis-core@1 is valid (8 dimensions, 33 scored questions)" in result.output


def test_questionnaire_validate_names_file_and_line_of_every_problem(runner, tmp_path):
    path = tmp_path / "tiny-v1.yaml"
    path.write_text(BROKEN_QUESTIONNAIRE)
    result = runner.invoke(args=["questionnaire", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.startswith(f"{path}:12: ") and "only." in line for line in lines), lines
    assert any(line.startswith(f"{path}:16: ") and "colour" in line for line in lines), lines


def test_questionnaire_load_registers_once_and_refuses_changed_content(runner, app, tmp_path):
    first = runner.invoke(args=["questionnaire", "load", str(CORE_QUESTIONNAIRE)])
    assert first.exit_code == 0 and "eis-core@1: loaded" in first.output
    again = runner.invoke(args=["questionnaire", "load", str(CORE_QUESTIONNAIRE)])
    assert "already loaded, unchanged" in again.output
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1
    assert db.session.scalar(select(func.count()).select_from(Dimension)) == 8
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.type == "scale")) == 33

    changed = tmp_path / "eis-core-v1.yaml"
    changed.write_text(CORE_QUESTIONNAIRE.read_text(encoding="utf-8").replace("weight: 2", "weight: 3", 1),
                       encoding="utf-8")
    refused = runner.invoke(args=["questionnaire", "load", str(changed)])
    assert refused.exit_code == 1
    assert "already loaded with other content" in refused.output


def test_questionnaire_load_writes_nothing_when_one_file_is_malformed(runner, app, tmp_path):
    broken = tmp_path / "tiny-v1.yaml"
    broken.write_text(BROKEN_QUESTIONNAIRE)
    result = runner.invoke(args=["questionnaire", "load", str(CORE_QUESTIONNAIRE), str(broken)])
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 0


def test_load_a_bundle_and_report_what_changed(runner, core_questionnaire, bundle, tmp_path):
    path = write_yaml(tmp_path / "bundle.yaml", bundle)
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 workshop created" in result.output and "5 person created" in result.output
    assert "nothing changed" in runner.invoke(args=["load", str(path)]).output


def test_load_a_malformed_bundle_names_every_field_and_writes_nothing(runner, core_questionnaire, bundle, tmp_path):
    bundle["workshops"][0]["reviews"][0]["scores"]["strategy.vision"]["score"] = 9
    bundle["people"][1]["roles"] = ["chief"]
    path = write_yaml(tmp_path / "bundle.yaml", bundle)
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 1
    assert f"{path}: workshops[0].reviews[0].scores.strategy.vision.score: '9' is not a level from 1 to 5" in result.output
    assert f"{path}: people[1].roles[0]: 'chief' is not one of" in result.output
    assert "2 problem(s); nothing was loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_load_a_missing_file(runner, app, tmp_path):
    result = runner.invoke(args=["load", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "cannot read the file" in result.output


def test_demo_loads_the_seed_programme_and_is_idempotent(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "member.dk04@example.org" in result.output
    workshop = db.session.scalar(select(Workshop).where(Workshop.slug == "aarhus-2017"))
    assert (workshop.place, str(workshop.starts), str(workshop.ends)) == ("Aarhus", "2017-06-27", "2017-06-28")
    assert workshop.status == "published" and workshop.host_region.code == "DK04"
    assert [r.code for r in workshop.hot_seat] == ["DK04", "IE04"]
    assert {v.firm for v in workshop.site_visits} >= {"EASI'R"}
    assert "invented" in workshop.description.lower()
    assert db.session.scalar(select(func.count()).select_from(Review)) >= 6
    titles = " ".join(db.session.scalars(select(Practice.title)))
    assert "Japan" in titles
    assert "nothing changed" in runner.invoke(args=["demo"]).output


def test_user_create(runner, loaded):
    result = runner.invoke(args=["user", "create", "--email", "New@Example.org", "--name", "New Person",
                                 "--role", "reviewer", "--region", "itc4", "--password", "long-enough"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.region.code == "ITC4" and user.has_role("reviewer") and user.check_password("long-enough")


@pytest.mark.parametrize("args, message", [
    (["--email", "dk@example.org", "--name", "Dup", "--password", "long-enough"], "already a person"),
    (["--email", "x@example.org", "--name", "X", "--region", "ZZ9", "--password", "long-enough"], "unknown region"),
    (["--email", "x@example.org", "--name", "X", "--password", "short"], "at least 8"),
])
def test_user_create_refuses_bad_input(runner, loaded, args, message):
    result = runner.invoke(args=["user", "create", *args])
    assert result.exit_code == 1 and message in result.output


def test_the_eis_console_script_and_flask_cli_are_the_same(tmp_path):
    """The installed ``eis`` script runs the same command group as ``flask --app eis_toolkit``."""
    bin_dir = ROOT / ".venv" / "bin"
    eis = bin_dir / "eis" if (bin_dir / "eis").exists() else None
    commands = [[str(eis)] if eis else [sys.executable, "-m", "flask", "--app", "eis_toolkit"],
                [sys.executable, "-m", "flask", "--app", "eis_toolkit"]]
    outputs = []
    for command in commands:
        done = subprocess.run([*command, "questionnaire", "validate", str(CORE_QUESTIONNAIRE)],
                              capture_output=True, text=True, env={"EIS_SECRET_KEY": "x", "PATH": "/usr/bin:/bin",
                                                                   "EIS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]

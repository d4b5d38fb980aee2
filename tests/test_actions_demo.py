"""The demo (`eis demo`): DK04's submitted action plan after aarhus-2017 and its second review at
aarhus-2020, so that progress and a transfer show out of the box."""
from __future__ import annotations

import re

from sqlalchemy import select

from eis_toolkit.actions.models import ActionPlan
from eis_toolkit.extensions import db
from eis_toolkit.models import Workshop


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_demo_shows_progress_and_a_transfer(runner, client, login):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    later = db.session.scalar(select(Workshop).where(Workshop.slug == "aarhus-2020"))
    assert later.status == "published" and "invented figures for the demonstration" in later.description
    plan = db.session.scalar(select(ActionPlan).join(Workshop).where(Workshop.slug == "aarhus-2017"))
    assert plan.region.code == "DK04" and plan.status == "submitted" and 3 <= len(plan.actions) <= 4
    assert all(action.reports for action in plan.actions)

    login("member.dk04@example.org", "demo-region")
    response = client.get("/benchmark/workshops/aarhus-2020/regions/DK04")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    block = html[html.index('id="progress"'):html.index('id="learn-heading"')]
    assert re.search(r'id="progress-heading">[^<]*EIS peer-review workshop in Aarhus', block)
    assert "One front door for first-time exporters" in block and "/action-plans/aarhus-2020/DK04/progress.svg" in block
    assert client.get("/action-plans/aarhus-2020/DK04/progress.svg").mimetype == "image/svg+xml"
    # every row of the pair has both sides: the invented figures cover each dimension
    assert block.count('class="no-value"') == 0

    practice = _text(client.get("/practices/liguria-institutional-mission-japan-expo-osaka"))
    assert "Central Denmark (DK04) :" in practice and "“A regional institutional mission to Japan with firms”" in practice
    programme = _text(client.get("/benchmark/programmes/eis/eis-core@1"))
    assert "Central Denmark" in programme and "“ Missione istituzionale a Tokyo" in programme
    assert "nothing changed" in runner.invoke(args=["demo"]).output

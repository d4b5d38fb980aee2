"""``eis notify due``: deadline reminders for self-assessments and reviews, through a real SMTP
server, each sent once however often the command runs (docs/mail.md)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.mail import notify
from eis_toolkit.models import NotificationOptOut, Reminder, User

TODAY = date(2027, 3, 10)


@pytest.fixture
def due_soon(load, bundle):
    """aarhus-2017 open, starting and ending two days after TODAY; DK04's self-assessment a draft;
    dk@ reads Danish, ie@ (Italian) reviews DK04, a draft; it@'s review of DK04 submitted."""
    workshop = bundle["workshops"][0]
    day = (TODAY + timedelta(days=2)).isoformat()
    workshop.update(status="open", starts=day, ends=day)
    workshop["assessments"][0]["status"] = "draft"
    workshop["reviews"].append({"reviewer": "ie@example.org", "region": "DK04", "status": "draft",
                                "scores": {"strategy.vision": {"score": 2}}})
    next(p for p in bundle["people"] if p["email"] == "ie@example.org")["language"] = "it"
    next(p for p in bundle["people"] if p["email"] == "dk@example.org")["language"] = "da"
    load(bundle)
    return bundle


def _due(runner, *args):
    result = runner.invoke(args=["notify", "due", "--today", TODAY.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_reminder_goes_once_to_whom_it_concerns(due_soon, runner, smtp_server):
    assert "3 reminders queued." in _due(runner)
    received = sorted(m["To"] for m in smtp_server.messages)
    # DK04's members (the host is one) for the self-assessment; ie@ for the review; not it@ (submitted)
    assert received == ["dk@example.org", "host@example.org", "ie@example.org"]
    member = smtp_server.to("dk@example.org")[0]
    text = member.get_body(("plain",)).get_content()
    assert "12. marts 2027" in text and "http://localhost:5000/assessments/" in text
    [review] = smtp_server.to("ie@example.org")
    assert review["Content-Language"] == "it" and "12 marzo 2027" in review["Subject"]
    assert "/reviews/" in review.get_body(("plain",)).get_content()
    for _ in range(2):
        assert "0 reminders queued." in _due(runner)
    assert len(smtp_server.messages) == 3, "never twice"
    assert db.session.scalar(select(db.func.count()).select_from(Reminder)) == 3


@pytest.mark.parametrize("today, expected", [
    (TODAY - timedelta(days=1), 0),  # three days ahead of the deadline... and one more: too early
    (TODAY + timedelta(days=2), 3),  # the day itself
    (TODAY + timedelta(days=3), 0),  # past: nothing to remind of
])
def test_only_deadlines_from_today_to_the_window_are_reminded(due_soon, app, today, expected):
    assert notify.due_reminders(today, days=2) == expected


def test_a_wider_window_and_a_person_who_turned_reminders_off(due_soon, runner, smtp_server):
    dk = db.session.scalar(select(User).where(User.email == "dk@example.org"))
    db.session.add(NotificationOptOut(user_id=dk.id, kind="self_assessment_due"))
    db.session.commit()
    assert "0 reminders queued." in _due(runner, "--days", "1")  # two days ahead is outside one day
    assert "2 reminders queued." in _due(runner, "--days", "5")
    assert sorted(m["To"] for m in smtp_server.messages) == ["host@example.org", "ie@example.org"]


def test_submitted_and_published_work_is_never_reminded(load, bundle, app):
    load(bundle)  # aarhus-2017 published, its self-assessment and review submitted
    assert notify.due_reminders(date(2017, 6, 26)) == 0


def test_a_failed_send_keeps_the_reminder_queued_and_it_is_not_queued_again(due_soon, runner, smtp_server):
    smtp_server.refuse = True
    assert "3 reminders queued." in _due(runner)
    assert smtp_server.messages == []
    smtp_server.refuse = False
    assert "0 reminders queued." in _due(runner)
    assert "3 sent" in runner.invoke(args=["notify", "send"]).output
    assert len(smtp_server.messages) == 3


def test_a_bad_day_is_refused(app, runner):
    result = runner.invoke(args=["notify", "due", "--today", "10/03/2027"])
    assert result.exit_code != 0 and "--today" in result.output

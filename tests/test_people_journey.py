"""Browser journey (Playwright): an admin invites a person; the invitation e-mail (an ``.eml`` of
the outbox folder) carries the link where they set a password; they log in and out, ask for a
reset, follow the e-mailed link, set a new password and log in with it. The invitation and reset
pages pass axe at 1280 and 390 px."""
from __future__ import annotations

import os
import re
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

#: Set to a folder to keep screenshots of each step (for looking at the pages; never in git).
SHOTS = os.environ.get("EIS_SCREENSHOTS")
FIRST, SECOND = "a-fine-first-password", "a-better-second-one"


def _accessible_at_both_widths(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{name} at {width} px")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def _mail_link(outbox: Path, count: int, pattern: str) -> str:
    """The link of the ``count``-th message of the outbox folder (waiting for the server to write
    it: a reset e-mail leaves once the answer has gone to the browser)."""
    for _attempt in range(100):
        files = sorted(outbox.glob("*.eml"), key=lambda p: int(p.stem)) if outbox.exists() else []
        if len(files) >= count:
            break
        time.sleep(0.05)
    message = message_from_bytes(files[count - 1].read_bytes(), policy=policy.default)
    assert message["To"] == "nora@example.org"
    return re.search(pattern, message.get_body(("plain",)).get_content()).group(0)


def _log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def test_invited_sets_a_password_logs_in_resets_it(app, loaded, live_server, page, tmp_path):
    outbox = tmp_path / "outbox"
    app.config["EIS_OUTBOX_DIR"] = str(outbox)
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/people")
    page.get_by_role("link", name="Invite people").click()
    one = page.locator("form", has=page.get_by_role("button", name="Send the invitation"))
    one.get_by_label("Name", exact=True).fill("Nora New")
    one.get_by_label("E-mail").fill("nora@example.org")
    one.get_by_label("Region", exact=True).select_option(label="DK04 – Central Denmark")
    one.get_by_label("region member").check()
    one.get_by_label("Language of the invitation").select_option("en")
    _accessible_at_both_widths(page, "invite")
    one.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitations sent: 1 new").wait_for()
    _accessible_at_both_widths(page, "invite-sent")
    page.goto(f"{live_server}/admin/people")
    row = page.get_by_role("row", name=re.compile("Nora New"))
    assert "invited, not accepted yet" in row.inner_text()
    assert row.get_by_role("button", name="Invite again").is_visible()
    _accessible_at_both_widths(page, "people")
    _log_out(page)

    link = _mail_link(outbox, 1, rf"{re.escape(live_server)}/invitation/\S+")
    page.goto(link)
    page.get_by_role("heading", name="Welcome to the EIS Toolkit").wait_for()
    _accessible_at_both_widths(page, "invitation")
    page.locator("#language").select_option("en")
    page.get_by_label("New password", exact=True).fill("password1")  # too common: refused, said why
    page.get_by_label("New password again").fill("password1")
    page.get_by_role("button", name="Set password and log in").click()
    page.get_by_text("most common").wait_for()
    _accessible_at_both_widths(page, "invitation-error")
    page.get_by_label("New password", exact=True).fill(FIRST)
    page.get_by_label("New password again").fill(FIRST)
    page.get_by_role("button", name="Set password and log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    _log_out(page)

    log_in(page, live_server, "nora@example.org", FIRST, through_the_form=True)
    _log_out(page)

    page.goto(f"{live_server}/password/forgot")
    page.get_by_label("E-mail").fill("nora@example.org")
    page.get_by_role("button", name="Send me a link").click()
    page.locator("h1").wait_for()
    link = _mail_link(outbox, 2, rf"{re.escape(live_server)}/password/reset/\S+")
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    _accessible_at_both_widths(page, "reset")
    page.get_by_label("New password", exact=True).fill(SECOND)
    page.get_by_label("New password again").fill(SECOND)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url(f"{live_server}/login")
    log_in(page, live_server, "nora@example.org", SECOND, through_the_form=True)
    # The invitation link was used: it no longer works.
    page.goto(link.replace("/password/reset/", "/invitation/"))
    page.get_by_role("heading", name="This link does not work").wait_for()

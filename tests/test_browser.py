"""Browser journeys: Playwright driving Debian's chromium against a live server."""
import pytest

pytestmark = pytest.mark.browser


def test_a_region_member_logs_in_and_sees_the_dashboard(loaded, live_server, page):
    page.goto(f"{live_server}/dashboard")
    assert page.url.startswith(f"{live_server}/login"), "anonymous visitors are sent to log in"
    page.get_by_label("E-mail").fill("dk@example.org")
    page.get_by_label("Password", exact=True).fill("region-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    assert page.get_by_role("heading", name="Welcome, Dag Member").is_visible()
    assessments = page.get_by_role("region", name="Your region's self-assessments")
    assert "Aarhus workshop" in assessments.inner_text()
    page.get_by_role("button", name="Log out").click()
    assert page.get_by_text("You are logged out.").is_visible()

"""Browser journeys: Playwright driving Debian's chromium against a live server."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_region_member_logs_in_and_sees_the_dashboard(loaded, live_server, page):
    page.goto(f"{live_server}/dashboard")
    assert page.url.startswith(f"{live_server}/login"), "anonymous visitors are sent to log in"
    page.get_by_label("E-mail").fill("dk@example.org")
    page.get_by_label("Password", exact=True).fill("region-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.get_by_role("heading", name="Welcome, Dag Member")).to_be_visible()
    assessments = page.get_by_role("region", name="Your region's self-assessments")
    assert "Aarhus workshop" in assessments.inner_text()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def test_a_failed_browser_test_keeps_a_screenshot_of_each_open_page(loaded, live_server, page, request, tmp_path,
                                                                    monkeypatch):
    """What tests/browser_failures.py does when a browser test fails (here called directly)."""
    from tests.browser_failures import keep_failure_screenshots

    assert request.config.pluginmanager.has_plugin("tests.browser_failures"), "registered in setup.cfg"
    monkeypatch.setenv("EIS_FAILURE_SCREENSHOTS", str(tmp_path))
    page.goto(f"{live_server}/login")
    other = page.context.browser.new_context().new_page()  # another person of the journey
    other.goto(f"{live_server}/practices/")
    kept = keep_failure_screenshots(request.node)
    assert [line.split(" (")[1] for line in kept] == [f"{live_server}/login)", f"{live_server}/practices/)"]
    files = sorted(tmp_path.glob("*.png"))
    assert [f.name for f in files] == [f"test_browser.py_{request.node.name}-{n}.png" for n in (1, 2)]
    assert all(f.read_bytes().startswith(b"\x89PNG") for f in files)

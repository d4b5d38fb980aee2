"""Browser journeys: Playwright driving Debian's chromium against a live server."""
import threading

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app, loaded):
    """The app served on a free local port in a thread, for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        yield context.new_page()
        browser.close()


def test_a_region_member_logs_in_and_sees_the_dashboard(live_server, page):
    page.goto(f"{live_server}/dashboard")
    assert page.url.startswith(f"{live_server}/login"), "anonymous visitors are sent to log in"
    page.get_by_label("E-mail").fill("dk@example.org")
    page.get_by_label("Password", exact=True).fill("region-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    assert page.get_by_role("heading", name="Welcome, Dag Member").is_visible()
    assessments = page.get_by_role("table").first
    assert "Aarhus workshop" in assessments.inner_text()
    page.get_by_role("button", name="Log out").click()
    assert page.get_by_text("You are logged out.").is_visible()

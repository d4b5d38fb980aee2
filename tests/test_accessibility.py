"""axe-core finds no accessibility violations on the foundation's pages (desktop and phone)."""
import pytest

from tests.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

PAGES = [
    (None, ["/", "/login"]),
    ("dk@example.org", ["/dashboard"]),
    ("admin@example.org", ["/admin/people", "/admin/people/new", "/admin/regions", "/admin/regions/new"]),
    ("admin@example.org", ["/benchmark/", "/benchmark/workshops/aarhus-2017", "/benchmark/workshops/aarhus-2017/regions/DK04",
                           "/benchmark/workshops/aarhus-2017/regions/IE04", "/benchmark/programmes/eis/eis-core@1"]),
    ("admin@example.org", ["/admin/programmes", "/admin/outbox", "/practices/manage", "/practices/new",
                           "/account/password", "/account/notifications"]),
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("email, paths", PAGES)
def test_pages_have_no_axe_violations(loaded, live_server, page, email, paths, width):
    page.set_viewport_size({"width": width, "height": 800})
    if email:
        log_in(page, live_server, email)
    for path in paths:
        page.goto(f"{live_server}{path}")
        assert_accessible(page, path)

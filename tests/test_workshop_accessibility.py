"""axe-core finds no accessibility violations on the workshop pages, at desktop and phone widths."""
import pytest

from eis_toolkit.extensions import db
from tests.conftest import assert_accessible, log_in
from tests.workshop_support import assignment_of, submit_as, workshop, workshop_bundle  # noqa: F401

pytestmark = pytest.mark.browser

@pytest.fixture
def session(load, workshop_bundle):
    load(workshop_bundle)
    submit_as("it@example.org", "DK04")
    submit_as("de@example.org", "DK04")
    workshop().live_revealed = True
    db.session.commit()
    return {"it_dk": assignment_of("it@example.org", "DK04").id, "de_ie": assignment_of("de@example.org", "IE04").id}


PAGES = [
    ("host@example.org", ["/workshops", "/workshops/new", "/workshops/aarhus-2017", "/workshops/aarhus-2017/edit",
                          "/workshops/aarhus-2017/suggest", "/workshops/aarhus-2017/status/close",
                          "/workshops/aarhus-2017/nominations", "/workshops/aarhus-2017/import",
                          "/workshops/aarhus-2017/site-visits/new", "/workshops/aarhus-2017/live",
                          "/workshops/aarhus-2017/results/DK04"]),
    ("it@example.org", ["/reviews", "/reviews/{it_dk}"]),
    ("de@example.org", ["/reviews/{de_ie}"]),
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("email, paths", PAGES)
def test_workshop_pages_have_no_axe_violations(session, live_server, page, email, paths, width):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, email)
    for path in paths:
        page.goto(f"{live_server}{path.format(**session)}")
        if path.endswith("/live"):
            page.locator("#live-questions li").first.wait_for()
        assert_accessible(page, path)

"""The workshop pages run a constant number of SQL queries, however many reviewers, reviews,
nominations and workshops there are."""
from datetime import date

import pytest

from eis_toolkit.accounts.services import create_user, save_region
from eis_toolkit.extensions import db
from eis_toolkit.workshops import reviews as review_services
from eis_toolkit.workshops.queries import question_ids_of
from eis_toolkit.workshops.services import (accept_nomination, assign_reviewer, create_workshop, save_site_visit)
from tests.workshop_support import (assignment_of, definition, login_as, open_workshop, person, region,  # noqa: F401
                                    submit_as, workshop, workshop_bundle)


@pytest.fixture
def grow(open_workshop):
    """``grow(n)`` adds n reviewers from n new regions to both hot-seat regions (submitted
    reviews with a nomination each, accepted as practices), n site visits, and n more workshops
    in which Ian (ie@) reviews DK04."""
    added = {"n": 0}

    def grow(n):
        w = workshop()
        for _ in range(n):
            i = added["n"] = added["n"] + 1
            new_region = save_region(None, code=f"XX{i:02d}", name=f"Region {i}", country=f"X{i % 10}", language="en")
            w.programme.regions.append(new_region)
            reviewer = create_user(f"r{i}@example.org", f"Reviewer {i}", "review-pass", roles=["reviewer"], region=new_region)
            for code in ("DK04", "IE04"):
                assignment = assign_reviewer(w, reviewer, region(code))
                submit_as(reviewer.email, code, 1 + i % 5, commit=False)
                nomination = review_services.add_nomination(assignment.review, definition(w), title=f"Practice {i} {code}",
                                                            dimension_key="outreach")
                accept_nomination(nomination)
            save_site_visit(w, None, firm=f"Firm {i}")
            other = create_workshop(programme=w.programme, title=f"Workshop {i}", host_region=region("DK04"),
                                    starts=date(2018, 1, i), ends=date(2018, 1, i), questionnaire=w.questionnaire,
                                    hot_seat=[region("DK04")])
            assign_reviewer(other, person("ie@example.org"), region("DK04"))
        db.session.commit()

    return grow


def queries_for(client, count_queries, path, **kwargs):
    with count_queries() as statements:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return len(statements)


PAGES = [
    ("ie@example.org", "/reviews"),
    ("ie@example.org", "/reviews/{ie_dk}"),
    ("it@example.org", "/reviews/{it_dk}"),
    ("admin@example.org", "/reviews/{it_dk}"),
    ("host@example.org", "/workshops/aarhus-2017"),
    ("host@example.org", "/workshops/aarhus-2017/live.json"),
    ("admin@example.org", "/workshops/aarhus-2017/results/DK04"),
    ("admin@example.org", "/workshops/aarhus-2017/results/DK04.json"),
    ("host@example.org", "/workshops/aarhus-2017/nominations"),
    ("host@example.org", "/workshops"),
]


def test_constant_queries(grow, client, login_as, count_queries):
    """Every page of PAGES, counted with one added reviewer, then with seven (one data set grown
    once for all of them: growing is what costs)."""
    submit_as("it@example.org", "DK04")
    w = workshop()
    w.live_revealed = True
    db.session.commit()
    question_ids_of(w.questionnaire)  # kept by the process: only the first review page would read them
    ids = {"ie_dk": assignment_of("ie@example.org", "DK04").id, "it_dk": assignment_of("it@example.org", "DK04").id}

    def count_each():
        counts = {}
        for email, path in PAGES:
            login_as(email)
            counts[(email, path)] = queries_for(client, count_queries, path.format(**ids))
        return counts

    grow(1)
    small = count_each()
    grow(6)
    large = count_each()
    grown = {f"{email} {path}": f"{small[email, path]} → {large[email, path]}" for email, path in PAGES
             if large[email, path] != small[email, path]}
    assert not grown, f"queries that grow with the data: {grown}"

"""Benchmark pages, charts and downloads through the client: who sees what, when, in how many queries."""
import re
import xml.etree.ElementTree as ET

import pytest
from matplotlib.figure import Figure
from sqlalchemy import select

from eis_toolkit.benchmark import charts
from eis_toolkit.extensions import db
from eis_toolkit.models import Region, Role, User, Workshop

SLUG = "aarhus-2017"
EXTRA_PASSWORDS = {"out@example.org": "out-pass", "blind@example.org": "review-pass"}

WORKSHOP_ROUTES = [
    f"/benchmark/workshops/{SLUG}",
    f"/benchmark/workshops/{SLUG}/benchmark.csv",
    f"/benchmark/workshops/{SLUG}/benchmark.json",
    f"/benchmark/workshops/{SLUG}/heatmap.svg",
    f"/benchmark/workshops/{SLUG}/benchmark.xlsx",
]
SCORECARD_ROUTES = [  # of DK04
    f"/benchmark/workshops/{SLUG}/regions/DK04",
    f"/benchmark/workshops/{SLUG}/regions/DK04/benchmark.csv",
    f"/benchmark/workshops/{SLUG}/regions/DK04/benchmark.json",
    f"/benchmark/workshops/{SLUG}/regions/DK04/bars.svg",
    f"/benchmark/workshops/{SLUG}/regions/DK04/radar.svg",
    f"/benchmark/workshops/{SLUG}/regions/DK04/benchmark.xlsx",
]
OTHER_SCORECARD = f"/benchmark/workshops/{SLUG}/regions/IE04"
PROGRAMME_ROUTES = ["/benchmark/", "/benchmark/programmes/eis/eis-core@1"]


@pytest.fixture
def data(load, bundle):
    """The small bundle, plus a reviewer of DK04 whose review is still a draft (blind), and a
    logged-in person of a region outside the programme."""
    bundle["people"].append({"email": "blind@example.org", "name": "Bea Blind", "region": "ITC4",
                             "roles": ["reviewer"], "password": "review-pass"})
    bundle["workshops"][0]["reviews"].append(
        {"reviewer": "blind@example.org", "region": "DK04", "status": "draft",
         "scores": {"strategy.vision": {"score": 1}}})
    load(bundle)
    outside = Region(code="XX99", name="Elsewhere", country="XX")
    person = User(email="out@example.org", name="Otto Outside", region=outside)
    person.set_password("out-pass")
    person.roles = [Role.REGION]
    db.session.add_all([outside, person])
    db.session.commit()
    return bundle


def set_status(status: str) -> None:
    db.session.scalar(select(Workshop).where(Workshop.slug == SLUG)).status = status
    db.session.commit()


@pytest.fixture
def as_person(client, login):
    """conftest's ``login`` (None: stay anonymous), returning the client."""
    def log_in(email):
        if email is not None:
            login(email, EXTRA_PASSWORDS.get(email))
        return client
    return log_in


# (who, published?) → what they may open: "all", "scorecards" (all hot-seat regions' scorecards
# and the workshop page), "own" (own region's scorecard only), or nothing.
MATRIX = [
    ("admin@example.org", True, "all"), ("admin@example.org", False, "all"),
    # the host works for DK04, in the hot seat: before publication like DK04 itself (#13)
    ("host@example.org", True, "all"), ("host@example.org", False, "none"),
    ("dk@example.org", True, "all"), ("dk@example.org", False, "none"),
    ("it@example.org", True, "all"), ("it@example.org", False, "none"),  # submitted: still host-only before
    ("blind@example.org", True, "all"), ("blind@example.org", False, "none"),  # the blind rule
    ("ie@example.org", True, "all"), ("ie@example.org", False, "none"),
    ("out@example.org", True, "none"), ("out@example.org", False, "none"),
]


@pytest.mark.parametrize("email, published, sees", MATRIX)
def test_who_opens_each_benchmark_route(data, as_person, email, published, sees):
    if not published:
        set_status("closed")
    client = as_person(email)
    for route in WORKSHOP_ROUTES + SCORECARD_ROUTES + [OTHER_SCORECARD]:
        status = client.get(route).status_code
        assert status == (200 if sees == "all" else 403), f"{email} {route}: {status}"
    for route in PROGRAMME_ROUTES:
        assert client.get(route).status_code == 200, "the programme page is for anyone logged in"


@pytest.mark.parametrize("route", WORKSHOP_ROUTES + SCORECARD_ROUTES + PROGRAMME_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(data, client, route):
    response = client.get(route)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_region_member_outside_the_programme_sees_only_their_own_published_scorecard(data, as_person):
    """A member of a hot-seat region whose region is not a partner: own scorecard, once published."""
    person = db.session.scalar(select(User).where(User.email == "out@example.org"))
    workshop = db.session.scalar(select(Workshop).where(Workshop.slug == SLUG))
    workshop.hot_seat.append(person.region)
    db.session.commit()
    client = as_person("out@example.org")
    own = f"/benchmark/workshops/{SLUG}/regions/XX99"
    assert client.get(own).status_code == 200
    assert client.get(own + "/benchmark.csv").status_code == 200
    assert client.get(f"/benchmark/workshops/{SLUG}").status_code == 403
    assert client.get(f"/benchmark/workshops/{SLUG}/regions/DK04").status_code == 403
    set_status("closed")
    assert client.get(own).status_code == 403


def test_the_programme_page_shows_unpublished_numbers_to_hosts_only(data, as_person):
    set_status("closed")
    page = as_person("dk@example.org").get("/benchmark/programmes/eis/eis-core@1").get_data(as_text=True)
    assert "No region has been assessed" in page
    as_person(None).post("/logout")
    page = as_person("host@example.org").get("/benchmark/programmes/eis/eis-core@1").get_data(as_text=True)
    assert "No region has been assessed" in page, "the DK04 host waits for publication (#13)"
    as_person(None).post("/logout")
    page = as_person("admin@example.org").get("/benchmark/programmes/eis/eis-core@1").get_data(as_text=True)
    assert "Central Denmark (DK04)" in page


def test_calibration_is_for_hosts_and_reviewer_names_appear_nowhere_else(data, as_person):
    client = as_person("host@example.org")
    host_view = client.get(f"/benchmark/workshops/{SLUG}").get_data(as_text=True)
    assert "Reviewer calibration" in host_view and "Ida Reviewer" in host_view
    assert "Bea Blind" not in host_view, "a draft review is not calibrated"
    for route in [SCORECARD_ROUTES[0], OTHER_SCORECARD, "/benchmark/programmes/eis/eis-core@1"]:
        assert "Ida Reviewer" not in client.get(route).get_data(as_text=True)
    client.post("/logout")
    member_view = as_person("dk@example.org").get(f"/benchmark/workshops/{SLUG}").get_data(as_text=True)
    assert "Reviewer calibration" not in member_view and "Ida Reviewer" not in member_view


def test_the_scorecard_shows_the_numbers_blind_spots_and_agreement(data, as_person):
    page = as_person("dk@example.org").get(SCORECARD_ROUTES[0]).get_data(as_text=True)
    # DK04: self 4 on strategy.vision, one submitted peer score of 3 (the draft 1 does not count).
    assert "Benchmark of Central Denmark (DK04)" in page
    assert "3.00" in page and "+1.00" in page, "gap 4 − 3 on the question and its dimension"
    assert 'class="blind-spot"' in page and "blind spot" in page
    assert "Agreement cannot be measured" in page, "a single reviewer: no alpha"
    assert 'src="/benchmark/workshops/aarhus-2017/regions/DK04/bars.svg?v=' in page
    assert "The numbers are in the table" in page


@pytest.fixture
def itc4_leads(load, bundle):
    """ITC4 in the hot seat too, scored above DK04 on strategy, with a published practice for it."""
    bundle["practices"][0]["dimensions"] = ["strategy"]  # ITC4's published practice
    bundle["workshops"][0]["hot_seat"] = ["DK04", "IE04", "ITC4"]
    bundle["workshops"][0]["reviews"].append(
        {"reviewer": "ie@example.org", "region": "ITC4", "status": "submitted",
         "scores": {"strategy.vision": {"score": 5}}})
    load(bundle)


def test_learn_from_names_better_regions_and_their_published_practices(itc4_leads, as_person):
    page = as_person("dk@example.org").get(SCORECARD_ROUTES[0]).get_data(as_text=True)
    learn = page[page.index("Learn from"):]
    assert "Lombardy (ITC4)" in learn and "Paths to Japan" in learn


def test_learn_from_keeps_its_practices_until_the_catalogue_changes(itc4_leads, as_person, count_queries):
    from eis_toolkit.models import Practice

    client = as_person("dk@example.org")
    assert "Paths to Japan" in client.get(SCORECARD_ROUTES[0]).get_data(as_text=True)
    with count_queries() as queries:
        client.get(SCORECARD_ROUTES[0])
    assert not [q for q in queries if "practice_term" in q], "the practice list comes from the cache"
    renamed = "Paths to Japan, second edition"
    db.session.scalar(select(Practice).where(Practice.title == "Paths to Japan")).title = renamed
    db.session.commit()  # a practice write: a new catalogue version, the list read again at once
    assert renamed in client.get(SCORECARD_ROUTES[0]).get_data(as_text=True)


@pytest.mark.parametrize("route, kind", [(WORKSHOP_ROUTES[3], "heatmap"), (SCORECARD_ROUTES[3], "bars"),
                                         (SCORECARD_ROUTES[4], "radar")])
def test_charts_are_valid_svg_with_a_text_alternative_and_rendered_once(data, as_person, monkeypatch,
                                                                         route, kind):
    charts.cache_clear()
    drawn = []
    original = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (drawn.append(1), original(self, *a, **k))[1])
    client = as_person("host@example.org")
    first = client.get(route)
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    root = ET.fromstring(first.get_data())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    assert root.find(f"{ns}title").text and "3.00" in root.find(f"{ns}desc").text
    assert first.headers["ETag"] and "script-src" not in first.headers["Content-Security-Policy"]
    second = client.get(route)
    assert second.get_data() == first.get_data()
    assert len(drawn) == 1, "the second view of the same numbers renders no chart"
    revalidated = client.get(route, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304
    page = client.get(f"/benchmark/workshops/{SLUG}" if kind == "heatmap" else SCORECARD_ROUTES[0])
    assert len(drawn) == 1, "pages never render charts themselves"
    key = first.headers["ETag"].strip('"')
    assert f"{kind if kind != 'heatmap' else 'heatmap'}.svg?v={key}" in page.get_data(as_text=True)
    assert "max-age" in client.get(route + f"?v={key}").headers["Cache-Control"]


def test_new_scores_change_the_chart_address(data, as_person):
    client = as_person("host@example.org")
    before = client.get(SCORECARD_ROUTES[0]).get_data(as_text=True)
    data["workshops"][0]["reviews"][0]["scores"]["strategy.vision"]["score"] = 2
    from eis_toolkit.bundles.load import load_bundle
    load_bundle(data)
    db.session.commit()
    after = client.get(SCORECARD_ROUTES[0]).get_data(as_text=True)
    key = lambda html: html.split("bars.svg?v=")[1].split('"')[0]  # noqa: E731
    assert key(before) != key(after)


def test_downloads_are_the_cli_table(data, as_person, runner):
    client = as_person("host@example.org")
    for fmt in ("csv", "json"):
        download = client.get(f"/benchmark/workshops/{SLUG}/benchmark.{fmt}")
        assert download.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-benchmark.{fmt}"'
        result = runner.invoke(args=["export", "benchmark", SLUG, "--format", fmt])
        assert result.exit_code == 0 and download.get_data(as_text=True) == result.output
    region = client.get(f"/benchmark/workshops/{SLUG}/regions/IE04/benchmark.csv").get_data(as_text=True)
    assert {line.split(",")[0] for line in region.splitlines()[1:]} == {"IE04"}


@pytest.mark.parametrize("route", ["/benchmark/workshops/nope", "/benchmark/workshops/aarhus-2017/regions/ITC4",
                                   "/benchmark/workshops/aarhus-2017/regions/XX00/bars.svg",
                                   "/benchmark/programmes/eis/eis-core@9", "/benchmark/programmes/nope/eis-core@1",
                                   "/benchmark/programmes/eis/eis-core@1?dimension=nope"])
def test_unknown_things_are_not_found(data, as_person, route):
    assert as_person("admin@example.org").get(route).status_code == 404


def grow(bundle: dict, regions: int, reviewers: int) -> dict:
    """The small bundle with more hot-seat regions, each scored by more reviewers."""
    for i in range(regions):
        code = f"GR{i:02d}"
        bundle["regions"].append({"code": code, "name": f"Region {i}", "country": "GR"})
        bundle["workshops"][0]["hot_seat"].append(code)
        bundle["workshops"][0]["assessments"].append(
            {"region": code, "status": "submitted", "answers": {"strategy.vision": {"score": 1 + i % 5}}})
    for j in range(reviewers):
        email = f"rev{j}@example.org"
        bundle["people"].append({"email": email, "name": f"Reviewer {j}", "region": "ITC4", "roles": ["reviewer"]})
        for code in bundle["workshops"][0]["hot_seat"]:
            bundle["workshops"][0]["reviews"].append(
                {"reviewer": email, "region": code, "status": "submitted",
                 "scores": {"strategy.vision": {"score": 1 + (j + len(code)) % 5},
                            "outreach.digital": {"score": 2 + j % 3}, "finance.grants": {"score": None}}})
    bundle["practices"][0]["dimensions"] = ["strategy", "outreach", "finance"]
    return bundle


@pytest.mark.parametrize("route", WORKSHOP_ROUTES[:2] + SCORECARD_ROUTES[:2] + SCORECARD_ROUTES[3:4]
                         + PROGRAMME_ROUTES + ["/dashboard"])
def test_the_number_of_queries_per_page_does_not_grow_with_the_data(load, bundle, as_person, count_queries,
                                                                     route):
    import copy
    counts = []
    client = as_person(None)
    for size, (regions, reviewers) in enumerate([(0, 1), (5, 4)]):
        data = grow(copy.deepcopy(bundle), regions, reviewers)
        data["workshops"][0]["slug"] = SLUG
        load(data)
        if size == 0:
            as_person("host@example.org")
        client.get(route)  # warm: the questionnaire structure and the charts are cached per process
        with count_queries() as queries:
            assert client.get(route).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{route}: {counts}"


def test_the_charts_speak_the_readers_language(data, as_person):
    client = as_person("host@example.org")
    texts = {lang: client.get(f"/benchmark/workshops/{SLUG}/regions/DK04/bars.svg?lang={lang}").get_data(as_text=True)
             for lang in ("en", "da", "de")}
    assert "Self-assessment" in texts["en"] and "Score (" in texts["en"]
    root = ET.fromstring(texts["da"].encode("utf-8"))
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith("DK04: selvevaluering, peer-gennemsnit")
    assert "Selvevaluering" in texts["da"] and "Gruppens bedste" in texts["da"] and "Self-assessment" not in texts["da"]
    assert "Punktzahl (" in texts["de"] and "Gruppenmittelwert" in texts["de"]
    decimals = {lang: re.findall(r"\b\d[.,]\d\d\b", root.find("{http://www.w3.org/2000/svg}desc").text)
                for lang, root in ((lang, ET.fromstring(text.encode("utf-8"))) for lang, text in texts.items())}
    assert decimals["en"] and all("." in n for n in decimals["en"])
    assert [n.replace(".", ",") for n in decimals["en"]] == decimals["da"] == decimals["de"]
    heatmap = client.get(f"/benchmark/workshops/{SLUG}/heatmap.svg?lang=it").get_data(as_text=True)
    assert "Media dei pari per dimensione: " in heatmap and "Peer mean" not in heatmap
    assert re.search(r">\d,\d\d</text>", heatmap) and not re.search(r">\d\.\d\d</text>", heatmap)


@pytest.mark.parametrize("status, email, shown", [
    ("published", "dk@example.org", True), ("closed", "dk@example.org", False), ("closed", "admin@example.org", True)])
def test_learn_from_counts_another_workshop_as_the_viewer_may_see_it(load, bundle, as_person, status, email, shown):
    """"Learn from" ranks the programme's regions over the workshops the viewer may see: a later
    workshop (where ITC4 scored best) counts once published, and before that for admins only (the
    statuses are cached by data version; an unpublished one is asked of the permission rule)."""
    bundle["practices"][0]["dimensions"] = ["strategy"]  # ITC4's published practice
    later = {"slug": "milan-2019", "title": "Milan workshop", "questionnaire": "eis-core@1", "host": "ITC4",
             "place": "Milan", "starts": "2019-05-02", "ends": "2019-05-03", "status": status,
             "hot_seat": ["ITC4"],
             "reviews": [{"reviewer": "ie@example.org", "region": "ITC4", "status": "submitted",
                          "scores": {"strategy.vision": {"score": 5}}}]}
    bundle["workshops"].append(later)
    load(bundle)
    client = as_person(email)
    for _ in range(2):  # cold, then from the cache
        page = client.get(SCORECARD_ROUTES[0]).get_data(as_text=True)
        learn = page[page.index("Learn from"):]
        assert ("Lombardy (ITC4)" in learn) is shown

"""The region benchmark report: the figures of ``eis export benchmark`` as printed, the CLI and the
download giving the same bytes, the language, hostile text, who may download it, the cache."""
import io
import json
import re

import pytest
from jinja2.ext import babel_extract
from pypdf import PdfReader
from sqlalchemy import select

from eis_toolkit import ROOT
from eis_toolkit.extensions import db
from eis_toolkit.models import Region, ReviewScore, Workshop
from eis_toolkit.reporting import cache
from eis_toolkit.reporting.readers import Operator
from eis_toolkit.reporting.region import region_report_context
from eis_toolkit.reporting.render import render_html, report_pdf

URL = "/reports/workshops/aarhus-2017/regions/DK04.pdf"


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def words(text: str) -> str:
    """Extracted text with every run of white space as one space (lines wrap anywhere)."""
    return re.sub(r"\s+", " ", text)


def signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def run_report(runner, *args):
    return runner.invoke(args=["report", *args])


# --- the figures ---------------------------------------------------------------------------------


def test_the_demo_report_prints_the_figures_of_the_benchmark_export(runner, app, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    exported = runner.invoke(args=["export", "benchmark", "aarhus-2017", "--format", "json"])
    rows = {(r["region"], r["level"], r["key"]): r for r in json.loads(exported.output)}
    out = tmp_path / "dk04.pdf"
    result = run_report(runner, "region", "aarhus-2017", "DK04", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = words(pdf_text(out.read_bytes()))

    overall = rows[("DK04", "overall", "overall")]
    assert re.search(rf"\b{overall['index']:.0f} ?/ 100 Overall index", text)
    assert f"at {overall['index']:.0f} out of 100: their weighted mean score, {overall['peer_mean']:.2f}" in text
    assert f"α = {overall['alpha']:.2f}." in text
    dimensions = [r for r in rows.values() if r["region"] == "DK04" and r["level"] == "dimension"]
    assert len(dimensions) == 8
    for row in dimensions:  # each dimension section's headline, as the page prints it
        assert (f"Self {row['self']:.2f} · peer mean {row['peer_mean']:.2f} · gap {signed(row['gap'])} · "
                f"index {row['index']:.0f}") in text, row["key"]
    questions = [r for r in rows.values() if r["region"] == "DK04" and r["level"] == "question" and r["peer_n"]]
    for row in questions:
        sd = f" ± {row['peer_sd']:.2f}" if row["peer_sd"] is not None else ""
        assert (f"{row['self']:.0f} {row['peer_mean']:.2f}{sd} {row['peer_n']} {row['peer_min']:.0f} "
                f"{row['peer_max']:.0f} {signed(row['gap'])}") in text, row["key"]
    # the running header, page numbers, the table of contents and the annex
    assert "Benchmark report: Central Denmark (DK04)" in text
    pages = len(PdfReader(out).pages)
    assert f"Page {pages} of {pages}" in text and "Page 2 of" in text
    assert "Annex: how the figures are computed" in text


def test_outline_metadata_and_the_table_of_contents(loaded, runner, tmp_path):
    out = tmp_path / "r.pdf"
    assert run_report(runner, "region", "aarhus-2017", "DK04", "-o", str(out), "--lang", "en").exit_code == 0
    reader = PdfReader(out)
    assert reader.metadata.title.startswith("Benchmark report: Central Denmark (DK04)")
    assert reader.metadata.author == "Central Denmark"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    width, height = (float(v) for v in reader.pages[1].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297), "A4"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:4] == ["Benchmark report: Central Denmark (DK04)", "Contents", "Summary", "Dimensions"]
    assert "Annex: how the figures are computed" in outline
    # table of contents: each entry with the page its section starts on
    toc = words(reader.pages[1].extract_text())
    summary_page = next(i for i, p in enumerate(reader.pages, start=1) if "Do the peers agree?" in p.extract_text())
    assert re.search(rf"Summary[ .]*{summary_page}\b", toc)


def test_the_cli_and_the_download_give_the_same_bytes(loaded, runner, client, login, tmp_path, report_cache):
    out = tmp_path / "cli.pdf"
    assert run_report(runner, "region", "aarhus-2017", "DK04", "-o", str(out), "--as", "dk@example.org").exit_code == 0
    login("dk@example.org")
    response = client.get(URL + "?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="aarhus-2017-DK04-report-en.pdf"'
    assert response.data == out.read_bytes()


def test_rendering_twice_gives_the_same_bytes(loaded, app, report_cache):
    workshop = db.session.scalar(select(Workshop))
    region = db.session.scalar(select(Region).where(Region.code == "DK04"))
    context = region_report_context(workshop, region, Operator(), "en")
    first = report_pdf("region", context)
    cache.clear()
    second = report_pdf("region", context)
    assert not first.cached and not second.cached
    assert first.pdf == second.pdf


# --- the language --------------------------------------------------------------------------------


def test_the_language_reaches_the_document(loaded, app):
    workshop = db.session.scalar(select(Workshop))
    region = db.session.scalar(select(Region).where(Region.code == "DK04"))
    for language in ("it", "da", "de"):
        html = render_html("region", region_report_context(workshop, region, Operator(), language))
        assert f'<html lang="{language}">' in html


def test_headings_go_through_gettext():
    """Translations arrive later (issue #12): every heading must be a message to translate."""
    with open(ROOT / "templates" / "reports" / "region.html", "rb") as file:
        messages = {m[2] if isinstance(m[2], str) else m[2][0] for m in babel_extract(file, ("_", "gettext"), [], {})}
    for heading in ("Contents", "Summary", "Overall index", "Do the peers agree?", "Strongest dimensions",
                    "Weakest dimensions", "Blind spots", "Dimensions", "Reviewers' comments",
                    "Strengths, weaknesses and recommendations", "Practices to learn from",
                    "Annex: how the figures are computed", "Benchmark report: %(region)s (%(code)s)"):
        assert heading in messages, heading


def test_lang_it_changes_the_headings(loaded, runner, tmp_path):
    """``--lang it`` prints the headings, dates and figures as the shipped Italian catalogue and
    Italian write them; the English report stays English."""
    texts = {}
    for language in ("en", "it"):
        out = tmp_path / f"{language}.pdf"
        result = run_report(runner, "region", "aarhus-2017", "DK04", "-o", str(out), "--lang", language)
        assert result.exit_code == 0, result.output
        assert PdfReader(out).trailer["/Root"]["/Lang"] == language
        texts[language] = words(pdf_text(out.read_bytes()))
    assert "Sintesi" in texts["it"] and "Sommario" in texts["it"] and "Pagina 3 di" in texts["it"]
    assert "27 giugno 2017 – 28 giugno 2017" in texts["it"], "the cover's dates as Italian writes them"
    assert "June 27, 2017 – June 28, 2017" in texts["en"]
    assert "Sintesi" not in texts["en"] and "Summary" in texts["en"] and "Page 3 of" in texts["en"]
    # figures as the language writes them: the same mean, with a decimal comma in Italian
    mean = re.search(r"their weighted mean score, (\d)\.(\d\d)", texts["en"])
    assert mean and re.search(rf"\b{mean[1]},{mean[2]}\b", texts["it"])
    assert not re.search(r"\b\d\.\d\d\b", texts["it"]), "no decimal point in the Italian report"


# --- hostile text --------------------------------------------------------------------------------

HOSTILE = ('<script>alert("x")</script> <img src=file:///etc/passwd> '
           '<link rel=stylesheet href=http://evil.invalid/x.css>')


def test_hostile_text_is_printed_as_text_and_fetches_nothing(load, bundle, app, report_cache):
    bundle["workshops"][0]["title"] = f"Aarhus {HOSTILE}"
    review = bundle["workshops"][0]["reviews"][0]
    review["strengths"] = f"Strong {HOSTILE}"
    review["scores"]["strategy.vision"]["comment"] = f"Comment {HOSTILE}"
    bundle["practices"][0]["summary"] = f"Summary {HOSTILE}"
    load(bundle)
    workshop = db.session.scalar(select(Workshop))
    region = db.session.scalar(select(Region).where(Region.code == "DK04"))
    context = region_report_context(workshop, region, Operator(), "en")
    html = render_html("region", context)
    assert "<script>" not in html and "<img src=file" not in html and "<link rel=stylesheet href=http" not in html
    assert "&lt;script&gt;" in html

    rendered = report_pdf("region", context)
    text = words(pdf_text(rendered.pdf))
    assert text.count('<script>alert("x")</script>') >= 3  # title (cover), strengths, comment
    assert "<img src=file:///etc/passwd>" in text and "<link rel=stylesheet href=http://evil.invalid/x.css>" in text
    fetched = rendered.fetcher.requested
    assert fetched and all(url == "https://report.invalid/static/favicon.svg" or url.startswith("data:image/svg+xml;")
                           for url in fetched), fetched
    assert rendered.fetcher.served == fetched


# --- who may download it (DESIGN.md, Reports: as the pages) ---------------------------------------

@pytest.mark.parametrize("status, who, expected", [
    ("published", None, 302),
    ("published", "admin@example.org", 200),
    ("published", "host@example.org", 200),
    ("published", "dk@example.org", 200),   # the reviewed region, once published
    ("published", "ie@example.org", 200),   # a partner region of the programme, once published
    ("closed", None, 302),
    ("closed", "admin@example.org", 200),
    ("closed", "host@example.org", 403),    # a host who works for DK04: not before publication (#13)
    ("closed", "dk@example.org", 403),      # not before publication
    ("closed", "it@example.org", 403),      # a reviewer, even one who submitted
    ("closed", "ie@example.org", 403),
])
def test_the_download_is_refused_to_those_who_may_not_see_the_scorecard(load, bundle, client, login, status, who,
                                                                          expected):
    bundle["workshops"][0]["status"] = status
    load(bundle)
    if who:
        login(who)
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 200:
        assert response.data.startswith(b"%PDF")


def test_unknown_workshop_and_regions_outside_the_hot_seat_are_404(loaded, client, login):
    login("admin@example.org")
    assert client.get("/reports/workshops/nope/regions/DK04.pdf").status_code == 404
    assert client.get("/reports/workshops/aarhus-2017/regions/ITC4.pdf").status_code == 404
    assert client.get("/reports/workshops/aarhus-2017/regions/XX99.pdf").status_code == 404


def test_each_reader_sees_the_reviews_as_the_pages_show_them(loaded, client, login):
    """Host: reviews with names. Reviewed region: reviews without names (the workshop hides
    them). A partner who did not review the region: figures, no reviews."""
    texts = {}
    for email in ("host@example.org", "dk@example.org", "ie@example.org"):
        login(email)
        texts[email] = words(pdf_text(client.get(URL).data))
        client.post("/logout")
    assert "Ida Reviewer" in texts["host@example.org"] and "Good" in texts["host@example.org"]
    assert "Ida Reviewer" not in texts["dk@example.org"] and "Reviewer A" in texts["dk@example.org"]
    assert "Clear" in texts["dk@example.org"]  # the strengths
    assert "Ida Reviewer" not in texts["ie@example.org"] and "Reviewer A" not in texts["ie@example.org"]
    assert "Clear" not in texts["ie@example.org"]
    assert "The peer reviews themselves are not part of this copy" in texts["ie@example.org"]


def test_reviewer_names_when_the_workshop_shows_them(load, bundle, client, login):
    bundle["workshops"][0]["show_reviewer_names"] = True
    load(bundle)
    login("dk@example.org")
    assert "Ida Reviewer" in words(pdf_text(client.get(URL).data))


# --- the command line ----------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["nope", "DK04"], "unknown workshop 'nope'"),
    (["aarhus-2017", "ITC4"], "'ITC4' is not a hot-seat region of aarhus-2017"),
    (["aarhus-2017", "DK04", "--as", "nobody@example.org"], "unknown person 'nobody@example.org'"),
    (["aarhus-2017", "DK04", "--lang", "fr"], "Invalid value for '--lang'"),
])
def test_the_cli_refuses_bad_input_and_writes_nothing(loaded, runner, tmp_path, args, message):
    out = tmp_path / "r.pdf"
    result = run_report(runner, "region", *args, "-o", str(out))
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()


def test_the_cli_refuses_a_reader_who_may_not_see_the_report(load, bundle, runner, tmp_path):
    bundle["workshops"][0]["status"] = "closed"
    load(bundle)
    out = tmp_path / "r.pdf"
    result = run_report(runner, "region", "aarhus-2017", "DK04", "-o", str(out), "--as", "dk@example.org")
    assert result.exit_code == 1 and "dk@example.org may not see the benchmark of DK04" in result.output
    assert not out.exists()


# --- the cache -----------------------------------------------------------------------------------

def test_the_cache_gives_the_same_bytes_and_new_bytes_after_a_score_changes(loaded, client, login, report_cache):
    login("host@example.org")
    first = client.get(URL).data
    assert len(list(report_cache.glob("*/*.pdf"))) == 1
    again = client.get(URL).data
    assert again == first and len(list(report_cache.glob("*/*.pdf"))) == 1, "served from the cache"

    score = db.session.scalar(select(ReviewScore).where(ReviewScore.score == 3))
    score.score = 5
    db.session.commit()
    changed = client.get(URL).data
    assert changed != first and len(list(report_cache.glob("*/*.pdf"))) == 2
    assert "5.00" in words(pdf_text(changed))


def test_a_corrected_translation_gives_new_keys(tmp_path, monkeypatch):
    """The key covers the compiled catalogues: a fixed Italian heading must not serve old PDFs."""
    import shutil

    copy = tmp_path / "translations"
    shutil.copytree(cache.TRANSLATIONS_DIR, copy)
    monkeypatch.setattr(cache, "TRANSLATIONS_DIR", copy)
    cache.templates_digest.cache_clear()
    before = cache.templates_digest()
    with open(copy / "it" / "LC_MESSAGES" / "messages.mo", "ab") as file:
        file.write(b"\0")
    cache.templates_digest.cache_clear()
    try:
        assert cache.templates_digest() != before
    finally:
        monkeypatch.undo()
        cache.templates_digest.cache_clear()


def test_a_cached_report_takes_a_constant_number_of_queries(load, bundle, client, login, count_queries):
    load(bundle)
    login("host@example.org")
    client.get(URL)
    with count_queries() as small:
        assert client.get(URL).status_code == 200
    more = bundle["workshops"][0]["reviews"][0]
    bundle["workshops"][0]["reviews"].append({**more, "reviewer": "ie@example.org"})
    load(bundle)
    client.get(URL)
    with count_queries() as larger:
        assert client.get(URL).status_code == 200
    assert len(larger) == len(small)


def test_a_region_without_self_assessment_or_reviews_prints_dashes_and_says_why(loaded, runner, tmp_path):
    out = tmp_path / "ie04.pdf"
    result = run_report(runner, "region", "aarhus-2017", "IE04", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = words(pdf_text(out.read_bytes()))
    assert "IE04 has no self-assessment for this workshop" in text
    assert "No submitted peer review yet: the index appears with the first one." in text
    assert "Agreement cannot be measured" in text
    assert "Self – · peer mean – · gap – · index –" in text


def test_anonymous_reviewers_are_named_in_the_report_s_language(loaded, app):
    from eis_toolkit.models import User

    workshop = db.session.scalar(select(Workshop))
    region = db.session.scalar(select(Region).where(Region.code == "DK04"))
    member = db.session.scalar(select(User).where(User.email == "dk@example.org"))
    labels = {language: [r["label"] for r in region_report_context(workshop, region, member, language)["reviews"]]
              for language in ("en", "it")}
    assert labels == {"en": ["Reviewer A"], "it": ["Revisore A"]}

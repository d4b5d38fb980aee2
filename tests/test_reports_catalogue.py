"""The catalogue report's rendering (the selection comes from the catalogue's search, issue #10):
published practices only, their fields, terms and peer rating, the filters on the cover, a
table of contents with page numbers; hostile text printed as text and nothing fetched."""
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eis_toolkit.extensions import db
from eis_toolkit.models import Practice, Term
from eis_toolkit.catalogue.ratings import peer_rating
from eis_toolkit.reporting.catalogue import catalogue_report_context
from eis_toolkit.reporting.render import render_html, report_pdf

HOSTILE = '<script>alert(1)</script> <img src=file:///etc/passwd> <link rel=stylesheet href=http://evil.invalid/x>'


def practices():
    return list(db.session.scalars(select(Practice).options(selectinload(Practice.terms), selectinload(Practice.ratings),
                                                            selectinload(Practice.region)).order_by(Practice.title)))


def test_published_practices_with_their_fields_rating_and_filters(load, bundle):
    bundle["practices"][0]["evidence"] = "Forty firms took part; twelve signed contracts."
    bundle["practices"].append({"slug": "draft-one", "title": "Not yet public", "region": "DK04", "status": "draft"})
    bundle["practices"].append({"slug": "unrated", "title": "Unrated practice", "region": "IE04",
                                "status": "published", "links": ["https://example.org/unrated"]})
    load(bundle)
    terms = {(str(t.vocabulary), t.key): t for t in db.session.scalars(select(Term))}
    context = catalogue_report_context(practices(), {"market": ["JP"], "q": ["japan"]}, "en", terms=terms)
    assert [p["slug"] for p in context["practices"]] == ["paths-japan", "unrated"], "drafts never printed"
    assert context["filters"][0] == ["q", ["japan"]]
    rendered = report_pdf("catalogue", context)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert "Catalogue of good practices" in text and "2 published practices" in text
    assert "Paths to Japan" in text and "Lombardy (ITC4)" in text
    assert "peer rating 4.0 (n = 1)" in text and "evidence 4.0 · transferability 5.0 · usefulness 3.0" in text
    assert "no peer rating yet" in text  # no ratings: none, not zero
    assert "Forty firms took part; twelve signed contracts." in text and "https://example.org/unrated" in text
    assert "Not yet public" not in text
    assert re.search(r"Paths to Japan \(ITC4\)[ .]*3\b", text), "table of contents with page numbers"
    assert [i.title for i in reader.outline if not isinstance(i, list)][:2] == ["Catalogue of good practices",
                                                                                 "Contents"]


def test_rating_is_the_mean_of_the_ratings_and_none_without_any(loaded):
    [practice] = practices()
    rating = peer_rating(practice.ratings)
    assert (rating.mean, rating.n, rating.criteria) == (4.0, 1, {"evidence": 4, "transferability": 5, "usefulness": 3})
    assert peer_rating([]).mean is None and peer_rating([]).n == 0


def test_peer_rating_is_the_mean_of_every_criterion_of_every_rating():
    from types import SimpleNamespace as Rating

    rating = peer_rating([Rating(evidence=5, transferability=4, usefulness=3),
                          Rating(evidence=2, transferability=4, usefulness=5)])
    assert rating.mean == 23 / 6 and rating.n == 2
    assert rating.criteria == {"evidence": 3.5, "transferability": 4.0, "usefulness": 4.0}


def test_editions_are_printed_by_date_in_the_reports_language(load, bundle, app):
    bundle["practices"][0]["editions"] = [
        {"title": "Mission to Osaka", "starts": "2027-03-02", "ends": "2027-03-05", "place": "Osaka"},
        {"title": "Webinar series", "deadline": "2027-01-15", "eligibility": "SMEs of Lombardy"},
        {"title": "Open desk"}]
    load(bundle)
    texts = {}
    for language in ("en", "it"):
        rendered = report_pdf("catalogue", catalogue_report_context(practices(), {}, language))
        texts[language] = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages))
    en = texts["en"]
    assert "Calls and events" in en
    assert "Webinar series · apply by January 15, 2027" in en and "Who may apply: SMEs of Lombardy" in en
    assert "Mission to Osaka · March 2, 2027 – March 5, 2027 · Osaka" in en
    assert en.index("Webinar series") < en.index("Mission to Osaka") < en.index("Open desk"), "by date, undated last"
    assert "15 gennaio 2027" in texts["it"] and "Bandi ed eventi" in texts["it"]


def test_hostile_practice_text_is_printed_as_text_and_fetches_nothing(load, bundle, report_cache):
    bundle["practices"][0].update(title=f"Paths {HOSTILE}", summary=f"Summary {HOSTILE}",
                                  description=f"Description {HOSTILE}")
    load(bundle)
    context = catalogue_report_context(practices(), {"q": [HOSTILE]}, "en")
    assert "<script>" not in render_html("catalogue", context)
    rendered = report_pdf("catalogue", context)
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages))
    assert text.count("<script>alert(1)</script>") >= 4  # cover filter, contents, title, summary, description
    assert rendered.fetcher.requested == ["https://report.invalid/static/favicon.svg"]


def test_eis_report_catalogue_prints_the_catalogues_own_selection(load, bundle, runner, tmp_path):
    bundle["practices"].append({"slug": "usa-fairs", "title": "Fairs in the USA", "region": "IE04",
                                "status": "published", "markets": ["US"]})
    load(bundle)
    out = tmp_path / "c.pdf"
    result = runner.invoke(args=["report", "catalogue", "--market", "JP", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(out).pages))
    assert "Paths to Japan" in text and "Fairs in the USA" not in text and "1 published practice" in text


def test_eis_report_catalogue_refuses_an_unknown_value_and_writes_nothing(loaded, runner, tmp_path):
    out = tmp_path / "c.pdf"
    result = runner.invoke(args=["report", "catalogue", "--market", "XX", "-o", str(out)])
    assert result.exit_code != 0 and "XX" in result.output and not out.exists()


def test_the_catalogue_download_gives_the_cli_bytes(loaded, runner, client, tmp_path):
    out = tmp_path / "c.pdf"
    assert runner.invoke(args=["report", "catalogue", "--market", "JP", "-o", str(out)]).exit_code == 0
    response = client.get("/reports/practices.pdf?market=JP&lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == out.read_bytes()
    assert client.get("/reports/practices.pdf?market=XX").status_code == 400


def test_the_selected_catalogue_takes_the_same_queries_for_one_practice_or_eight(load, bundle, app, count_queries):
    from werkzeug.datastructures import MultiDict

    from eis_toolkit.reporting.catalogue import selected_catalogue_context

    def queries_for(n: int) -> int:
        db.session.rollback()
        extra = [{"slug": f"extra-{i}", "title": f"Extra {i}", "region": "DK04", "status": "published",
                  "ratings": [{"rater": "ie@example.org", "evidence": 3, "transferability": 3, "usefulness": 3}],
                  "editions": [{"title": f"Call {i}", "deadline": "2027-01-01"}]} for i in range(n - 1)]
        load({**bundle, "practices": bundle["practices"] + extra})
        with count_queries() as statements:
            context = selected_catalogue_context(MultiDict(), "en")
            assert len(context["practices"]) == n
            assert all(p["rating"]["n"] == 1 and (p["editions"] or p["slug"] == "paths-japan")
                       for p in context["practices"])
        return len(statements)

    assert queries_for(1) == queries_for(8)

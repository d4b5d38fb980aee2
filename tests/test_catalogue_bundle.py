"""Practices in bundles: editions, English title and summary, the search document; the demo's
practices; the text helpers of the practice page."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from eis_toolkit import ROOT
from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.bundles.validate import BundleError
from eis_toolkit.catalogue.pages import blocks
from eis_toolkit.extensions import db
from eis_toolkit.models import Practice, PracticeEdition

EDITIONS = [{"title": "Tokyo", "deadline": "2026-05-13", "starts": "2026-07-16", "ends": "2026-07-19",
             "place": "Tokyo", "eligibility": "SMEs in Lombardy"},
            {"title": "USA", "deadline": "2026-05-31"}]


def test_editions_load_update_and_stay_put(load, bundle):
    bundle["practices"][0].update(editions=EDITIONS, title_en="Paths to Japan", summary_en="In English.",
                                  language="it")
    load(bundle)
    assert load(bundle) == {}
    practice = db.session.scalar(select(Practice).where(Practice.slug == "paths-japan"))
    assert [(e.title, e.deadline) for e in practice.editions] == [("Tokyo", date(2026, 5, 13)), ("USA", date(2026, 5, 31))]
    assert practice.title_en == "Paths to Japan" and "english" in practice.search_document.split()
    bundle["practices"][0]["editions"] = [{**EDITIONS[1], "place": "New York"}]
    counts = load(bundle)
    assert counts["edition deleted"] == 1 and counts["edition updated"] == 1
    assert [(e.title, e.place) for e in db.session.scalars(select(PracticeEdition))] == [("USA", "New York")]


@pytest.mark.parametrize(("editions", "path", "words"), [
    ([{"title": "A", "deadline": "13 May"}], "practices[0].editions[0].deadline", "is not a date"),
    ([{"title": "A", "starts": "2026-07-19", "ends": "2026-07-16"}], "practices[0].editions[0].ends", "before it starts"),
    ([{"title": "A"}, {"title": "A"}], "practices[0].editions[1].title", "appears twice"),
    ([{"deadline": "2026-05-13"}], "practices[0].editions[0]", "title"),
])
def test_bad_editions_are_refused_with_their_path(app, core_questionnaire, bundle, editions, path, words):
    bundle["practices"][0]["editions"] = editions
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    db.session.rollback()
    messages = [str(p) for p in refused.value.problems]
    assert any(m.startswith(path) and words in m for m in messages), messages


def test_the_demo_has_every_seed_practice_in_its_language_with_an_english_summary(app, core_questionnaire):
    import yaml

    data = yaml.safe_load((ROOT / "eis_toolkit" / "demo" / "eis-demo.yaml").read_text(encoding="utf-8"))
    load_bundle(data)
    db.session.commit()
    practices = {p.slug: p for p in db.session.scalars(select(Practice))}
    assert {p.language for p in practices.values()} == {"it", "de", "da"}
    for practice in practices.values():
        assert practice.summary_en and practice.title_en, practice.slug
    lombardy = practices["lombardy-paths-japan-usa"]
    assert "Giappone" in lombardy.title and "bando" in lombardy.summary
    deadlines = sorted(e.deadline.strftime("%d %m") for e in lombardy.editions if e.deadline)
    assert deadlines == ["13 05", "31 05"]
    assert {e.place for e in lombardy.editions} >= {"Tokyo", "Stati Uniti", "Chongqing o Shanghai", "Dubai"}
    mobility = practices["eu-japan-cluster-staff-mobility"]
    assert [e.deadline for e in mobility.editions] == [date(2022, 8, 31)]
    assert "Mobilitätsprogramm" in mobility.title


def test_blocks_join_wrapped_lines_and_keep_lists():
    text = "First line\nwrapped.\n\nIntro:\n- one\n  continued\n- two\nAfter."
    assert blocks(text) == [("p", "First line wrapped."), ("p", "Intro:"), ("ul", ["one continued", "two"]),
                            ("p", "After.")]
    assert blocks("") == []


def test_init_db_and_every_load_put_the_shipped_vocabularies_back(app):
    """``ensure_terms`` (run by ``eis init-db`` and every bundle load) restores a changed label and a
    missing term, and changes nothing when they are as shipped."""
    from eis_toolkit.catalogue.taxonomies import ensure_terms, taxonomy_labels
    from eis_toolkit.models import Term, Vocabulary

    shipped = taxonomy_labels()[Vocabulary.MARKET]["JP"]
    japan = db.session.scalar(select(Term).where(Term.vocabulary == Vocabulary.MARKET, Term.key == "JP"))
    japan.label = {"en": "Nippon"}
    db.session.delete(db.session.scalar(select(Term).where(Term.vocabulary == Vocabulary.MARKET, Term.key == "DK")))
    db.session.flush()
    assert ensure_terms() == 2
    labels = dict(db.session.execute(select(Term.key, Term.label).where(Term.vocabulary == Vocabulary.MARKET,
                                                                         Term.key.in_(["JP", "DK"]))).all())
    assert labels == {"JP": shipped, "DK": taxonomy_labels()[Vocabulary.MARKET]["DK"]}
    assert ensure_terms() == 0
    db.session.rollback()

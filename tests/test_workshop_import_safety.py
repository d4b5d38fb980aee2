"""The paper import keeps people's text and never overwrites a reviewer's own draft (#13)."""
import csv
import io

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Review, ReviewScore, ReviewStatus
from eis_toolkit.workshops.importing import ImportRefused, import_scores, read_table
from tests.workshop_support import (assignment_of, definition, open_workshop, person,  # noqa: F401
                                    workshop_bundle)

QUOTED = 'He said "good", then left'


def paper(email: str, region: str, comment: str = "fine", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["reviewer", "region", "question", "score", "comment"])
    for question in definition().scored_questions():
        writer.writerow([email, region, question.key, 3, comment])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_quoted_text_arrives_as_typed(open_workshop, delimiter):
    rows = read_table("paper.csv", paper("a@example.org", "DK04", QUOTED, delimiter))
    assert {cells["comment"] for _, cells in rows} == {QUOTED}


def test_a_comment_with_the_delimiter_and_a_line_break_survives():
    text = 'reviewer;region;question;score;comment\na@example.org;DK04;strategy.vision;3;"one; two\nthree ""x"""\n'
    (number, cells), = read_table("paper.csv", text.encode())
    assert cells["comment"] == 'one; two\nthree "x"'


def test_an_imported_review_keeps_the_quotes(open_workshop):
    import_scores(open_workshop, "paper.csv", paper("ie@example.org", "DK04", QUOTED), person("host@example.org"))
    db.session.commit()
    review = assignment_of("ie@example.org", "DK04").review
    assert {s.comment for s in review.scores} == {QUOTED}


def test_a_started_draft_is_refused_and_left_as_it_was(open_workshop):
    review = assignment_of("ie@example.org", "DK04").review
    assert review is not None and review.status == ReviewStatus.DRAFT
    review.strengths = "my own notes, half written"
    db.session.commit()
    with pytest.raises(ImportRefused) as refused:
        import_scores(open_workshop, "paper.csv", paper("ie@example.org", "DK04"), person("host@example.org"))
    db.session.rollback()
    assert "has started a review of DK04" in str(refused.value)
    stored = db.session.scalar(select(Review).where(Review.id == review.id).execution_options(populate_existing=True))
    assert stored.status == ReviewStatus.DRAFT and stored.strengths == "my own notes, half written"
    assert db.session.scalars(select(ReviewScore).where(ReviewScore.review_id == review.id)).all() == []


def test_the_empty_drafts_of_an_opened_round_may_be_filled_from_paper(open_workshop):
    review = assignment_of("ie@example.org", "DK04").review
    assert review.status == ReviewStatus.DRAFT and not review.scores and not review.strengths
    counts = import_scores(open_workshop, "paper.csv", paper("ie@example.org", "DK04"), person("host@example.org"))
    db.session.commit()
    assert counts["reviews"] == 1
    assert assignment_of("ie@example.org", "DK04").review.status == ReviewStatus.SUBMITTED

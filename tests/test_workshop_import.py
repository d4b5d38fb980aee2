"""Importing the scores of a paper session: whole-file validation with row and column, all or nothing."""
import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from eis_toolkit.audit import AuditEvent
from eis_toolkit.extensions import db
from eis_toolkit.models import Review, ReviewScore, ReviewStatus, WorkshopStatus
from eis_toolkit.workshops.importing import ImportRefused, import_scores
from tests.workshop_support import (assignment_of, definition, open_workshop, person, submit_as,  # noqa: F401
                                    workshop_bundle)

HEADER = ["reviewer", "region", "question", "score", "comment"]


def rows_for(email, region, score=3, overrides=None):
    overrides = overrides or {}
    return [[email, region, q.key, overrides.get(q.key, score), f"{email} on {q.key}"]
            for q in definition().scored_questions()]


def as_csv(rows, delimiter=",", header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Paper session, Aarhus"])  # a title above the header
    sheet.append([])
    sheet.append([h.title() for h in header])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_valid_csv_makes_submitted_reviews(open_workshop):
    rows = rows_for("it2@example.org", "IE04", 4, {"strategy.kpis": "N/A"}) + rows_for("ie@example.org", "DK04", 2)
    counts = import_scores(open_workshop, "paper.csv", as_csv(rows), person("host@example.org"))
    db.session.commit()
    assert counts == {"reviews": 2, "scores": 66, "assignments": 1}
    new = assignment_of("it2@example.org", "IE04").review
    assert new.status == ReviewStatus.SUBMITTED
    scores = {s.question.key: (s.score, s.not_applicable, s.comment) for s in new.scores}
    assert scores["strategy.kpis"] == (None, True, "it2@example.org on strategy.kpis")
    assert scores["strategy.vision"] == (4, False, "it2@example.org on strategy.vision")
    assert assignment_of("ie@example.org", "DK04").review.status == ReviewStatus.SUBMITTED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workshop.import"))
    assert event.detail == {"file": "paper.csv", "reviews": 2, "scores": 66, "assignments": 1}


def test_semicolons_and_excel_files(open_workshop):
    import_scores(open_workshop, "paper.csv", as_csv(rows_for("ie@example.org", "DK04"), delimiter=";"))
    rows = rows_for("de@example.org", "IE04", 5.0)  # Excel numbers arrive as floats
    import_scores(open_workshop, "Paper.XLSX", as_xlsx(rows))
    db.session.commit()
    review = assignment_of("de@example.org", "IE04").review
    assert review.status == ReviewStatus.SUBMITTED and {s.score for s in review.scores} == {5}


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(open_workshop):
    submit_as("de@example.org", "DK04")
    before = (count(Review), count(ReviewScore))
    good = rows_for("it@example.org", "IE04")
    rows = good + [
        ["nobody@example.org", "DK04", "strategy.vision", 3, ""],       # row 35
        ["dk@example.org", "IE04", "strategy.vision", 3, ""],           # 36: not a reviewer
        ["it@example.org", "ITC4", "strategy.vision", 3, ""],           # 37: not in the hot seat
        ["ie@example.org", "IE04", "strategy.vision", 3, ""],           # 38: own region
        ["it@example.org", "IE04", "strategy.nonsense", 3, ""],         # 39
        ["it@example.org", "IE04", "strategy.budget", 3, ""],           # 40: not scored
        ["it@example.org", "IE04", "strategy.vision", 7, ""],           # 41
        ["it@example.org", "IE04", "strategy.vision", "good", ""],      # 42
        ["it@example.org", "IE04", "strategy.vision", "", ""],          # 43
        ["it@example.org", "IE04", "strategy.vision", 2, "again"],      # 44: duplicate of row 2
        ["ie@example.org", "DK04", "strategy.vision", 3, ""],           # 45: ie has no other DK04 score
        ["de@example.org", "DK04", *([q.key for q in definition().scored_questions()][:1]), 3, ""],  # 46
    ]
    with pytest.raises(ImportRefused) as refused:
        import_scores(open_workshop, "paper.csv", as_csv(rows))
    messages = [str(p) for p in refused.value.problems]
    assert messages[:10] == [
        "row 35, column reviewer: nobody has the e-mail address 'nobody@example.org'",
        "row 36, column reviewer: dk@example.org does not have the reviewer role",
        "row 37, column region: 'ITC4' is not in the hot seat of this workshop (DK04, IE04)",
        "row 38, column region: ie@example.org works for IE04 and cannot review their own region",
        "row 39, column question: 'strategy.nonsense' is not a scored question of eis-core@1",
        "row 40, column question: 'strategy.budget' is not a scored question of eis-core@1",
        "row 41, column score: '7' is not a level from 1 to 5 or N/A",
        "row 42, column score: 'good' is not a level from 1 to 5 or N/A",
        "row 43, column score: is empty: give a level from 1 to 5 or N/A",
        "row 44, column question: it@example.org scores strategy.vision of IE04 again (first on row 2)",
    ]
    assert messages[10].startswith("row 45, column question: ie@example.org has no score for DK04 on strategy.coordination, ")
    assert "row 46, column reviewer: de@example.org has already submitted a review of DK04 in the toolkit" in messages
    db.session.rollback()
    assert (count(Review), count(ReviewScore)) == before


@pytest.mark.parametrize("filename, data, message", [
    ("paper.ods", b"x", "Upload an .xlsx or a .csv file."),
    ("paper.xlsx", b"not a zip", "This is not a readable .xlsx file"),
    ("paper.csv", "reviewer,score\n".encode(), "row 1: the header row has no column region, question"),
    ("paper.csv", b"", "The file is empty."),
    ("paper.csv", "reviewer,region,question,score\nx,\xe9".encode("latin-1"), "not UTF-8"),
])
def test_unreadable_files(open_workshop, filename, data, message):
    with pytest.raises(ImportRefused) as refused:
        import_scores(open_workshop, filename, data)
    assert message in str(refused.value)


@pytest.mark.parametrize("status", ["planned", "closed", "published"])
def test_import_only_while_open(open_workshop, status):
    open_workshop.status = WorkshopStatus(status)
    with pytest.raises(ImportRefused, match="only while the review round is open"):
        import_scores(open_workshop, "paper.csv", as_csv(rows_for("ie@example.org", "DK04")))


def test_the_import_page(open_workshop, client, login):
    login("host@example.org")
    assert "Import the scores of a paper session" in client.get("/workshops/aarhus-2017/import").text
    bad = client.post("/workshops/aarhus-2017/import", data={
        "file": (io.BytesIO(as_csv([["ie@example.org", "IE04", "strategy.vision", 3, ""]])), "paper.csv")})
    assert "Nothing was imported" in bad.text
    assert "row 2, column region: ie@example.org works for IE04 and cannot review their own region" in bad.text
    good = client.post("/workshops/aarhus-2017/import", data={
        "file": (io.BytesIO(as_xlsx(rows_for("ie@example.org", "DK04"))), "paper.xlsx")}, follow_redirects=True)
    assert "Imported 33 scores in 1 submitted reviews (0 new assignments)." in good.text


def test_the_template_has_a_row_per_assignment_and_question(open_workshop, client, login):
    login("host@example.org")
    response = client.get("/workshops/aarhus-2017/import/template.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == HEADER and len(rows) == 1 + 5 * 33
    assert rows[1] == ["de@example.org", "DK04", "strategy.vision", "", ""]
    assert response.headers["Content-Disposition"] == 'attachment; filename="aarhus-2017-scores.csv"'


@pytest.mark.parametrize("language, scores, readme, question_text, how", [
    ("da", "Scorer", "Læs mig", "Spørgsmålets tekst", "Sådan udfylder du"),
    ("it", "Punteggi", "Leggimi", "Testo della domanda", "Come compilare")])
def test_the_workbook_template_speaks_the_language_and_imports_as_filled_in(open_workshop, client, login, language,
                                                                           scores, readme, question_text, how):
    """The .xlsx template: sheets, title, instructions and the question's text in the reader's
    language, the import's own column names and a dropdown of the levels; filled in, it imports."""
    from openpyxl import load_workbook

    login("host@example.org")
    response = client.get(f"/workshops/aarhus-2017/import/template.xlsx?lang={language}")
    assert response.headers["Content-Disposition"] == 'attachment; filename="aarhus-2017-scores.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [scores, readme]
    sheet = book[scores]
    assert [c.value for c in sheet[4]] == [*HEADER, question_text]
    assert sheet.max_row == 4 + 5 * 33 and [c.value for c in sheet[5]][:4] == ["de@example.org", "DK04",
                                                                                 "strategy.vision", None]
    assert sheet["F5"].value == definition().question("strategy.vision").text[language]
    [levels] = sheet.data_validations.dataValidation
    assert levels.formula1 == '"1,2,3,4,5,N/A"' and str(levels.sqref) == f"D5:D{4 + 5 * 33}"
    assert book[readme]["A1"].value == how and "N/A" in [c.value for c in book[readme]["A"]]
    for row in sheet.iter_rows(min_row=5):
        if (row[0].value, row[1].value) == ("ie@example.org", "DK04"):
            row[3].value = "N/A" if row[2].value == "strategy.kpis" else 4
        else:
            for cell in row:
                cell.value = None
    buffer = io.BytesIO()
    book.save(buffer)
    login("host@example.org")
    done = client.post("/workshops/aarhus-2017/import", data={"file": (io.BytesIO(buffer.getvalue()), "filled.xlsx")})
    assert done.status_code == 302
    review = assignment_of("ie@example.org", "DK04").review
    assert review.status == ReviewStatus.SUBMITTED
    assert {s.question.key: (s.score, s.not_applicable) for s in review.scores}["strategy.kpis"] == (None, True)

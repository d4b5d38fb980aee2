"""Spreadsheets the toolkit writes: no live formulas, no characters XML refuses, never cut (#13)."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Answer, Assessment, Question
from eis_toolkit.spreadsheets import CellTooLong, clean_text, csv_cell, xlsx_text


@pytest.mark.parametrize("text, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+41 22", "'+41 22"), ("-3 points", "'-3 points"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tindented", "'\tindented"), ("fine = good", "fine = good"), ("", ""),
])
def test_text_that_a_spreadsheet_would_run_is_kept_as_text(text, cell):
    assert csv_cell(text) == cell


def test_numbers_and_empty_cells_pass_unchanged():
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(None) is None


def test_characters_xml_cannot_hold_are_not_written():
    assert clean_text("one\x0btwo\x0cthree") == "one\ntwo\nthree"
    assert clean_text("a\x00b\x07c\x1fd\tе\r\n") == "abcd\tе\r\n"


def test_a_text_longer_than_a_cell_is_refused_not_cut():
    assert len(xlsx_text("x" * 32_767, "A1")) == 32_767
    with pytest.raises(CellTooLong, match="A1 has 32,768 characters"):
        xlsx_text("x" * 32_768, "A1")


def test_the_reviews_csv_neutralises_formulas(loaded, client, login):
    review = loaded["workshops"][0]["reviews"][0]
    review["scores"]["strategy.vision"]["comment"] = '=HYPERLINK("http://evil.example/","click")'
    review["strengths"] = "@SUM(1+1)"
    from eis_toolkit.bundles.load import load_bundle
    load_bundle(loaded)
    db.session.commit()
    login("dk@example.org")
    response = client.get("/workshops/aarhus-2017/results/DK04.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil.example/\",\"click\")" in cells
    assert "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells)


def _dk_answer() -> Answer:
    return db.session.scalars(select(Answer).join(Question).join(Answer.assessment)
                              .where(Question.key == "strategy.vision")).one()


def test_a_vertical_tab_in_a_comment_downloads_as_a_line_break(loaded, client, login):
    answer = _dk_answer()
    answer.comment = "first line\x0bsecond line"
    db.session.commit()
    login("dk@example.org")
    response = client.get(f"/assessments/{answer.assessment_id}/workbook.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    texts = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    assert "first line\nsecond line" in texts


@pytest.mark.parametrize("language, words", [
    ("en", ["does not fit in a workbook", "cell ", "40,000 characters"]),
    ("da", ["kan ikke være i en projektmappe", "celle ", "40.000 tegn"]),
])
def test_a_text_too_long_for_a_workbook_is_refused_with_a_message(loaded, client, login, language, words):
    """The refusal in the reader's language, naming the cell (sheet and address) that is too long."""
    answer = _dk_answer()
    answer.comment = "x" * 40_000
    db.session.commit()
    login("dk@example.org")
    response = client.get(f"/assessments/{answer.assessment_id}/workbook.xlsx?lang={language}", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert all(word in page for word in words) and re.search(r"!E\d+ ", page)


@pytest.mark.parametrize("language, size, ratio", [
    ("it", "si decomprimerebbe in 2,1 MB", "volte"), ("da", "ville fylde 2,1 MB udpakket", "gange"),
    ("de", "würde entpackt 2,1 MB groß", "-Fache")])
def test_an_unsafe_archive_is_refused_in_the_readers_language(app, language, size, ratio):
    import zipfile

    from flask_babel import refresh

    from eis_toolkit.spreadsheets import ArchiveLimits, UnsafeArchive, check_archive

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sheet.xml", "0" * 2_100_000)
    with app.test_request_context(f"/?lang={language}"):
        refresh()
        with pytest.raises(UnsafeArchive, match=size):
            check_archive(packed.getvalue(), ArchiveLimits(max_unpacked=1_000_000))
        with pytest.raises(UnsafeArchive) as refused:
            check_archive(packed.getvalue(), ArchiveLimits(max_ratio=10))
        assert ratio in str(refused.value)

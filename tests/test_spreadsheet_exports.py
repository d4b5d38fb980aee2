"""The CSV exports' tables as workbooks (.xlsx), for a spreadsheet in any language (#12): the same
rows as the CSV, numbers as numbers at full precision, text as text (a leading ``=`` is no formula),
and a real spreadsheet program (LibreOffice, headless) opens and saves them with the same content."""
import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from eis_toolkit.extensions import db
from eis_toolkit.models import Review

SCORECARD = "/benchmark/workshops/aarhus-2017/regions/DK04/benchmark"
RESULTS = "/workshops/aarhus-2017/results/DK04"


def _cells(data: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def _csv_cells(text: str) -> list[list]:
    return list(csv.reader(io.StringIO(text)))


def test_the_benchmark_workbook_holds_the_csv_table_with_numbers_as_numbers(client, loaded, login):
    login("admin@example.org")
    response = client.get(SCORECARD + ".xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].endswith('-benchmark.xlsx"')
    cells = _cells(response.data)
    rows = _csv_cells(client.get(SCORECARD + ".csv").get_data(as_text=True))
    assert cells[0] == rows[0] and len(cells) == len(rows)
    as_json = client.get(SCORECARD + ".json").get_json()
    numbers = 0
    for cell_row, record in zip(cells[1:], as_json):
        assert dict(zip(cells[0], cell_row)) == {k: record[k] for k in cells[0]}, "full precision, no rounding"
        for key, value in zip(cells[0], cell_row):
            if isinstance(record[key], (int, float)):
                assert isinstance(value, (int, float)), f"{key}: {value!r} is a number, not text"
                numbers += 1
    assert numbers > 20


def test_the_workbook_is_refused_as_the_csv_is(client, loaded, login):
    login("it@example.org")  # a reviewer of DK04 in a published workshop may read DK04's reviews...
    assert client.get(RESULTS + ".xlsx").status_code == client.get(RESULTS + ".csv").status_code == 200
    client.post("/logout")
    assert client.get(SCORECARD + ".xlsx").status_code == 302  # ...an anonymous visitor nothing


def test_the_reviews_workbook_keeps_text_as_text(client, loaded, login):
    review = db.session.query(Review).one()
    review.strengths = "=HYPERLINK(\"http://evil.invalid\")"
    db.session.commit()
    login("admin@example.org")
    cells = _cells(client.get(RESULTS + ".xlsx").data)
    rows = _csv_cells(client.get(RESULTS + ".csv").get_data(as_text=True))
    assert cells[0] == rows[0] == ["reviewer", "question", "score", "comment"]
    assert len(cells) == len(rows)
    strengths = next(row for row in cells if row[1] == "strengths")
    assert strengths[3] == '=HYPERLINK("http://evil.invalid")', "stored as text, not as a formula"
    book = load_workbook(io.BytesIO(client.get(RESULTS + ".xlsx").data))
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_the_catalogue_workbook_is_the_csv_selection_with_the_rating_a_number(client, load, bundle):
    bundle["practices"].append({"slug": "draft-one", "title": "A draft", "region": "ITC4", "status": "draft"})
    load(bundle)
    cells = _cells(client.get("/practices.xlsx?market=JP").data)
    rows = _csv_cells(client.get("/practices.csv?market=JP").get_data(as_text=True))
    assert cells[0] == rows[0] and [row[0] for row in cells[1:]] == [row[0] for row in rows[1:]] == ["paths-japan"]
    record = dict(zip(cells[0], cells[1]))
    assert record["rating"] == 4.0 and record["rating_n"] == 1 and record["markets"] == "JP"
    assert "draft-one" not in str(_cells(client.get("/practices.xlsx").data)), "published practices only"
    assert client.get("/practices.xlsx?market=XX1").status_code == 400


def test_libreoffice_opens_and_saves_the_workbooks_with_the_same_content(client, loaded, login, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-calc-nogui) is missing: make setup installs it"
    login("admin@example.org")
    written = {"benchmark": client.get(SCORECARD + ".xlsx").data, "reviews": client.get(RESULTS + ".xlsx").data,
               "practices": client.get("/practices.xlsx").data}
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    for name, data in written.items():
        (source / f"{name}.xlsx").write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), *sorted(str(p) for p in source.iterdir())],
                   check=True, capture_output=True, timeout=120)
    for name, data in written.items():
        saved = Path(out / f"{name}.xlsx").read_bytes()
        assert _cells(saved) == _cells(data), f"{name}: LibreOffice read the workbook differently"

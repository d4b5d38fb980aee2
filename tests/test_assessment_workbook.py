"""The offline workbook: export → import gives the same answers; a faulty upload is refused whole."""
import io

import pytest
from openpyxl import load_workbook

from eis_toolkit.assessments import queries
from eis_toolkit.assessments.workbook import (ExportedAnswer, WorkbookError, export_workbook, read_workbook)
from eis_toolkit.extensions import db
from eis_toolkit.questionnaires.types import AnswerData
from tests.assessment_fixtures import complete_answers, draft, drafted, sign_in  # noqa: F401

HEADING = [("Region", "Central Denmark (DK04)")]


def answers_of_every_kind(definition) -> dict[str, ExportedAnswer]:
    answers = {key: ExportedAnswer(data, 3) for key, data in complete_answers(definition).items()}
    answers["strategy.kpis"] = ExportedAnswer(AnswerData(not_applicable=True, comment="Outside our remit"), 2)
    answers["strategy.budget"] = ExportedAnswer(AnswerData(value=540000.5), 1)
    answers["strategy.actors"] = ExportedAnswer(AnswerData(value="=HYPERLINK(\"x\")\nand a second line"), 1)
    answers["intelligence.target_markets"] = ExportedAnswer(AnswerData(value=["US", "JP", "DE"]), 1)
    answers["followup.evidence"] = ExportedAnswer(AnswerData(comment="See the files"), 1, ("report.pdf",))
    del answers["missions.per_year"]  # unanswered stays unanswered
    return answers


@pytest.mark.parametrize("language", ["en", "it", "da", "de"])
def test_export_then_import_gives_the_same_answers(core_definition, language):
    answers = answers_of_every_kind(core_definition)
    data = export_workbook(core_definition, answers, language, assessment_id=7, heading=HEADING)
    imported = read_workbook(data, core_definition, assessment_id=7)
    assert imported.ref == "eis-core@1"
    assert set(imported.answers) == {q.key for q in core_definition.questions()}
    for key, exported in answers.items():
        assert imported.answers[key].data == exported.data, key
        assert (imported.answers[key].version, imported.answers[key].digest) == (exported.version,
                                                                                exported.data.digest())
    assert imported.answers["missions.per_year"].data == AnswerData()


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_one_sheet_per_dimension_with_dropdowns_hidden_keys_and_visible_level_wording(core_definition):
    data = export_workbook(core_definition, answers_of_every_kind(core_definition), "en", assessment_id=7,
                           heading=HEADING)
    book = _open(data)
    titles = ["Strategy and governance", "Outreach and access", "Export readiness and capacity…",
              "Market intelligence", "Partner search and matchmaking", "Missions and trade fairs",
              "Funding and financial…", "Follow-up, monitoring and…"]
    assert book.sheetnames == ["Instructions", *titles, "Lists", "_eis"]
    assert book["Lists"].sheet_state == "hidden" and book["_eis"].sheet_state == "veryHidden"
    sheet = book["Strategy and governance"]
    assert sheet.protection.sheet and sheet.column_dimensions["A"].hidden and sheet.column_dimensions["B"].hidden
    assert [c.value for c in sheet[4]] == ["key", "base", "Question", "Answer", "Comment", "How to answer"]
    assert sheet["A5"].value == "strategy.vision" and sheet["A5"].protection.locked
    assert sheet["D5"].value == core_definition.scale.labels[2]["en"]  # the level's wording, not a bare number
    assert not sheet["D5"].protection.locked and not sheet["E5"].protection.locked
    assert sheet["D10"].value == "Regional authority"  # strategy.lead_body, the option's label
    lists = {cell.coord: dv.formula1 for dv in sheet.data_validations.dataValidation for cell in dv.sqref.ranges}
    assert lists["D5"] == "=Lists!$A$1:$A$6" and lists["D10"].startswith("=Lists!$B$1")
    assert [c.value for c in book["Lists"]["A"]] == [core_definition.scale.labels[p]["en"] for p in range(1, 6)] + [
        "N/A – not applicable"]
    instructions = [c.value for c in book["Instructions"]["B"] if c.value]
    assert core_definition.scale.labels[5]["en"] in instructions


def test_text_that_looks_like_a_formula_stays_text(core_definition):
    data = export_workbook(core_definition, answers_of_every_kind(core_definition), "en", assessment_id=7,
                           heading=HEADING)
    cell = _open(data)["Strategy and governance"]["D12"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def _filled(core_definition, change):
    """An exported workbook (no answers), changed by ``change(book)``, as bytes."""
    book = _open(export_workbook(core_definition, {}, "en", assessment_id=7, heading=HEADING))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _problems(data, core_definition, assessment_id=7):
    with pytest.raises(WorkbookError) as raised:
        read_workbook(data, core_definition, assessment_id=assessment_id)
    return [str(p) for p in raised.value.problems]


def test_every_problem_is_reported_with_sheet_row_and_question(core_definition):
    def change(book):
        strategy, outreach = book["Strategy and governance"], book["Outreach and access"]
        strategy["D5"] = "7"
        strategy["D10"] = "Ministry"
        strategy["D11"] = "about a million"
        outreach["D9"] = "Website; Carrier pigeon"
        strategy["A7"] = "strategy.unknown"
        strategy["B8"] = "garbled"
        outreach["D20"] = "an answer in a row without a question"
    assert _problems(_filled(core_definition, change), core_definition) == [
        "Sheet 'Strategy and governance', row 5 (strategy.vision): '7' is not a level from 1 to 5 or N/A",
        "Sheet 'Strategy and governance', row 7 (strategy.unknown): unknown question key; the hidden columns "
        "were changed — download a fresh workbook",
        "Sheet 'Strategy and governance', row 8 (strategy.sme_involvement): the hidden version column was "
        "changed — download a fresh workbook",
        "Sheet 'Strategy and governance', row 10 (strategy.lead_body): 'Ministry' is not one of the options",
        "Sheet 'Strategy and governance', row 11 (strategy.budget): 'about a million' is not a number",
        "Sheet 'Outreach and access', row 9 (outreach.channels): 'Carrier pigeon' is not one of "
        "the options",
        "Sheet 'Outreach and access', row 20: this row has no question key (hidden column A); "
        "type answers only in the rows of the questions",
    ]


def test_a_question_twice_is_refused(core_definition):
    def change(book):
        book["Outreach and access"]["A10"] = "outreach.channels"
        book["Outreach and access"]["B10"] = book["Outreach and access"]["B9"].value
    assert _problems(_filled(core_definition, change), core_definition) == [
        "Sheet 'Outreach and access', row 10 (outreach.channels): the question appears twice "
        "(also on sheet 'Outreach and access')"]


@pytest.mark.parametrize("data, message", [
    (b"not a workbook at all", "Sheet '(file)': not an .xlsx workbook, or a damaged one"),
    (b"PK\x03\x04broken zip", "Sheet '(file)': not an .xlsx workbook, or a damaged one"),
])
def test_a_file_that_is_no_workbook_is_refused(core_definition, data, message):
    assert _problems(data, core_definition)[0].startswith(message)


def test_a_workbook_of_another_questionnaire_or_assessment_is_refused(core_definition):
    def other_questionnaire(book):
        book["_eis"]["B1"] = "eis-core@2"
    assert _problems(_filled(core_definition, other_questionnaire), core_definition) == [
        "Sheet '_eis': this workbook is for questionnaire eis-core@2, not eis-core@1; download the workbook "
        "of this self-assessment"]
    assert "downloaded from another self-assessment" in _problems(
        _filled(core_definition, lambda book: None), core_definition, assessment_id=8)[0]
    plain = io.BytesIO()
    from openpyxl import Workbook
    Workbook().save(plain)
    assert "for no questionnaire" in _problems(plain.getvalue(), core_definition)[0]


# --- through the pages ------------------------------------------------------------------------


def _download(client, assessment) -> bytes:
    response = client.get(f"/assessments/{assessment.id}/workbook.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "self-assessment-DK04-odense-2018.xlsx" in response.headers["Content-Disposition"]
    return response.data


def _upload(client, assessment, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return client.post(f"/assessments/{assessment.id}/workbook", data={"workbook": (buffer, "filled.xlsx")},
                       content_type="multipart/form-data")


def test_a_member_downloads_fills_in_and_uploads_the_workbook(client, draft, sign_in):
    sign_in("dk@example.org")
    book = _open(_download(client, draft))
    sheet = book["Strategy and governance"]
    assert sheet["D5"].value.startswith("3 – ") and sheet["E5"].value == "Adopted in 2016"
    sheet["D6"] = "4 – Established and monitored"
    sheet["E6"] = "Steering group meets monthly"
    book["Export readiness and capacity…"]["D9"] = 120
    response = _upload(client, draft, book)
    assert response.status_code == 302
    assert "Workbook imported: 2 answers changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    stored = queries.answers_by_key(draft)
    assert (stored["strategy.coordination"].score, stored["strategy.coordination"].comment) == (
        4, "Steering group meets monthly")
    assert stored["readiness.smes_served"].value == 120
    assert stored["strategy.vision"].version == 1, "unchanged rows are not written"


def test_a_faulty_workbook_writes_nothing_and_lists_the_problems(client, draft, sign_in):
    sign_in("dk@example.org")
    book = _open(_download(client, draft))
    book["Strategy and governance"]["D6"] = 4
    book["Strategy and governance"]["D7"] = 9
    response = _upload(client, draft, book)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved: 1 problem in the workbook" in page
    assert "strategy.budget_stability" in page and "&#39;9&#39; is not a level from 1 to 5 or N/A" in page
    assert "strategy.coordination" not in queries.answers_by_key(draft)


def test_an_answer_changed_online_since_the_download_asks_which_to_keep(client, draft, sign_in):
    sign_in("dk@example.org")
    book = _open(_download(client, draft))
    book["Strategy and governance"]["D5"] = "5"
    book["Strategy and governance"]["D6"] = "2"
    vision = queries.answers_by_key(draft)["strategy.vision"]
    vision.score = 1
    db.session.commit()  # someone saved strategy.vision online meanwhile
    response = _upload(client, draft, book)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "In the workbook" in page and "Saved online" in page and 'name="resolve-strategy.vision"' in page
    assert "strategy.coordination" not in queries.answers_by_key(draft), "nothing saved before choosing"
    payload = page.split('name="payload" value="')[1].split('"')[0].replace("&#34;", '"').replace("&quot;", '"')
    unresolved = client.post(f"/assessments/{draft.id}/workbook/resolve", data={"payload": payload})
    assert unresolved.status_code == 302 and "strategy.coordination" not in queries.answers_by_key(draft)
    response = client.post(f"/assessments/{draft.id}/workbook/resolve",
                           data={"payload": payload, "resolve-strategy.vision": "theirs"})
    assert response.status_code == 302
    stored = queries.answers_by_key(draft)
    assert stored["strategy.vision"].score == 1 and stored["strategy.coordination"].score == 2


def test_keeping_the_workbooks_answer_saves_it(client, draft, sign_in):
    sign_in("dk@example.org")
    book = _open(_download(client, draft))
    book["Strategy and governance"]["D5"] = "5"
    queries.answers_by_key(draft)["strategy.vision"].score = 1
    db.session.commit()
    page = _upload(client, draft, book).get_data(as_text=True)
    payload = page.split('name="payload" value="')[1].split('"')[0].replace("&#34;", '"')
    client.post(f"/assessments/{draft.id}/workbook/resolve", data={"payload": payload, "resolve-strategy.vision": "mine"})
    assert queries.answers_by_key(draft)["strategy.vision"].score == 5


@pytest.mark.parametrize("email, download, upload", [
    (None, 302, 302), ("ie@example.org", 403, 403), ("it@example.org", 200, 403), ("ho@example.org", 200, 403),
    ("dk@example.org", 200, 200),
])
def test_who_downloads_and_who_uploads(client, draft, sign_in, email, download, upload):
    sign_in(email)
    assert client.get(f"/assessments/{draft.id}/workbook.xlsx").status_code == download
    assert client.get(f"/assessments/{draft.id}/workbook").status_code == upload


def test_a_workbook_downloaded_before_its_sheet_titles_were_recorded_still_imports(core_definition):
    """Workbooks written before the hidden sheet named the instructions and list sheets (English
    titles, no such rows) are read as before."""
    book = _open(export_workbook(core_definition, answers_of_every_kind(core_definition), "en", assessment_id=7,
                                 heading=HEADING))
    meta = book["_eis"]
    assert [meta.cell(row, 1).value for row in (4, 5)] == ["instructions", "lists"]
    meta.delete_rows(4, 2)
    buffer = io.BytesIO()
    book.save(buffer)
    imported = read_workbook(buffer.getvalue(), core_definition, assessment_id=7)
    assert set(imported.answers) == {q.key for q in core_definition.questions()}

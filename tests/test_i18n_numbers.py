"""Numbers and dates as each language writes them; what is stored stays language-neutral."""
from __future__ import annotations

import html
import io
from datetime import date, datetime

import pytest
from flask_babel import refresh
from openpyxl import load_workbook

from eis_toolkit.assessments import queries
from eis_toolkit.i18n import format_day, format_moment, format_number
from eis_toolkit.questionnaires.schema import QuestionDef
from eis_toolkit.questionnaires.types import (AnswerData, InvalidAnswer, parse_answer, question_type, read_number,
                                              show_answer, show_number)
from tests.assessment_fixtures import assessment_of, draft, drafted, sign_in  # noqa: F401
from tests.test_assessment_types import NUMBER_Q, SCALE


@pytest.mark.parametrize("text, en, it", [
    ("2000000", 2_000_000, 2_000_000),
    ("2.000.000", 2_000_000, 2_000_000),      # it/da/de grouping; in English only read that way
    ("2,000,000", 2_000_000, 2_000_000),      # en grouping; in it/da/de only read that way
    ("1.234,5", 1234.5, 1234.5),
    ("1,234.5", 1234.5, 1234.5),
    ("2,500", 2500, 2.5),                     # the ambiguous case: the language decides
    ("2.500", 2.5, 2500),
    ("1,5", 1.5, 1.5),                        # a lone separator that cannot be grouping: a decimal one
    ("1.5", 1.5, 1.5),
    ("2 000 000", 2_000_000, 2_000_000),      # spaces, no-break spaces and apostrophes between groups
    ("2\u202f000\u00a0000", 2_000_000, 2_000_000),
    ("2'000'000", 2_000_000, 2_000_000),
    ("-3,25", -3.25, -3.25),
    ("+7", 7, 7),
    (",5", 0.5, 0.5),
])
def test_numbers_are_read_as_the_language_writes_them(text, en, it):
    assert read_number(text, "en") == en
    for language in ("it", "da", "de"):
        assert read_number(text, language) == it, language


@pytest.mark.parametrize("text", ["lots", "1,2,3", "12.34.5", "1e5", "2.000,000.5", "--1", "1..5", "", "-", "."])
@pytest.mark.parametrize("language", ["en", "it", "da", "de"])
def test_what_is_not_a_number_stays_refused(text, language):
    assert read_number(text, language) is None


@pytest.mark.parametrize("language, shown, field", [
    ("en", "123,456.25 EUR", "123456.25"), ("it", "123.456,25 EUR", "123456,25"),
    ("da", "123.456,25 EUR", "123456,25"), ("de", "123.456,25 EUR", "123456,25"),
])
def test_numbers_are_shown_as_the_language_writes_them(language, shown, field):
    data = AnswerData(value=123456.25)
    assert show_answer(NUMBER_Q, SCALE, data, language) == shown
    assert question_type(NUMBER_Q).form_value(data, language) == field
    assert question_type(NUMBER_Q).form_value(data) == "123456.25"  # hidden fields stay neutral
    assert parse_answer(NUMBER_Q, SCALE, field, "", language) == AnswerData(value=123456.25)
    assert parse_answer(NUMBER_Q, SCALE, shown.removesuffix(" EUR"), "", language) == data


def test_every_digit_is_kept_when_shown():
    assert show_number(0.123456, "da") == "0,123456"
    assert show_number(540000, "de") == "540.000"


def test_the_refusals_name_the_bounds_in_the_language():
    bounded = QuestionDef(key="q.n", dimension="d", type="number", text={"en": "N"}, min=1000, max=2_000_000)
    with pytest.raises(InvalidAnswer, match="must be at most 2.000.000"):  # the figure as Italian writes it
        parse_answer(bounded, SCALE, "3.000.000", "", "it")
    assert question_type(bounded).hint(bounded, SCALE, "de") == "A number, from 1.000 to 2.000.000."


def test_dates_and_times_as_the_language_writes_them():
    day = date(2017, 6, 27)
    assert [format_day(day, language) for language in ("en", "it", "da", "de")] == [
        "June 27, 2017", "27 giugno 2017", "27. juni 2017", "27. Juni 2017"]
    assert format_day(datetime(2017, 6, 27, 23, 30), "da") == "27. juni 2017"
    assert format_day(None, "da") == format_moment(None, "da") == format_number(None, "da") == ""
    assert format_moment(datetime(2017, 6, 27, 14, 5), "da") == "27. juni 2017 14.05"
    assert format_moment(datetime(2017, 6, 27, 14, 5), "de") == "27. Juni 2017, 14:05"
    assert format_number(2_000_000, "de") == "2.000.000"


def _post(client, assessment, **fields):
    return client.post(f"/assessments/{assessment.id}/questions/strategy", data={
        "strategy.budget-version": "0", **fields})


@pytest.mark.parametrize("language, typed, stored, shown", [
    ("it", "2.000.000", 2_000_000, 'value="2000000"'),
    ("da", "1.234,5", 1234.5, 'value="1234,5"'),
    ("de", "2.000.000,75", 2_000_000.75, 'value="2000000,75"'),
    ("en", "2,000,000", 2_000_000, 'value="2000000"'),
])
def test_a_budget_typed_as_the_language_writes_it_is_accepted(client, draft, sign_in, language, typed, stored, shown):
    client.get(f"/?lang={language}")
    sign_in("dk@example.org")
    response = _post(client, draft, **{"strategy.budget-answer": typed})
    assert response.status_code == 302
    assert queries.answers_by_key(assessment_of("DK04"))["strategy.budget"].value == stored
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert shown in page  # the field shows it back as the language writes it


@pytest.mark.parametrize("language, message", [
    ("it", "'molto' non è un numero."), ("da", "'molto' er ikke et tal."), ("de", "'molto' ist keine Zahl."),
])
def test_a_refused_number_is_explained_in_the_language(client, draft, sign_in, language, message):
    client.get(f"/?lang={language}")
    sign_in("dk@example.org")
    response = _post(client, draft, **{"strategy.budget-answer": "molto"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert message in page and 'value="molto"' in page
    assert "strategy.budget" not in queries.answers_by_key(assessment_of("DK04"))


def test_autosave_reports_problems_in_the_language(client, draft, sign_in):
    client.get("/?lang=de")
    sign_in("dk@example.org")
    response = client.post(f"/assessments/{draft.id}/questions/strategy/autosave", data={
        "strategy.budget-answer": "-5", "strategy.budget-version": "0"})
    assert response.status_code == 200
    assert response.json["problems"] == {"strategy.budget": "muss mindestens 0 sein"}


@pytest.mark.parametrize("language, shown", [
    ("it", "540.000 EUR all'anno"), ("da", "540.000 EUR om året"), ("de", "540.000 EUR pro Jahr"),
    ("en", "540,000 EUR per year"),
])
def test_a_stored_number_is_shown_in_the_language(client, drafted, sign_in, language, shown):
    client.get(f"/?lang={language}")
    sign_in("dk@example.org")
    submitted = assessment_of("DK04", "aarhus-2017")
    page = html.unescape(client.get(f"/assessments/{submitted.id}/print").get_data(as_text=True))
    assert shown in page


@pytest.mark.parametrize("language, other, words", [
    ("da", "it", {"instructions": "Vejledning", "lists": "Lister", "how": "Sådan udfylder du",
                  "headers": ["Spørgsmål", "Svar", "Kommentar", "Sådan svarer du"], "na": "N/A – ikke relevant",
                  "error": "Vælg en post på rullelisten."}),
    ("it", "da", {"instructions": "Istruzioni", "lists": "Elenchi", "how": "Come compilare",
                  "headers": ["Domanda", "Risposta", "Commento", "Come rispondere"], "na": "N/A – non applicabile",
                  "error": "Scegliere una voce dall'elenco a discesa."}),
])
def test_a_workbook_is_written_in_the_language_and_read_back_in_any(app, core_definition, language, other, words):
    """Sheet titles, instructions, headers, dropdowns and validation messages follow the language;
    a budget typed as text (``2.000.000``) is read as the number it is; the same file uploaded by
    someone reading another language gives the same answers (the keys it reads are language-free)."""
    from eis_toolkit.assessments.workbook import ExportedAnswer, export_workbook, read_workbook

    with app.test_request_context():
        data = export_workbook(core_definition, {"strategy.kpis": ExportedAnswer(AnswerData(not_applicable=True))},
                               language, assessment_id=7, heading=[])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == words["instructions"] and book.sheetnames[-2:] == [words["lists"], "_eis"]
    texts = [cell.value for row in book[words["instructions"]].iter_rows() for cell in row if cell.value]
    assert words["how"] in texts
    sheet = book.worksheets[1]
    assert [c.value for c in sheet[4]] == ["key", "base", *words["headers"]]  # the hidden keys stay
    validation = next(v for v in sheet.data_validations.dataValidation if v.type == "list")
    assert validation.error == words["error"] and validation.formula1.startswith(f"={words['lists']}!$A$1")
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "strategy.budget")
    row[3].value = "2.000.000"
    kpis = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "strategy.kpis")
    assert kpis[3].value == words["na"] and words["na"] in [c.value for c in book[words["lists"]]["A"]]
    buffer = io.BytesIO()
    book.save(buffer)
    read = {}
    for reader in (language, other):
        with app.test_request_context(f"/?lang={reader}"):
            refresh()
            read[reader] = read_workbook(buffer.getvalue(), core_definition, assessment_id=7, language=reader).answers
    assert read[language]["strategy.budget"].data == AnswerData(value=2_000_000)
    assert read[language]["strategy.kpis"].data == AnswerData(not_applicable=True)
    assert {k: a.data for k, a in read[other].items() if k != "strategy.budget"} == {
        k: a.data for k, a in read[language].items() if k != "strategy.budget"}


def test_workbook_problems_are_explained_in_the_uploaders_language(app, core_definition):
    """A problem keeps its sheet, row and question; its words are the uploader's."""
    from eis_toolkit.assessments.workbook import WorkbookError, export_workbook, read_workbook
    from eis_toolkit.spreadsheets import ArchiveLimits

    with app.test_request_context():
        data = export_workbook(core_definition, {}, "de", assessment_id=7, heading=[])
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[1]
    sheet["D5"] = "molto"
    buffer = io.BytesIO()
    book.save(buffer)
    with app.test_request_context("/?lang=it"):
        refresh()
        with pytest.raises(WorkbookError) as refused:
            read_workbook(buffer.getvalue(), core_definition, assessment_id=7, language="it")
        [problem] = refused.value.problems
        assert (problem.sheet, problem.row, problem.question) == (sheet.title, 5, "strategy.vision")
        assert problem.message.startswith("'molto' non è un livello da 1 a 5")
        with pytest.raises(WorkbookError) as refused:
            read_workbook(buffer.getvalue(), core_definition, assessment_id=7, language="it",
                          limits=ArchiveLimits(max_members=3))
        [problem] = refused.value.problems
        assert problem.sheet == "(file)" and "parti" in problem.message


@pytest.mark.parametrize("language, mean, best", [("en", "3.25", "4.75"), ("it", "3,25", "4,75"),
                                                  ("da", "3,25", "4,75"), ("de", "3,25", "4,75")])
def test_charts_write_decimals_as_the_language_does(app, language, mean, best):
    """The numbers drawn in a chart (heatmap cells, tick labels) and those of its text
    alternative use the language's decimal sign; the chart is cached per language."""
    import re

    from eis_toolkit.benchmark import builders, charts

    with app.test_request_context():
        words = builders.chart_words(language)
    assert words.language == language
    svg = charts.heatmap(("DK04", "IE04"), ("Strategy", "Outreach"), ((3.25, 1.5), (None, 4.75)), (1, 5), "t", words)
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert mean in drawn and best in drawn and ("1.50" if language == "en" else "1,50") in drawn
    description = re.search(r"<desc[^>]*>([^<]*)</desc>", svg).group(1)
    assert f"Strategy {mean}" in description and f"Outreach {best}" in description
    bars = charts.dimension_bars(("Strategy",), (("self", (2.5,)), ("peer_mean", (3.25,))), (1, 5), "t", words)
    assert f"{words.self} {'2.50' if language == 'en' else '2,50'}" in bars
    progress = charts.progress_dumbbell(("Strategy",), ((2.5, 3.25),), ((None, 4.75),), (1, 5), "t", words)
    assert f"{words.now} {mean}" in progress
    if language != "en":
        assert not re.search(r"\d\.\d", " ".join(drawn) + description), "no decimal point left"
        assert charts.heatmap(("DK04",), ("Strategy",), ((3.25,),), (1, 5), "t", words) != charts.heatmap(
            ("DK04",), ("Strategy",), ((3.25,),), (1, 5), "t", words._replace(language="en")), "one chart per language"


@pytest.mark.parametrize("language, ticks", [("en", ["1", "1.5", "2"]), ("de", ["1", "1,5", "2"])])
def test_chart_ticks_between_whole_numbers_use_the_decimal_sign(language, ticks):
    from eis_toolkit.benchmark.charts import decimal

    assert [decimal(x, language, None) for x in (1.0, 1.5, 2.0)] == ticks
    assert decimal(2.675, language) == ("2.67" if language == "en" else "2,67"), "rounded as the tables round"


def test_decimals_with_a_fixed_number_of_digits_as_the_language_writes_them():
    assert [format_number(3.5, language, digits=2) for language in ("en", "it", "da", "de")] == [
        "3.50", "3,50", "3,50", "3,50"]
    assert format_number(1234.567, "de", digits=1) == "1.234,6" and format_number(2.4, "en", digits=0) == "2"
    # rounded as %.2f rounds (the exports and the charts), not half-even on the decimal text
    assert [format_number(v, "en", digits=2) for v in (2.675, 0.125, 1.005)] == [f"{v:.2f}" for v in (2.675, 0.125, 1.005)]


def test_each_number_is_formatted_by_babel_once_per_language_and_digits(monkeypatch):
    """A page of figures repeats few numbers: Babel (0.1–0.3 ms a call) formats each once."""
    from eis_toolkit import i18n

    calls = []

    def counting(value, *args, **kwargs):
        calls.append(value)
        return real(value, *args, **kwargs)

    real = i18n.format_decimal
    monkeypatch.setattr(i18n, "format_decimal", counting)
    i18n._format_rounded.cache_clear()
    i18n._format_decimal.cache_clear()
    shown = [format_number(v, language, digits=2) for language in ("en", "da") * 2 for v in (3.5, 3.5001, 2.25)]
    assert shown == ["3.50", "3.50", "2.25", "3,50", "3,50", "2,25"] * 2
    assert len(calls) == 4, "3.5 and 3.5001 are the same text at two decimals: one call per language"
    assert [format_number(v, "de") for v in (1234, 1234.5, 1234, 1234.5)] == ["1.234", "1.234,5"] * 2
    assert format_number(1234.5, "en") == "1,234.5" and len(calls) == 7
    monkeypatch.undo()
    i18n._format_rounded.cache_clear()
    i18n._format_decimal.cache_clear()


@pytest.mark.parametrize("language, peer_mean", [("en", "3.00"), ("da", "3,00"), ("it", "3,00")])
def test_the_benchmark_page_writes_its_decimals_as_the_language_does(client, loaded, login, language, peer_mean):
    login("admin@example.org")
    page = client.get(f"/benchmark/workshops/aarhus-2017/regions/DK04?lang={language}").get_data(as_text=True)
    assert f">{peer_mean}<" in page.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("language, rating", [("en", "4.0"), ("da", "4,0")])
def test_the_self_check_writes_the_peer_rating_as_the_language_does(client, loaded, language, rating):
    page = html.unescape(client.get(f"/self-check/results?market=JP&lang={language}").get_data(as_text=True))
    assert f" {rating} " in page and (language == "en" or " 4.0 " not in page)

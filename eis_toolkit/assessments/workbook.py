"""The questionnaire as an .xlsx workbook, to fill in offline and upload back (openpyxl).

Export: an instructions sheet, then one sheet per dimension with a row per question — question,
answer (a dropdown for scale and choice questions, showing each level's wording), comment and
how to answer. Two hidden, locked columns carry each row's question key and the answer version
and fingerprint it was exported with, so that an upload changes only what was changed in the
workbook and never silently overwrites what someone saved online meanwhile.

Import: the workbook is read and checked as a whole; any problem — naming its sheet, row and
question — refuses it all (:class:`WorkbookError`).

Languages: every text the workbook shows (the instructions and answer-list sheets' titles, the
instructions, headers, dropdown wording and data-validation messages) is in the downloader's
language; the hidden sheet records the titles of the instructions and list sheets, so that an
upload is read whatever the language it was written in, and by whoever uploads it. What the
import reads back is language-free: the hidden key and version columns, and the answers, which
the question types read in any language (``N/A – ikke relevant``, a level's wording).

Last round's workbook: a workbook exported from an earlier self-assessment of the region with the
same questionnaire key (``earlier``, any version) is read against the version it was written for,
then each answer is mapped by question key onto this one and re-read by the new version's
question type. Questions the new version no longer has (or whose answer it no longer takes) are
reported with sheet and row in ``Imported.gone``, not refused; blank rows bring nothing over.

Pure code: no Flask, no database.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..i18n import translate
from ..questionnaires.schema import QuestionDef, QuestionnaireDef
from ..questionnaires.types import AnswerData, InvalidAnswer, parse_answer, question_type
from ..spreadsheets import ArchiveLimits, UnsafeArchive, check_archive
from ..spreadsheets import xlsx_cell as _text

#: The instructions and list sheets' titles in English; a workbook's own (translated) titles are
#: written to the hidden META sheet (rows ``instructions`` and ``lists``).
INSTRUCTIONS = "Instructions"
LISTS = "Lists"
META = "_eis"
INSTRUCTIONS_TITLE = _l("Instructions")  # sheet titles: at most 31 characters in every language
LISTS_TITLE = _l("Lists")
HEADER_ROW = 4
KEY, BASE, QUESTION, ANSWER, COMMENT, HOW = range(1, 7)  # column numbers
HEADERS = {KEY: "key", BASE: "base", QUESTION: _l("Question"), ANSWER: _l("Answer"), COMMENT: _l("Comment"),
           HOW: _l("How to answer")}
#: Cells formatted as text, so that a spreadsheet keeps a typed ``1/2`` as it is, not as a date.
TEXT_FORMAT = "@"
TEXT_TYPES = ("text", "multi")
WIDTHS = {QUESTION: 60, ANSWER: 45, COMMENT: 45, HOW: 50}
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_BASE = re.compile(r"([0-9]+):([0-9a-f]{16})")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ExportedAnswer:
    """An answer as it goes into the workbook."""

    data: AnswerData = AnswerData()
    version: int = 0
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportedAnswer:
    """An answer read back, with the version and fingerprint it was exported with."""

    data: AnswerData
    version: int
    digest: str


@dataclass(frozen=True)
class Imported:
    ref: str
    assessment_id: int | None
    answers: dict[str, ImportedAnswer]
    #: Exported from an earlier self-assessment (last round's workbook), not from this one.
    earlier: bool = False
    #: Last round's workbook: rows left behind because this version no longer takes them.
    gone: tuple[WorkbookProblem, ...] = ()


@dataclass(frozen=True)
class WorkbookProblem:
    sheet: str
    row: int | None
    question: str | None
    message: str

    def __str__(self) -> str:
        where = f"Sheet '{self.sheet}'" + (f", row {self.row}" if self.row else "")  # logs: English
        return where + (f" ({self.question})" if self.question else "") + f": {self.message}"


class WorkbookError(ValueError):
    """The upload was refused as a whole; ``problems`` lists why."""

    def __init__(self, problems: list[WorkbookProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- export -----------------------------------------------------------------------------------


def export_workbook(definition: QuestionnaireDef, answers: dict[str, ExportedAnswer], language: str, *,
                    assessment_id: int, heading: list[tuple[str, str]]) -> bytes:
    """The workbook as bytes. ``heading`` lists (label, value) lines for the instructions sheet
    (region, workshop, ...); ``assessment_id`` is written to a hidden sheet and checked on import.
    Every text is in ``language``: the questionnaire's, and the toolkit's own words (gettext)."""
    with force_locale(language):
        return _export(definition, answers, language, assessment_id, heading)


def _export(definition: QuestionnaireDef, answers: dict[str, ExportedAnswer], language: str,
            assessment_id: int, heading: list[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = _sheet_name(str(INSTRUCTIONS_TITLE), set(), INSTRUCTIONS)
    lists = workbook.create_sheet(_sheet_name(str(LISTS_TITLE), {instructions.title.lower()}, LISTS))
    meta = workbook.create_sheet(META)
    for row, (name, value) in enumerate([("questionnaire", definition.ref), ("assessment", assessment_id),
                                         ("exported", datetime.now().isoformat(timespec="seconds")),
                                         ("instructions", instructions.title), ("lists", lists.title)], 1):
        meta.cell(row, 1, name)
        _text(meta, row, 2, value)
    meta.sheet_state = "veryHidden"
    lists.sheet_state = "hidden"
    _instructions(instructions, definition, language, heading)
    list_ranges = _lists(lists, definition, language)
    names = {name.lower() for name in (instructions.title, lists.title, META, INSTRUCTIONS, LISTS)}
    for dimension in definition.dimensions:
        sheet = workbook.create_sheet(_sheet_name(translate(dimension.title, language), names))
        _dimension_sheet(sheet, dimension, definition, answers, language, list_ranges)
    workbook.move_sheet(lists, offset=len(workbook.sheetnames))
    workbook.move_sheet(META, offset=len(workbook.sheetnames))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: set[str], empty: str = "Sheet") -> str:
    """A valid sheet title for ``title``, unlike those in ``taken`` (lower case, as Excel compares)."""
    name = _SHEET_NAME_BAD.sub(" ", title).strip("' ")
    if len(name) > 31:  # Excel's limit: cut at a word where one is near, and say so
        cut = name[:30].rsplit(" ", 1)[0]
        name = (cut if len(cut) >= 20 else name[:30]).rstrip(" ,;-") + "…"
    name = name or empty
    base, counter = name, 2
    while name.lower() in taken:
        suffix = f" {counter}"
        name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    taken.add(name.lower())
    return name


def _instructions(sheet: Worksheet, definition: QuestionnaireDef, language: str, heading) -> None:
    lines: list[tuple[str, str]] = [(translate(definition.title, language), "")]
    lines += heading + [(_("Questionnaire"), definition.ref), ("", "")]
    lines += [(_("How to fill in"), ""),
              ("1.", _("Each dimension has its own sheet, one question per row. Answer in the yellow "
                       "'%(column)s' column and add a comment where useful.", column=HEADERS[ANSWER])),
              ("2.", _("Scale and single-choice questions have a dropdown list; pick a level or an option "
                       "from it. Multiple-choice answers are separated by semicolons.")),
              ("3.", _("Evidence files cannot go into the workbook: attach them on the questionnaire pages.")),
              ("4.", _("Do not change the hidden columns A and B: they tell which question each row answers "
                       "and which saved answer it started from.")),
              ("5.", _("Upload the workbook on the self-assessment's 'Work offline' page. It is checked as a "
                       "whole: if anything is wrong, nothing is saved and every problem is listed with its "
                       "sheet and row.")),
              ("6.", _("Only answers you changed in the workbook are saved. If someone changed the same answer "
                       "online since you downloaded the workbook, you are asked which one to keep.")),
              ("", ""), (_("Answer scale"), "")]
    for point, label in definition.scale.labels.items():
        lines.append((str(point), translate(label, language)))
    if definition.scale.not_applicable:
        lines.append(("N/A", _("Not applicable: the topic lies outside the region's remit.")))
    for row, (label, value) in enumerate(lines, 1):
        _text(sheet, row, 1, label).alignment = _WRAP
        _text(sheet, row, 2, value).alignment = _WRAP
    sheet["A1"].font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(lines, 1):
        if label and not value:
            sheet.cell(row, 1).font = Font(bold=True, size=14 if row == 1 else 12)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100
    sheet.protection.sheet = True


def _lists(sheet: Worksheet, definition: QuestionnaireDef, language: str) -> dict[str, str]:
    """Dropdown entries, one column per list; returns the range formula by question key."""
    ranges, column, scale_range = {}, 1, None
    for question in definition.questions():
        entries = question_type(question).choices(question, definition.scale, language)
        if not entries:
            continue
        if question.scored and scale_range:
            ranges[question.key] = scale_range
            continue
        for row, entry in enumerate(entries, 1):
            _text(sheet, row, column, entry)
        letter = sheet.cell(1, column).column_letter
        ranges[question.key] = f"{_formula_sheet(sheet.title)}!${letter}$1:${letter}${len(entries)}"
        if question.scored:
            scale_range = ranges[question.key]
        column += 1
    sheet.protection.sheet = True
    return ranges


def _formula_sheet(title: str) -> str:
    """A sheet's title as a formula names it: quoted unless it is a plain word (``Lists``)."""
    return title if re.fullmatch(r"[^\W\d]\w*", title) else quote_sheetname(title)


def _dimension_sheet(sheet: Worksheet, dimension, definition: QuestionnaireDef,
                     answers: dict[str, ExportedAnswer], language: str, list_ranges: dict[str, str]) -> None:
    scale = definition.scale
    _text(sheet, 1, QUESTION, translate(dimension.title, language)).font = Font(bold=True, size=14)
    _text(sheet, 2, QUESTION, translate(dimension.description, language)).alignment = _WRAP
    sheet.merge_cells(start_row=2, start_column=QUESTION, end_row=2, end_column=HOW)
    sheet.row_dimensions[2].height = 45
    for column, header in HEADERS.items():
        cell = _text(sheet, HEADER_ROW, column, str(header))
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    validations: dict[str, DataValidation] = {}
    for row, question in enumerate(dimension.questions, HEADER_ROW + 1):
        kind = question_type(question)
        exported = answers.get(question.key, ExportedAnswer())
        data = exported.data
        _text(sheet, row, KEY, question.key)
        _text(sheet, row, BASE, f"{exported.version}:{data.digest()}")
        text = translate(question.text, language) + (" *" if question.required else "")
        _text(sheet, row, QUESTION, text).alignment = _WRAP
        if question.type == "evidence":
            text_ = (_("Files: %(files)s", files="; ".join(exported.files)) if exported.files
                     else _("Files: no files attached yet."))
            _text(sheet, row, ANSWER, text_).alignment = _WRAP
        else:
            answer = _text(sheet, row, ANSWER, _cell_value(question, data, definition, language))
            answer.alignment, answer.protection, answer.fill = _WRAP, _UNLOCKED, _INPUT_FILL
            if question.type in TEXT_TYPES:
                answer.number_format = TEXT_FORMAT
            _validate(sheet, validations, question, row, list_ranges)
        comment = _text(sheet, row, COMMENT, data.comment or None)
        comment.alignment, comment.protection, comment.fill = _WRAP, _UNLOCKED, _INPUT_FILL
        comment.number_format = TEXT_FORMAT
        how = " ".join(part for part in (kind.hint(question, scale, language),
                                         translate(question.help, language)) if part)
        _text(sheet, row, HOW, how).alignment = _WRAP
        longest = max(len(text) / WIDTHS[QUESTION], len(how) / WIDTHS[HOW],
                      len(str(sheet.cell(row, ANSWER).value or "")) / WIDTHS[ANSWER])
        sheet.row_dimensions[row].height = max(30, 15 * math.ceil(longest * 1.1 + 0.5))
    for column in (KEY, BASE):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].hidden = True
    for column, width in WIDTHS.items():
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, QUESTION)
    protection = sheet.protection
    protection.sheet = True
    protection.formatRows = protection.formatColumns = protection.formatCells = False


def _cell_value(question: QuestionDef, data: AnswerData, definition: QuestionnaireDef, language: str):
    if question.type == "number":
        return data.value
    return question_type(question).show(data, question, definition.scale, language) or None


def _validate(sheet: Worksheet, validations: dict, question: QuestionDef, row: int, list_ranges) -> None:
    """Dropdowns for scale and choice questions; a number check for number questions."""
    address = sheet.cell(row, ANSWER).coordinate
    if question.key in list_ranges and question.type in ("scale", "choice"):
        formula = list_ranges[question.key]
        if formula not in validations:
            validations[formula] = DataValidation(
                type="list", formula1=f"={formula}", allow_blank=True, showErrorMessage=True,
                errorTitle=_("Not in the list"), error=_("Pick an entry from the dropdown list."))
            sheet.add_data_validation(validations[formula])
        validations[formula].add(address)
    elif question.type == "number" and (question.min is not None or question.max is not None):
        low = question.min if question.min is not None else -1e15
        high = question.max if question.max is not None else 1e15
        check = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(high),
                               allow_blank=True, showErrorMessage=True, errorTitle=_("Not a number in range"),
                               error=_("Enter a number from %(min)s to %(max)s.", min="%g" % low, max="%g" % high))
        sheet.add_data_validation(check)
        check.add(address)


# --- import -----------------------------------------------------------------------------------


def read_workbook(source: bytes | BinaryIO, definition: QuestionnaireDef, *,
                  assessment_id: int | None = None, language: str = "en",
                  limits: ArchiveLimits = ArchiveLimits(),
                  earlier: dict[int, QuestionnaireDef] | None = None) -> Imported:
    """Read an uploaded workbook for ``definition``; raise :class:`WorkbookError` with every problem.
    Numbers typed as text are read as ``language`` writes them. ``earlier`` maps the region's
    earlier self-assessments with the same questionnaire key to their versions: a workbook exported
    from one of them is accepted as last round's (see the module's docstring)."""
    data = source if isinstance(source, bytes) else source.read()
    try:
        check_archive(data, limits)
    except UnsafeArchive as error:
        raise WorkbookError([WorkbookProblem(_("(file)"), None, None, str(error))]) from None
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise WorkbookError([WorkbookProblem(_("(file)"), None, None, _(
            "not an .xlsx workbook, or a damaged one; save it as an Excel workbook (.xlsx) and try again"))]) from None
    problems: list[WorkbookProblem] = []
    ref, exported_for, not_questions = _meta(workbook)
    written_for = _written_for(ref, exported_for, definition, assessment_id, earlier or {})
    questions = {q.key: q for q in written_for.questions()}
    answers: dict[str, ImportedAnswer] = {}
    seen: dict[str, tuple[str, int]] = {}  # question key: (sheet, row)
    for sheet in workbook.worksheets:
        if sheet.title in not_questions:
            continue
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=HOW):
            _read_row(sheet.title, row, questions, written_for, answers, seen, problems, language)
    if problems:
        raise WorkbookError(problems)
    if written_for is definition:
        return Imported(ref, exported_for, answers)
    mapped, gone = _map_onto(answers, written_for, definition, seen)
    return Imported(ref, exported_for, mapped, earlier=True, gone=tuple(gone))


def _written_for(ref, exported_for, definition: QuestionnaireDef, assessment_id, earlier) -> QuestionnaireDef:
    """The questionnaire version the workbook was exported for, if it may be read here: this
    assessment's, or (last round's workbook) an earlier assessment's with the same key."""
    previous = earlier.get(exported_for) if exported_for != assessment_id else None
    if previous is not None and ref == previous.ref and previous.key == definition.key:
        return previous
    same_key = isinstance(ref, str) and ref.split("@")[0] == definition.key
    if ref != definition.ref and not (same_key and assessment_id is not None and exported_for != assessment_id):
        message = (_("this workbook is for questionnaire %(found)s, not %(ref)s; download the workbook of this "
                     "self-assessment", found=ref, ref=definition.ref) if ref else
                   _("this workbook is for no questionnaire, not %(ref)s; download the workbook of this "
                     "self-assessment", ref=definition.ref))
        raise WorkbookError([WorkbookProblem(META if ref else _("(file)"), None, None, message)])
    if assessment_id is not None and exported_for != assessment_id:
        message = (_("this workbook was downloaded from another self-assessment; download the workbook of this one")
                   if ref == definition.ref or not earlier else
                   _("this workbook was downloaded from a self-assessment that is neither this one nor an earlier "
                     "one of your region; download the workbook of this one, or of your region's previous one"))
        raise WorkbookError([WorkbookProblem(_("(file)"), None, None, message)])
    return definition


def _map_onto(answers: dict[str, ImportedAnswer], written_for: QuestionnaireDef, definition: QuestionnaireDef,
              seen: dict[str, tuple[str, int]]) -> tuple[dict[str, ImportedAnswer], list[WorkbookProblem]]:
    """Last round's answers by question key onto this version, each re-read by its question type.
    The base is "no answer yet" (version 0, no fingerprint): an answer given in this round meanwhile
    is a conflict to choose on, never overwritten."""
    mapped, gone = {}, []
    for key, imported in answers.items():
        if imported.data.empty:
            continue  # a blank row brings nothing over
        sheet, row = seen[key]
        try:
            question = definition.question(key)
        except KeyError:
            gone.append(WorkbookProblem(sheet, row, key, _("the question no longer exists")))
            continue
        kind = question_type(written_for.question(key))
        try:
            data = parse_answer(question, definition.scale, kind.form_value(imported.data), imported.data.comment)
        except InvalidAnswer as error:
            gone.append(WorkbookProblem(sheet, row, key, str(error)))
            continue
        mapped[key] = ImportedAnswer(data, 0, "")
    return mapped, gone


def _meta(workbook) -> tuple[str | None, int | None, set[str]]:
    """The questionnaire reference and assessment the workbook was exported for, and the titles
    of its sheets that hold no questions (the instructions and lists, in the language written)."""
    not_questions = {INSTRUCTIONS, LISTS, META}
    if META not in workbook.sheetnames:
        return None, None, not_questions
    values = {row[0].value: row[1].value for row in workbook[META].iter_rows(max_col=2) if row[0].value}
    try:
        assessment_id = int(values.get("assessment"))
    except (TypeError, ValueError):
        assessment_id = None
    not_questions |= {str(values[name]) for name in ("instructions", "lists") if values.get(name)}
    return values.get("questionnaire"), assessment_id, not_questions


def _read_row(sheet: str, cells, questions, definition, answers, seen, problems, language: str = "en") -> None:
    number = cells[0].row
    key, base = cells[KEY - 1].value, cells[BASE - 1].value
    if key is None and base is None:
        if any(cell.value not in (None, "") for cell in cells[ANSWER - 1:COMMENT]):
            problems.append(WorkbookProblem(sheet, number, None, _(
                "this row has no question key (hidden column A); type answers only in the rows of the questions")))
        return

    def problem(message: str) -> None:
        problems.append(WorkbookProblem(sheet, number, str(key), message))

    question = questions.get(str(key).strip())
    if question is None:
        return problem(_("unknown question key; the hidden columns were changed — download a fresh workbook"))
    if question.key in seen:
        return problem(_("the question appears twice (also on sheet '%(sheet)s')", sheet=seen[question.key][0]))
    seen[question.key] = (sheet, number)
    match = _BASE.fullmatch(str(base or "").strip())
    if not match:
        return problem(_("the hidden version column was changed — download a fresh workbook"))
    raw = None if question.type == "evidence" else _cell(cells[ANSWER - 1].value)
    comment = _cell(cells[COMMENT - 1].value)
    try:
        data = parse_answer(question, definition.scale, raw, None if comment is None else str(comment), language)
    except InvalidAnswer as error:
        return problem(str(error))
    answers[question.key] = ImportedAnswer(data, int(match.group(1)), match.group(2))


def _cell(value: Any) -> Any:
    """A cell as the question types read it: dates and times become their text."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return str(value)
    return value

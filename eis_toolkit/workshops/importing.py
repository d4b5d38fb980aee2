"""Importing the scores of a paper session from a spreadsheet (.xlsx or .csv).

One row per score with the columns ``reviewer`` (e-mail), ``region`` (code), ``question`` (key),
``score`` (a level of the scale, read by the question-type registry, or N/A) and ``comment``, in any order, under a header row.
As in the bundle loader, the whole file is checked first and every problem reported with its
row and column (:class:`ImportRefused`); nothing is written unless all of it is valid. Each
(reviewer, region) in the file becomes a submitted review, so it must score every scored
question. Reading and checking are pure; :func:`import_scores` writes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..extensions import db
from ..i18n import status_label
from ..models import ReviewStatus, Role, User, Workshop, WorkshopStatus
from ..questionnaires.services import definition_of
from ..questionnaires.schema import Scale
from ..questionnaires.types import InvalidAnswer, parse_score
from ..spreadsheets import ArchiveLimits, UnsafeArchive, check_archive
from .queries import scored_question_ids
from .reviews import ReviewInput, ScoreInput, save_review, submit_review
from .services import WorkshopError, assign_reviewer, ensure_review

REQUIRED_COLUMNS = ("reviewer", "region", "question", "score")
COLUMNS = (*REQUIRED_COLUMNS, "comment")
MAX_ROWS = 20_000
#: How many non-empty rows at the top may come before the header row.
HEADER_SEARCH = 10


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: a spreadsheet row number (1 = the first line) and a column."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("row %(row)s, column %(column)s: %(message)s", row=self.row, column=self.column,
                     message=self.message)
        if self.row:
            return _("row %(row)s: %(message)s", row=self.row, message=self.message)
        if self.column:
            return _("column %(column)s: %(message)s", column=self.column, message=self.message)
        return self.message


class ImportRefused(WorkshopError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Person:
    region: str | None
    reviewer: bool


@dataclass
class Context:
    """What the rows are checked against: plain values gathered from the database."""

    people: dict[str, Person]          # by lower-case e-mail
    hot_seat: set[str]                 # region codes
    questions: list[str]               # scored question keys, in questionnaire order
    questionnaire: str                 # key@version, for messages
    scale: Scale                       # the levels are read by the question-type registry
    submitted: set[tuple[str, str]] = field(default_factory=set)  # (e-mail, region) already submitted
    drafts: set[tuple[str, str]] = field(default_factory=set)     # (e-mail, region) with a started draft


@dataclass(frozen=True)
class ScoreRow:
    row: int
    reviewer: str
    region: str
    question: str
    score: int | None
    not_applicable: bool
    comment: str


# --- reading ----------------------------------------------------------------------------------


def read_table(filename: str, data: bytes, limits: ArchiveLimits = ArchiveLimits()) -> list[tuple[int, dict[str, str]]]:
    """The rows under the header as ``(row number, {column: text})``, blank rows left out.

    Column names are matched without regard to case; other columns are ignored.
    """
    if filename.lower().endswith(".xlsx"):
        try:
            check_archive(data, limits)
        except UnsafeArchive as error:
            raise ImportRefused([Problem(None, None, f"{error}.")]) from None
        lines = _xlsx_lines(data)
    elif filename.lower().endswith(".csv"):
        lines = _csv_lines(data)
    else:
        raise ImportRefused([Problem(None, None, _("Upload an .xlsx or a .csv file."))])
    filled = [(n, [cell.strip().lower() for cell in cells]) for n, cells in lines if any(c.strip() for c in cells)]
    if not filled:
        raise ImportRefused([Problem(None, None, _("The file is empty."))])
    # The header is the first row naming the columns: titles or notes may stand above it.
    header_row, names = next(((n, names) for n, names in filled[:HEADER_SEARCH]
                              if set(REQUIRED_COLUMNS) <= set(names)), filled[0])
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ImportRefused([Problem(header_row, None, _("the header row has no column %(missing)s (expected %(columns)s)",
                                                         missing=", ".join(missing), columns=", ".join(COLUMNS)))])
    duplicated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if duplicated:
        raise ImportRefused([Problem(header_row, None, _("the column %(columns)s appears twice", columns=", ".join(duplicated)))])
    index = {name: names.index(name) for name in COLUMNS if name in names}
    rows = []
    for number, cells in lines:
        if number <= header_row or not any(c.strip() for c in cells):
            continue
        rows.append((number, {name: (cells[i] if i < len(cells) else "").strip() for name, i in index.items()}))
        if len(rows) > MAX_ROWS:
            raise ImportRefused([Problem(number, None, _("more than %(max)d rows", max=MAX_ROWS))])
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_lines(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportRefused([Problem(None, None, _("This is not a readable .xlsx file (%(error)s).", error=error))]) from None
    try:
        sheet = workbook.worksheets[0]
        return [(n, [_cell_text(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()


def _csv_lines(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([Problem(None, None, _("The .csv file is not UTF-8 text; save it as “CSV UTF-8”."))]) from None
    # Only the delimiter is guessed, from the header line; quoting is the spreadsheet standard
    # (RFC 4180: "" inside quotes). Python's Sniffer also guesses quoting from that one line and,
    # finding no quotes there, turns doubled quotes off: `He said ""good""` then lost its text.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise ImportRefused([Problem(reader.line_num, None, _("not valid CSV: %(error)s", error=error))]) from None


# --- checking ---------------------------------------------------------------------------------


def check_rows(rows: Iterable[tuple[int, dict[str, str]]], context: Context) -> tuple[list[ScoreRow], list[Problem]]:
    """Every row checked, then every (reviewer, region) checked for completeness; pure."""
    problems: list[Problem] = []
    good: list[ScoreRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    first_row: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        before = len(problems)
        reviewer = cells.get("reviewer", "").lower()
        region = cells.get("region", "").upper()
        question = cells.get("question", "")
        person = _check_reviewer(number, reviewer, problems, context)
        _check_region(number, region, person, reviewer, problems, context)
        if not question:
            problems.append(Problem(number, "question", _("is empty")))
        elif question not in context.questions:
            problems.append(Problem(number, "question", _("%(question)s is not a scored question of %(questionnaire)s",
                                                                 question=repr(question), questionnaire=context.questionnaire)))
        score, not_applicable = _check_score(number, cells.get("score", ""), problems, context)
        if len(problems) > before:
            continue
        key = (reviewer, region, question)
        if key in seen:
            problems.append(Problem(number, "question", _("%(reviewer)s scores %(question)s of %(region)s again (first on row %(row)s)",
                                                          reviewer=reviewer, question=question, region=region,
                                                          row=seen[key])))
            continue
        seen[key] = number
        first_row.setdefault((reviewer, region), number)
        good.append(ScoreRow(number, reviewer, region, question, score, not_applicable, cells.get("comment", "")))
    for (reviewer, region), number in first_row.items():
        if (reviewer, region) in context.submitted:
            problems.append(Problem(number, "reviewer", _("%(reviewer)s has already submitted a review of %(region)s in the toolkit",
                                                          reviewer=reviewer, region=region)))
        elif (reviewer, region) in context.drafts:
            problems.append(Problem(number, "reviewer", _("%(reviewer)s has started a review of %(region)s in the toolkit: ask them "
                                                          "to finish it there, or leave their rows out of the file",
                                                          reviewer=reviewer, region=region)))
        done = {row.question for row in good if (row.reviewer, row.region) == (reviewer, region)}
        missing = [q for q in context.questions if q not in done]
        if missing:
            problems.append(Problem(number, "question", _("%(reviewer)s has no score for %(region)s on %(questions)s (use N/A where it does not apply)",
                                                          reviewer=reviewer, region=region, questions=", ".join(missing))))
    problems.sort(key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 0))
    return good, problems


def _check_reviewer(number: int, email: str, problems: list[Problem], context: Context) -> Person | None:
    if not email:
        problems.append(Problem(number, "reviewer", _("is empty")))
        return None
    person = context.people.get(email)
    if person is None:
        problems.append(Problem(number, "reviewer", _("nobody has the e-mail address %(email)s", email=repr(email))))
    elif not person.reviewer:
        problems.append(Problem(number, "reviewer", _("%(email)s does not have the reviewer role", email=email)))
    return person


def _check_region(number: int, region: str, person: Person | None, email: str, problems: list[Problem],
                  context: Context) -> None:
    if not region:
        problems.append(Problem(number, "region", _("is empty")))
    elif region not in context.hot_seat:
        problems.append(Problem(number, "region", _("%(region)s is not in the hot seat of this workshop (%(regions)s)",
                                                    region=repr(region), regions=", ".join(sorted(context.hot_seat)))))
    elif person is not None and person.region == region:
        problems.append(Problem(number, "region", _("%(email)s works for %(region)s and cannot review their own region",
                                                    email=email, region=region)))


def _check_score(number: int, raw: str, problems: list[Problem], context: Context) -> tuple[int | None, bool]:
    """The score as the question-type registry reads it (as everywhere else a score is typed)."""
    if not raw:
        problems.append(Problem(number, "score", _scale_hint(context.scale)))
        return None, False
    try:
        answer = parse_score(raw, context.scale)
    except InvalidAnswer as error:
        problems.append(Problem(number, "score", str(error)))
        return None, False
    return answer.score, answer.not_applicable


def _scale_hint(scale: Scale) -> str:
    return (_("is empty: give a level from %(min)s to %(max)s or N/A", min=scale.min, max=scale.max)
            if scale.not_applicable else _("is empty: give a level from %(min)s to %(max)s", min=scale.min, max=scale.max))


# --- the template -----------------------------------------------------------------------------


def template_rows(workshop: Workshop) -> list[tuple[str, str, str]]:
    """``(reviewer e-mail, region code, question key)`` for every assignment and scored question,
    by region then reviewer: the rows a template offers to fill in."""
    keys = list(scored_question_ids(workshop.questionnaire_id))
    return [(a.reviewer.email, a.region.code, key)
            for a in sorted(workshop.assignments, key=lambda a: (a.region.code, a.reviewer.email)) for key in keys]


TEMPLATE_HEADER_ROW = 4  # within HEADER_SEARCH: a title and a note stand above it


def template_workbook(workshop: Workshop, language: str) -> bytes:
    """The template as an .xlsx in ``language``: the first sheet holds the rows to fill in under
    the import's own column names (language-free, so any language's template imports), with a
    dropdown of the levels in the score column and each question's text beside its key (a column
    the import ignores); a second sheet explains the file and the scale."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..i18n import translate
    from ..spreadsheets import xlsx_cell as put

    definition = definition_of(workshop.questionnaire)
    scale = definition.scale
    texts = {q.key: translate(q.text, language) for q in definition.scored_questions()}
    rows = template_rows(workshop)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    with force_locale(language):
        book = Workbook()
        sheet, readme = book.active, book.create_sheet()
        sheet.title, readme.title = _("Scores"), _("Read me")

        levels = _("a level from %(min)s to %(max)s, or N/A", min=scale.min, max=scale.max) if scale.not_applicable \
            else _("a level from %(min)s to %(max)s", min=scale.min, max=scale.max)
        put(sheet, 1, 1, _("Scores of the paper session: %(workshop)s", workshop=workshop.title)).font = Font(bold=True, size=13)
        put(sheet, 2, 1, _("Give each row a score (%(levels)s) and, if you like, a comment; the sheet “%(sheet)s” "
                           "explains the file.", levels=levels, sheet=readme.title))
        for column, name in enumerate((*COLUMNS, _("Question text")), 1):
            put(sheet, TEMPLATE_HEADER_ROW, column, name).font = bold
        for number, (email, code, key) in enumerate(rows, TEMPLATE_HEADER_ROW + 1):
            for column, value in enumerate((email, code, key, None, None, texts.get(key, "")), 1):
                put(sheet, number, column, value)
        if rows:
            options = [str(p) for p in range(scale.min, scale.max + 1)] + (["N/A"] if scale.not_applicable else [])
            check = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                                   showErrorMessage=True, errorTitle=_("Not in the list"),
                                   error=_("Pick an entry from the dropdown list."))
            sheet.add_data_validation(check)
            check.add(f"D{TEMPLATE_HEADER_ROW + 1}:D{TEMPLATE_HEADER_ROW + len(rows)}")
        for letter, width in zip("ABCDEF", (28, 10, 26, 8, 40, 70)):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = f"A{TEMPLATE_HEADER_ROW + 1}"

        lines = [(_("How to fill in"), ""),
                 ("1.", _("Give each row a score in the score column: %(levels)s. A comment is optional.", levels=levels)),
                 ("2.", _("Each reviewer and region in the file becomes a submitted review, so give every scored "
                          "question a score or N/A.")),
                 ("3.", _("Do not change the reviewer, region and question columns, nor the header row: the import "
                          "reads them. The question's text beside them is there to help and is not read.")),
                 ("4.", _("The whole file is checked first: nothing is imported unless every row is valid.")),
                 ("", ""), (_("Answer scale"), "")]
        lines += [(str(p), translate(scale.labels.get(p), language)) for p in range(scale.min, scale.max + 1)]
        if scale.not_applicable:
            lines.append(("N/A", _("Not applicable: the topic lies outside the region's remit.")))
        for number, (label, value) in enumerate(lines, 1):
            put(readme, number, 1, label).alignment = wrap
            put(readme, number, 2, value).alignment = wrap
            if label and not value:
                readme.cell(number, 1).font = bold
        readme.column_dimensions["A"].width, readme.column_dimensions["B"].width = 18, 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- writing ----------------------------------------------------------------------------------


def context_for(workshop: Workshop, emails: Iterable[str]) -> Context:
    """The rows' context from the database: the workshop, and the people the rows name."""
    definition = definition_of(workshop.questionnaire)
    people = {}
    wanted = {email.lower() for email in emails if email}
    for user in db.session.scalars(select(User).where(func.lower(User.email).in_(wanted))
                                   .options(joinedload(User.region))):
        people[user.email.lower()] = Person(user.region.code if user.region else None,
                                            user.active and user.has_role(Role.REVIEWER))
    reviews = [(a.reviewer.email.lower(), a.region.code, a.review) for a in workshop.assignments
               if a.review is not None]
    submitted = {(email, code) for email, code, review in reviews if review.status == ReviewStatus.SUBMITTED}
    drafts = {(email, code) for email, code, review in reviews
              if review.status != ReviewStatus.SUBMITTED and _started(review)}
    return Context(people=people, hot_seat={r.code for r in workshop.hot_seat},
                   questions=[q.key for q in definition.scored_questions()], questionnaire=definition.ref,
                   scale=definition.scale, submitted=submitted, drafts=drafts)


def _started(review) -> bool:
    """A draft with anything in it: the import must not overwrite a reviewer's own work."""
    return bool(review.strengths or review.weaknesses or review.recommendations or review.nominations
                or any(s.score is not None or s.not_applicable or s.comment for s in review.scores))


def import_scores(workshop: Workshop, filename: str, data: bytes, user: User | None = None,
                  limits: ArchiveLimits = ArchiveLimits()) -> dict[str, int]:
    """Check the whole file, then write one submitted review per (reviewer, region); the caller commits."""
    if workshop.status != WorkshopStatus.OPEN:
        raise ImportRefused([Problem(None, None, _("Scores can be imported only while the review round is open (the workshop is %(status)s).",
                                                   status=status_label(workshop.status)))])
    table = read_table(filename, data, limits)
    rows, problems = check_rows(table, context_for(workshop, (cells.get("reviewer", "") for __, cells in table)))
    if problems:
        raise ImportRefused(problems)
    groups: dict[tuple[str, str], list[ScoreRow]] = {}
    for row in rows:
        groups.setdefault((row.reviewer, row.region), []).append(row)
    people = {u.email.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.email).in_({email for email, _ in groups})))}
    regions = {r.code: r for r in workshop.hot_seat}
    question_ids = scored_question_ids(workshop.questionnaire_id)
    counts = {"reviews": 0, "scores": 0, "assignments": 0}
    for (email, code), group in groups.items():
        reviewer, region = people[email], regions[code]
        assignment = next((a for a in workshop.assignments
                           if a.reviewer_id == reviewer.id and a.region_id == region.id), None)
        if assignment is None:
            assignment = assign_reviewer(workshop, reviewer, region, user)
            counts["assignments"] += 1
        review = ensure_review(assignment)
        db.session.flush()
        values = ReviewInput(
            scores={r.question: ScoreInput(r.score, r.not_applicable, r.comment) for r in group},
            strengths=review.strengths, weaknesses=review.weaknesses, recommendations=review.recommendations)
        save_review(review, values, review.version, question_ids)
        submit_review(review, question_ids, user)
        counts["reviews"] += 1
        counts["scores"] += len(group)
    audit.record("workshop.import", workshop, user, file=filename, **counts)
    return counts

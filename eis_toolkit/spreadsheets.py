"""Cells of the spreadsheets the toolkit writes (CSV and XLSX), safe to open and never cut.

- A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
  to a spreadsheet program opening a CSV: such a cell gets a leading apostrophe (OWASP's rule for
  CSV injection). XLSX cells are typed, so text written as a string cell is never a formula.
- Characters that XML 1.0 cannot hold (control characters other than tab, line feed and carriage
  return) are not written: a vertical tab or a form feed (Word's Shift+Enter and page break)
  becomes a line break, the others are dropped. openpyxl refuses them with an exception.
- An XLSX cell holds at most 32,767 characters; a longer text is refused with
  :class:`CellTooLong` before anything is written, never cut.
- An uploaded workbook is a zip archive: :func:`check_archive` refuses one that would unpack to
  more than the limit, or with a compression ratio no real workbook has (a zip bomb), before
  openpyxl opens it.

No Flask app needed (messages go through gettext, English outside a request); every CSV and XLSX writer of the toolkit passes its people-typed text through here.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import format_number

from .assessments.uploads import human_size

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767
_LINE_BREAKS = re.compile(r"[\x0b\x0c]")
_NOT_XML = re.compile(r"[\x00-\x08\x0e-\x1f\ufffe\uffff]")


class CellTooLong(ValueError):
    """A text longer than a spreadsheet cell holds; ``where`` says which cell, for people."""

    def __init__(self, where: str, length: int):
        self.where, self.length = where, length
        super().__init__(f"{where} has {length:,} characters, more than a spreadsheet cell holds "
                         f"({XLSX_CELL_LIMIT:,})")


def clean_text(text: str) -> str:
    """``text`` without the characters XML cannot hold (vertical tab and form feed as line breaks)."""
    return _NOT_XML.sub("", _LINE_BREAKS.sub("\n", text))


def csv_cell(value):
    """A CSV cell: people's text cleaned and kept from being read as a formula; other values as given."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_row(values: Iterable) -> list:
    return [csv_cell(value) for value in values]


def xlsx_text(value: str, where: str) -> str:
    """The text for a string cell of a workbook: cleaned, and refused when too long for a cell."""
    value = clean_text(value)
    if len(value) > XLSX_CELL_LIMIT:
        raise CellTooLong(where, len(value))
    return value


def xlsx_cell(sheet, row: int, column: int, value):
    """Write ``value`` to an openpyxl ``sheet``: text stays text (a leading ``=`` is never a
    formula), cleaned for XML and refused (:class:`CellTooLong`, naming the cell) rather than cut."""
    if isinstance(value, str):
        coordinate = sheet.cell(row, column).coordinate
        value = xlsx_text(value, _("cell %(cell)s", cell=f"{sheet.title}!{coordinate}"))
    cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


#: The media type of a workbook (.xlsx).
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_workbook(title: str, columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV export's table as a one-sheet workbook: numbers stay numbers (a spreadsheet shows them
    as its language writes them, at full precision), text stays text (``xlsx_cell``)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for column, name in enumerate(columns, start=1):
        xlsx_cell(sheet, 1, column, name)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            xlsx_cell(sheet, number, column, value)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class ArchiveLimits:
    """What an uploaded workbook may unpack to: bytes in all, ratio to its packed size, entries."""

    max_unpacked: int = 50 * 1024 * 1024
    max_ratio: float = 100.0
    max_members: int = 10_000


class UnsafeArchive(ValueError):
    """An upload refused before it is unpacked; the message is one line for people."""


def check_archive(data: bytes, limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Refuse a zip (``.xlsx``) that would unpack beyond ``limits``; its directory is read, not its content.

    A damaged or foreign file passes through, for the reader to refuse in its own words.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(members) > limits.max_members:
        raise UnsafeArchive(_("the file holds %(parts)s parts; a workbook has far fewer (at most %(limit)s "
                              "are accepted)", parts=format_number(len(members)),
                              limit=format_number(limits.max_members)))
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > limits.max_unpacked:
        raise UnsafeArchive(_("the file would unpack to %(size)s; at most %(limit)s are accepted",
                              size=human_size(unpacked), limit=human_size(limits.max_unpacked)))
    if unpacked / packed > limits.max_ratio:
        raise UnsafeArchive(_("the file unpacks to %(ratio)s times its size, which no workbook does (at most "
                              "%(limit)s times is accepted)", ratio=format_number(round(unpacked / packed)),
                              limit=format_number(round(limits.max_ratio))))

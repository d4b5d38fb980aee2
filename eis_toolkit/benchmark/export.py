"""The benchmark table as CSV or JSON (DESIGN.md, Numbers): the CLI and the pages share it.

Columns in the order of :data:`~.numbers.COLUMNS`; empty cells are empty in CSV and ``null`` in
JSON; numbers at full precision (a float's shortest exact representation, ``repr``), never
rounded. CSV is UTF-8 with a header line and ``\\n`` line ends.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from ..spreadsheets import XLSX_MIMETYPE, table_workbook
from .numbers import COLUMNS, Row

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX_MIMETYPE}


def cell(value) -> str:
    """A CSV cell: empty for no value, ``repr`` for floats (full precision)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(rows: Iterable[Row], columns: Sequence[str] = COLUMNS) -> str:
    """``rows`` (objects with the columns as attributes) as CSV: a header line, then a line each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(getattr(row, column)) for column in columns])
    return buffer.getvalue()


def to_json(rows: Iterable[Row]) -> str:
    return json.dumps([row.as_dict() for row in rows], indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def to_xlsx(rows: Iterable[Row], columns: Sequence[str] = COLUMNS) -> bytes:
    """The CSV's table as a workbook, for a spreadsheet in any language (numbers as numbers)."""
    return table_workbook("benchmark", columns, ([getattr(row, column) for column in columns] for row in rows))


def render(rows: Iterable[Row], format: str) -> str | bytes:
    """The table in ``format`` (``csv``, ``json`` or ``xlsx``)."""
    return {"csv": to_csv, "json": to_json, "xlsx": to_xlsx}[format](rows)

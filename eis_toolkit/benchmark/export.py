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

from .numbers import COLUMNS, Row

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


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


def render(rows: Iterable[Row], format: str) -> str:
    """The table in ``format`` (``csv`` or ``json``)."""
    return to_csv(rows) if format == "csv" else to_json(rows)

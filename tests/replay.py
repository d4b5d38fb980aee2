"""Replaying a fixture's writes: run it once per worker, keep the rows it added, insert them again.

Registering eis-core@1 and loading a bundle cost about 85 ms of CPU per test through the ORM;
inserting the same rows again with one statement per table costs a few. :func:`capture` runs an
action, commits, and keeps what it added; :func:`replay` writes exactly that in the test's own
session, so a test starts from the same rows, ids included, as if the action had run
(``tests/test_harness.py`` compares every table). eis-core@1 is captured on an empty database at
a worker's start; a bundle in the first test that loads it right after eis-core@1.

Only additions are replayed: an action that changes or deletes a row it did not add is refused at
capture (:class:`NotReplayable`). A capture is only good for the state it started from: the
fixtures replay one only where :func:`untouched` says the database is as they left it. Two things
are not copied but redone: the data versions the action changed get new random values
(:func:`eis_toolkit.cache.bump`), as a real write would give them, so that no cache entry of an
earlier test is read; and on PostgreSQL the id sequences are moved past the replayed ids.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, event, insert, select, text
from sqlalchemy.engine import Engine

from eis_toolkit.backup import DERIVED_TABLES, id_sequence
from eis_toolkit.cache import bump


class NotReplayable(Exception):
    """The action changed or deleted rows it did not add (it ran, its work was committed, and
    what it returned is ``returned``)."""

    def __init__(self, message: str, returned: object):
        super().__init__(message)
        self.returned = returned


@dataclass(frozen=True)
class Writes:
    """What an action added: rows per table (parents first), the data versions it changed, the
    id sequences to move past the new ids (PostgreSQL), and what the action returned."""

    rows: tuple[tuple[Table, tuple[dict, ...]], ...]
    versions: tuple[int, ...]
    sequences: tuple[tuple[str, int], ...]
    returned: object = None


def _stored_columns(table: Table) -> list:
    return [c for c in table.columns if c.computed is None]


def _contents(connection, tables: list[Table]) -> dict[str, dict[tuple, dict]]:
    """Every row of every table, keyed by table name then primary key (the whole row when none)."""
    contents = {}
    for table in tables:
        columns = _stored_columns(table)
        keys = [c.name for c in table.primary_key.columns] or [c.name for c in columns]
        rows = connection.execute(select(*columns)).mappings()
        contents[table.name] = {tuple(row[k] for k in keys): dict(row) for row in rows}
    return contents


def _sequences(connection, rows) -> tuple[tuple[str, int], ...]:
    """PostgreSQL: the sequence behind each table's single id column, with the highest id added."""
    if connection.dialect.name != "postgresql":
        return ()
    found = []
    for table, added in rows:
        sequence = id_sequence(connection, table)
        if sequence:
            column = next(iter(table.primary_key.columns))
            found.append((sequence, max(row[column.name] for row in added)))
    return tuple(found)


def capture(session, tables: list[Table], action: Callable[[], object]) -> Writes:
    """Run ``action`` in ``session`` and commit; return what it added (``tables``: parents first).
    The caller rolls back the transaction around it."""
    connection = session.connection()
    before = _contents(connection, tables)
    returned = action()
    session.commit()
    connection = session.connection()  # after a real commit (a live server's test) the first one is closed
    after = _contents(connection, tables)
    rows, versions = [], []
    for table in tables:
        old, new = before[table.name], after[table.name]
        if table.name in DERIVED_TABLES:
            versions += [row[0] for row in new if old.get(row) != new[row]]
            continue
        changed = [row for row in old if new.get(row) != old[row]]
        if changed:
            raise NotReplayable(f"{table.name}: the action changed or deleted rows it did not add, {changed[:3]}",
                                returned)
        added = tuple(new[row] for row in new.keys() - old.keys())
        if added:
            rows.append((table, added))
    return Writes(tuple(rows), tuple(sorted(versions)), _sequences(connection, rows), returned)


def replay(session, writes: Writes) -> None:
    """Write ``writes`` in ``session`` and commit, as the captured action would have."""
    connection = session.connection()
    for table, rows in writes.rows:
        connection.execute(insert(table), list(rows))
    if writes.versions:
        bump(connection, *writes.versions)
    if writes.sequences:
        moved = ", ".join(f"setval('{name}', GREATEST({highest}, (SELECT last_value FROM {name})))"
                          for name, highest in writes.sequences)
        connection.execute(text(f"SELECT {moved}"))
    session.commit()



#: What the ``load`` fixture added, by bundle, where it loaded one first thing after eis-core@1
#: (kept here, not in conftest.py, which pytest may import twice under two names).
LOADS: dict[str, Writes] = {}


# --- whether anything was written since a known state -----------------------------------------

#: Statements that write nothing (transaction control included); any other statement counts as a write.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA")
_written = [True]


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(connection, cursor, statement, parameters, context, executemany) -> None:
    if not statement.lstrip()[:9].upper().startswith(_READS):
        _written[0] = True


def watch() -> None:
    """From now on, note whether any statement writes (on any engine, in any thread)."""
    _written[0] = False


def untouched(session) -> bool:
    """Nothing written since :func:`watch`, and nothing pending in ``session``."""
    return not _written[0] and not (session.new or session.dirty or session.deleted)

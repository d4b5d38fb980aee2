"""Full, lossless backup and restore: every table and every evidence file in one zip file.

The file (format in ``docs/backup-format.md``) holds a manifest ``eis-backup.json`` (format
marker, schema revision, a SHA-256 and a count for every part), one ``tables/<table>.jsonl`` per
table (a header line with the column names, then one JSON array per row in primary-key order) and
the evidence files under ``files/``. Tables are read from the database itself, not through
bundles, so audit events, version counters and password hashes come back as they were.

Restoring checks everything before it writes anything: the archive, the manifest, every checksum,
the schema revision and every table's columns; then it loads all rows in one transaction into a
freshly initialised database and only after the commit moves the evidence files into place.

No Flask: the caller passes a SQLAlchemy engine, the metadata and the upload folder.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from alembic.migration import MigrationContext
from sqlalchemy import Date, DateTime, Engine, LargeBinary, MetaData, Table, func, select, text

FORMAT = "eis-toolkit-backup"
FORMAT_VERSION = 1
MANIFEST = "eis-backup.json"
#: Tables that ``eis init-db`` fills by itself; a restore replaces their rows.
SEEDED_TABLES = frozenset({"term"})
#: Tables that hold no content, only a token for caches (``cache.py``): neither dumped nor restored;
#: the restore's ``after_load`` gives the token a new value instead.
DERIVED_TABLES = frozenset({"data_version"})
#: Fixed zip timestamps, so that the same content gives the same archive entries.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20
#: Part names: a table, or an evidence file under its random stored name (never a path).
_PART_NAME = re.compile(r"tables/[a-z0-9_]+\.jsonl|files/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")

#: ``progress(what, done)`` is told after each table and file: a name and a running count.
Progress = Callable[[str, int], None]


class BackupError(Exception):
    """A backup that cannot be written or restored; the message is one line for people."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int


# --- values: encoded by column type, so no tag can collide with JSON content -----------------


def _encode(column_type, value):
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return value.isoformat()
    if isinstance(column_type, Date):
        return value.isoformat()
    if isinstance(column_type, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(column_type, value):
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    return value


def _dump_line(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


def _columns(table: Table) -> list:
    """The stored columns (computed ones are derived, so neither dumped nor inserted)."""
    return [c for c in table.columns if c.computed is None]


def _sorted_tables(metadata: MetaData) -> list[Table]:
    """The tables a backup holds, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in DERIVED_TABLES]


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# --- backup ----------------------------------------------------------------------------------


def _table_lines(connection, table: Table) -> Iterator[bytes]:
    columns = _columns(table)
    yield _dump_line([c.name for c in columns])
    order = list(table.primary_key.columns) or columns
    result = connection.execution_options(yield_per=1000).execute(select(*columns).order_by(*order))
    for row in result:
        yield _dump_line([_encode(c.type, value) for c, value in zip(columns, row)])


def write_backup(engine: Engine, metadata: MetaData, upload_dir: str | os.PathLike, target: str | os.PathLike,
                 evidence_names: Callable[[object], list[str]], progress: Progress | None = None) -> Summary:
    """Write every table and evidence file to ``target``; returns what it holds.

    ``evidence_names(connection)`` lists the stored names of the evidence files the tables refer
    to; each must exist under ``upload_dir``. The file is written beside ``target`` and renamed
    into place, so a failed backup never leaves a partial file under that name.
    """
    target = Path(target)
    parts: dict[str, dict] = {}
    rows = files = 0
    tmp = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)
    try:
        with tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with engine.connect() as connection:
                if connection.dialect.name == "postgresql":  # one consistent snapshot of every table
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                revision = MigrationContext.configure(connection).get_current_revision()
                for table in _sorted_tables(metadata):
                    name = f"tables/{table.name}.jsonl"
                    digest, count = hashlib.sha256(), -1
                    with archive.open(zipfile.ZipInfo(name, _ZIP_TIME), "w") as out:
                        for line in _table_lines(connection, table):
                            digest.update(line)
                            out.write(line)
                            count += 1
                    parts[name] = {"sha256": digest.hexdigest(), "rows": count}
                    rows += count
                    if progress:
                        progress(table.name, count)
                stored = sorted(set(evidence_names(connection)))
            for stored_name in stored:
                source = Path(upload_dir) / stored_name
                if not source.is_file():
                    raise BackupError(f"evidence file {stored_name} is missing from {upload_dir}")
                name = f"files/{stored_name}"
                digest, size = hashlib.sha256(), 0
                info = zipfile.ZipInfo(name, _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(source, "rb") as src, archive.open(info, "w") as out:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                parts[name] = {"sha256": digest.hexdigest(), "bytes": size}
                files += 1
                if progress:
                    progress(stored_name, 1)
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": revision,
                        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                        "parts": parts}
            archive.writestr(zipfile.ZipInfo(MANIFEST, _ZIP_TIME),
                             json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
        os.replace(tmp.name, target)
    except BaseException:
        Path(tmp.name).unlink(missing_ok=True)
        raise
    return Summary(len(_sorted_tables(metadata)), rows, files)


# --- restore ---------------------------------------------------------------------------------


def _open(source: str | os.PathLike) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except FileNotFoundError:
        raise BackupError(f"{source}: no such file") from None
    except (zipfile.BadZipFile, OSError):
        raise BackupError(f"{source}: not an EIS Toolkit backup (not a complete zip archive: truncated or "
                          f"another kind of file)") from None


def _manifest(archive: zipfile.ZipFile, source) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{source}: not an EIS Toolkit backup (no {MANIFEST} inside)") from None
    except (ValueError, zipfile.BadZipFile, OSError):
        raise BackupError(f"{source}: the manifest {MANIFEST} is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: not an EIS Toolkit backup (unknown format marker)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{source}: backup format version {manifest.get('format_version')!r} is not supported "
                          f"(this toolkit reads version {FORMAT_VERSION})")
    parts = manifest.get("parts")
    if not isinstance(parts, dict) or not all(isinstance(p, dict) for p in parts.values()):
        raise BackupError(f"{source}: the manifest lists no parts")
    if any(not _PART_NAME.fullmatch(name) for name in parts):
        raise BackupError(f"{source}: altered: the manifest names parts that no backup has")
    return manifest


def _verify_parts(archive: zipfile.ZipFile, manifest: dict, source) -> None:
    """Every listed part is present and has its checksum; nothing unlisted is inside."""
    names = set(archive.namelist()) - {MANIFEST}
    listed = set(manifest["parts"])
    if names - listed:
        raise BackupError(f"{source}: altered: {sorted(names - listed)[0]} is not listed in the manifest")
    if listed - names:
        raise BackupError(f"{source}: incomplete: {sorted(listed - names)[0]} is missing")
    for name in sorted(listed):
        digest = hashlib.sha256()
        try:
            with archive.open(name) as part:
                while chunk := part.read(_CHUNK):
                    digest.update(chunk)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise BackupError(f"{source}: {name} is damaged (truncated or altered)") from None
        if digest.hexdigest() != manifest["parts"][name].get("sha256"):
            raise BackupError(f"{source}: {name} does not match its checksum (altered or damaged)")


def _check_tables(archive: zipfile.ZipFile, manifest: dict, metadata: MetaData, source) -> None:
    """The backup has exactly this schema's tables, each with this schema's columns."""
    tables = {f"tables/{t.name}.jsonl": t for t in _sorted_tables(metadata)}
    listed = {n for n in manifest["parts"] if n.startswith("tables/")}
    if listed != set(tables):
        extra, missing = sorted(listed - set(tables)), sorted(set(tables) - listed)
        raise BackupError(f"{source}: its tables do not match this schema "
                          f"({'unknown ' + extra[0] if extra else 'missing ' + missing[0]})")
    for name, table in tables.items():
        with archive.open(name) as part:
            header = json.loads(part.readline() or b"null")
        if header != [c.name for c in _columns(table)]:
            raise BackupError(f"{source}: the columns of table {table.name} do not match this schema")


def _batches(rows: Iterator[dict], size: int = 1000) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _occupied(connection, metadata: MetaData) -> list[str]:
    """Tables of a non-fresh database that hold rows (the seeded vocabularies do not count)."""
    return [t.name for t in _sorted_tables(metadata) if t.name not in SEEDED_TABLES
            and connection.execute(select(func.count()).select_from(t)).scalar()]


def _rows(archive: zipfile.ZipFile, name: str, table: Table) -> Iterator[dict]:
    columns = _columns(table)
    with archive.open(name) as part:
        part.readline()
        for number, line in enumerate(part, start=2):
            try:
                values = json.loads(line)
                if len(values) != len(columns):
                    raise ValueError("wrong number of values")
                yield {c.name: _decode(c.type, v) for c, v in zip(columns, values)}
            except (ValueError, TypeError) as error:
                raise BackupError(f"{name}:{number}: {error}") from None


def id_sequence(connection, table: Table) -> str | None:
    """PostgreSQL: the sequence behind the table's single id column, if it has one."""
    if len(table.primary_key.columns) != 1:
        return None
    column = next(iter(table.primary_key.columns))
    quoted = connection.dialect.identifier_preparer.format_table(table)
    return connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                              {"t": quoted, "c": column.name}).scalar()


def _reset_sequences(connection, metadata: MetaData) -> None:
    """PostgreSQL: move each id sequence past the restored ids (explicit ids do not advance it)."""
    if connection.dialect.name != "postgresql":
        return
    for table in _sorted_tables(metadata):
        sequence = id_sequence(connection, table)
        if sequence:
            column = next(iter(table.primary_key.columns))
            highest = connection.execute(select(func.max(column))).scalar()
            connection.execute(text("SELECT setval(:s, :v, :called)"),
                               {"s": sequence, "v": highest or 1, "called": highest is not None})


def restore_backup(engine: Engine, metadata: MetaData, upload_dir: str | os.PathLike, source: str | os.PathLike,
                   progress: Progress | None = None, after_load: Callable[[object], object] | None = None) -> Summary:
    """Load a backup into a freshly initialised database, all or nothing.

    ``after_load(connection)`` runs in the loading transaction, after the rows (the CLI bumps the
    cache's data version there, as every other write does)."""
    with _open(source) as archive:
        manifest = _manifest(archive, source)
        _verify_parts(archive, manifest, source)
        _check_tables(archive, manifest, metadata, source)
        revision = schema_revision(engine)
        if manifest.get("schema_revision") != revision:
            raise BackupError(f"{source}: made at schema revision {manifest.get('schema_revision')}, but this "
                              f"database is at {revision}: restore into a database at the same revision")
        upload_dir = Path(upload_dir)
        files = {name: upload_dir / name.split("/", 1)[1] for name in sorted(manifest["parts"])
                 if name.startswith("files/")}
        staging: Path | None = None
        try:
            rows = 0
            with engine.begin() as connection:
                occupied = _occupied(connection, metadata)
                if occupied:
                    raise BackupError(f"the database is not empty (table {occupied[0]} has rows): restore into "
                                      f"a freshly initialised database (eis init-db)")
                taken = [path.name for path in files.values() if path.exists()]
                if taken:
                    raise BackupError(f"{upload_dir} already holds {taken[0]}: restore needs an empty upload folder")
                for table in reversed(_sorted_tables(metadata)):
                    if table.name in SEEDED_TABLES:
                        connection.execute(table.delete())
                for table in _sorted_tables(metadata):
                    count = 0
                    for batch in _batches(_rows(archive, f"tables/{table.name}.jsonl", table)):
                        connection.execute(table.insert(), batch)
                        count += len(batch)
                    rows += count
                    if progress:
                        progress(table.name, count)
                _reset_sequences(connection, metadata)
                if after_load:
                    after_load(connection)
                upload_dir.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(dir=upload_dir, prefix=".restore-"))
                for name, path in files.items():
                    with archive.open(name) as part, open(staging / path.name, "wb") as out:
                        shutil.copyfileobj(part, out, _CHUNK)
            for path in files.values():  # committed: the files take their places
                os.replace(staging / path.name, path)
                if progress:
                    progress(path.name, 1)
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
    return Summary(len(_sorted_tables(metadata)), rows, len(files))


def part_contents(source: str | os.PathLike) -> dict[str, bytes]:
    """Every part of a backup but the manifest: what "the same content" compares."""
    with _open(source) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != MANIFEST}

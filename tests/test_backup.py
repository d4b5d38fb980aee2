"""``eis backup`` / ``eis restore`` (DESIGN.md, Backup file): lossless, all or nothing.

Every test builds its own databases with the migrations (``eis init-db``), as a person restoring
onto a new server would: SQLite files in the test's folder, and, in the PostgreSQL run, databases
created on the test server and dropped afterwards. The tests that reach the PostgreSQL server
are marked ``database`` (they use none of the database fixtures); the others use SQLite files on
every run, so the PostgreSQL run of ``make test`` leaves them to the SQLite run.
"""
from __future__ import annotations

import json
import os
import uuid
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from eis_toolkit import create_app
from eis_toolkit.backup import MANIFEST, part_contents
from eis_toolkit.extensions import db
from tests.conftest import SMALL_BUNDLE, write_yaml

PG_URL = os.environ.get("EIS_TEST_DATABASE_URL")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Installation:
    """One database and upload folder, driven through the ``eis`` commands."""

    def __init__(self, url: str, folder: Path):
        self.url, self.uploads = url, folder / "uploads"
        self.app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t",
                               "EIS_UPLOAD_DIR": str(self.uploads), "WTF_CSRF_ENABLED": False})
        self.eis("init-db")

    def eis(self, *args, ok: bool = True):
        result = self.app.test_cli_runner().invoke(args=list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def count(self, table: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))

    def counts(self) -> dict[str, int]:
        with self.app.app_context():
            return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}

    def files(self) -> list[str]:
        return sorted(p.name for p in self.uploads.iterdir()) if self.uploads.exists() else []

    def dispose(self):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def installation(tmp_path, request):
    """``installation(kind)`` builds a fresh, initialised installation: ``sqlite`` or ``postgresql``."""
    made, databases = [], []

    def make(kind: str = "sqlite") -> Installation:
        folder = tmp_path / f"site{len(made)}"
        folder.mkdir()
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'eis.sqlite'}"
        else:
            if not PG_URL:
                pytest.skip("PostgreSQL runs only with EIS_TEST_DATABASE_URL (make test sets it)")
            name = f"eis_backup_{uuid.uuid4().hex[:10]}"
            with _server().connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            databases.append(name)
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        site = Installation(url, folder)
        made.append(site)
        return site

    yield make
    for site in made:
        site.dispose()
    if databases:
        with _server().connect() as connection:
            for name in databases:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _server():
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _programme(site: Installation, tmp_path: Path, bundle: dict | None = None) -> None:
    """The small bundle, an evidence file, an audit event and a changed answer version."""
    from eis_toolkit import audit
    from eis_toolkit.models import Answer, EvidenceFile, User

    site.eis("questionnaire", "load", str(Path(__file__).parent.parent / "questionnaires" / "eis-core-v1.yaml"))
    site.eis("load", str(write_yaml(tmp_path / f"bundle-{uuid.uuid4().hex[:6]}.yaml", bundle or SMALL_BUNDLE)))
    with site.app.app_context():
        answer = db.session.scalars(select(Answer).order_by(Answer.id)).first()
        if answer is not None:
            answer.version += 2
            site.uploads.mkdir(parents=True, exist_ok=True)
            stored = uuid.uuid4().hex
            (site.uploads / stored).write_bytes(PNG)
            db.session.add(EvidenceFile(answer=answer, filename="plan «2017».png", stored_name=stored,
                                        content_type="image/png", size=len(PNG)))
        person = db.session.scalars(select(User).order_by(User.id)).first()
        audit.record("backup-test", person, person, note="kept")
        db.session.commit()


def _backup(site: Installation, path: Path) -> dict[str, bytes]:
    site.eis("backup", "-o", str(path))
    return part_contents(path)


def test_backup_restore_backup_gives_the_same_content(installation, tmp_path):
    source = installation()
    _programme(source, tmp_path)
    first = _backup(source, tmp_path / "first.zip")
    assert any(name.startswith("files/") for name in first)
    assert json.loads(first["tables/audit_event.jsonl"].splitlines()[0]) == \
        [c.name for c in source.app.extensions["sqlalchemy"].metadata.tables["audit_event"].columns]

    target = installation()
    result = target.eis("restore", str(tmp_path / "first.zip"))
    assert "restored" in result.output
    assert target.counts() == source.counts()
    assert target.files() == source.files()
    assert (target.uploads / source.files()[0]).read_bytes() == PNG
    assert _backup(target, tmp_path / "second.zip") == first


def test_restored_people_log_in_with_their_passwords(installation, tmp_path):
    source = installation()
    _programme(source, tmp_path)
    source.eis("backup", "-o", str(tmp_path / "b.zip"))
    target = installation()
    target.eis("restore", str(tmp_path / "b.zip"))
    response = target.app.test_client().post("/login", data={"email": "host@example.org", "password": "host-pass"})
    assert response.status_code == 302


@pytest.mark.database
def test_a_restored_postgresql_database_accepts_new_rows(installation, tmp_path):
    """Explicit ids do not move PostgreSQL's sequences: restore must, or the next insert fails."""
    source = installation()
    _programme(source, tmp_path)
    source.eis("backup", "-o", str(tmp_path / "b.zip"))
    target = installation("postgresql")
    target.eis("restore", str(tmp_path / "b.zip"))
    before = target.count("user")
    target.eis("user", "create", "--email", "new@example.org", "--name", "New", "--password", "a-long-password")
    assert target.count("user") == before + 1


@pytest.mark.database
@pytest.mark.parametrize("route", [("sqlite", "postgresql"), ("postgresql", "sqlite")], ids=lambda r: "→".join(r))
def test_backup_crosses_databases(installation, tmp_path, route):
    source = installation(route[0])
    _programme(source, tmp_path)
    first = _backup(source, tmp_path / "first.zip")
    target = installation(route[1])
    target.eis("restore", str(tmp_path / "first.zip"))
    assert _backup(target, tmp_path / "second.zip") == first


def _rewrite(path: Path, out: Path, change) -> Path:
    """A copy of the backup at ``path`` with ``change(parts)`` applied to its {name: bytes}."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out


def _set_manifest(parts, **changes):
    manifest = json.loads(parts[MANIFEST])
    manifest.update(changes)
    parts[MANIFEST] = json.dumps(manifest).encode()


def _alter_row(parts):
    name = "tables/user.jsonl"
    parts[name] = parts[name].replace(b"host@example.org", b"evil@example.org")


def _traversal(parts):
    parts["files/../../escaped"] = b"x"
    manifest = json.loads(parts[MANIFEST])
    manifest["parts"]["files/../../escaped"] = {"sha256": "0", "bytes": 1}
    parts[MANIFEST] = json.dumps(manifest).encode()


def _write(out: Path, data: bytes) -> Path:
    out.write_bytes(data)
    return out


BAD_FILES = {
    "truncated": (lambda good, out: _write(out, good.read_bytes()[: len(good.read_bytes()) // 2]),
                  "not a complete zip archive"),
    "not a zip": (lambda good, out: _write(out, b"programme: {slug: eis}\n"), "not an EIS Toolkit backup"),
    "foreign zip": (lambda good, out: _rewrite(good, out, lambda p: p.pop(MANIFEST)), f"no {MANIFEST} inside"),
    "other format": (lambda good, out: _rewrite(good, out, lambda p: _set_manifest(p, format="other")),
                     "unknown format marker"),
    "altered row": (lambda good, out: _rewrite(good, out, _alter_row), "does not match its checksum"),
    "unlisted part": (lambda good, out: _rewrite(good, out, lambda p: p.update({"tables/extra.jsonl": b"[]\n"})),
                      "is not listed in the manifest"),
    "missing part": (lambda good, out: _rewrite(good, out, lambda p: p.pop("tables/review.jsonl")), "is missing"),
    "path in a part name": (lambda good, out: _rewrite(good, out, _traversal), "names parts that no backup has"),
    "other schema revision": (lambda good, out: _rewrite(good, out, lambda p: _set_manifest(p, schema_revision="0ld")),
                              "made at schema revision 0ld"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_restore_refuses_a_bad_file_and_writes_nothing(installation, tmp_path, kind):
    source = installation()
    _programme(source, tmp_path)
    good = tmp_path / "good.zip"
    source.eis("backup", "-o", str(good))
    make_bad, reason = BAD_FILES[kind]
    bad = make_bad(good, tmp_path / "bad.zip")

    target = installation()
    before = target.counts()
    result = target.eis("restore", str(bad), ok=False)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert reason in lines[-1] and lines[-1].endswith("nothing was restored"), result.output
    assert target.counts() == before
    assert target.files() == []
    assert not (tmp_path / "escaped").exists()


def test_restore_refuses_a_database_that_is_not_fresh(installation, tmp_path):
    source = installation()
    _programme(source, tmp_path)
    source.eis("backup", "-o", str(tmp_path / "b.zip"))
    before = source.counts()
    result = source.eis("restore", str(tmp_path / "b.zip"), ok=False)
    assert result.exit_code == 1 and "not empty" in result.output
    assert source.counts() == before


def test_a_failed_backup_leaves_no_file(installation, tmp_path):
    source = installation()
    _programme(source, tmp_path)
    for stored in source.files():
        (source.uploads / stored).unlink()
    result = source.eis("backup", "-o", str(tmp_path / "b.zip"), ok=False)
    assert result.exit_code == 1 and "is missing" in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".zip" or p.name.startswith(".b.zip")) == []


# --- random programmes -----------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@st.composite
def programmes(draw):
    bundle = json.loads(json.dumps(SMALL_BUNDLE))
    review = bundle["workshops"][0]["reviews"][0]
    review["strengths"] = draw(TEXT)
    review["scores"] = {"strategy.vision": {"score": draw(st.one_of(st.none(), st.integers(1, 5))),
                                            "comment": draw(TEXT)}}
    answers = bundle["workshops"][0]["assessments"][0]["answers"]
    answers["strategy.vision"] = {"score": draw(st.integers(1, 5)), "comment": draw(TEXT)}
    answers["strategy.budget"] = {"value": draw(st.integers(0, 10**9))}
    for person in bundle["people"]:
        person["name"] = draw(TEXT.filter(str.strip)) if draw(st.booleans()) else person["name"]
    bundle["practices"][0]["title"] = draw(TEXT.filter(str.strip))
    bundle["practices"][0]["ratings"][0]["evidence"] = draw(st.integers(1, 5))
    return bundle


@pytest.mark.database
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bundle=programmes())
def test_random_programmes_round_trip(installation, tmp_path, bundle):
    """On the run's own database kind: SQLite, and PostgreSQL in the PostgreSQL run."""
    kind = "postgresql" if PG_URL else "sqlite"
    folder = tmp_path / uuid.uuid4().hex[:8]
    folder.mkdir()
    source = installation(kind)
    _programme(source, folder, bundle)
    first = _backup(source, folder / "first.zip")
    target = installation(kind)
    target.eis("restore", str(folder / "first.zip"))
    assert _backup(target, folder / "second.zip") == first
    source.dispose()
    target.dispose()

"""Uploaded workbooks are checked as archives before openpyxl unpacks them (#13).

A 200 KB "workbook" that unpacks to 200 MB took a gunicorn worker down with it before.
"""
import io
import zipfile

import pytest
from openpyxl import Workbook

from eis_toolkit.assessments.workbook import WorkbookError, read_workbook
from eis_toolkit.spreadsheets import ArchiveLimits, UnsafeArchive, check_archive
from eis_toolkit.workshops.importing import ImportRefused, import_scores
from tests.assessment_fixtures import draft, drafted  # noqa: F401
from tests.workshop_support import definition, open_workshop, workshop_bundle  # noqa: F401


def real_workbook() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def zip_bomb(unpacked_mb: int = 200) -> bytes:
    """A real workbook with one more part: megabytes of zeros that deflate to almost nothing."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(real_workbook())) as good, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in good.infolist():
            bomb.writestr(item, good.read(item))
        bomb.writestr("xl/media/padding.bin", bytes(unpacked_mb * 1024 * 1024))
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb()


def test_a_real_workbook_passes(bomb):
    check_archive(real_workbook())
    assert len(bomb) < 400_000


def test_the_bomb_is_refused_by_size_and_by_ratio(bomb):
    with pytest.raises(UnsafeArchive, match="would unpack to 209.7 MB"):
        check_archive(bomb)
    with pytest.raises(UnsafeArchive, match="times its size"):
        check_archive(bomb, ArchiveLimits(max_unpacked=10**12))


def test_a_damaged_file_is_left_to_the_reader():
    check_archive(b"not a zip at all")


def test_the_self_assessment_upload_refuses_the_bomb(bomb, draft):
    from eis_toolkit.assessments.queries import definition as definition_of

    with pytest.raises(WorkbookError) as refused:
        read_workbook(bomb, definition_of(draft), assessment_id=draft.id)
    assert "would unpack to 209.7 MB" in str(refused.value.problems[0])


def test_the_upload_page_reads_the_limit_from_the_settings(make_app, draft):
    client = make_app(EIS_MAX_WORKBOOK_MB=0.001).test_client()
    assert client.post("/login", data={"email": "dk@example.org", "password": "region-pass"}).status_code == 302
    response = client.post(f"/assessments/{draft.id}/workbook", content_type="multipart/form-data",
                           data={"workbook": (io.BytesIO(real_workbook()), "filled.xlsx")})
    assert "at most 1 KB are accepted" in response.get_data(as_text=True)


def test_the_paper_import_refuses_the_bomb(bomb, open_workshop):
    with pytest.raises(ImportRefused, match="would unpack to 209.7 MB"):
        import_scores(open_workshop, "paper.xlsx", bomb)


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1_000_000).test_client()
    response = client.post("/login", data=b"x" * 1_100_000, content_type="application/octet-stream")
    assert response.status_code == 413


def test_the_default_request_limit_follows_the_upload_setting(make_app):
    from eis_toolkit.config import load

    assert load(make_app().instance_path, {"EIS_MAX_UPLOAD_MB": "4"})["MAX_CONTENT_LENGTH"] == 5_000_000

"""Evidence files: checked by content, stored with random names, listed, downloaded only by those
who may see the assessment, removable while a draft."""
import io
import zipfile

import pytest

from eis_toolkit.assessments import queries, uploads
from eis_toolkit.extensions import db
from tests.assessment_fixtures import (assessment_of, docx_bytes, draft, drafted, odt_bytes, pdf_bytes,  # noqa: F401
                                       png_bytes, sign_in, xlsx_bytes)


@pytest.mark.parametrize("data, name, content_type", [
    (pdf_bytes(), "plan.pdf", "application/pdf"),
    (png_bytes(), "chart.png", "image/png"),
    (docx_bytes(), "letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (xlsx_bytes(), "figures.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (odt_bytes(), "note.odt", "application/vnd.oasis.opendocument.text"),
])
def test_documents_and_images_are_stored_under_a_random_name(tmp_path, data, name, content_type):
    stored = uploads.store(io.BytesIO(data), name, tmp_path, 10_000_000)
    assert (stored.filename, stored.content_type, stored.size) == (name, content_type, len(data))
    assert stored.path == tmp_path / stored.stored_name and stored.path.read_bytes() == data
    assert len(stored.stored_name) == 32 and name not in stored.stored_name


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize("data, name, message", [
    (b"just some text, named like a PDF", "fake.pdf", "fake.pdf is not a PDF, an image or an office document."),
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "tool.pdf", "it looks like exe"),
    (_zip(), "archive.docx", "it looks like zip"),
    (b"", "empty.pdf", "empty.pdf is empty."),
])
def test_other_content_is_refused_whatever_its_name(tmp_path, data, name, message):
    with pytest.raises(uploads.UploadError, match=message.replace(".", r"\.").replace("(", r"\(")):
        uploads.store(io.BytesIO(data), name, tmp_path, 10_000_000)
    assert list(tmp_path.iterdir()) == []


def test_a_file_over_the_limit_is_refused_and_not_kept(tmp_path):
    with pytest.raises(uploads.UploadError, match="big.pdf is larger than 10 KB"):
        uploads.store(io.BytesIO(pdf_bytes(50_000)), "big.pdf", tmp_path, 10_000)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("given, shown", [("C:\\Users\\me\\plan.pdf", "plan.pdf"), ("../../etc/passwd", "passwd"),
                                          ("", "evidence"), ("a\x00b.pdf", "ab.pdf")])
def test_the_shown_name_has_no_folders(given, shown):
    assert uploads.display_name(given) == shown


def test_stored_names_never_reach_outside_the_folder(tmp_path):
    with pytest.raises(ValueError):
        uploads.path_of("../secret", tmp_path)


# --- through the pages ------------------------------------------------------------------------


def _upload(client, assessment, key, name, data, **fields):
    form = {f"{key}-files": (io.BytesIO(data), name), f"{key}-version": "0", **fields}
    return client.post(f"/assessments/{assessment.id}/questions/{key.split('.')[0]}", data=form,
                       content_type="multipart/form-data")


def test_a_member_attaches_a_file_which_is_listed_with_name_and_size(client, draft, sign_in):
    sign_in("dk@example.org")
    response = _upload(client, draft, "followup.evidence", "Monitoring report 2017.pdf", pdf_bytes(2500))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Monitoring report 2017.pdf" in page and "2.5 KB" in page


def test_any_question_takes_evidence_files(client, draft, sign_in):
    sign_in("dk@example.org")
    response = _upload(client, draft, "strategy.kpis", "indicators.xlsx", xlsx_bytes())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Evidence files (1)" in page and "indicators.xlsx" in page


def test_a_refused_file_is_reported_and_the_answers_still_saved(client, draft, sign_in):
    sign_in("dk@example.org")
    response = _upload(client, draft, "followup.evidence", "notes.txt", b"plain text",
                       **{"followup.lessons-answer": "Follow up every firm", "followup.lessons-version": "0"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not attached: notes.txt is not a PDF, an image or an office document." in page
    assert queries.answers_by_key(draft)["followup.lessons"].value == "Follow up every firm"


def test_the_size_limit_comes_from_the_settings(make_app, drafted):
    app = make_app(EIS_MAX_UPLOAD_MB=0.002)
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"email": "dk@example.org", "password": "region-pass"})
        response = _upload(client, assessment_of("DK04"), "followup.evidence", "big.pdf", pdf_bytes(5000))
        assert "big.pdf is larger than 2 KB" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def attached(client, draft, sign_in, app):
    sign_in("dk@example.org")
    _upload(client, draft, "followup.evidence", "report.pdf", pdf_bytes())
    client.post("/logout")
    evidence = queries.answers_by_key(draft)["followup.evidence"].evidence[0]
    return draft, evidence


@pytest.mark.parametrize("email, expected", [
    (None, 302), ("ie@example.org", 403),  # anonymous; another region
    ("dk@example.org", 200), ("host@example.org", 200), ("ho@example.org", 200),  # members; workshop hosts
    ("it@example.org", 200), ("admin@example.org", 200),  # DK04's assigned reviewer; admin
])
def test_downloads_only_for_those_who_may_see_the_assessment(client, attached, sign_in, email, expected):
    assessment, evidence = attached
    sign_in(email)
    response = client.get(f"/assessments/{assessment.id}/evidence/{evidence.id}")
    assert response.status_code == expected
    if expected == 200:
        assert response.headers["Content-Disposition"] == "attachment; filename=report.pdf"
        assert response.mimetype == "application/pdf" and response.data == pdf_bytes()


def test_a_file_of_another_assessment_is_not_found_through_this_one(client, attached, sign_in):
    _, evidence = attached
    sign_in("ie@example.org")
    assert client.get(f"/assessments/{assessment_of('IE04').id}/evidence/{evidence.id}").status_code == 404


def test_a_member_removes_a_file_while_a_draft_and_it_leaves_the_disk(client, attached, sign_in, app):
    assessment, evidence = attached
    path = uploads.path_of(evidence.stored_name, app.config["EIS_UPLOAD_DIR"])
    assert path.exists()
    sign_in("dk@example.org")
    response = client.post(f"/assessments/{assessment.id}/questions/followup", data={"remove": str(evidence.id)})
    assert response.status_code == 302
    assert queries.answers_by_key(assessment)["followup.evidence"].evidence == []
    assert not path.exists()


def test_files_cannot_be_removed_once_submitted(client, attached, sign_in):
    assessment, evidence = attached
    assessment.status = "submitted"
    db.session.commit()
    sign_in("dk@example.org")
    response = client.post(f"/assessments/{assessment.id}/questions/followup", data={"remove": str(evidence.id)})
    assert response.status_code == 403
    assert queries.answers_by_key(assessment)["followup.evidence"].evidence


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(make_app, drafted):
    app = make_app(EIS_MAX_UPLOAD_MB=0.001)
    client = app.test_client()
    client.post("/login", data={"email": "dk@example.org", "password": "region-pass"})
    response = _upload(client, assessment_of("DK04"), "followup.evidence", "huge.pdf", pdf_bytes(2_000_000))
    assert response.status_code == 413 and "The files were too large" in response.get_data(as_text=True)


@pytest.mark.parametrize("filename, content_type, offered", [
    ("x.html", "image/png", "x.png"), ("report", "application/pdf", "report.pdf"),
    ("photo.JPEG", "image/jpeg", "photo.JPEG"), ("plan.pdf.exe", "application/pdf", "plan.pdf.pdf"),
    (".htaccess", "image/gif", ".htaccess.gif"), ("budget.xlsx", "application/vnd.ms-excel", "budget.xls"),
])
def test_a_download_is_named_after_its_content(filename, content_type, offered):
    assert uploads.download_name(filename, content_type) == offered


def test_a_png_uploaded_as_html_downloads_as_png(client, draft, sign_in):
    sign_in("dk@example.org")
    _upload(client, draft, "followup.evidence", "x.html", png_bytes())
    evidence = queries.answers_by_key(draft)["followup.evidence"].evidence[0]
    response = client.get(f"/assessments/{draft.id}/evidence/{evidence.id}")
    assert response.headers["Content-Disposition"] == "attachment; filename=x.png"
    assert response.mimetype == "image/png" and response.headers["X-Content-Type-Options"] == "nosniff"

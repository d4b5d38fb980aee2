"""Fixtures for the self-assessment tests (imported by tests/test_assessment_*.py).

``drafted`` loads the small bundle plus a second, open workshop (``odense-2018``, hosted by DK04)
where DK04 and IE04 have draft self-assessments and ITC4's reviewer is assigned to DK04; DK04's
Aarhus self-assessment (submitted) is then its previous one. ``ho@example.org`` is a host of DK04
without the region-member role.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Assessment, Region, Workshop
from eis_toolkit.questionnaires.types import AnswerData
from tests.conftest import person

ODENSE = {
    "slug": "odense-2018", "title": "Odense workshop", "questionnaire": "eis-core@1", "host": "DK04",
    "place": "Odense", "starts": "2018-05-02", "ends": "2018-05-03", "status": "open",
    "hot_seat": ["DK04", "IE04"],
    "assessments": [
        {"region": "DK04", "status": "draft",
         "answers": {"strategy.vision": {"score": 3, "comment": "Adopted in 2016"}}},
        {"region": "IE04", "status": "draft"},
    ],
    "reviews": [{"reviewer": "it@example.org", "region": "DK04", "status": "draft"}],
}
HOST_ONLY = {"email": "ho@example.org", "name": "Holger Host", "region": "DK04", "roles": ["host"],
             "password": "host-pass"}


@pytest.fixture
def drafted(load, bundle):
    bundle["people"].append(dict(HOST_ONLY))
    bundle["workshops"].append(dict(ODENSE))
    load(bundle)
    return bundle


def assessment_of(region_code: str, workshop_slug: str = "odense-2018") -> Assessment:
    return db.session.scalar(
        select(Assessment).join(Assessment.workshop).join(Assessment.region)
        .where(Region.code == region_code, Workshop.slug == workshop_slug))


@pytest.fixture
def draft(drafted) -> Assessment:
    """DK04's draft self-assessment for the Odense workshop."""
    return assessment_of("DK04")


@pytest.fixture
def sign_in(login):
    """conftest's ``login`` for a parametrised person (ho@ included): None stays anonymous;
    returns the person."""

    def sign_in(email: str | None):
        if email is None:
            return None
        login(email)
        return person(email)

    return sign_in


def complete_answers(definition) -> dict[str, AnswerData]:
    """A valid answer to every question that takes one in a form (evidence questions take files)."""
    answers = {}
    for question in definition.questions():
        if question.type == "scale":
            answers[question.key] = AnswerData(score=definition.scale.min + 1, comment=f"On {question.key}")
        elif question.type == "choice":
            answers[question.key] = AnswerData(value=question.options[0].key)
        elif question.type == "multi":
            answers[question.key] = AnswerData(value=[question.options[0].key])
        elif question.type == "number":
            answers[question.key] = AnswerData(value=12)
        elif question.type == "text":
            answers[question.key] = AnswerData(value=f"About {question.key}")
    return answers


# --- sample files, recognised by their content -------------------------------------------------


def pdf_bytes(size: int = 2000) -> bytes:
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    return head + b"%" * max(0, size - len(head) - 6) + b"\n%%EOF"


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 64


def docx_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import io

    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()

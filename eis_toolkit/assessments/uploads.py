"""Evidence files on disk: checked by content, stored under ``EIS_UPLOAD_DIR`` with random names.

The database row (``EvidenceFile``) keeps the name people gave the file; the disk only ever sees
a random name, so nothing a person types reaches a path. Storing happens before the row is
committed and removing after, so the caller discards a stored file when its transaction fails
(:func:`discard`) and deletes a removed file once the removal is committed.

No Flask: the folder and the size limit are passed in.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from babel.numbers import format_decimal
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

#: What may be attached, by the type its content shows: PDF, images, office documents.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "application/msword": "Word 97–2003 document",
    "application/vnd.ms-excel": "Excel 97–2003 workbook",
    "application/vnd.ms-powerpoint": "PowerPoint 97–2003 presentation",
}
#: The extensions of each accepted type, the usual one first: a download is named with one of them.
EXTENSIONS = {
    "application/pdf": ("pdf",), "image/png": ("png",), "image/jpeg": ("jpg", "jpeg"), "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "application/msword": ("doc",), "application/vnd.ms-excel": ("xls",), "application/vnd.ms-powerpoint": ("ppt",),
}
#: What the upload field offers (a convenience for the file picker; the content decides).
ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt"
#: How many leading bytes ``filetype`` needs to recognise every type above.
_SNIFF_BYTES = 8192
_CHUNK = 1 << 16


class UploadError(ValueError):
    """A file was refused; the message says why, for people."""


@dataclass(frozen=True)
class StoredFile:
    """A file written to the upload folder, not yet known to the database."""

    filename: str
    stored_name: str
    content_type: str
    size: int
    path: Path


def display_name(filename: str | None) -> str:
    """The name as shown and offered on download: no folders, no control characters, ≤ 255."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "evidence"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 254 - len(extension)] + dot + extension) if dot and len(extension) < 16 else name[:255]
    return name


def download_name(filename: str, content_type: str) -> str:
    """The name a download is offered under: the uploader's, with the extension its content has.

    A PNG uploaded as ``x.html`` downloads as ``x.png``: a browser or a desktop opens the file by
    its name, and the name must not make an image or a document into a page or a program.
    """
    extensions = EXTENSIONS.get(content_type, ("bin",))
    stem, dot, extension = filename.rpartition(".")
    if dot and extension.lower() in extensions:
        return filename
    return f"{stem if dot and stem else filename}.{extensions[0]}"


def human_size(size: int) -> str:
    """``532 bytes``, ``14.2 KB``, ``10 MB`` (decimal units, as the upload limit is given; the
    number as the reader's language writes it)."""
    if size < 1000:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    for unit in ("KB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            number = format_decimal(round(size, 1), locale=get_locale() or "en")  # 14,2 KB in Danish
            return f"{number} {unit}"
    return ""  # pragma: no cover


def store(stream: BinaryIO, filename: str | None, upload_dir: str | os.PathLike, max_bytes: int) -> StoredFile:
    """Check a file and write it under a random name; raises :class:`UploadError` if refused."""
    name = display_name(filename)
    head = stream.read(_SNIFF_BYTES)
    if not head:
        raise UploadError(_("%(name)s is empty.", name=name))
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UploadError(
            _("%(name)s is not a PDF, an image or an office document (it looks like %(kind)s).", name=name,
              kind=kind.extension) if kind else
            _("%(name)s is not a PDF, an image or an office document.", name=name))
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = folder / stored_name
    size = len(head)
    try:
        with open(path, "xb") as out:
            out.write(head)
            while size <= max_bytes and (chunk := stream.read(_CHUNK)):
                out.write(chunk)
                size += len(chunk)
        if size > max_bytes:
            raise UploadError(_("%(name)s is larger than %(size)s.", name=name, size=human_size(max_bytes)))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(name, stored_name, kind.mime, size, path)


def path_of(stored_name: str, upload_dir: str | os.PathLike) -> Path:
    """Where a stored file lives; only names this module made (hex) are accepted."""
    if not stored_name or not all(ch in "0123456789abcdef" for ch in stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return Path(upload_dir) / stored_name


def discard(stored_name: str, upload_dir: str | os.PathLike) -> None:
    """Delete a stored file (after its removal is committed, or when its upload failed)."""
    path_of(stored_name, upload_dir).unlink(missing_ok=True)


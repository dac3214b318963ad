"""Evidence files: what may be uploaded, judged by content, and how a stored file is served.

A file is accepted only when its bytes are one of the kinds on the allow-list (documents, images,
audio, video, PDF, plain text), whatever its name says: an SVG, an HTML page or a program renamed
`.pdf` is refused. The magic-byte signatures come from `filetype` (pure Python, no system
library); plain text, which has no signature, is accepted when it is UTF-8 with no control
characters and no markup a browser would run. The file is stored under a generated name with the
extension of what it really is; the name it was uploaded with is kept on the evidence, and it is
always served as a download (`Content-Disposition: attachment`) with the type found here and
`X-Content-Type-Options: nosniff`.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.http import FileResponse

from credo.core.limits import check_upload, control_character

# content type → (what people call it, the stored file's extension)
ALLOWED: dict[str, tuple[str, str]] = {
    "application/pdf": ("PDF", "pdf"),
    "image/png": ("PNG image", "png"),
    "image/jpeg": ("JPEG image", "jpg"),
    "image/gif": ("GIF image", "gif"),
    "image/webp": ("WebP image", "webp"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "Word document",
        "docx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel workbook", "xlsx"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PowerPoint presentation",
        "pptx",
    ),
    "application/vnd.oasis.opendocument.text": ("OpenDocument text", "odt"),
    "application/vnd.oasis.opendocument.spreadsheet": ("OpenDocument spreadsheet", "ods"),
    "application/vnd.oasis.opendocument.presentation": ("OpenDocument presentation", "odp"),
    "text/plain": ("plain text", "txt"),
    "audio/mpeg": ("MP3 audio", "mp3"),
    "audio/mp4": ("M4A audio", "m4a"),
    "audio/x-wav": ("WAV audio", "wav"),
    "audio/ogg": ("Ogg audio", "ogg"),
    "video/mp4": ("MP4 video", "mp4"),
    "video/webm": ("WebM video", "webm"),
    "video/quicktime": ("QuickTime video", "mov"),
}
ALLOWED_SUMMARY = (
    "PDF, Word/Excel/PowerPoint or OpenDocument files, plain text, PNG/JPEG/GIF/WebP images, "
    "MP3/M4A/WAV/Ogg audio, MP4/WebM/MOV video"
)
# What the first file of an office zip says it is, when `filetype` cannot tell (other tools
# order a document's entries differently).
_ZIP_MARKERS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Markup a browser would render or run, anywhere in a "text" file.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|\?xml|html|head|body|script|svg|iframe|object|embed|style|meta|link|img|a\s)",
    re.IGNORECASE,
)
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str
    label: str


def _read(file) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _office_zip(file) -> str | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in ALLOWED else None
            for marker, content_type in _ZIP_MARKERS.items():
                if marker in names:
                    return content_type
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        file.seek(0)
    return None


def _plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not control_character(text) and not _MARKUP.search(data)


def sniff(file, *, field: str = "file") -> Sniffed:
    """Return what `file` really is, judged by its bytes; raise ValidationError naming `field`
    when it is larger than the upload cap or not a kind on the allow-list."""
    check_upload(file, field=field)
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind is not None else None
    if content_type in ("application/zip", "application/octet-stream"):
        content_type = _office_zip(file)
    elif content_type is None and _plain_text(_read(file)):
        content_type = "text/plain"
    if content_type not in ALLOWED:
        found = f" (it is {content_type})" if content_type else ""
        raise ValidationError(
            {
                field: [
                    f"That kind of file cannot be added{found}. Accepted: {ALLOWED_SUMMARY}. "
                    "Web pages, SVG drawings and programs are refused whatever their name."
                ]
            }
        )
    label, extension = ALLOWED[content_type]
    return Sniffed(content_type=content_type, extension=extension, label=label)


def original_name(name: str | None) -> str:
    """Return the uploaded file's own name, safe to keep and to show: no folders, no control
    characters, at most 200 characters (keeping the extension)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if not control_character(ch)).strip().strip(".") or "file"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 199 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:200]
    return name


def file_response(field, *, name: str, content_type: str) -> FileResponse:
    """Serve a stored evidence file as a download that no browser renders or sniffs."""
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=name or field.name.rsplit("/", 1)[-1],
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def evidence_file_response(evidence) -> FileResponse:
    return file_response(evidence.file, name=evidence.file_name, content_type=evidence.file_type)

"""Evidence files are judged by their bytes against an allow-list, stored under generated names and
served only as downloads; evidence text and dates have limits. Every refusal writes nothing."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credo.core.limits import LONG_TEXT_LIMIT
from credo.evidence import files, services
from credo.evidence.models import Evidence
from credo.testing import row_counts

DAY = dt.date(2025, 10, 1)


@pytest.fixture
def world(db):
    from credo.web.tests.conftest import build_world

    return build_world()


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, (name, data) in enumerate(entries):
            kind = zipfile.ZIP_STORED if stored_first and n == 0 else zipfile.ZIP_DEFLATED
            z.writestr(name, data, compress_type=kind)
    return buf.getvalue()


def _ooxml(part: str) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            (part, b"<document/>"),
        ]
    )


def _isobmff(brand: bytes, compatible: bytes = b"") -> bytes:
    box = brand + b"\x00\x00\x02\x00" + compatible
    return (8 + len(box)).to_bytes(4, "big") + b"ftyp" + box + b"\x00" * 64


WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 40
ACCEPTED = {
    "report.pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf", "pdf"),
    "photo.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png", "png"),
    "photo.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg", "jpg"),
    "anim.gif": (b"GIF89a" + b"\x00" * 32, "image/gif", "gif"),
    "pic.webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp", "webp"),
    "essay.docx": (
        _ooxml("word/document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "data.xlsx": (
        _ooxml("xl/workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "talk.pptx": (
        _ooxml("ppt/presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    "essay.odt": (
        _zip(
            [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")],
            stored_first=True,
        ),
        "application/vnd.oasis.opendocument.text",
        "odt",
    ),
    # An OOXML document whose first entry is not one filetype expects is still recognized.
    "other-tool.docx": (
        _zip([("docProps/app.xml", b"<x/>"), ("word/document.xml", b"<document/>")]),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "notes.txt": ("Ideas:\n\t– à la carte\r\n".encode(), "text/plain", "txt"),
    "data.csv": (b"name,score\nAda,3\n", "text/plain", "txt"),
    "song.mp3": (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32, "audio/mpeg", "mp3"),
    "voice.m4a": (_isobmff(b"M4A "), "audio/mp4", "m4a"),
    "tone.wav": (WAV, "audio/x-wav", "wav"),
    "tone.ogg": (b"OggS\x00\x02" + b"\x00" * 40, "audio/ogg", "ogg"),
    "clip.mp4": (_isobmff(b"isom", b"isomiso2mp41"), "video/mp4", "mp4"),
    "clip.webm": (
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 32,
        "video/webm",
        "webm",
    ),
    "clip.mov": (_isobmff(b"qt  "), "video/quicktime", "mov"),
}
REFUSED = {
    "page.html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "page-renamed.pdf": b"<html><script>fetch('/api/')</script></html>",
    "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "drawing.txt": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "program.pdf": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
    "program.docx": b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
    "archive.docx": _zip([("evil.exe", b"MZ")]),
    "book.epub": _zip([("mimetype", b"application/epub+zip")], stored_first=True),
    "binary.txt": b"\x00\x01\x02\x03 not text",
    "latin1.txt": "café".encode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_the_allow_list_is_judged_by_content(name):
    data, content_type, extension = ACCEPTED[name]
    found = files.sniff(SimpleUploadedFile(name, data))
    assert (found.content_type, found.extension) == (content_type, extension)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_web_pages_svg_programs_and_unknown_bytes_are_refused_whatever_their_name(name):
    with pytest.raises(ValidationError) as refused:
        files.sniff(SimpleUploadedFile(name, REFUSED[name]))
    message = refused.value.message_dict["file"][0]
    assert "That kind of file cannot be added" in message and "Accepted: PDF" in message


def test_original_names_are_made_safe():
    assert files.original_name("C:\\Users\\ada\\essay.docx") == "essay.docx"
    assert files.original_name("../../etc/passwd") == "passwd"
    assert files.original_name("bad\x00name\x1b.txt") == "badname.txt"
    long = files.original_name("x" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    assert files.original_name("") == "file"


def _upload(client, world, name, data, **extra):
    return client.post(
        reverse("web:evidence_new", args=[world.hill.school.slug, world.me.pk]),
        {
            "kind": "file",
            "title": "My work",
            "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
            "demonstrated_on": "2025-09-20",
            **extra,
        },
    )


@pytest.mark.django_db
def test_an_upload_is_stored_under_a_generated_name_and_served_as_a_download(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.me.user)
    data = ACCEPTED["report.pdf"][0]
    name = 'My "report" <b>.pdf'
    response = _upload(client, world, name, data)
    assert response.status_code == 302
    ev = Evidence.objects.get(title="My work")
    stored = ev.file.name.rsplit("/", 1)[-1]
    assert stored != name and stored.endswith(".pdf") and len(stored) == 36
    assert ev.file_name == name and ev.file_type == "application/pdf"
    download = client.get(reverse("web:evidence_file", args=[ev.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "report" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == data
    page = client.get(reverse("web:evidence", args=[ev.pk])).content.decode()
    assert "&lt;b&gt;" in page and "<b>" not in page


@pytest.mark.django_db
def test_an_html_page_renamed_pdf_is_refused_and_nothing_written(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.me.user)
    before = row_counts()
    response = _upload(client, world, "essay.pdf", REFUSED["page-renamed.pdf"])
    assert response.status_code == 200
    assert "That kind of file cannot be added" in response.content.decode()
    assert row_counts() == before
    assert not list(tmp_path.rglob("*.*"))


@pytest.mark.django_db
def test_a_file_over_the_cap_is_refused_by_the_service(world, settings):
    settings.CREDO_MAX_UPLOAD_MB = 1
    before = row_counts()
    with pytest.raises(ValidationError) as refused:
        services.evidence_submit(
            actor=world.me.user,
            student=world.me,
            kind="file",
            title="Huge",
            demonstrated_on=DAY,
            file=SimpleUploadedFile("huge.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024)),
        )
    assert "uploads are limited to 1 MB" in refused.value.message_dict["file"][0]
    assert row_counts() == before


@pytest.mark.django_db
def test_evidence_text_has_a_limit_and_no_control_characters(world):
    """300,000 characters were accepted; a NUL was a 500 on PostgreSQL."""
    before = row_counts()
    for body, message in (
        ("w" * 300_000, f"Keep it to {LONG_TEXT_LIMIT:,} characters (it has 300,000)"),
        ("Good\x00work", "U+0000"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.evidence_submit(
                actor=world.me.user,
                student=world.me,
                kind="text",
                title="Reflection",
                body=body,
                demonstrated_on=DAY,
            )
        assert message in refused.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as refused:
        services.evidence_submit(
            actor=world.me.user,
            student=world.me,
            kind="text",
            title="Bad\x07title",
            body="fine",
            demonstrated_on=DAY,
        )
    assert "U+0007" in refused.value.message_dict["title"][0]
    assert row_counts() == before


@pytest.mark.django_db
def test_a_long_body_on_the_page_is_refused_beside_the_field(client, world):
    client.force_login(world.me.user)
    before = row_counts()
    response = client.post(
        reverse("web:evidence_new", args=[world.hill.school.slug, world.me.pk]),
        {
            "kind": "text",
            "title": "Reflection",
            "body": "w" * 300_000,
            "demonstrated_on": "2025-09-20",
        },
    )
    assert response.status_code == 200
    assert f"at most {LONG_TEXT_LIMIT}" in response.content.decode().replace(",", "")
    assert row_counts() == before


@pytest.mark.django_db
def test_demonstration_dates_before_the_students_birth_are_refused(world):
    me = world.me
    me.birth_date = dt.date(2009, 5, 1)
    me.save()
    before = row_counts()
    for day, message in (
        (dt.date(1990, 1, 1), "before the student was born (2009-05-01)"),
        (dt.date.today() + dt.timedelta(days=3), "is in the future"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.evidence_submit(
                actor=me.user,
                student=me,
                kind="text",
                title="Old",
                body="x",
                demonstrated_on=day,
            )
        assert message in refused.value.message_dict["demonstrated_on"][0]
    assert row_counts() == before

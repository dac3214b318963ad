"""The eligibility and scholarship letter: off unless grade conversion is on, produced only by admins
and registrars, read by the student and guardians only when the school lets them, its mapping the
school's table, its PDF drawn once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from credo.accounts.models import GuardianLink, Role
from credo.core.audit import AuditEvent
from credo.core.errors import NotAllowed, ValidationError
from credo.testing import make_user
from credo.transcripts import letters, services
from credo.transcripts.models import EligibilityLetter
from credo.transcripts.tests.builders import rich_student

pytestmark = pytest.mark.django_db

BANDS = [("3.5", "A", "4"), ("3", "B", "3"), ("2", "C", "2"), ("1", "F", "0")]


def url(name, *args):
    return reverse(f"transcripts:{name}", args=args)


@pytest.fixture
def student(hill):
    student = rich_student(hill)
    services.transcript_publish(actor=hill.registrar, student=student)
    return student


@pytest.fixture
def enabled(hill):
    services.grade_table_save(
        actor=hill.registrar,
        school=hill.school,
        name="Athletics eligibility",
        purpose="Only where a body requires a grade.",
        bands=BANDS,
    )
    services.grade_conversion_set_enabled(actor=hill.registrar, school=hill.school, enabled=True)
    hill.school.refresh_from_db()
    return hill


def produce(hill, student, **kwargs):
    return services.letter_produce(
        actor=hill.registrar,
        student=student,
        recipient=kwargs.pop("recipient", "NCAA Eligibility Center"),
        purpose=kwargs.pop("purpose", "initial academic eligibility"),
        **kwargs,
    )


def test_the_letter_is_refused_while_conversion_is_off(client, hill, student):
    with pytest.raises(ValidationError) as exc:
        produce(hill, student)
    assert "grade conversion" in " ".join(exc.value.messages)
    client.force_login(hill.registrar)
    page = client.get(url("letters", hill.school.slug, student.pk))
    assert page.status_code == 403 and b"grade conversion is turned on" in page.content
    posted = client.post(
        url("letters", hill.school.slug, student.pk), {"recipient": "X", "purpose": "Y"}
    )
    assert posted.status_code == 403
    assert not EligibilityLetter.objects.exists()
    client.force_login(student.user)  # the student is not told the page exists
    assert client.get(url("letters", hill.school.slug, student.pk)).status_code == 404


def test_the_mapping_is_the_schools_table(enabled, student):
    letter = produce(enabled, student, include_grades=True)
    content = letter.content
    levels = {lv["level"]: lv["grade"] for lv in content["scales"][0]["levels"]}
    # Levels 1–4 of the four-level scale through A ≥ 3.5, B ≥ 3, C ≥ 2, F ≥ 1.
    assert levels == {"1": "F", "2": "C", "3": "B", "4": "A"}
    assert content["scales"][0]["levels"][2]["name"] == "Proficient"
    assert [(b["from"], b["grade"], b["points"]) for b in content["table"]["bands"]] == BANDS
    # rich_student earned the two foundational credits at level 3 on every competency: B, 3 points.
    assert content["summary"]["foundational"]["earned"] == 2
    assert content["summary"]["advanced"]["earned"] == 0
    inquiry = next(a for a in content["areas"] if a["name"] == "Inquiry")
    assert inquiry["mapped"] == {"grade": "B", "points": "3", "mean": "3"}
    assert content["overall_points"] == "3"
    assert content["transcript"]["verification_url"].endswith(
        f"/v/{student.transcript_versions.get().public_id}/"
    )
    assert content["signer"]["role"] == "Registrar"
    assert letter.content_hash and letter.version.student_id == student.pk


def test_without_grades_the_letter_lists_credits_only(enabled, student):
    content = produce(enabled, student).content
    assert all("mapped" not in a for a in content["areas"])
    assert content["overall_points"] is None
    assert sum(a["foundational"] for a in content["areas"]) == 2


def test_producing_is_audited_and_only_for_admins_and_registrars(enabled, student):
    letter = produce(enabled, student)
    event = AuditEvent.objects.get(action="transcript.letter_produced")
    assert event.target_id == str(letter.pk) and event.actor_id == enabled.registrar.pk
    assert event.after["recipient"] == "NCAA Eligibility Center"
    for actor in (enabled.teacher, student.user):
        with pytest.raises(NotAllowed):
            services.letter_produce(actor=actor, student=student, recipient="X", purpose="Y")
    assert EligibilityLetter.objects.count() == 1


def test_bad_input_gets_a_clear_message(client, enabled, student):
    client.force_login(enabled.registrar)
    target = url("letters", enabled.school.slug, student.pk)
    blank = client.post(target, {"recipient": "  ", "purpose": ""})
    assert blank.status_code == 400
    assert b"Name the body or programme the letter is for." in blank.content
    assert b"Say what the letter is for." in blank.content
    long = client.post(target, {"recipient": "N" * 201, "purpose": "Scholarship"})
    assert long.status_code == 400 and b"Keep the name to 200 characters" in long.content
    control = client.post(target, {"recipient": "NCAA\x07", "purpose": "Scholarship"})
    assert control.status_code == 400 and b"control character" in control.content
    assert not EligibilityLetter.objects.exists()


def test_no_published_transcript_is_refused_plainly(client, enabled):
    fresh = enabled.students[1]
    client.force_login(enabled.registrar)
    response = client.post(
        url("letters", enabled.school.slug, fresh.pk),
        {"recipient": "State scholarship", "purpose": "merit award"},
    )
    assert response.status_code == 400 and b"Publish the student" in response.content


def test_registrar_produces_reads_and_downloads(client, enabled, student):
    client.force_login(enabled.registrar)
    page = client.get(url("student", enabled.school.slug, student.pk))
    assert url("letters", enabled.school.slug, student.pk).encode() in page.content
    response = client.post(
        url("letters", enabled.school.slug, student.pk),
        {"recipient": "Hill Foundation", "purpose": "merit scholarship", "include_grades": "on"},
    )
    letter = EligibilityLetter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("letter", enabled.school.slug, letter.public_id)
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Hill Foundation" in text and "merit scholarship" in text and "Mapped grade" in text
    assert letter.content["transcript"]["verification_url"] in text
    pdf = client.get(url("letter_pdf", enabled.school.slug, letter.public_id))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_family_reads_only_when_the_school_lets_them(client, enabled, student):
    letter = produce(enabled, student)
    guardian = make_user("letter-guardian", school=enabled.school, role=Role.GUARDIAN)
    GuardianLink.objects.create(school=enabled.school, guardian=guardian, student=student)
    other_guardian = make_user("other-guardian", school=enabled.school, role=Role.GUARDIAN)
    GuardianLink.objects.create(
        school=enabled.school, guardian=other_guardian, student=enabled.students[1]
    )
    page = url("letter", enabled.school.slug, letter.public_id)
    for reader in (student.user, guardian, other_guardian, enabled.teacher):
        client.force_login(reader)
        assert client.get(page).status_code == 404
    client.force_login(enabled.registrar)
    assert (
        client.post(url("letters_family", enabled.school.slug), {"enabled": "1"}).status_code == 302
    )
    for reader, status in (
        (student.user, 200),
        (guardian, 200),
        (other_guardian, 404),
        (enabled.teacher, 404),
    ):
        client.force_login(reader)
        assert client.get(page).status_code == status, reader
    client.force_login(student.user)
    mine = client.get(url("letters", enabled.school.slug, student.pk))
    assert mine.status_code == 200 and b"Produce the letter" not in mine.content
    assert (
        client.post(
            url("letters", enabled.school.slug, student.pk), {"recipient": "X", "purpose": "Y"}
        ).status_code
        == 404
    )
    # Turning conversion off withdraws every letter from everyone.
    services.grade_conversion_set_enabled(
        actor=enabled.registrar, school=enabled.school, enabled=False
    )
    assert client.get(page).status_code == 404


def test_another_school_never_reaches_the_letter(client, enabled, dale, student):
    letter = produce(enabled, student)
    client.force_login(dale.admin)
    assert client.get(url("letter", enabled.school.slug, letter.public_id)).status_code == 404
    assert client.get(url("letter", dale.school.slug, letter.public_id)).status_code == 404
    client.logout()
    anon = client.get(url("letter_pdf", enabled.school.slug, letter.public_id))
    assert anon.status_code == 302 and "login" in anon["Location"]


def test_the_pdf_is_drawn_once_then_served_from_the_cache(client, enabled, student, monkeypatch):
    letter = produce(enabled, student)
    calls = []
    real = letters.render_pdf

    def counting(item):
        calls.append(item.pk)
        return real(item)

    monkeypatch.setattr(letters, "render_pdf", counting)
    target = url("letter_pdf", enabled.school.slug, letter.public_id)
    client.force_login(enabled.registrar)
    first = b"".join(client.get(target).streaming_content)
    client.force_login(enabled.admin)
    second = b"".join(client.get(target).streaming_content)
    assert first == second and first.startswith(b"%PDF")
    assert calls == [letter.pk]  # the second request read the stored file: no WeasyPrint
    assert letters._path(letter).read_bytes() == first

"""Families: the person's language (switched, kept, audited), the school's texts in other
languages, and the family progress report — who may read it, what it says in each language, and
its sending to a class through the task queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from credo.accounts.access import system_actor
from credo.accounts.models import GuardianLink, Role, User
from credo.core.errors import NotAllowed, ValidationError
from credo.core.models import AuditEvent
from credo.families import services
from credo.families.models import CreditText, FamilyReport, LevelText
from credo.families.selectors import family_report
from credo.mastery.services import assessment_record
from credo.notify.models import Delivery, Kind, Notification, Preference
from credo.testing import make_user


@pytest.fixture
def tasks_now(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def family(hill):
    """A student with assessments (one with feedback, one habit) and a guardian."""
    student = hill.students[0]
    for i, value in enumerate((3, 2)):
        assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=hill.competencies[i],
            value=value,
            demonstrated_on=dt.date(2025, 10, 1 + i),
            feedback="Clear reasoning; cite one more source next time." if i == 0 else "",
        )
    assessment_record(
        assessor=hill.teacher,
        student=student,
        competency=hill.habit,
        value=4,
        demonstrated_on=dt.date(2025, 10, 3),
    )
    guardian = make_user("guardian-hill", school=hill.school, role=Role.GUARDIAN)
    guardian.email = "guardian@example.org"
    guardian.save()
    GuardianLink.objects.create(school=hill.school, guardian=guardian, student=student)
    levels = {lv.label: lv for lv in hill.scale.levels.all()}
    levels["Proficient"].description = "Shows the skill on their own, reliably."
    levels["Proficient"].save()
    return hill, student, guardian


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- language ------------------------------------------------------------------------------------


def test_language_switch_is_kept_on_the_account_and_audited(family):
    hill, student, guardian = family
    c = _client(guardian)
    home = reverse("web:school", args=[hill.school.slug])
    r = c.post(reverse("families:language"), {"language": "es", "next": home})
    assert r.status_code == 302 and r["Location"] == home
    guardian.refresh_from_db()
    assert guardian.language == "es"
    event = AuditEvent.objects.get(action="account.language_set", target_id=str(guardian.pk))
    assert event.before == {"language": ""} and event.after == {"language": "es"}
    page = c.get(home, follow=True).content.decode()
    assert '<html lang="es">' in page and "Camino a la graduación" in page
    # Another browser, no cookie: the account's language still holds.
    again = _client(guardian).get(home, follow=True).content.decode()
    assert "Camino a la graduación" in again


def test_language_switch_for_visitors_uses_a_cookie_and_writes_nothing(db):
    c = Client()
    before = AuditEvent.objects.count()
    r = c.post(reverse("families:language"), {"language": "es", "next": "/accounts/login/"})
    assert r.status_code == 302 and r.cookies["credo_language"].value == "es"
    assert "Iniciar sesión" in c.get("/accounts/login/").content.decode()
    assert AuditEvent.objects.count() == before


def test_browser_language_is_the_visitors_default(db):
    page = Client().get("/accounts/login/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in page.content.decode()
    assert "Nombre de usuario" in page.content.decode()
    assert "Username" in Client().get("/accounts/login/").content.decode()


@pytest.mark.parametrize("bad", ["fr", "", "es<script>", "x" * 40])
def test_language_switch_refuses_what_is_not_offered(family, bad):
    hill, student, guardian = family
    r = _client(guardian).post(reverse("families:language"), {"language": bad, "next": "/home/"})
    assert r.status_code == 302
    guardian.refresh_from_db()
    assert guardian.language == ""
    assert not AuditEvent.objects.filter(action="account.language_set").exists()


def test_language_switch_never_redirects_off_site(db):
    r = Client().post(
        reverse("families:language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == reverse("web:landing")


def test_language_switch_refuses_get(db):
    assert Client().get(reverse("families:language")).status_code == 405


def test_language_set_service_validates(family):
    hill, student, guardian = family
    with pytest.raises(ValidationError):
        services.language_set(actor=guardian, language="de")
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        services.language_set(actor=AnonymousUser(), language="es")


def test_every_page_has_the_language_switcher(family):
    hill, student, guardian = family
    html = _client(guardian).get(reverse("web:student", args=[hill.school.slug, student.pk]))
    text = html.content.decode()
    assert text.count('id="language-choice"') == 1
    assert '<label for="language-choice">' in text
    assert 'action="/language/"' in text


# --- the school's texts in other languages -------------------------------------------------------


def test_level_texts_saved_audited_and_used_in_spanish(family):
    hill, student, guardian = family
    proficient = hill.scale.levels.get(label="Proficient")
    changed = services.level_texts_save(
        actor=hill.registrar,
        scale=hill.scale,
        language="es",
        texts={
            proficient.pk: ("Competente", "Demuestra la habilidad por sí mismo, con constancia.")
        },
    )
    assert changed == 1
    assert LevelText.objects.get(level=proficient, language="es").label == "Competente"
    assert AuditEvent.objects.filter(action="families.level_texts_saved").count() == 1
    # Saving the same again changes nothing and records nothing.
    assert (
        services.level_texts_save(
            actor=hill.registrar,
            scale=hill.scale,
            language="es",
            texts={
                proficient.pk: (
                    "Competente",
                    "Demuestra la habilidad por sí mismo, con constancia.",
                )
            },
        )
        == 0
    )
    assert AuditEvent.objects.filter(action="families.level_texts_saved").count() == 1
    es = family_report(student, language="es")
    en = family_report(student, language="en")
    assert any(s.level == "Competente" and "constancia" in s.description for s in es.shown)
    assert any(s.level == "Proficient" and "reliably" in s.description for s in en.shown)
    # Blank both: back to the school's words.
    services.level_texts_save(
        actor=hill.registrar, scale=hill.scale, language="es", texts={proficient.pk: ("", "")}
    )
    assert not LevelText.objects.exists()


def test_school_texts_refuse_teachers_other_schools_and_bad_input(family, dale):
    hill, student, guardian = family
    level = hill.scale.levels.first()
    with pytest.raises(NotAllowed):
        services.level_texts_save(
            actor=hill.teacher, scale=hill.scale, language="es", texts={level.pk: ("a", "b")}
        )
    with pytest.raises(NotAllowed):
        services.credit_text_save(
            actor=dale.admin, credit=hill.credits["all"], language="es", title="x", standard=""
        )
    with pytest.raises(ValidationError):  # the school's own language is not a translation
        services.credit_text_save(
            actor=hill.admin, credit=hill.credits["all"], language="en", title="x", standard=""
        )
    with pytest.raises(ValidationError):
        services.credit_text_save(
            actor=hill.admin,
            credit=hill.credits["all"],
            language="es",
            title="x" * 201,
            standard="",
        )
    other = dale.scale.levels.first()
    with pytest.raises(ValidationError):  # a level of another scale
        services.level_texts_save(
            actor=hill.admin, scale=hill.scale, language="es", texts={other.pk: ("a", "b")}
        )
    assert not CreditText.objects.exists() and not LevelText.objects.exists()


def test_translation_pages(family, dale):
    hill, student, guardian = family
    slug = hill.school.slug
    admin = _client(hill.admin)
    assert admin.get(reverse("families:translations", args=[slug])).status_code == 200
    url = reverse("families:credit_translation", args=[slug, hill.credits["all"].pk])
    assert admin.get(url).status_code == 200
    r = admin.post(url, {"language": "es", "title": "Indagación I", "standard": "Indaga."})
    assert r.status_code == 302
    assert CreditText.objects.get(credit=hill.credits["all"]).title == "Indagación I"
    scale_url = reverse("families:scale_translation", args=[slug, hill.scale.pk])
    level = hill.scale.levels.first()
    r = admin.post(scale_url, {"language": "es", f"label_{level.pk}": "Inicial"})
    assert r.status_code == 302 and LevelText.objects.get(level=level).label == "Inicial"
    assert _client(hill.teacher).get(url).status_code == 403
    assert _client(guardian).post(url, {"language": "es", "title": "x"}).status_code == 403
    assert _client(dale.admin).get(url).status_code == 404
    other = reverse("families:credit_translation", args=[slug, dale.credits["all"].pk])
    assert admin.get(other).status_code == 404


# --- the family report ---------------------------------------------------------------------------


def test_report_in_words_never_bare_levels(family):
    hill, student, guardian = family
    r = _client(guardian).get(reverse("families:report", args=[hill.school.slug, student.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    body = html.split('<div class="family-report">', 1)[1]
    assert "Level: Proficient" in body and "Shows the skill on their own, reliably." in body
    assert "Level: Developing" in body
    # Habits apart, feedback quoted, pace and next steps present.
    assert "Habits of work and learning" in body and "Level: Exceeding" in body
    assert "Clear reasoning; cite one more source next time." in body
    assert "Toward graduation" in body and "Next steps" in body
    # No bare scale numbers as levels.
    assert not re.search(r"Level: \d", body)


def test_report_in_spanish(family):
    hill, student, guardian = family
    services.language_set(actor=guardian, language="es")
    guardian.refresh_from_db()
    r = _client(guardian).get(reverse("families:report", args=[hill.school.slug, student.pk]))
    html = r.content.decode()
    assert "Informe de progreso" in html and "Lo que ha demostrado" in html
    assert "Hábitos de trabajo y aprendizaje" in html and "Próximos pasos" in html
    assert "Nivel: Proficient" in html  # no Spanish level given: the school's own words
    assert "What has been shown" not in html


def test_report_pdf_in_both_languages(family):
    hill, student, guardian = family
    url = reverse("families:report_pdf", args=[hill.school.slug, student.pk])
    c = _client(guardian)
    en = c.get(url)
    assert en.status_code == 200 and en["Content-Type"] == "application/pdf"
    assert en.content.startswith(b"%PDF")
    c.post(reverse("families:language"), {"language": "es", "next": "/home/"})
    es = c.get(url)
    assert es.status_code == 200 and es.content.startswith(b"%PDF")
    assert es.content != en.content


@pytest.mark.parametrize("who", ["student", "guardian", "advisor", "teacher", "admin"])
def test_report_readers(family, who):
    hill, student, guardian = family
    user = {
        "student": student.user,
        "guardian": guardian,
        "advisor": hill.advisor,
        "teacher": hill.teacher,
        "admin": hill.admin,
    }[who]
    r = _client(user).get(reverse("families:report", args=[hill.school.slug, student.pk]))
    assert r.status_code == 200


def test_report_refused(family, dale):
    hill, student, guardian = family
    url = reverse("families:report", args=[hill.school.slug, student.pk])
    pdf = reverse("families:report_pdf", args=[hill.school.slug, student.pk])
    # Anonymous: sent to sign in.
    r = Client().get(url)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert "/accounts/login/" in Client().get(pdf)["Location"]
    # Another student's guardian.
    other_guardian = make_user("guardian-other", school=hill.school, role=Role.GUARDIAN)
    GuardianLink.objects.create(
        school=hill.school, guardian=other_guardian, student=hill.students[1]
    )
    assert _client(other_guardian).get(url).status_code == 404
    assert _client(other_guardian).get(pdf).status_code == 404
    # Another school's guardian of their own student.
    dale_guardian = make_user("guardian-dale", school=dale.school, role=Role.GUARDIAN)
    GuardianLink.objects.create(
        school=dale.school, guardian=dale_guardian, student=dale.students[0]
    )
    assert _client(dale_guardian).get(url).status_code == 404
    # The student's classmate; a teacher who does not teach them.
    assert _client(hill.students[1].user).get(url).status_code == 404
    stranger = make_user("teacher-stranger", school=hill.school, role=Role.TEACHER)
    assert _client(stranger).get(url).status_code == 404
    # A student of another school, by the hill URL: 404.
    url_dale = reverse("families:report", args=[hill.school.slug, dale.students[0].pk])
    assert _client(hill.admin).get(url_dale).status_code == 404


def test_student_nav_offers_the_report(family):
    hill, student, guardian = family
    html = _client(guardian).get(reverse("web:student", args=[hill.school.slug, student.pk]))
    assert reverse("families:report", args=[hill.school.slug, student.pk]) in html.content.decode()


# --- sending a class's reports -------------------------------------------------------------------


def _opt_in(user):
    Preference.objects.create(user=user, kind=Kind.FAMILY_REPORT, delivery=Delivery.IMMEDIATE)


def test_reports_sent_only_to_guardians_who_opted_in_in_their_language(
    family, tasks_now, django_capture_on_commit_callbacks
):
    hill, student, guardian = family
    quiet = make_user(
        "guardian-quiet", school=hill.school, role=Role.GUARDIAN, email="q@example.org"
    )
    GuardianLink.objects.create(school=hill.school, guardian=quiet, student=student)
    _opt_in(guardian)
    services.language_set(actor=guardian, language="es")
    guardian.refresh_from_db()
    c = _client(hill.registrar)
    url = reverse("families:send", args=[hill.school.slug])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"graduation_year": student.graduation_year})
    assert r.status_code == 302
    sent = list(FamilyReport.objects.all())
    assert [(f.student_id, f.recipient_id, f.language) for f in sent] == [
        (student.pk, guardian.pk, "es")
    ]
    assert sent[0].since is None and sent[0].emailed
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["guardian@example.org"]
    assert message.subject.startswith("Informe de progreso")
    assert "Próximos pasos" in message.body
    assert message.attachments[0][2] == "application/pdf"
    assert message.attachments[0][1].startswith(b"%PDF")
    n = Notification.objects.get(kind=Kind.FAMILY_REPORT)
    assert n.user == guardian and n.link.endswith("/family-report/")
    assert AuditEvent.objects.filter(action="families.report_sent").count() == 1
    assert AuditEvent.objects.filter(action="families.reports_queued").count() == 1
    # Again the same day: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url, {"graduation_year": student.graduation_year})
    assert FamilyReport.objects.count() == 1 and len(mail.outbox) == 1
    # The sent list shows it.
    assert (
        guardian.username in c.get(url).content.decode()
        or str(guardian) in c.get(url).content.decode()
    )


def test_next_report_covers_since_the_last(family):
    hill, student, guardian = family
    _opt_in(guardian)
    school = hill.school
    school.as_of = dt.date(2025, 10, 2)
    school.save()
    assert services.family_reports_send(school=school, graduation_year=student.graduation_year) == 1
    school.as_of = dt.date(2025, 11, 1)
    school.save()
    assessment_record(
        assessor=hill.teacher,
        student=student,
        competency=hill.competencies[2],
        value=3,
        demonstrated_on=dt.date(2025, 10, 20),
    )
    report = family_report(student, language="en")
    assert report.since == dt.date(2025, 10, 2)
    statements = [s.statement for s in report.shown]
    assert statements == ["Competency 3"]  # the earlier work was in the last report
    assert services.family_reports_send(school=school, graduation_year=student.graduation_year) == 1
    latest = FamilyReport.objects.order_by("-as_of").first()
    assert latest.since == dt.date(2025, 10, 2) and latest.as_of == dt.date(2025, 11, 1)


def test_sending_refused_to_others(family, dale):
    hill, student, guardian = family
    url = reverse("families:send", args=[hill.school.slug])
    assert _client(hill.teacher).post(url, {"graduation_year": 2027}).status_code == 403
    assert _client(guardian).get(url).status_code == 403
    assert _client(dale.admin).get(url).status_code == 404
    assert "/accounts/login/" in Client().get(url)["Location"]
    r = _client(hill.admin).post(url, {"graduation_year": 1999})
    assert r.status_code == 200 and "graduation_year" in r.content.decode()
    r = _client(hill.admin).post(url, {"graduation_year": "nonsense"})
    assert r.status_code == 200
    assert not FamilyReport.objects.exists()
    with pytest.raises(NotAllowed):
        services.family_reports_queue(actor=dale.admin, school=hill.school, graduation_year=2027)


def test_guardian_link_removed_means_no_report(family):
    hill, student, guardian = family
    _opt_in(guardian)
    GuardianLink.objects.filter(guardian=guardian).delete()
    assert (
        services.family_reports_send(
            school=hill.school, graduation_year=student.graduation_year, actor=system_actor()
        )
        == 0
    )


def test_opt_in_is_offered_to_guardians_only(family):
    hill, student, guardian = family
    c = _client(guardian)
    page = c.get(reverse("notify:settings")).content.decode()
    assert "family_report" in page
    teacher_page = _client(hill.teacher).get(reverse("notify:settings")).content.decode()
    assert "family_report" not in teacher_page
    assert User.objects.filter(pk=guardian.pk).exists()


# --- the transcript's reading copy ---------------------------------------------------------------


def test_transcript_stays_official_and_a_reading_copy_is_marked(family, dale):
    from credo.transcripts.services import transcript_publish

    hill, student, guardian = family
    version = transcript_publish(actor=hill.registrar, student=student, force=True).version
    services.credit_text_save(
        actor=hill.registrar,
        credit=hill.credits["all"],
        language="es",
        title="Indagación I",
        standard="Plantea preguntas y las investiga.",
    )
    services.language_set(actor=guardian, language="es")
    guardian.refresh_from_db()
    c = _client(guardian)
    official = c.get(reverse("transcripts:version", args=[hill.school.slug, version.public_id]))
    body = official.content.decode()
    assert official.status_code == 200
    assert "Inquiry I" in body and "Indagación I" not in body  # the record as published
    assert "Una copia traducida para leer (no es el expediente oficial)" in body
    url = reverse("families:reading_copy", args=[hill.school.slug, version.public_id])
    copy = c.get(url)
    text = copy.content.decode()
    assert copy.status_code == 200
    assert "No es el expediente oficial." in text and "Indagación I" in text
    assert "Plantea preguntas y las investiga." in text
    assert reverse("transcripts:version", args=[hill.school.slug, version.public_id]) in text
    version.refresh_from_db()
    assert version.hash_matches()  # reading it changed nothing
    other = make_user("guardian-other-rc", school=hill.school, role=Role.GUARDIAN)
    GuardianLink.objects.create(school=hill.school, guardian=other, student=hill.students[1])
    assert _client(other).get(url).status_code == 404
    assert _client(dale.admin).get(url).status_code == 404
    assert "/accounts/login/" in Client().get(url)["Location"]


def test_guardians_weekly_summary_in_their_language(family):
    from credo.notify.services import digest_weekly

    hill, student, guardian = family
    Preference.objects.create(user=guardian, kind=Kind.GUARDIAN_WEEKLY, delivery=Delivery.WEEKLY)
    services.language_set(actor=guardian, language="es")
    mail.outbox.clear()
    assert digest_weekly() == 1
    (message,) = mail.outbox
    assert message.subject.startswith("La semana en")
    assert "Así ha ido la semana en" in message.body and "Hola," in message.body
    n = Notification.objects.get(kind=Kind.GUARDIAN_WEEKLY)
    assert "evaluaciones" in n.body

"""Every write of the families app: a person's language, the school's texts in other languages,
and family progress reports for a class. Keyword-only, validated, one transaction, audited."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credo.accounts.access import system_actor
from credo.accounts.models import GuardianLink, Student, User
from credo.core.audit import audit_record
from credo.core.errors import NotAllowed, ValidationError
from credo.families import access, selectors
from credo.families.events import (
    ACCOUNT_LANGUAGE_SET,
    FAMILIES_CREDIT_TEXT_SAVED,
    FAMILIES_LEVEL_TEXTS_SAVED,
    FAMILIES_REPORT_SENT,
    FAMILIES_REPORTS_QUEUED,
)
from credo.families.middleware import LANGUAGE_CODES, person_language
from credo.families.models import CreditText, FamilyReport, LevelText

LABEL_LIMIT = 80
TITLE_LIMIT = 200
TEXT_LIMIT = 4000


def language_set(*, actor, language: str) -> User:
    """Set the language Credo speaks to `actor` ("" goes back to the browser's choice)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("Sign in to keep a language on your account.")
    language = (language or "").strip()
    if language and language not in LANGUAGE_CODES:
        raise ValidationError({"language": ["Choose one of the languages offered."]})
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = user.language
        if before != language:
            user.language = language
            user.save(update_fields=["language"])
            audit_record(
                actor=actor,
                school=None,
                action=ACCOUNT_LANGUAGE_SET,
                target=user,
                before={"language": before},
                after={"language": language},
            )
    actor.language = language
    return user


def _check_language(school, language: str) -> None:
    if language not in dict(selectors.other_languages(school)):
        raise ValidationError(
            {"language": ["Choose a language the school offers besides its own."]}
        )


def _check_text(errors: dict, name: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[name] = [f"Keep it to {limit} characters."]
    return value


def level_texts_save(*, actor, scale, language: str, texts: dict[int, tuple[str, str]]) -> int:
    """Give a scale's levels in `language`: {level id: (label, description)}; blank both to go
    back to the school's own words. Return how many levels changed."""
    if not access.can_translate_school_texts(actor, scale.school):
        raise NotAllowed("Only a school admin or registrar may give the school's texts.")
    _check_language(scale.school, language)
    levels = {lv.pk: lv for lv in scale.levels.all()}
    errors: dict = {}
    clean = {}
    for level_id, (label, description) in texts.items():
        if level_id not in levels:
            errors[f"level_{level_id}"] = ["That level is not on this scale."]
            continue
        clean[level_id] = (
            _check_text(errors, f"label_{level_id}", label, LABEL_LIMIT),
            _check_text(errors, f"description_{level_id}", description, TEXT_LIMIT),
        )
    if errors:
        raise ValidationError(errors)
    changed = 0
    with transaction.atomic(durable=True):
        current = {
            t.level_id: t
            for t in LevelText.objects.select_for_update().filter(
                level__in=list(levels), language=language
            )
        }
        before, after = {}, {}
        for level_id, (label, description) in clean.items():
            row = current.get(level_id)
            old = (row.label, row.description) if row else ("", "")
            if old == (label, description):
                continue
            changed += 1
            before[level_id], after[level_id] = old, (label, description)
            _put_text(
                LevelText,
                row,
                {"label": label, "description": description},
                school=scale.school,
                level_id=level_id,
                language=language,
            )
        if changed:
            audit_record(
                actor=actor,
                school=scale.school,
                action=FAMILIES_LEVEL_TEXTS_SAVED,
                target=scale,
                before={"language": language, "levels": before},
                after={"language": language, "levels": after},
            )
    return changed


def _put_text(model, row, texts: dict[str, str], **identity) -> None:
    """Store one translation row: all its texts blank removes it (the school's words show again);
    otherwise update the row, or create it for `identity` (school, what it translates, language)."""
    if row is not None and not any(texts.values()):
        row.delete()
    elif row is not None:
        for name, value in texts.items():
            setattr(row, name, value)
        row.save(update_fields=list(texts))
    elif any(texts.values()):
        model.objects.create(**identity, **texts)


def credit_text_save(*, actor, credit, language: str, title: str, standard: str) -> bool:
    """Give a credit's title and standard in `language` (both blank: the school's own words).
    Return whether anything changed."""
    if not access.can_translate_school_texts(actor, credit.school):
        raise NotAllowed("Only a school admin or registrar may give the school's texts.")
    _check_language(credit.school, language)
    errors: dict = {}
    title = _check_text(errors, "title", title, TITLE_LIMIT)
    standard = _check_text(errors, "standard", standard, TEXT_LIMIT)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        row = (
            CreditText.objects.select_for_update().filter(credit=credit, language=language).first()
        )
        old = (row.title, row.standard) if row else ("", "")
        if old == (title, standard):
            return False
        _put_text(
            CreditText,
            row,
            {"title": title, "standard": standard},
            school=credit.school,
            credit=credit,
            language=language,
        )
        audit_record(
            actor=actor,
            school=credit.school,
            action=FAMILIES_CREDIT_TEXT_SAVED,
            target=credit,
            before={"language": language, "title": old[0], "standard": old[1]},
            after={"language": language, "title": title, "standard": standard},
        )
    return True


# --- family progress reports --------------------------------------------------------------------


def family_reports_queue(*, actor, school, graduation_year: int):
    """Queue the family reports of one class (the task queue sends them); return the task."""
    from credo.families.tasks import send_family_reports

    if not access.can_send_family_reports(actor, school):
        raise NotAllowed("Only a school admin or registrar may send a class's family reports.")
    if graduation_year not in selectors.cohorts(school):
        raise ValidationError({"graduation_year": ["No active students are in that class."]})
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor,
            school=school,
            action=FAMILIES_REPORTS_QUEUED,
            target=school,
            after={"graduation_year": graduation_year},
        )
        transaction.on_commit(
            lambda: send_family_reports.enqueue(school.pk, graduation_year, actor.pk)
        )
    return graduation_year


def report_language(user, school) -> str:
    """The language a person reads a report in: their own choice, else the school's."""
    return person_language(user) or selectors.school_language(school)


def family_reports_send(*, school, graduation_year: int, actor=None) -> int:
    """Send every active student's family report of one class to each guardian who opted in, in
    that guardian's language, by e-mail with the PDF, and note each in their notifications.

    Each report is one transaction and audited; a guardian is sent one report per student and
    day (running it again the same day sends nothing new). Return how many were sent."""
    from credo.families.pdf import report_pdf
    from credo.notify.models import Delivery, Kind, Notification
    from credo.notify.services import absolute, deliveries_of

    actor = actor or system_actor()
    as_of = school.today()
    students = list(
        Student.objects.filter(
            school=school, graduation_year=graduation_year, active=True
        ).order_by("family_name", "given_name", "pk")
    )
    links = GuardianLink.objects.filter(
        school=school, student__in=students, guardian__is_active=True
    ).select_related("guardian")
    guardians: dict[int, list[User]] = {}
    for link in links:
        guardians.setdefault(link.student_id, []).append(link.guardian)
    everyone = {g.pk: g for gs in guardians.values() for g in gs}
    deliveries = deliveries_of(list(everyone.values()), Kind.FAMILY_REPORT)
    sent = 0
    for student in students:
        student.school = school
        since = selectors.last_report_on(student)  # the same for every guardian of this run
        for guardian in guardians.get(student.pk, []):
            if deliveries.get(guardian.pk) != Delivery.IMMEDIATE:
                continue
            if not access.may_receive_family_report(guardian, student):
                continue
            if FamilyReport.objects.filter(
                student=student, recipient=guardian, as_of=as_of
            ).exists():
                continue
            language = report_language(guardian, school)
            with translation.override(language):
                report = selectors.family_report(student, language=language, as_of=as_of)
                report.since = since
                report_url = reverse("families:report", args=[school.slug, student.pk])
                title = _("Progress report: %(name)s") % {"name": student}
                body = render_to_string(
                    "families/email_report.txt",
                    {"r": report, "guardian": guardian, "url": absolute(report_url)},
                )
                pdf = report_pdf(report) if guardian.email else None
            with transaction.atomic(durable=True):
                row = FamilyReport.objects.create(
                    school=school,
                    student=student,
                    recipient=guardian,
                    language=language,
                    since=since,
                    as_of=as_of,
                    emailed=bool(guardian.email),
                )
                Notification.objects.create(
                    school=school,
                    user=guardian,
                    kind=Kind.FAMILY_REPORT,
                    delivery=Delivery.IMMEDIATE,
                    title=title[:200],
                    link=report_url,
                    source_type="family_report",
                    source_id=row.pk,
                    emailed_at=timezone.now() if guardian.email else None,
                )
                audit_record(
                    actor=actor,
                    school=school,
                    action=FAMILIES_REPORT_SENT,
                    target=row,
                    after={
                        "student": student.pk,
                        "recipient": guardian.pk,
                        "language": language,
                        "since": since,
                        "as_of": as_of,
                        "emailed": bool(guardian.email),
                    },
                )
            if guardian.email:
                message = EmailMessage(
                    subject=title, body=body, from_email=None, to=[guardian.email]
                )
                message.attach(f"progress-report-{student.pk}-{as_of}.pdf", pdf, "application/pdf")
                message.send()
            sent += 1
    return sent

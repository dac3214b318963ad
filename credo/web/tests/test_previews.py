"""Setup pages preview a consequential change by class and apply it only as previewed; registrars
revoke awards from the student's record; other roles, other schools and strangers are refused."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from credo.core.models import AuditEvent
from credo.mastery import bulk, services
from credo.mastery.models import CreditAward, CreditProgress, GraduationRule, MasteryCredit
from credo.testing import make_student

TODAY = dt.date(2025, 11, 15)  # the class of 2026 is in its final year


def u(name, h, *args):
    return reverse(f"web:{name}", args=[h.school.slug, *args])


def rows():
    return (
        sorted(MasteryCredit.objects.values_list("code", "from_cohort", "until_cohort")),
        sorted(CreditAward.objects.values_list("student_id", "credit_id", "revoked_at")),
        sorted(CreditProgress.objects.values_list("student_id", "credit_id", "status")),
        GraduationRule.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def school(hill):
    hill.school.as_of = TODAY
    hill.school.save(update_fields=["as_of"])
    hill.senior = make_student(hill.school, graduation_year=2026)
    hill.junior = make_student(hill.school, graduation_year=2028)
    for student in (hill.senior, hill.junior):
        services.assessment_record(
            assessor=hill.admin,
            student=student,
            competency=hill.competencies[2],
            value=3,
            demonstrated_on=dt.date(2024, 3, 1),
        )
    return hill


def credit_form(h, **extra):
    return {
        "area": h.areas[1].pk,
        "level": "foundational",
        "code": "F9",
        "title": "Single",
        "standard": "One target.",
        "rule": "all",
        "item-0-competency": h.competencies[2].pk,
        "item-0-points": "1",
        "item-0-required": "1",
        **extra,
    }


def fingerprint(html: str) -> str:
    return re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)


def test_saving_a_credit_shows_its_effect_by_class_then_applies_on_confirmation(client, school):
    client.force_login(school.registrar)
    before = rows()
    response = client.post(u("manage_credit_new", school), credit_form(school, from_cohort="2027"))
    html = response.content.decode()
    assert response.status_code == 200 and "Before you apply" in html
    assert "Effect by class" in html and '<th scope="row">2028</th>' in html
    assert school.junior.full_name in html  # names on demand, in the cell's details
    assert school.senior.full_name not in html  # the seniors are not reached
    assert rows() == before
    # Confirming re-posts the change with the fingerprint of what was shown.
    response = client.post(
        u("manage_credit_new", school),
        {**credit_form(school, from_cohort="2027"), "confirm": fingerprint(html)},
    )
    assert response.status_code == 302
    credit = MasteryCredit.objects.get(code="F9")
    assert credit.from_cohort == 2027
    assert CreditAward.objects.filter(credit=credit, student=school.junior).exists()
    assert not CreditAward.objects.filter(credit=credit, student=school.senior).exists()
    assert bulk.check() == []


def test_a_stale_preview_is_shown_again_and_nothing_applied(client, school):
    client.force_login(school.admin)
    data = credit_form(school, from_cohort="2027")
    html = client.post(u("manage_credit_new", school), data).content.decode()
    newcomer = make_student(school.school, graduation_year=2029)
    services.assessment_record(
        assessor=school.admin,
        student=newcomer,
        competency=school.competencies[2],
        value=4,
        demonstrated_on=dt.date(2025, 9, 1),
    )
    before = rows()
    response = client.post(u("manage_credit_new", school), {**data, "confirm": fingerprint(html)})
    again = response.content.decode()
    assert response.status_code == 200 and "changed since the preview" in again
    assert newcomer.full_name in again
    assert rows() == before


def test_reaching_the_final_year_needs_the_explicit_choice(client, school):
    client.force_login(school.registrar)
    data = credit_form(school)
    html = client.post(u("manage_credit_new", school), data).content.decode()
    assert "in its final year" in html and 'name="reach_protected"' in html
    before = rows()
    refused = client.post(u("manage_credit_new", school), {**data, "confirm": fingerprint(html)})
    assert refused.status_code == 200 and "Choose explicitly" in refused.content.decode()
    assert rows() == before
    applied = client.post(
        u("manage_credit_new", school),
        {**data, "confirm": fingerprint(html), "reach_protected": "yes"},
    )
    assert applied.status_code == 302
    assert CreditAward.objects.filter(credit__code="F9", student=school.senior).exists()


def test_change_it_returns_to_the_form_with_what_was_entered(client, school):
    client.force_login(school.registrar)
    data = credit_form(school, title="Kept title")
    html = client.post(u("manage_credit_new", school), data).content.decode()
    response = client.post(
        u("manage_credit_new", school), {**data, "confirm": fingerprint(html), "edit": "1"}
    )
    assert "Kept title" in response.content.decode()
    assert not MasteryCredit.objects.filter(code="F9").exists()


def test_a_graduation_rule_for_later_classes_is_previewed_and_saved(client, school):
    client.force_login(school.admin)
    data = {"kind": "min_credits", "level": "advanced", "n": "1", "from_cohort": "2028"}
    html = client.post(u("manage_rule_new", school), data).content.decode()
    assert "Graduation status changes" in html
    assert client.post(u("manage_rule_new", school), {**data, "confirm": fingerprint(html)})[
        "Location"
    ].endswith("/graduation/")
    assert GraduationRule.objects.get(n=1, level="advanced").from_cohort == 2028
    listing = client.get(u("manage_rules", school)).content.decode()
    assert "2028 on" in listing


@pytest.mark.parametrize("who", ["teacher", "advisor", "student", "anonymous", "dale_admin"])
def test_others_cannot_preview_or_apply(client, school, dale, who):
    if who == "dale_admin":
        client.force_login(dale.admin)
    elif who == "student":
        client.force_login(school.students[0].user)
    elif who != "anonymous":
        client.force_login(getattr(school, who))
    before = rows()
    response = client.post(u("manage_credit_new", school), credit_form(school))
    expected = {"anonymous": 302, "dale_admin": 404}.get(who, 403)
    assert response.status_code == expected
    retire = client.post(
        u("manage_credit_retire", school, school.credits["all"].pk),
        {"last_cohort": "2027", "reason": "x"},
    )
    assert retire.status_code == expected
    assert rows() == before


def test_retiring_a_credit_is_for_registrars_and_previewed(client, school):
    url = u("manage_credit_retire", school, school.credits["count"].pk)
    data = {"last_cohort": "2027", "reason": "Replaced by F9"}
    client.force_login(school.admin)
    before = rows()
    assert client.post(url, data).status_code == 403
    assert rows() == before
    client.force_login(school.registrar)
    assert client.get(url).status_code == 200
    first = client.post(url, data)
    html = first.content.decode()
    if first.status_code == 200:  # someone's record changes: preview, then confirm
        assert "Before you apply" in html
        first = client.post(url, {**data, "confirm": fingerprint(html)})
    assert first.status_code == 302
    assert MasteryCredit.objects.get(pk=school.credits["count"].pk).until_cohort == 2027
    assert bulk.check() == []


# --- revoking from the student's record -----------------------------------------------------------


@pytest.fixture
def award(school):
    student = school.students[0]
    for c in school.competencies[:2]:
        services.assessment_record(
            assessor=school.admin,
            student=student,
            competency=c,
            value=4,
            demonstrated_on=dt.date(2025, 10, 1),
        )
    return CreditAward.objects.get(student=student, credit=school.credits["all"])


def test_a_registrar_revokes_an_award_with_a_reason(client, school, award):
    client.force_login(school.registrar)
    record = client.get(reverse("web:student", args=[school.school.slug, award.student_id]))
    url = u("award_revoke", school, award.student_id, award.credit_id)
    assert url in record.content.decode()
    before = rows()
    page = client.get(url)
    assert page.status_code == 200 and rows() == before  # reading never writes
    blank = client.post(url, {"reason": ""})
    assert blank.status_code == 200 and rows() == before
    assert client.post(url, {"reason": "Work was not the student's own"}).status_code == 302
    award.refresh_from_db()
    assert award.revoked_at and award.revoke_reason == "Work was not the student's own"
    assert bulk.check() == []
    assert client.get(url).status_code == 404  # nothing left to revoke


@pytest.mark.parametrize("who", ["admin", "teacher", "advisor", "student", "anonymous", "dale"])
def test_only_a_registrar_of_the_school_revokes(client, school, dale, award, who):
    if who == "dale":
        client.force_login(dale.registrar)
    elif who == "student":
        client.force_login(school.students[0].user)
    elif who != "anonymous":
        client.force_login(getattr(school, who))
    url = u("award_revoke", school, award.student_id, award.credit_id)
    before = rows()
    response = client.post(url, {"reason": "no"})
    assert response.status_code == {"anonymous": 302, "dale": 404}.get(who, 403)
    assert rows() == before
    if who == "admin":
        record = client.get(reverse("web:student", args=[school.school.slug, award.student_id]))
        assert url not in record.content.decode()


def test_a_published_transcript_notes_a_later_revocation_and_stays_unchanged(client, school, award):
    from credo.transcripts.services import transcript_publish

    version = transcript_publish(actor=school.registrar, student=award.student).version
    content_hash = version.content_hash
    services.credit_award_revoke(actor=school.registrar, award=award, reason="Entered in error")
    client.force_login(school.registrar)
    page = client.get(
        reverse("transcripts:version", args=[school.school.slug, version.public_id])
    ).content.decode()
    assert "the school revoked 1 of the credits it shows" in page and "Entered in error" in page
    verify = client.get(reverse("transcripts:verify", args=[version.public_id])).content.decode()
    assert "Entered in error" in verify
    version.refresh_from_db()
    assert version.content_hash == content_hash and version.hash_matches()

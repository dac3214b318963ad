"""The journey's writes: validated, audited, append-only where history matters."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from credo.core.errors import NotAllowed
from credo.core.models import AuditEvent
from credo.journey import services
from credo.journey.models import (
    JourneyActionItem,
    JourneyAssessment,
    JourneyCompetency,
    JourneyConsensus,
    JourneyEvidence,
    JourneyFramework,
    JourneyRating,
    JourneyTeamMember,
)
from credo.journey.selectors import consensus_statuses, ratings_current
from credo.journey.template import JOURNEY_TEMPLATE
from credo.journey.tests.factories import make_team
from credo.schools.models import Network, NetworkLead
from credo.testing import make_user

pytestmark = pytest.mark.django_db


def comp(assessment, code):
    return JourneyCompetency.objects.get(framework=assessment.framework, code=code)


def test_builtin_template_is_installed_once_with_its_whole_structure():
    first = services.journey_template_install()
    again = services.journey_template_install()
    assert first == again
    assert JourneyFramework.objects.filter(key=JOURNEY_TEMPLATE.key).count() == 1
    assert first.published_at is not None and first.network is None
    assert first.domains.count() == 5
    assert first.competencies.count() == 24
    assert first.competencies.filter(level="foundational").count() == 15
    assert first.essentials.count() == 10
    de10 = first.essentials.get(code="DE10")
    assert [link.domain.code for link in de10.domain_links.order_by("position")] == ["AL", "SU"]
    pv = first.domains.get(code="PV")
    assert pv.guiding_question == JOURNEY_TEMPLATE.domain("PV").guiding_question
    assert pv.deliverable_title == "Call to Action"


def test_only_an_admin_starts_the_journey_and_becomes_its_lead(hill):
    with pytest.raises(NotAllowed):
        services.journey_start(actor=hill.teacher, school=hill.school)
    assessment = services.journey_start(actor=hill.admin, school=hill.school, position="Principal")
    seat = JourneyTeamMember.objects.get(school=hill.school)
    assert seat.user == hill.admin and seat.is_lead and seat.position == "Principal"
    assert assessment.framework.version == JOURNEY_TEMPLATE.version
    with pytest.raises(ValidationError):
        services.journey_start(actor=hill.admin, school=hill.school)
    assert JourneyAssessment.objects.filter(school=hill.school).count() == 1
    assert AuditEvent.objects.filter(action="journey.started", school=hill.school).exists()


def test_team_is_staff_only_and_always_keeps_a_lead(hill):
    team = make_team(hill)
    student_user = hill.students[0].user
    with pytest.raises(ValidationError) as err:
        services.team_member_add(actor=hill.admin, school=hill.school, user=student_user)
    assert "user" in err.value.message_dict
    with pytest.raises(NotAllowed):
        services.team_member_add(actor=team.member, school=hill.school, user=hill.advisor)
    lead_seat = JourneyTeamMember.objects.get(school=hill.school, user=hill.admin)
    with pytest.raises(ValidationError):
        services.team_member_remove(actor=hill.admin, member=lead_seat)
    with pytest.raises(ValidationError):
        services.team_member_update(actor=hill.admin, member=lead_seat, role="member")
    member_seat = JourneyTeamMember.objects.get(school=hill.school, user=hill.teacher)
    services.team_member_update(
        actor=hill.admin, member=member_seat, role="lead", position="Co-lead"
    )
    services.team_member_update(actor=hill.admin, member=lead_seat, role="member")
    assert set(JourneyTeamMember.objects.filter(role="lead").values_list("user", flat=True)) == {
        hill.teacher.pk
    }


def test_ratings_are_each_members_own_and_append_only(hill):
    team = make_team(hill)
    a = team.assessment
    written = services.journey_ratings_record(
        rater=team.lead,
        assessment=a,
        entries={"PV1": ("earned", "Forum held"), "GP1": ("in_progress", "")},
    )
    assert len(written) == 2
    services.journey_ratings_record(
        rater=team.member, assessment=a, entries={"PV1": ("in_progress", "")}
    )
    # Saving the same thing again writes nothing.
    assert (
        services.journey_ratings_record(
            rater=team.lead, assessment=a, entries={"PV1": ("earned", "Forum held")}
        )
        == []
    )
    changed = services.journey_ratings_record(
        rater=team.lead, assessment=a, entries={"PV1": ("in_progress", "On reflection")}
    )
    assert changed[0].replaces == written[0]
    current = ratings_current(a)
    pv1 = comp(a, "PV1")
    assert current[(pv1.pk, team.lead.pk)].status == "in_progress"
    assert current[(pv1.pk, team.member.pk)].status == "in_progress"
    assert JourneyRating.objects.filter(competency=pv1, rater=team.lead).count() == 2
    assert AuditEvent.objects.filter(action="journey.rated").count() == 4


def test_a_bad_rating_writes_nothing(hill):
    team = make_team(hill)
    with pytest.raises(ValidationError) as err:
        services.journey_ratings_record(
            rater=team.lead,
            assessment=team.assessment,
            entries={"PV1": ("earned", ""), "GP1": ("finished", ""), "ZZ9": ("earned", "")},
        )
    assert set(err.value.message_dict) == {"GP1", "ZZ9"}
    assert not JourneyRating.objects.exists()


def test_people_off_the_team_cannot_rate(hill, dale):
    team = make_team(hill)
    with pytest.raises(NotAllowed):
        services.journey_ratings_record(
            rater=hill.advisor, assessment=team.assessment, entries={"PV1": ("earned", "")}
        )
    with pytest.raises(NotAllowed):
        services.journey_ratings_record(
            rater=dale.admin, assessment=team.assessment, entries={"PV1": ("earned", "")}
        )


def test_only_the_lead_records_consensus_and_history_is_kept(hill):
    team = make_team(hill)
    a = team.assessment
    pv1 = comp(a, "PV1")
    with pytest.raises(NotAllowed):
        services.journey_consensus_record(
            actor=team.member, assessment=a, competency=pv1, status="earned"
        )
    first = services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=pv1, status="in_progress"
    )
    same = services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=pv1, status="in_progress"
    )
    assert same == first
    second = services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=pv1, status="earned", note="Agreed"
    )
    assert second.replaces == first
    assert consensus_statuses(a)["PV1"] == "earned"
    assert consensus_statuses(a)["PV2"] == "not_started"
    with pytest.raises(ValidationError):
        services.journey_consensus_record(
            actor=team.lead, assessment=a, competency=pv1, status="done"
        )
    event = AuditEvent.objects.filter(action="journey.consensus_recorded").order_by("-id").first()
    assert event.before == {"status": "in_progress", "note": ""}
    assert event.after["status"] == "earned" and event.actor_id == team.lead.pk


def test_snapshot_freezes_the_agreed_ratings_with_counts(hill):
    team = make_team(hill)
    a = team.assessment
    services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=comp(a, "PV1"), status="earned"
    )
    services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=comp(a, "PV4"), status="earned"
    )
    services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=comp(a, "GP1"), status="in_progress"
    )
    with pytest.raises(NotAllowed):
        services.journey_snapshot_take(actor=team.member, assessment=a)
    shot = services.journey_snapshot_take(actor=team.lead, assessment=a, label="Fall 2025")
    assert shot.statuses["PV1"] == "earned" and shot.statuses["AL4"] == "not_started"
    assert shot.counts["foundational"] == {
        "earned": 1,
        "in_progress": 1,
        "not_started": 13,
        "total": 15,
    }
    assert shot.counts["advanced"]["earned"] == 1
    services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=comp(a, "PV1"), status="in_progress"
    )
    shot.refresh_from_db()
    assert shot.statuses["PV1"] == "earned"  # frozen


def test_snapshot_label_defaults_to_the_current_term(hill):
    team = make_team(hill)
    term = hill.section.term
    label = services.default_snapshot_label(
        hill.school, today=term.starts_on + dt.timedelta(days=3)
    )
    assert label == f"{term.name} {term.school_year}"
    assert (
        services.default_snapshot_label(hill.school, today=dt.date(2030, 2, 1)) == "February 2030"
    )
    assert services.journey_snapshot_take(actor=team.lead, assessment=team.assessment).label


def test_evidence_is_a_link_or_a_file_and_is_withdrawn_not_deleted(hill, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    team = make_team(hill)
    a = team.assessment
    pv1 = comp(a, "PV1")
    link = services.journey_evidence_add(
        actor=team.member,
        assessment=a,
        competency=pv1,
        title="Forum notes",
        url="https://example.org/forum",
    )
    assert link.kind == "link"
    upload = SimpleUploadedFile("survey.pdf", b"%PDF-1.4 survey", content_type="application/pdf")
    file = services.journey_evidence_add(
        actor=team.lead, assessment=a, competency=pv1, title="Survey", file=upload
    )
    assert file.kind == "file" and file.file.name.endswith("survey.pdf")
    with pytest.raises(ValidationError):
        services.journey_evidence_add(
            actor=team.lead, assessment=a, competency=pv1, title="Nothing"
        )
    with pytest.raises(ValidationError):
        services.journey_evidence_add(
            actor=team.lead, assessment=a, competency=pv1, title="", url="https://x.org"
        )
    with pytest.raises(ValidationError):
        services.journey_evidence_add(
            actor=team.lead, assessment=a, competency=pv1, title="Bad", url="not a url"
        )
    with pytest.raises(NotAllowed):
        services.journey_evidence_withdraw(actor=team.other, evidence=link)
    services.journey_evidence_withdraw(actor=team.lead, evidence=link)
    assert JourneyEvidence.objects.get(pk=link.pk).withdrawn_at is not None
    assert JourneyEvidence.objects.count() == 2


def test_action_items_have_a_team_owner_and_a_status(hill):
    team = make_team(hill)
    a = team.assessment
    al4 = comp(a, "AL4")
    item = services.journey_action_create(
        actor=team.member,
        assessment=a,
        competency=al4,
        title="Pilot the transcript",
        owner=team.other,
        due_on=dt.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError) as err:
        services.journey_action_create(
            actor=team.member, assessment=a, competency=al4, title="x", owner=hill.advisor
        )
    assert "owner" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.journey_action_create(actor=team.member, assessment=a, competency=al4, title="  ")
    services.journey_action_update(actor=team.other, item=item, status="done")
    item.refresh_from_db()
    assert item.status == "done" and item.completed_at is not None
    with pytest.raises(ValidationError):
        services.journey_action_update(actor=team.other, item=item, status="finished")
    assert AuditEvent.objects.filter(action="journey.action_changed").count() == 1
    assert JourneyActionItem.objects.count() == 1


def _network_with_lead(*schools):
    network = Network.objects.create(name="Valley Network", slug="valley")
    for s in schools:
        s.school.network = network
        s.school.save()
    lead = make_user("valley-lead")
    NetworkLead.objects.create(network=network, user=lead)
    return network, lead


def test_a_network_lead_adapts_the_template_as_a_new_frozen_version(hill, dale):
    network, lead = _network_with_lead(hill)
    builtin = services.journey_template_install()
    with pytest.raises(NotAllowed):
        services.framework_adapt(
            actor=hill.admin, network=network, base=builtin, version="Valley 2026"
        )
    draft = services.framework_adapt(
        actor=lead, network=network, base=builtin, version="Valley 2026"
    )
    assert draft.is_draft and draft.network == network and draft.based_on == builtin
    assert draft.competencies.count() == 24 and draft.essentials.count() == 10
    with pytest.raises(ValidationError):
        services.framework_adapt(actor=lead, network=network, base=builtin, version="Valley 2026")
    su4 = draft.competencies.get(code="SU4")
    services.framework_competency_update(
        actor=lead,
        competency=su4,
        title="Policy Renewal",
        description="Our policies are renewed every two years.",
        level="foundational",
    )
    added = services.framework_competency_add(
        actor=lead,
        domain=draft.domains.get(code="SU"),
        title="Family Partnership",
        description="Families help steer the model.",
        level="advanced",
    )
    assert added.code == "SU5"
    services.framework_competency_remove(actor=lead, competency=draft.competencies.get(code="GP3"))
    # Nobody can start on a draft; the built-in stays untouched.
    with pytest.raises(ValidationError):
        services.journey_start(actor=hill.admin, school=hill.school, framework=draft)
    with pytest.raises(NotAllowed):
        services.framework_competency_update(
            actor=lead,
            competency=builtin.competencies.get(code="SU4"),
            title="x",
            description="y",
            level="advanced",
        )
    services.framework_publish(actor=lead, framework=draft)
    with pytest.raises(ValidationError):
        services.framework_competency_update(
            actor=lead, competency=su4, title="Again", description="z", level="advanced"
        )
    assert builtin.competencies.get(code="SU4").title == "Policy Development"
    # The network's schools now start on the adaptation; another network's cannot use it.
    assert services.framework_default_for(hill.school) == draft
    assert services.framework_default_for(dale.school) == builtin
    with pytest.raises(ValidationError):
        services.journey_start(actor=dale.admin, school=dale.school, framework=draft)


def test_moving_to_a_new_version_keeps_the_old_assessment_on_its_version(hill):
    network, lead = _network_with_lead(hill)
    team = make_team(hill)
    old = team.assessment
    builtin = old.framework
    services.journey_consensus_record(
        actor=team.lead, assessment=old, competency=comp(old, "PV1"), status="earned"
    )
    services.journey_consensus_record(
        actor=team.lead, assessment=old, competency=comp(old, "GP3"), status="in_progress"
    )
    services.journey_action_create(
        actor=team.lead, assessment=old, competency=comp(old, "PV1"), title="Keep going"
    )
    services.journey_snapshot_take(actor=team.lead, assessment=old, label="Before")
    adapted = services.framework_adapt(
        actor=lead, network=network, base=builtin, version="Valley 2026"
    )
    services.framework_competency_remove(
        actor=lead, competency=adapted.competencies.get(code="GP3")
    )
    services.framework_publish(actor=lead, framework=adapted)
    with pytest.raises(NotAllowed):
        services.journey_version_move(actor=team.member, school=hill.school, framework=adapted)
    new = services.journey_version_move(actor=team.lead, school=hill.school, framework=adapted)
    old.refresh_from_db()
    assert old.closed_at is not None and old.framework == builtin
    assert old.snapshots.count() == 1
    assert new.framework == adapted and new.carried_from == old
    statuses = consensus_statuses(new)
    assert statuses["PV1"] == "earned" and "GP3" not in statuses
    assert new.actions.get().competency.framework == adapted
    assert JourneyConsensus.objects.filter(assessment=old).count() == 2
    # Writing to the closed assessment is refused.
    with pytest.raises(ValidationError):
        services.journey_consensus_record(
            actor=team.lead, assessment=old, competency=comp(old, "PV2"), status="earned"
        )


def test_an_action_item_is_overdue_by_the_schools_today(hill):
    team = make_team(hill)
    item = services.journey_action_create(
        actor=team.member,
        assessment=team.assessment,
        competency=comp(team.assessment, "AL4"),
        title="Draft the evidence policy",
        owner=team.other,
        due_on=dt.date(2026, 3, 1),
    )
    hill.school.as_of = dt.date(2026, 2, 20)  # a demo school whose records end before the due date
    hill.school.save(update_fields=["as_of"])
    item = JourneyActionItem.objects.select_related("school").get(pk=item.pk)
    assert not item.is_overdue
    item.school.as_of = dt.date(2026, 3, 2)
    assert item.is_overdue
    item.status = "done"
    assert not item.is_overdue

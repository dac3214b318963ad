"""Moderation sessions: started by managers, scored blind, agreement shown only once closed."""

import datetime as dt

import pytest
from django.urls import reverse

from credo.accounts.models import Role
from credo.core.errors import Conflict, NotAllowed, ValidationError
from credo.improve import selectors, services, stats
from credo.improve.models import ModerationScore
from credo.testing import make_user, submit_evidence

DAY = dt.date(2025, 10, 1)


@pytest.fixture
def session(hill):
    pieces = submit_evidence(hill.students[0], 4, title="Lab report", day=DAY)
    hill.pieces = pieces
    hill.bystander = make_user("teacher-c-hill", school=hill.school, role=Role.TEACHER)
    return services.session_create(
        actor=hill.admin,
        school=hill.school,
        title="Lab reports, autumn",
        competency_id=hill.competencies[0].pk,
        evidence_ids=[p.pk for p in pieces],
        assessor_ids=[hill.teacher.pk, hill.registrar.pk],
    )


def _score_all(hill, session, a_values, b_values):
    items = list(session.items.order_by("position"))
    for item, a, b in zip(items, a_values, b_values, strict=True):
        services.score_record(actor=hill.teacher, session=session, item_id=item.pk, value=a)
        services.score_record(actor=hill.registrar, session=session, item_id=item.pk, value=b)


def test_only_managers_start_and_assessors_must_be_staff(hill, dale):
    pieces = submit_evidence(hill.students[0], 2, title="Essay", day=DAY)
    args = dict(
        school=hill.school,
        title="T",
        competency_id=hill.competencies[0].pk,
        evidence_ids=[p.pk for p in pieces],
    )
    with pytest.raises(NotAllowed):
        services.session_create(actor=hill.teacher, assessor_ids=[hill.admin.pk], **args)
    with pytest.raises(ValidationError) as err:
        services.session_create(
            actor=hill.admin, assessor_ids=[hill.teacher.pk, hill.advisor.pk], **args
        )
    assert "assessors" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.session_create(
            actor=hill.admin, assessor_ids=[hill.teacher.pk, dale.teacher.pk], **args
        )
    other = submit_evidence(dale.students[0], 1, title="Dale", day=DAY)
    with pytest.raises(ValidationError) as err:
        services.session_create(
            actor=hill.admin,
            school=hill.school,
            title="T",
            competency_id=hill.competencies[0].pk,
            evidence_ids=[pieces[0].pk, other[0].pk],
            assessor_ids=[hill.teacher.pk, hill.registrar.pk],
        )
    assert "evidence" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.session_create(
            actor=hill.admin,
            school=hill.school,
            title="T",
            competency_id=dale.competencies[0].pk,
            evidence_ids=[p.pk for p in pieces],
            assessor_ids=[hill.teacher.pk, hill.registrar.pk],
        )


def test_scores_are_blind_until_closed(client, hill, session):
    _score_all(hill, session, [1, 2, 3, 1], [1, 3, 3, 2])
    page_url = reverse("improve:session", args=[hill.school.slug, session.pk])
    client.force_login(hill.teacher)
    body = client.get(page_url).content.decode()
    assert "Every score" not in body and "Agreement" not in body
    csv_url = reverse("improve:session_csv", args=[hill.school.slug, session.pk])
    assert client.get(csv_url).status_code == 403
    client.force_login(hill.admin)
    body = client.get(page_url).content.decode()
    assert "2 of 4 scored" not in body and "4 of 4 scored" in body
    assert "Every score" not in body
    services.session_close(actor=hill.admin, session=session)
    client.force_login(hill.teacher)
    body = client.get(page_url).content.decode()
    assert "Every score" in body
    assert client.get(csv_url).status_code == 200


def test_agreement_and_kappa(hill, session):
    _score_all(hill, session, [1, 2, 3, 1], [1, 3, 3, 2])
    session = services.session_close(actor=hill.admin, session=session)
    result = selectors.calibration(session)
    (pair,) = result.pairs
    assert pair.n == 4 and pair.exact == 0.5 and pair.adjacent == 1.0
    # On the four-level scale (indices 0-3): the same pieces as stats' hand-computed case.
    assert pair.kappa == pytest.approx(
        stats.weighted_kappa([0, 1, 2, 0], [0, 2, 2, 1], [0, 1, 2, 3])
    )
    # Consensus of two: the lower of the two levels.
    assert sorted(str(v) for v in result.consensus.values()) == ["1.00", "1.00", "2.00", "3.00"]
    assert [label for label, _ in result.shares][-1].startswith("The school's")


def test_hand_computed_kappa_on_three_levels():
    assert stats.weighted_kappa([1, 2, 3, 1], [1, 3, 3, 2], [1, 2, 3]) == pytest.approx(9 / 13)


def test_scoring_rules(hill, session):
    item = session.items.first()
    with pytest.raises(NotAllowed):
        services.score_record(actor=hill.bystander, session=session, item_id=item.pk, value=2)
    with pytest.raises(ValidationError):
        services.score_record(actor=hill.teacher, session=session, item_id=item.pk, value="2.5")
    with pytest.raises(ValidationError):
        services.score_record(actor=hill.teacher, session=session, item_id=item.pk, value="abc")
    with pytest.raises(ValidationError):
        services.score_record(actor=hill.teacher, session=session, item_id=999999, value=2)
    services.score_record(actor=hill.teacher, session=session, item_id=item.pk, value=2)
    services.score_record(actor=hill.teacher, session=session, item_id=item.pk, value=3)
    assert ModerationScore.objects.get(item=item, assessor=hill.teacher).value == 3
    services.session_close(actor=hill.admin, session=session)
    with pytest.raises(Conflict):
        services.score_record(actor=hill.teacher, session=session, item_id=item.pk, value=4)
    with pytest.raises(Conflict):
        services.session_close(actor=hill.admin, session=session)
    with pytest.raises(NotAllowed):
        services.session_close(actor=hill.teacher, session=session)


def test_who_reaches_a_session(client, hill, dale, session):
    url = reverse("improve:session", args=[hill.school.slug, session.pk])
    client.force_login(hill.bystander)  # a teacher who is not an assessor
    assert client.get(url).status_code == 404
    client.force_login(hill.students[0].user)
    assert client.get(url).status_code == 403
    client.force_login(dale.admin)
    assert client.get(url).status_code == 404
    client.force_login(hill.teacher)
    assert client.get(url).status_code == 200
    close = reverse("improve:session_close", args=[hill.school.slug, session.pk])
    assert client.post(close).status_code == 403
    new = reverse("improve:moderation_new", args=[hill.school.slug])
    assert client.get(new).status_code == 403


def test_web_flow(client, hill, session):
    score_url = reverse("improve:session_score", args=[hill.school.slug, session.pk])
    client.force_login(hill.teacher)
    item = session.items.first()
    response = client.post(score_url, {"item": item.pk, "value": "3"})
    assert response.status_code == 302
    response = client.post(score_url, {"item": item.pk, "value": "=1+1"}, follow=True)
    assert b"Choose one of the scale" in response.content
    assert ModerationScore.objects.filter(item=item).count() == 1
    client.force_login(hill.admin)
    new = reverse("improve:moderation_new", args=[hill.school.slug])
    response = client.get(new, {"competency": hill.competencies[0].pk})
    assert response.status_code == 200
    response = client.post(new, {"competency": hill.competencies[0].pk, "title": ""})
    assert response.status_code == 400 and b"Give the session a title" in response.content
    close = reverse("improve:session_close", args=[hill.school.slug, session.pk])
    assert client.post(close).status_code == 302
    assert client.post(close).status_code == 409
    listing = reverse("improve:moderation", args=[hill.school.slug])
    assert b"Lab reports, autumn" in client.get(listing).content

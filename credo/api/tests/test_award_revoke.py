"""POST /api/schools/{slug}/students/{id}/credits/{credit}/revoke: registrars, with a reason."""

from credo.core.models import AuditEvent
from credo.mastery import bulk
from credo.mastery.models import CreditAward


def post(client, token, path, body):
    return client.post(
        f"/api{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def state():
    return (
        sorted(CreditAward.objects.values_list("id", "revoked_at", "revoke_reason")),
        AuditEvent.objects.count(),
    )


def test_a_registrars_token_revokes_an_award(client, world):
    hill, s1 = world["hill"], world["hill"].students[0]
    credit = hill.credits["all"]
    path = f"/schools/hill/students/{s1.pk}/credits/{credit.pk}/revoke"
    response = post(client, world["tokens"]["registrar"], path, {"reason": "Entered in error"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == credit.code and body["revoke_reason"] == "Entered in error"
    assert body["revoked_at"]
    assert not CreditAward.objects.filter(
        student=s1, credit=credit, revoked_at__isnull=True
    ).exists()
    assert bulk.check() == []
    again = post(client, world["tokens"]["registrar"], path, {"reason": "again"})
    assert again.status_code == 404


def test_others_are_refused_and_nothing_changes(client, world):
    hill, s1 = world["hill"], world["hill"].students[0]
    path = f"/schools/hill/students/{s1.pk}/credits/{hill.credits['all'].pk}/revoke"
    before = state()
    assert post(client, world["tokens"]["admin"], path, {"reason": "x"}).status_code == 403
    assert post(client, world["tokens"]["teacher"], path, {"reason": "x"}).status_code == 403
    assert post(client, world["tokens"]["dale_admin"], path, {"reason": "x"}).status_code == 404
    assert post(client, "not-a-token", path, {"reason": "x"}).status_code == 401
    blank = post(client, world["tokens"]["registrar"], path, {"reason": ""})
    assert blank.status_code == 422 and blank.json()["error"]
    assert state() == before

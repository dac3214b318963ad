"""The graduate profile in setup: who may list, add, edit and retire outcomes and link credits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from credo.core.errors import NotAllowed, ValidationError
from credo.core.models import AuditEvent
from credo.frameworks import services
from credo.frameworks.access import access_outcome, can_manage_outcomes
from credo.frameworks.models import Outcome

pytestmark = pytest.mark.django_db


def _outcome(small, code="GP1", title="Communicates clearly"):
    return services.outcome_save(
        actor=small.registrar,
        school=small.school,
        framework=small.framework,
        code=code,
        title=title,
    )


def test_only_admins_and_registrars_manage_the_profile(hill, dale):
    assert can_manage_outcomes(hill.registrar, hill.school)
    assert can_manage_outcomes(hill.admin, hill.school)
    for someone in (hill.teacher, hill.students[0].user, dale.registrar):
        assert not can_manage_outcomes(someone, hill.school)
        with pytest.raises(NotAllowed):
            services.outcome_save(
                actor=someone,
                school=hill.school,
                framework=hill.framework,
                code="X",
                title="X",
            )
    outcome = _outcome(hill)
    for someone in (hill.teacher, dale.registrar):
        with pytest.raises(NotAllowed):
            services.outcome_retire(actor=someone, outcome=outcome)
        with pytest.raises(NotAllowed):
            services.outcome_credits_set(actor=someone, outcome=outcome, credits=[])
    from django.http import Http404

    with pytest.raises(Http404):
        access_outcome(user=dale.registrar, school=dale.school, outcome_id=outcome.pk)
    with pytest.raises(Http404):
        access_outcome(user=hill.teacher, school=hill.school, outcome_id=outcome.pk)


def test_credits_of_another_school_are_refused(hill, dale):
    outcome = _outcome(hill)
    with pytest.raises(ValidationError):
        services.outcome_credits_set(
            actor=hill.registrar, outcome=outcome, credits=[dale.credits["all"]]
        )
    assert not outcome.credits.exists()


def test_retire_and_restore_are_audited(hill):
    outcome = _outcome(hill)
    services.outcome_retire(actor=hill.registrar, outcome=outcome)
    outcome.refresh_from_db()
    assert outcome.retired_on == hill.school.today()
    services.outcome_retire(actor=hill.registrar, outcome=outcome, retired=False)
    outcome.refresh_from_db()
    assert outcome.retired_on is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="outcome.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["outcome.restored", "outcome.retired", "outcome.saved"]


def test_pages_list_add_edit_link_and_retire(client, hill, dale):
    slug = hill.school.slug
    listing = reverse("web:manage_outcomes", args=[slug])
    client.force_login(hill.teacher)
    assert client.get(listing).status_code == 403
    client.force_login(hill.registrar)
    assert "No outcomes yet." in client.get(listing).content.decode()
    new = reverse("web:manage_outcome_new", args=[slug])
    bad = client.post(new, {"framework": hill.framework.pk, "code": "", "title": ""})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    hostile = client.post(
        new,
        {
            "framework": hill.framework.pk,
            "code": "GP1",
            "title": "Reasons",
            "credits": [dale.credits["all"].pk],
        },
    )
    assert hostile.status_code == 200 and not Outcome.objects.exists()
    done = client.post(
        new,
        {
            "framework": hill.framework.pk,
            "code": "GP1",
            "title": "Reasons with evidence",
            "credits": [hill.credits["all"].pk, hill.credits["advanced"].pk],
        },
    )
    assert done.status_code == 302
    outcome = Outcome.objects.get()
    assert set(outcome.credits.all()) == {hill.credits["all"], hill.credits["advanced"]}
    edit = reverse("web:manage_outcome", args=[slug, outcome.pk])
    assert (
        client.post(
            edit,
            {"framework": hill.framework.pk, "code": "GP1", "title": "Reasons", "credits": []},
        ).status_code
        == 302
    )
    outcome.refresh_from_db()
    assert outcome.title == "Reasons" and not outcome.credits.exists()
    assert client.post(edit, {"action": "retire"}).status_code == 302
    outcome.refresh_from_db()
    assert outcome.retired_on is not None
    assert "Retired" in client.get(listing).content.decode()
    # Another school's manager finds nothing at that address.
    client.force_login(dale.registrar)
    assert (
        client.get(reverse("web:manage_outcome", args=[dale.school.slug, outcome.pk])).status_code
        == 404
    )

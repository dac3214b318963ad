"""The demo schools run the educator framework: records, evidence, an observation with a revision,
a growth plan, a mentored new hire and one micro-credential with its signed badge — and the
engine's bulk path agrees with what the services wrote."""

import pytest

from credo.credentials.models import IssuedCredential
from credo.demo import loader as demo
from credo.growth.models import Educator, GrowthPlan, Observation, Support
from credo.mastery import bulk
from credo.mastery.models import CreditAward


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo.load_demo(seed=7, students_per_school=8)
        yield
        demo.reset_demo()


def test_every_demo_school_has_educators_growing(loaded, db):
    schools = demo.demo_school_ids()
    assert schools
    for school_id in schools:
        educators = Educator.objects.filter(school_id=school_id)
        assert educators.count() == 3
        assert Observation.objects.filter(school_id=school_id).count() >= 3
        assert GrowthPlan.objects.filter(school_id=school_id).exists()
        assert Support.objects.filter(school_id=school_id, kind="mentor").exists()
        from credo.evidence.models import Evidence

        revisions = Evidence.objects.filter(
            school_id=school_id, student__kind="educator", responds_to__isnull=False
        )
        assert revisions.count() == 1
        award = CreditAward.objects.get(school_id=school_id, student__kind="educator")
        assert award.review is not None and award.credit.code == "MC-FEEDBACK"
        assert IssuedCredential.objects.filter(award=award).exists()
    assert bulk.check(schools) == []

from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "credo.growth"
    label = "growth"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credo.accounts.models import LearnerKind
        from credo.growth import access
        from credo.mastery.access import LEARNER_ASSESSORS

        # mastery asks growth who may assess an educator's own learner record
        LEARNER_ASSESSORS[LearnerKind.EDUCATOR] = access.can_observe_on

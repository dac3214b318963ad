import json

from django.core.management.base import BaseCommand

from credo.core.management.base import schools_from_option
from credo.mastery import bulk


class Command(BaseCommand):
    help = (
        "Recompute every mastery state, credit progress and graduation status from the assessments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", help="slug of one school (default: every school)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, school=None, json=False, **options):
        school_ids = schools_from_option(school)
        result = bulk.recompute(school_ids)
        figures = {
            "schools": len(school_ids),
            "assessments": result.assessments,
            "states": len(result.states),
            "credit_progress": len(result.credits),
            "new_awards": len(result.new_awards),
            **{k: round(v, 3) for k, v in result.timings.items()},
        }
        if json:
            self.stdout.write(_json(figures))
            return
        self.stdout.write(
            f"Recomputed {figures['states']} mastery states from {figures['assessments']} assessments, "
            f"{figures['credit_progress']} credit progress rows, {figures['new_awards']} new awards "
            f"(load {figures['load_s']}s, compute {figures['compute_s']}s, credits {figures['credits_s']}s, "
            f"write {figures['write_s']}s)."
        )


def _json(data) -> str:
    return json.dumps(data, indent=2)

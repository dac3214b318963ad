"""`credo credit retire`: retire a credit for the classes after one, as a previewed change.

    credo credit retire --school SLUG --credit CODE --last-cohort YEAR --reason TEXT --by USERNAME
                        [--confirm FINGERPRINT] [--reach-protected]

Without `--confirm` nothing is written: the command prints what retiring would change, class by
class, and the fingerprint to confirm it with. Run it again with `--confirm` to apply exactly
that effect; `--reach-protected` is needed too when a class in its final year (or with published
transcripts) is reached.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from credo.accounts.models import User
from credo.mastery import services
from credo.mastery.changes import NeedsConfirmation, describe
from credo.mastery.models import MasteryCredit
from credo.schools.models import School


class Command(BaseCommand):
    help = "Retire a mastery credit for later classes (registrars), previewing the effect first."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{retire}")
        retire = sub.add_parser("retire", help="retire a credit after a class")
        retire.add_argument("--school", required=True, help="slug of the school")
        retire.add_argument("--credit", required=True, help="code of the credit")
        retire.add_argument(
            "--last-cohort", type=int, required=True, help="last class (graduation year) to earn it"
        )
        retire.add_argument("--reason", required=True, help="why it is retired")
        retire.add_argument("--by", required=True, help="username of the registrar")
        retire.add_argument("--confirm", default="", help="the fingerprint a preview printed")
        retire.add_argument(
            "--reach-protected",
            action="store_true",
            help="also change classes in their final year or with published transcripts",
        )

    def handle(self, *args, action, school, credit, last_cohort, reason, by, confirm, **options):
        target = School.objects.filter(slug=school).first()
        if target is None:
            raise CommandError(f"--school {school}: no such school.")
        found = MasteryCredit.objects.filter(school=target, code=credit).first()
        if found is None:
            raise CommandError(f"--credit {credit}: no such credit in {target}.")
        registrar = User.objects.filter(username=by).first()
        if registrar is None:
            raise CommandError(f"--by {by}: no such user.")
        try:
            services.credit_retire(
                actor=registrar,
                credit=found,
                last_cohort=last_cohort,
                reason=reason,
                confirm=confirm,
                reach_protected=options["reach_protected"],
            )
        except NeedsConfirmation as exc:
            self.stdout.write(describe(exc.effect))
            raise CommandError(
                " ".join(exc.messages)
                + f" Nothing was written. To apply: --confirm {exc.effect.fingerprint}"
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Retired {found.code} after the class of {last_cohort}.")

"""`credo award revoke`: a registrar revokes a student's award of a credit, with a reason.

    credo award revoke --student ID --credit CODE --reason TEXT --by USERNAME

The award stays in the record, marked revoked; the credit is not awarded again automatically;
published transcripts are not changed but note the revocation; the student's graduation status is
recomputed. `--by` names the registrar who revokes (the audit log records them).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from credo.accounts.models import Student, User
from credo.mastery import services
from credo.mastery.models import CreditAward


class Command(BaseCommand):
    help = "Revoke a student's award of a mastery credit, with a reason (registrars)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{revoke}")
        revoke = sub.add_parser("revoke", help="revoke an award, with a reason")
        revoke.add_argument("--student", type=int, required=True, help="id of the student")
        revoke.add_argument("--credit", required=True, help="code of the credit")
        revoke.add_argument("--reason", required=True, help="why it is revoked (kept with it)")
        revoke.add_argument("--by", required=True, help="username of the registrar who revokes it")

    def handle(self, *args, action, student, credit, reason, by, **options):
        pupil = Student.objects.filter(pk=student).select_related("school").first()
        if pupil is None:
            raise CommandError(f"--student {student}: no such student.")
        registrar = User.objects.filter(username=by).first()
        if registrar is None:
            raise CommandError(f"--by {by}: no such user.")
        award = (
            CreditAward.objects.filter(student=pupil, credit__code=credit, revoked_at__isnull=True)
            .select_related("credit")
            .first()
        )
        if award is None:
            raise CommandError(f"{pupil} (student {pupil.pk}) holds no award of a credit {credit}.")
        try:
            award = services.credit_award_revoke(actor=registrar, award=award, reason=reason)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Revoked {award.credit.code} ({award.credit}) of {pupil}, awarded {award.awarded_on}: "
            f"{award.revoke_reason}"
        )

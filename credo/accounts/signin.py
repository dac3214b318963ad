"""django-axes wiring: how failed sign-ins are counted, and the audit of each lockout.

Failures are counted per username and per address (AXES_LOCKOUT_PARAMETERS). A school's pupils
and staff often share one public address, so an address may fail CREDO_SIGNIN_ADDRESS_FACTOR
times as often as one account before it is locked: five wrong passwords lock an account, fifty
from one address lock the address.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Max, Sum

ADDRESS_FACTOR = getattr(settings, "CREDO_SIGNIN_ADDRESS_FACTOR", 10)


class SigninAttemptHandler(AxesDatabaseHandler):
    """axes' database handler, with the per-address count scaled down by ADDRESS_FACTOR."""

    def get_failures(self, request, credentials=None) -> int:
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        counts = []
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            counts.append(failures // ADDRESS_FACTOR if parameter == "ip_address" else failures)
        return max(counts, default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """On a successful sign-in forget that account's failures, not the address's: signing in
        to one's own account must not clear the count of guesses made from there at others."""
        from axes.helpers import get_client_username
        from axes.models import AccessAttempt

        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_state(user) -> dict | None:
    """Return {"failures", "last_at"} when `user`'s account is locked out now; else None."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.utils import timezone

    rows = AccessAttempt.objects.filter(username=user.username)
    cool_off = get_cool_off()
    if cool_off is not None:
        rows = rows.filter(attempt_time__gte=timezone.now() - cool_off)
    found = rows.aggregate(failures=Sum("failures_since_start"), last_at=Max("attempt_time"))
    if (found["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    if cool_off is not None:
        found["until"] = found["last_at"] + cool_off
    return found


def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from credo.accounts.services import signin_lockout_record

    signin_lockout_record(username=username or "", ip_address=ip_address)


def connect() -> None:
    """Audit every lockout django-axes makes (called once, from AccountsConfig.ready)."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_audit_lockout, dispatch_uid="credo-signin-locked-out")


class SigninLockoutBackend(AxesStandaloneBackend):
    """axes' backend, for sign-ins that come from a request (every sign-in over the network).

    `authenticate()` called without a request (the test client's `login`, a management command)
    is not a network sign-in: nothing to count or refuse, so the other backends decide.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

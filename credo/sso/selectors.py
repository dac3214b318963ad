"""Reads: a school's identity providers, the ones the sign-in page offers, and who on a school's
roster a sign-in stands for."""

from django.db.models import Q

from credo.accounts.models import Membership, Student, User
from credo.sso.claims import Asserted
from credo.sso.models import IdentityProvider


def providers_of_school(school):
    return IdentityProvider.objects.filter(school=school).order_by("name", "id")


def providers_for_signin():
    """Return the enabled providers of every school, for the sign-in page's buttons."""
    return list(
        IdentityProvider.objects.filter(enabled=True)
        .select_related("school")
        .only("id", "name", "kind", "school__name", "school__slug")
        .order_by("school__name", "name", "id")
    )


class NotOnRoster(Exception):
    """Nobody on the school's roster matches; the message says why, in words for the person."""


def roster_person(provider: IdentityProvider, asserted: Asserted) -> User:
    """Return the active user of `provider.school` that the asserted identifier names.

    The roster's sourcedId (OneRoster user, student or membership) is tried first, then the
    verified e-mail address, which must lie within the provider's domains. Exactly one person
    must match, and that person must hold a role or a student record in the school.
    """
    from credo.interop.models import SourceLink

    school = provider.school
    members = Q(memberships__school=school) | Q(student__school=school)
    people = User.objects.filter(members, is_active=True).distinct()
    if asserted.sourced_id:
        ids = set(
            SourceLink.objects.filter(
                school=school, system="oneroster", kind="user", source_id=asserted.sourced_id
            ).values_list("object_id", flat=True)
        )
        ids |= set(
            Student.objects.filter(school=school, source_id=asserted.sourced_id)
            .exclude(user=None)
            .values_list("user_id", flat=True)
        )
        ids |= set(
            Membership.objects.filter(school=school, source_id=asserted.sourced_id).values_list(
                "user_id", flat=True
            )
        )
        found = list(people.filter(pk__in=ids)[:2])
        if len(found) == 1:
            return _within_school(provider, found[0])
        if len(found) > 1:
            raise NotOnRoster(
                f"More than one person at {school} has that roster identifier; ask the school "
                "office to correct the roster."
            )
    if asserted.email:
        domain = asserted.email.rpartition("@")[2]
        if domain not in provider.domain_list():
            raise NotOnRoster(
                f"{provider.name} signs in addresses at {', '.join(provider.domain_list())} "
                f"only, and yours is at {domain}."
            )
        found = list(people.filter(email__iexact=asserted.email)[:2])
        if len(found) == 1:
            return _within_school(provider, found[0])
        if len(found) > 1:
            raise NotOnRoster(
                f"More than one person at {school} has the address {asserted.email}; ask the "
                "school office to correct the roster."
            )
        raise NotOnRoster(
            f"Nobody on {school}'s roster has the address {asserted.email}. Credo does not make "
            "accounts at sign-in: ask the school office to add you to the roster."
        )
    if asserted.why_no_email:
        raise NotOnRoster(f"{provider.name} gave an address, but {asserted.why_no_email}.")
    raise NotOnRoster(
        f"{provider.name} did not say who you are in a way Credo can match to {school}'s roster "
        "(a verified e-mail address or a roster identifier)."
    )


def _within_school(provider: IdentityProvider, user: User) -> User:
    """Return `user` when the provider's school is the only one they belong to.

    A school's provider is configured by that school's admins: it must not open the account of
    someone who also holds a role or a record in another school, nor a superuser's. Such people
    sign in with their password or a sign-in link."""
    elsewhere = (
        Membership.objects.filter(user=user).exclude(school=provider.school_id).exists()
        or Student.objects.filter(user=user).exclude(school=provider.school_id).exists()
    )
    if user.is_superuser or elsewhere:
        raise NotOnRoster(
            f"Your account reaches beyond {provider.school}, so {provider.name} cannot sign you "
            "in: use your password or ask the school office for a sign-in link."
        )
    return user


def password_signin_refused(user) -> str:
    """Return why `user` may not sign in with a password (a student of a school that turned it
    off), or ""."""
    from credo.accounts.models import Role

    school = (
        Membership.objects.filter(
            user=user, role=Role.STUDENT, school__students_password_signin=False
        )
        .select_related("school")
        .first()
    )
    if school is None:
        return ""
    return (
        f"Students of {school.school} sign in with the school's account: use the “Sign in with "
        "…” button below."
    )

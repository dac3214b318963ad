"""Writes about people: students, memberships and guardian links."""

from django.db import transaction

from credo.accounts.access import require_manage_setup, roles_in
from credo.accounts.events import (
    GUARDIAN_LINKED,
    MEMBERSHIP_CHANGED,
    PERSON_CREATED,
    PERSON_PASSWORD_SET,
    PERSON_RECOVERY_CODE_USED,
    PERSON_RECOVERY_CODES_RENEWED,
    PERSON_SIGNIN_LINK_CREATED,
    PERSON_TWO_FACTOR_DISABLED,
    PERSON_TWO_FACTOR_ENABLED,
    PERSON_TWO_FACTOR_RESET,
    SIGNIN_LOCKED_OUT,
    SIGNIN_LOCKOUT_LIFTED,
    STUDENT_CREATED,
    STUDENT_UPDATED,
)
from credo.accounts.models import MANAGER_ROLES, GuardianLink, Membership, Role, Student
from credo.core.audit import Event, audit_record, snapshot
from credo.core.errors import NotAllowed, ValidationError, refuse


def student_create(
    *,
    actor,
    school,
    given_name: str,
    family_name: str,
    student_number: str,
    graduation_year: int,
    user=None,
    advisor=None,
    preferred_name: str = "",
    source_id: str = "",
) -> Student:
    """Create a student (and their student role when they have an account) with an empty record."""
    from credo.mastery import engine

    require_manage_setup(actor, school, "change people's records")
    if advisor is not None and not roles_in(advisor, school):
        refuse("advisor", f"{advisor} holds no role in {school}.")
    student = Student(
        school=school,
        given_name=given_name,
        family_name=family_name,
        preferred_name=preferred_name,
        student_number=student_number,
        graduation_year=graduation_year,
        user=user,
        advisor=advisor,
        source_id=source_id,
    )
    student.full_clean()
    with transaction.atomic():
        student.save()
        if user is not None:
            Membership.objects.get_or_create(school=school, user=user, role=Role.STUDENT)
        engine.refresh_graduation(student)
        audit_record(
            actor=actor,
            school=school,
            action=STUDENT_CREATED,
            target=student,
            after=snapshot(student),
        )
    return student


def guardian_link(*, actor, student, guardian, relationship: str = "") -> GuardianLink:
    require_manage_setup(actor, student.school, "change people's records")
    with transaction.atomic():
        Membership.objects.get_or_create(school=student.school, user=guardian, role=Role.GUARDIAN)
        link, created = GuardianLink.objects.get_or_create(
            school=student.school,
            guardian=guardian,
            student=student,
            defaults={"relationship": relationship},
        )
        if created:
            audit_record(
                actor=actor,
                school=student.school,
                action=GUARDIAN_LINKED,
                target=link,
                after={"guardian": guardian.pk, "student": student.pk},
            )
    return link


def person_create(
    *,
    actor,
    school,
    username: str,
    display_name: str,
    email: str = "",
    roles=(),
    password: str = "",
):
    """Create a sign-in account holding `roles` in `school`. Without a password the account
    cannot sign in until one is set (e.g. by an invitation)."""
    from credo.accounts.models import Role, User

    require_manage_setup(actor, school, "change people's records")
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    roles = list(dict.fromkeys(roles))
    if not username:
        errors["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"The username {username} is taken."]
    if not (display_name or "").strip():
        errors["display_name"] = ["Give the person's name as it should appear."]
    bad_roles = [r for r in roles if r not in Role.values]
    if bad_roles or not roles:
        errors["roles"] = ["Choose at least one role."]
    if password and len(password) < 8:
        errors["password"] = ["Use at least 8 characters."]
    if errors:
        raise ValidationError(errors)
    user = User(username=username, display_name=display_name.strip(), email=(email or "").strip())
    user.full_clean(exclude=["password"])
    with transaction.atomic(durable=True):
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        for role in roles:
            Membership.objects.create(school=school, user=user, role=role)
        audit_record(
            actor=actor,
            school=school,
            action=PERSON_CREATED,
            target=user,
            after={"username": username, "display_name": user.display_name, "roles": roles},
        )
    return user


def memberships_set(*, actor, school, user, roles) -> list[str]:
    """Give `user` exactly `roles` in `school` (their student record, if any, is kept)."""
    from credo.accounts.models import Role

    require_manage_setup(actor, school, "change people's records")
    roles = set(roles)
    if not roles <= set(Role.values):
        refuse("roles", "Choose roles from the list.")
    if actor is not None and user.pk == actor.pk and not (roles & MANAGER_ROLES):
        refuse("roles", "You cannot remove your own admin or registrar role.")
    with transaction.atomic(durable=True):
        have = set(
            Membership.objects.filter(school=school, user=user).values_list("role", flat=True)
        )
        Membership.objects.filter(school=school, user=user, role__in=have - roles).delete()
        for role in sorted(roles - have):
            Membership.objects.create(school=school, user=user, role=role)
        if have != roles:
            audit_record(
                actor=actor,
                school=school,
                action=MEMBERSHIP_CHANGED,
                target=user,
                before={"roles": sorted(have)},
                after={"roles": sorted(roles)},
            )
    user.__dict__.pop("_credo_roles", None)
    return sorted(roles)


def student_update(
    *,
    actor,
    student: Student,
    given_name: str,
    family_name: str,
    preferred_name: str = "",
    graduation_year: int,
    advisor=None,
    active: bool = True,
) -> Student:
    """Change a student's name, cohort, advisor or whether they are active."""
    from credo.accounts.models import Role
    from credo.mastery import engine

    require_manage_setup(actor, student.school, "change people's records")
    if advisor is not None and Role.ADVISOR not in roles_in(advisor, student.school):
        refuse("advisor", f"{advisor} is not an advisor in this school.")
    before = snapshot(student)
    student.given_name, student.family_name = (
        (given_name or "").strip(),
        (family_name or "").strip(),
    )
    student.preferred_name, student.graduation_year = (
        (preferred_name or "").strip(),
        graduation_year,
    )
    student.advisor, student.active = advisor, bool(active)
    student.full_clean()
    with transaction.atomic(durable=True):
        student.save()
        if before["graduation_year"] != student.graduation_year:
            engine.refresh_graduation(student)
        audit_record(
            actor=actor,
            school=student.school_id,
            action=STUDENT_UPDATED,
            target=student,
            before=before,
            after=snapshot(student),
        )
    return student


def student_enrol(
    *,
    actor,
    school,
    given_name: str,
    family_name: str,
    student_number: str,
    graduation_year: int,
    preferred_name: str = "",
    advisor=None,
    username: str = "",
    password: str = "",
) -> Student:
    """Create a student, with a sign-in account when `username` is given, in one transaction."""
    from credo.accounts.models import Role, User

    require_manage_setup(actor, school, "change people's records")
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"The username {username} is taken."]
    if password and not username:
        errors["password"] = ["A password needs a username."]
    elif password and len(password) < 8:
        errors["password"] = ["Use at least 8 characters."]
    if Student.objects.filter(
        school=school, student_number=(student_number or "").strip()
    ).exists():
        errors["student_number"] = [f"Another student already has the number {student_number}."]
    if advisor is not None and Role.ADVISOR not in roles_in(advisor, school):
        errors["advisor"] = [f"{advisor} is not an advisor in this school."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        user = None
        if username:
            user = User(
                username=username,
                display_name=f"{preferred_name or given_name} {family_name}".strip(),
            )
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
        return student_create(
            actor=actor,
            school=school,
            given_name=(given_name or "").strip(),
            family_name=(family_name or "").strip(),
            student_number=student_number.strip(),
            graduation_year=graduation_year,
            user=user,
            advisor=advisor,
            preferred_name=(preferred_name or "").strip(),
        )


# --- signing in -------------------------------------------------------------------------------


def signin_link_create(*, actor, school, user) -> tuple[str, bool]:
    """Return (path, emailed): a one-time link with which `user` chooses their own password.

    For people added by hand or imported from a roster, who have no password yet, and for anyone
    who has lost theirs. The link stops working once it is used, once the password changes any
    other way, or after `PASSWORD_RESET_TIMEOUT` (seven days). It is e-mailed when the person has
    an address; the admin may also hand it over themselves.
    """
    require_manage_setup(actor, school, "change people's records")
    if not Membership.objects.filter(school=school, user=user).exists():
        raise NotAllowed(f"{user} holds no role in {school}.")
    if not user.is_active:
        refuse(None, f"{user}'s account is switched off; switch it on before sending a link.")
    path = signin_link_path(user)
    emailed = bool(user.email)
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor,
            school=school,
            action=PERSON_SIGNIN_LINK_CREATED,
            target=user,
            after={"emailed_to": user.email if emailed else ""},
        )
    if emailed:
        signin_link_send(user=user, path=path, school=school)
    return path, emailed


def signin_link_path(user) -> str:
    """Return the path of a one-time link with which `user` chooses their password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("web:set_password", args=[uid, default_token_generator.make_token(user)])


def signin_link_send(*, user, path: str, school=None) -> None:
    """E-mail `user` the link at `path` (absolute through `CREDO_BASE_URL`)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"user": user, "url": settings.CREDO_BASE_URL.rstrip("/") + path, "school": school}
    send_mail(
        subject=render_to_string("web/accounts/signin_link_subject.txt", context).strip(),
        message=render_to_string("web/accounts/signin_link_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def password_set(*, user, form) -> None:
    """Save the password a person chose through a sign-in link; audited in every school they belong to."""
    with transaction.atomic(durable=True):
        form.save()
        for school_id in (
            Membership.objects.filter(user=user).values_list("school_id", flat=True).distinct()
        ):
            audit_record(actor=user, school=school_id, action=PERSON_PASSWORD_SET, target=user)


# --- sign-in security: lockouts and the second factor -------------------------------------------

RECOVERY_CODES = 10


def _audit_person(*, actor, user, action: Event, after: dict | None = None) -> None:
    """Audit `action` about `user` in every school they belong to (once, school-less, if none)."""
    school_ids: list[int | None] = list(
        Membership.objects.filter(user=user).values_list("school_id", flat=True).distinct()
    )
    for school_id in school_ids or [None]:
        audit_record(actor=actor, school=school_id, action=action, target=user, after=after)


def signin_lockout_record(*, username: str, ip_address: str | None) -> None:
    """Audit that django-axes locked out `username` (or the address) after repeated failures."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from credo.accounts.models import User
    from credo.core.models import AuditEvent

    user = User.objects.filter(username=username).first() if username else None
    target = ("accounts.user", str(user.pk)) if user else ("address", ip_address or "")
    # axes reports the lockout again at every refused attempt; one event per lockout is enough.
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME or 24)
    if AuditEvent.objects.filter(
        action=SIGNIN_LOCKED_OUT, target_type=target[0], target_id=target[1], at__gte=since
    ).exists():
        return
    with transaction.atomic():
        if user is None:
            audit_record(
                actor=None,
                school=None,
                action=SIGNIN_LOCKED_OUT,
                target_type="address",
                target_id=ip_address or "",
                after={"username": username or "", "ip_address": ip_address or ""},
            )
        else:
            _audit_person(
                actor=None,
                user=user,
                action=SIGNIN_LOCKED_OUT,
                after={"ip_address": ip_address or ""},
            )


def signin_lockout_lift(*, actor, school, user) -> int:
    """Lift the lockout of `user`'s account (failed sign-ins are forgotten); return how many
    recorded failures were removed. Audited in `school`."""
    from axes.utils import reset

    require_manage_setup(actor, school, "change how people sign in")
    if not Membership.objects.filter(school=school, user=user).exists():
        raise NotAllowed(f"{user} holds no role in {school}.")
    with transaction.atomic(durable=True):
        removed = reset(username=user.username)
        audit_record(
            actor=actor,
            school=school,
            action=SIGNIN_LOCKOUT_LIFTED,
            target=user,
            after={"failures_removed": removed},
        )
    return removed


def two_factor_enable(*, user, key: str, code: str, name: str = "Authenticator app"):
    """Give `user` a confirmed TOTP device with `key` (40 hex digits) once `code` shows their app
    holds it, and fresh recovery codes, replacing any they had; return (device, codes): the
    codes are shown once."""
    from binascii import unhexlify

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        secret = unhexlify(key or "")
    except ValueError:
        secret = b""
    if len(secret) != 20:
        refuse("key", "The set-up key is not valid; start the set-up again.")
    code = "".join((code or "").split())
    totp = TOTP(secret, step=30, digits=6, drift=0)
    if not (code.isdigit() and len(code) == 6 and totp.verify(int(code), tolerance=1)):
        refuse("code", "That code does not match. Type the 6 digits your app shows now.")
    with transaction.atomic(durable=True):
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=name, key=key, confirmed=True, last_t=totp.t()
        )
        codes = _recovery_codes_replace(user)
        user.two_factor_enabled = True
        user.save(update_fields=["two_factor_enabled"])
        _audit_person(actor=user, user=user, action=PERSON_TWO_FACTOR_ENABLED)
    return device, codes


def _recovery_codes_replace(user) -> list[str]:
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    # Ten groups of 4+4 lower-case letters and digits (41 bits each): easy to type from paper.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = [
        "".join(secrets.choice(alphabet) for _ in range(4))
        + "-"
        + "".join(secrets.choice(alphabet) for _ in range(4))
        for _ in range(RECOVERY_CODES)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def two_factor_recovery_codes_renew(*, user) -> list[str]:
    """Replace `user`'s recovery codes with new ones (the old ones stop working); return them."""
    if not user.two_factor_enabled:
        refuse(None, "Set up two-step sign-in first.")
    with transaction.atomic(durable=True):
        codes = _recovery_codes_replace(user)
        _audit_person(actor=user, user=user, action=PERSON_RECOVERY_CODES_RENEWED)
    return codes


def two_factor_required_for(user) -> bool:
    """Return whether a school `user` is an admin or registrar of requires a second factor."""
    return Membership.objects.filter(
        user=user, role__in=MANAGER_ROLES, school__two_factor_required=True
    ).exists()


def _two_factor_remove(user) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.two_factor_enabled = False
    user.save(update_fields=["two_factor_enabled"])


def two_factor_disable(*, user) -> None:
    """Turn off `user`'s own second factor, unless a school of theirs requires it."""
    if two_factor_required_for(user):
        refuse(
            None,
            "Your school requires two-step sign-in for admins and registrars, so it stays on. "
            "You can set it up again on a new phone instead.",
        )
    with transaction.atomic(durable=True):
        _two_factor_remove(user)
        _audit_person(actor=user, user=user, action=PERSON_TWO_FACTOR_DISABLED)


def two_factor_reset(*, actor, school, user) -> None:
    """Remove the second factor of a person who lost it (a school admin or registrar acts); they
    sign in with their password alone and, where it is required, set up a new one at once."""
    require_manage_setup(actor, school, "change how people sign in")
    if not Membership.objects.filter(school=school, user=user).exists():
        raise NotAllowed(f"{user} holds no role in {school}.")
    if user.is_superuser and not actor.is_superuser:
        raise NotAllowed("Only a superuser may reset a superuser's two-step sign-in.")
    with transaction.atomic(durable=True):
        _two_factor_remove(user)
        audit_record(actor=actor, school=school, action=PERSON_TWO_FACTOR_RESET, target=user)


def recovery_code_used(*, user) -> None:
    """Audit that `user` signed in with one of their recovery codes (it is used up)."""
    with transaction.atomic():
        _audit_person(actor=user, user=user, action=PERSON_RECOVERY_CODE_USED)

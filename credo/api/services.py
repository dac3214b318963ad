"""Writes about API tokens: create one (the secret is returned once, never stored) and revoke it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES, Role
from credo.api.events import API_TOKEN_CREATED, API_TOKEN_REVOKED
from credo.api.models import ApiToken, Scope, hash_token
from credo.core.audit import audit_record, audit_stamp
from credo.core.errors import NotAllowed, refuse

MAX_DAYS = 366


def scopes_allowed(user, school) -> list[str]:
    """Return the scopes `user` may put on a token for `school`: a token never exceeds its maker's roles."""
    roles = roles_in(user, school)
    allowed = [Scope.READ.value] if roles else []
    if roles & (MANAGER_ROLES | {Role.TEACHER}):
        allowed.append(Scope.WRITE_ASSESSMENTS.value)
    if roles & MANAGER_ROLES:
        allowed.append(Scope.ADMIN.value)
    return allowed


def token_create(
    *, actor, school, name: str, scopes: list[str], days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a token for `actor` in `school`; return it with its secret (shown to the person once)."""
    allowed = scopes_allowed(actor, school)
    if not allowed:
        raise NotAllowed("You hold no role in this school.")
    name = (name or "").strip()
    if not name:
        refuse("name", "Name the token after the program that will use it.")
    scopes = sorted(set(scopes or []))
    if not scopes:
        refuse("scopes", "Choose at least one scope.")
    for scope in scopes:
        if scope not in Scope.values:
            refuse("scopes", f"“{scope}” is not a scope.")
        if scope not in allowed:
            refuse("scopes", f"Your role in {school} does not allow the scope “{scope}”.")
    if days is not None and not 1 <= days <= MAX_DAYS:
        refuse("days", f"A token lasts from 1 to {MAX_DAYS} days.")
    prefix = secrets.token_hex(4)
    secret = f"credo_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        school=school,
        user=actor,
        name=name[:100],
        prefix=prefix,
        key_hash=hash_token(secret),
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    token.full_clean()
    with transaction.atomic(durable=True):
        token.save()
        audit_record(
            actor=actor,
            school=school,
            action=API_TOKEN_CREATED,
            target=token,
            after={
                "name": token.name,
                "prefix": prefix,
                "scopes": scopes,
                "expires_at": token.expires_at,
            },
        )
    return token, secret


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner may, and so may the school's admins and registrars."""
    if token.user_id != actor.pk and not (roles_in(actor, token.school_id) & MANAGER_ROLES):
        raise NotAllowed("Only the token's owner or a school admin may revoke it.")
    if token.revoked_at is not None:
        refuse(None, "That token has already been revoked.")
    with transaction.atomic(durable=True):
        audit_stamp(token, "revoked", actor=actor, action=API_TOKEN_REVOKED)
    return token

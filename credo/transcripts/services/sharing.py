"""Share links: making and revoking a link to a published transcript, and recording its views."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES, Student
from credo.core.audit import audit_record, audit_stamp
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.transcripts.events import SHARE_LINK_CREATED, SHARE_LINK_REVOKED, SHARE_LINK_VIEWED
from credo.transcripts.models import ShareLink, ShareView, TranscriptVersion, ViewKind
from credo.transcripts.services.common import _is_self

MAX_LINK_DAYS = 730
DEFAULT_LINK_DAYS = 90


def _may_share(actor, student: Student) -> bool:
    return _is_self(actor, student) or bool(roles_in(actor, student.school_id) & MANAGER_ROLES)


def share_link_create(
    *, actor, version: TranscriptVersion, recipient: str, expires_on: dt.date | None = None
) -> ShareLink:
    """Create a read-only link to a published version for one recipient, valid through ``expires_on``."""
    student = version.student
    if not _may_share(actor, student):
        raise NotAllowed("Only the student or the registrar may share this transcript.")
    recipient = (recipient or "").strip()
    errors: dict[str, list[str]] = {}
    if not recipient:
        errors["recipient"] = ["Say who the link is for, e.g. the college's name."]
    elif len(recipient) > 120:
        errors["recipient"] = ["Keep the recipient under 120 characters."]
    today = timezone.localdate()
    if expires_on is None:
        expires_on = today + dt.timedelta(days=DEFAULT_LINK_DAYS)
    if not isinstance(expires_on, dt.date):
        errors["expires_on"] = ["Give the last day the link works."]
    elif expires_on < today:
        errors["expires_on"] = ["Choose a day from today on."]
    elif expires_on > today + dt.timedelta(days=MAX_LINK_DAYS):
        errors["expires_on"] = [
            f"A link can last at most {MAX_LINK_DAYS // 365} years; choose an earlier day."
        ]
    if errors:
        raise ValidationError(errors)
    # The link works through the whole of its last day, in the school's time zone.
    expires_at = timezone.make_aware(
        dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        link = ShareLink.objects.create(
            school_id=version.school_id,
            version=version,
            student=student,
            token_hash=ShareLink.hash_token(token),
            recipient=recipient,
            created_by=actor,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            school=version.school_id,
            action=SHARE_LINK_CREATED,
            target=link,
            after={"version": version.pk, "recipient": recipient, "expires_at": expires_at},
        )
    link.token = token  # shown to the student once; only its hash is kept
    return link


def share_link_revoke(*, actor, link: ShareLink) -> ShareLink:
    """Withdraw a share link at once; it then says plainly that it was withdrawn."""
    if not _may_share(actor, link.student):
        raise NotAllowed("Only the student or the registrar may withdraw this link.")
    if link.revoked_at is not None:
        refuse(None, "That link has already been withdrawn.")
    with transaction.atomic(durable=True):
        link = ShareLink.objects.select_for_update().get(pk=link.pk)
        audit_stamp(link, "revoked", actor=actor, action=SHARE_LINK_REVOKED)
    return link


def share_view_record(
    *, link: ShareLink, kind: str = ViewKind.PAGE, evidence_key: str = "", user_agent: str = ""
) -> ShareView:
    """Log one opening of a share link (an anonymous reader; the student sees the log)."""
    if kind not in ViewKind.values:
        raise ValueError(f"unknown view kind {kind!r}")
    with transaction.atomic(durable=True):
        view = ShareView.objects.create(
            school_id=link.school_id,
            link=link,
            kind=kind,
            evidence_key=evidence_key[:16],
            user_agent=(user_agent or "")[:200],
        )
        audit_record(
            actor=None,
            school=link.school_id,
            action=SHARE_LINK_VIEWED,
            target=link,
            after={"kind": kind, "evidence": evidence_key or None},
        )
    return view

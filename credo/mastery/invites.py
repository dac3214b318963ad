"""Signed, expiring invitation links for outside experts on a review panel (no account needed).

The token carries the panel seat's id and is dated when the seat was created, so the same seat
always has the same link and it expires a fixed time after the invitation, however often staff
look at it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing

SALT = "credo.review-invitation"


def max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "CREDO_REVIEW_INVITE_DAYS", 30))


class _DatedSigner(signing.TimestampSigner):
    def __init__(self, *, at: dt.datetime | None = None):
        super().__init__(salt=SALT)
        self._at = at

    def timestamp(self):
        if self._at is None:
            return super().timestamp()
        return signing.b62_encode(int(self._at.timestamp()))


def invitation_token(seat) -> str:
    """Return the signed token of a guest seat's invitation link."""
    return _DatedSigner(at=seat.invited_at).sign_object({"seat": seat.pk, "review": seat.review_id})


class InvitationExpired(Exception):
    pass


def seat_id_from_token(token: str) -> tuple[int, int]:
    """Return (seat id, review id) from a token; raise InvitationExpired or signing.BadSignature."""
    try:
        data = _DatedSigner().unsign_object(token, max_age=max_age())
    except signing.SignatureExpired as exc:
        raise InvitationExpired(str(exc)) from exc
    return int(data["seat"]), int(data["review"])


def expires_on(seat) -> dt.datetime:
    return seat.invited_at + max_age()

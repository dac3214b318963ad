"""Reads for verifiable credentials: issuer URLs and documents, credit facts, keys, statuses."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from credo.credentials import documents
from credo.credentials.models import CredentialKind, IssuedCredential, SchoolKey

_ISSUER_PATH = re.compile(r"^/issuers/(?P<slug>[-a-zA-Z0-9_]+)$")


def base_url() -> str:
    return settings.CREDO_BASE_URL.rstrip("/")


def issuer_url(school) -> str:
    """Return the school's issuer URL: its profile and controller document."""
    return base_url() + reverse("credentials:issuer", args=[school.slug])


def issuer_of(school) -> documents.Issuer:
    """Return the school as an issuer, with the profile every credential embeds."""
    return documents.Issuer(
        url=issuer_url(school),
        name=school.name,
        website=school.website,
        city=school.city,
        description=school.mission,
    )


def issuer_document(school) -> dict:
    """Return the issuer profile and controller document (every key the school ever used)."""
    keys = [
        documents.PublishedKey(
            public_key_multibase=key.public_key_multibase,
            created=key.created_at.isoformat(),
            retired=key.retired_at.isoformat() if key.retired_at else None,
        )
        for key in SchoolKey.objects.filter(school=school).order_by("created_at", "id")
    ]
    return documents.issuer_document(issuer_of(school), keys)


def keys_of(school) -> list[SchoolKey]:
    """Return the school's signing keys, newest first, with how many credentials each signed."""
    from django.db.models import Count

    return list(
        SchoolKey.objects.filter(school=school)
        .annotate(signed=Count("issued"))
        .order_by("-created_at", "-id")
    )


def school_for_issuer(issuer_id: str | None):
    """Return the school whose issuer URL is ``issuer_id`` (current or recorded), or None."""
    from credo.schools.models import School

    if not isinstance(issuer_id, str) or not issuer_id:
        return None
    parts = urlsplit(issuer_id)
    match = _ISSUER_PATH.match(parts.path)
    if match and issuer_id == base_url() + parts.path:
        school = School.objects.filter(slug=match["slug"]).first()
        if school is not None:
            return school
    # The base URL may have changed since the credential was issued.
    recorded = (
        IssuedCredential.objects.filter(issuer_id=issuer_id).values_list("school_id", flat=True)
    ).first()
    return School.objects.filter(pk=recorded).first() if recorded else None


def key_for_method(method: str) -> SchoolKey | None:
    """Return the school key a verification method ``<issuer URL>#<multibase>`` names, if ours."""
    base, _, fragment = (method or "").partition("#")
    if not fragment:
        return None
    key = SchoolKey.objects.select_related("school").filter(public_key_multibase=fragment).first()
    if key is None:
        return None
    school = school_for_issuer(base)
    return key if school is not None and school.pk == key.school_id else None


def installation_key_resolver(method: str) -> str | None:
    """Return the public key this installation holds for ``method``, or None (a KeyResolver)."""
    key = key_for_method(method)
    return key.public_key_multibase if key is not None else None


# --- facts for building credentials ----------------------------------------------------------------


def credit_facts(school, entries: Iterable[tuple[dict, dict]]) -> dict[str, documents.Credit]:
    """Return, per credit code, the credit as an achievement: (area, credit) entries come from a
    transcript snapshot; the competencies it names come from the school's current catalogue.

    Two queries whatever the number of credits.
    """
    from credo.mastery.models import CreditRequirementItem

    entries = list(entries)
    codes = [credit["code"] for _, credit in entries]
    issuer = issuer_url(school)
    competencies: dict[str, list[documents.Competency]] = defaultdict(list)
    items = (
        CreditRequirementItem.objects.filter(school=school, credit__code__in=codes)
        .select_related("competency__framework", "credit")
        .order_by("credit_id", "id")
    )
    for item in items:
        competencies[item.credit.code].append(competency_facts(item.competency, issuer))
    return {
        credit["code"]: documents.Credit(
            code=credit["code"],
            title=credit["title"],
            level=credit["level"],
            standard=credit["standard"],
            area_code=area["code"],
            area_name=area["name"],
            competencies=tuple(competencies.get(credit["code"], ())),
        )
        for area, credit in entries
    }


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def competency_facts(competency, issuer: str) -> documents.Competency:
    """Return a competency for an alignment; a CASE item points at its CASE URI."""
    framework = competency.framework
    case_item = bool(competency.case_identifier and framework.case_identifier)
    url = documents.competency_url(issuer, competency.pk)
    if case_item:
        from credo.interop import case

        case_base = case.base_of(framework.case_uri, framework.case_identifier)
        if case_base:
            url = f"{case_base}/CFItems/{competency.case_identifier}"
        elif _UUID.match(competency.case_identifier):
            url = f"urn:uuid:{competency.case_identifier.lower()}"
    return documents.Competency(
        code=competency.code,
        statement=competency.statement,
        framework=framework.name,
        url=url,
        case_item=case_item,
    )


def earned_entries(content: dict) -> list[tuple[dict, dict]]:
    """Return (area, credit) for every earned credit of a transcript snapshot, in its order."""
    return [
        (area, credit)
        for area in content.get("areas", [])
        for credit in area.get("credits", [])
        if credit.get("state") == "earned"
    ]


# --- statuses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """Where an issued credential stands: "current", "superseded" or "revoked", and why."""

    state: str
    message: str
    since: dt.datetime | None = None


def credential_status(issued: IssuedCredential) -> Status:
    """Return whether ``issued`` is current, superseded by a newer credential, or revoked."""
    return credential_statuses([issued])[issued.pk]


def credential_statuses(items: Iterable[IssuedCredential]) -> dict[int, Status]:
    """Return the status of each issued credential, by id, in three queries whatever their number.

    An achievement credential is superseded when a newer one was issued for the same award; a
    CLR, when its student has a newer published transcript version. A revoked credential, or
    the credential of a credit the school revoked, is revoked.
    """
    from django.db.models import Max

    from credo.transcripts.models import TranscriptVersion

    items = list(items)
    ids = [item.pk for item in items]
    newer = {
        row["supersedes_id"]: row["issued_at"]
        for row in IssuedCredential.objects.filter(supersedes_id__in=ids).values(
            "supersedes_id", "issued_at"
        )
    }
    students = {item.student_id for item in items if item.kind == CredentialKind.CLR}
    latest = {
        row["student_id"]: row
        for row in TranscriptVersion.objects.filter(student_id__in=students)
        .values("student_id")
        .annotate(number=Max("number"), published=Max("published_at"))
    }
    out: dict[int, Status] = {}
    for issued in items:
        when = timezone.localtime(issued.issued_at).strftime("%Y-%m-%d")
        award = issued.award if issued.kind == CredentialKind.ACHIEVEMENT else None
        if issued.revoked_at is not None:
            out[issued.pk] = Status(
                "revoked",
                f"revoked by the school on {issued.revoked_at:%Y-%m-%d}: {issued.revoke_reason}",
                issued.revoked_at,
            )
        elif award is not None and award.revoked_at is not None:
            out[issued.pk] = Status(
                "revoked",
                f"the school revoked this credit on {award.revoked_at:%Y-%m-%d}: "
                f"{award.revoke_reason}",
                award.revoked_at,
            )
        elif issued.kind == CredentialKind.CLR:
            version = issued.transcript_version
            newest = latest.get(issued.student_id)
            if newest is not None and newest["number"] > version.number:
                out[issued.pk] = Status(
                    "superseded",
                    f"transcript version {version.number}, issued {when}; the school has since "
                    f"published version {newest['number']} ({newest['published']:%Y-%m-%d})",
                    newest["published"],
                )
            else:
                out[issued.pk] = Status(
                    "current", f"the current transcript (version {version.number}), issued {when}"
                )
        elif issued.historical:
            out[issued.pk] = Status(
                "superseded",
                f"issued {when} for an earlier version of the transcript, saying what that "
                "version said; the school's current credential for this credit is another",
                issued.issued_at,
            )
        elif issued.pk in newer:
            out[issued.pk] = Status(
                "superseded",
                f"issued {when}; the school issued a newer credential for the same credit on "
                f"{timezone.localtime(newer[issued.pk]):%Y-%m-%d}",
                newer[issued.pk],
            )
        else:
            out[issued.pk] = Status(
                "current", f"the school's current credential for this credit, issued {when}"
            )
    return out


def issued_by_ids(credential_ids: Iterable[Any]) -> dict[str, IssuedCredential]:
    """Return, by the id as written, the credentials this installation issued among
    ``credential_ids`` (``urn:uuid:`` ids; anything else is skipped). One query."""
    wanted: dict[str, str] = {}
    for credential_id in credential_ids:
        if isinstance(credential_id, str) and credential_id.startswith("urn:uuid:"):
            value = credential_id.removeprefix("urn:uuid:")
            if _UUID.match(value):
                wanted[credential_id] = value.lower()
    if not wanted:
        return {}
    found = {
        str(issued.public_id): issued
        for issued in IssuedCredential.objects.select_related(
            "school", "award", "transcript_version__student", "key"
        ).filter(public_id__in=set(wanted.values()))
    }
    return {written: found[value] for written, value in wanted.items() if value in found}


def clr_of_version(version) -> IssuedCredential | None:
    return IssuedCredential.objects.filter(
        transcript_version=version, kind=CredentialKind.CLR
    ).first()


def credentials_of_school(school):
    """Return the school's issued credentials, newest first."""
    return IssuedCredential.objects.filter(school=school).order_by("-issued_at", "-id")

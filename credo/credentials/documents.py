"""Build the unsigned documents Credo issues, from plain data (no Django in here).

- ``achievement_credential``: an Open Badges 3.0 ``AchievementCredential`` for one awarded
  mastery credit — the credit as an ``Achievement`` (its standard as the criteria, its level
  as a result description, alignments to the competencies it names), the level reached as a
  ``Result``, and the student's highlighted, approved evidence.
- ``clr_credential``: a CLR 2.0 ``ClrCredential`` for one published transcript version, embedding
  the signed achievement credentials, the credit areas as achievements and an association from
  each credit to its area.
- ``issuer_document``: the issuer's profile, which is also its controller document: every
  signing key the school ever used, as a ``Multikey`` verification method and an
  ``assertionMethod``.

Every property used is defined by the bundled contexts, so the signature covers all of it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from credo.credentials.loader import (
    CLR_CONTEXT_2_0_1,
    CREDENTIALS_V2,
    DID_V1,
    OB_CONTEXT_3_0_3,
    OB_EXTENSIONS,
)

OB_CONTEXTS = (CREDENTIALS_V2, OB_CONTEXT_3_0_3, OB_EXTENSIONS)
CLR_CONTEXTS = (CREDENTIALS_V2, CLR_CONTEXT_2_0_1, OB_CONTEXT_3_0_3, OB_EXTENSIONS)
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
ISSUER_CONTEXTS = (CREDENTIALS_V2, OB_CONTEXT_3_0_3, DID_V1, MULTIKEY_V1)

OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"

#: The W3C Multikey context (https://w3id.org/security/multikey/v1), for the issuer document.
MULTIKEY_CONTEXT: dict[str, Any] = {
    "@context": {
        "id": "@id",
        "type": "@type",
        "@protected": True,
        "Multikey": {
            "@id": "https://w3id.org/security#Multikey",
            "@context": {
                "@protected": True,
                "id": "@id",
                "type": "@type",
                "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
                "revoked": {
                    "@id": "https://w3id.org/security#revoked",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                },
                "expires": {
                    "@id": "https://w3id.org/security#expiration",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                },
                "publicKeyMultibase": {
                    "@id": "https://w3id.org/security#publicKeyMultibase",
                    "@type": "https://w3id.org/security#multibase",
                },
                "secretKeyMultibase": {
                    "@id": "https://w3id.org/security#secretKeyMultibase",
                    "@type": "https://w3id.org/security#multibase",
                },
            },
        },
    }
}

LEVEL_NAMES = {"foundational": "Foundational", "advanced": "Advanced"}
LEVEL_WORDS = {
    "foundational": "the level every graduate of the school reaches",
    "advanced": "beyond what graduation asks, by the student's choice",
}
_SAFE_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_SUBJECT_NAMESPACE = uuid.UUID("6c0f6a52-8f0e-5a5e-9a57-6b1c1d0c7e11")


# --- plain facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """The school as an issuer: its URL (the profile and controller document) and profile."""

    url: str
    name: str
    website: str = ""
    city: str = ""
    description: str = ""

    def profile(self) -> dict[str, Any]:
        """Return the issuer ``Profile`` as embedded in each credential."""
        profile: dict[str, Any] = {"id": self.url, "type": ["Profile"], "name": self.name}
        if self.website and _SAFE_URL.match(self.website):
            profile["url"] = self.website
        if self.city:
            profile["address"] = {"type": ["Address"], "addressLocality": self.city}
        return profile


@dataclass(frozen=True)
class Subject:
    """The student: a stable identifier and the name the transcript shows."""

    id: str
    name: str

    def identifiers(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": self.name,
            }
        ]


@dataclass(frozen=True)
class Competency:
    """A competency a credit names, for an ``Alignment``."""

    code: str
    statement: str
    framework: str
    url: str
    case_item: bool = False


@dataclass(frozen=True)
class Credit:
    """A mastery credit as an achievement: its standard, level, area and competencies."""

    code: str
    title: str
    level: str
    standard: str
    area_code: str
    area_name: str
    competencies: tuple[Competency, ...] = ()


@dataclass(frozen=True)
class Award:
    """What the transcript says about one earned credit."""

    awarded_on: str  # ISO date
    review: Mapping[str, Any] | None = None
    comments: tuple[Mapping[str, Any], ...] = ()
    evidence: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    description: str = ""
    credit_codes: tuple[str, ...] = field(default_factory=tuple)


# --- identifiers ---------------------------------------------------------------------------------


def subject_id(school_key: str, student_key: str) -> str:
    """Return the student's stable ``urn:uuid`` (the same in every credential of theirs)."""
    return f"urn:uuid:{uuid.uuid5(_SUBJECT_NAMESPACE, f'{school_key}:{student_key}')}"


def achievement_id(issuer_url: str, credit_code: str) -> str:
    return f"{issuer_url}/achievements/{quote(credit_code, safe='')}"


def area_id(issuer_url: str, area_code: str) -> str:
    return f"{issuer_url}/areas/{quote(area_code, safe='')}"


def competency_url(issuer_url: str, competency_pk: int) -> str:
    return f"{issuer_url}/competencies/{competency_pk}"


def datetime_text(date_text: str) -> str:
    """Return an ISO date as the start of that day in UTC, as XML Schema dateTime."""
    return f"{date_text}T00:00:00Z"


# --- achievements --------------------------------------------------------------------------------


def credit_achievement(issuer: Issuer, credit: Credit) -> dict[str, Any]:
    """Return the ``Achievement`` of a mastery credit."""
    ident = achievement_id(issuer.url, credit.code)
    level = LEVEL_NAMES.get(credit.level, credit.level.title())
    achievement: dict[str, Any] = {
        "id": ident,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": credit.title,
        "description": (
            f"{level} mastery credit in {credit.area_name} at {issuer.name}, earned by meeting "
            "the credit standard (the criteria) with evidence assessed on the school's "
            "proficiency scales; the alignments name the competencies it draws on."
        ),
        "criteria": {"narrative": credit.standard},
        "humanCode": credit.code,
        "fieldOfStudy": credit.area_name,
        "resultDescription": [
            {
                "id": f"{ident}#level",
                "type": ["ResultDescription"],
                "name": "Credit level",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {
                        "id": f"{ident}#{key}",
                        "type": ["RubricCriterionLevel"],
                        "name": LEVEL_NAMES[key],
                        "description": f"{LEVEL_NAMES[key]} credit: {LEVEL_WORDS[key]}.",
                    }
                    for key in ("foundational", "advanced")
                ],
                "requiredLevel": f"{ident}#{credit.level}",
            }
        ],
    }
    alignments = [alignment(c) for c in credit.competencies]
    if alignments:
        achievement["alignment"] = alignments
    return achievement


def alignment(competency: Competency) -> dict[str, Any]:
    """Return the ``Alignment`` to a competency (a CASE ``CFItem`` when it came from CASE)."""
    entry: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": _short(competency.statement, 200) or competency.code,
        "targetDescription": competency.statement,
        "targetCode": competency.code,
        "targetFramework": competency.framework,
        "targetUrl": competency.url,
    }
    if competency.case_item:
        entry["targetType"] = "CFItem"
    return entry


def area_achievement(issuer: Issuer, area: Area) -> dict[str, Any]:
    """Return a credit area as an ``Achievement``, the parent of its credits in a CLR."""
    return {
        "id": area_id(issuer.url, area.code),
        "type": ["Achievement"],
        "achievementType": "ext:CreditArea",
        "name": area.name,
        "description": area.description or f"A credit area of {issuer.name}'s Mastery Transcript.",
        "criteria": {
            "narrative": (
                f"Groups {issuer.name}'s mastery credits in {area.name}, foundational and "
                "advanced; each credit states its own standard."
            )
        },
        "humanCode": area.code,
    }


def evidence_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """Return an ``Evidence`` entry for one piece of highlighted, approved evidence."""
    entry: dict[str, Any] = {"type": ["Evidence"], "name": item.get("title") or "Evidence"}
    url = item.get("url") or ""
    if url and _SAFE_URL.match(url):
        entry["id"] = url
    if (item.get("body") or "").strip():
        entry["narrative"] = item["body"]
    parts = [f"{item.get('kind') or 'Evidence'} demonstrated on {item.get('demonstrated_on')}"]
    if item.get("where"):
        parts.append(str(item["where"]))
    if item.get("approved_on"):
        parts.append(f"approved by an educator on {item['approved_on']}")
    facts = item.get("file")
    if facts:
        parts.append(f"file {facts['name']}, {facts['size']} bytes, SHA-256 {facts['sha256']}")
    entry["description"] = "; ".join(parts) + "."
    if item.get("kind"):
        entry["genre"] = item["kind"]
    return entry


def _review_sentence(review: Mapping[str, Any] | None) -> str:
    if not review:
        return ""
    panel = review.get("panel") or 0
    guests = review.get("outside_experts") or 0
    what = (review.get("format") or "Review").lower()
    sentence = f"Awarded after a {what}"
    if panel:
        sentence += f" before a panel of {panel}"
        if guests:
            sentence += f", {guests} of them from outside the school"
    if review.get("decided_on"):
        sentence += f", decided on {review['decided_on']}"
    return sentence + "."


def subject_narrative(award: Award) -> str:
    """Return the review and educators' comments as one narrative (empty when there are none)."""
    lines = []
    review = _review_sentence(award.review)
    if review:
        lines.append(review)
    for comment in award.comments:
        who = comment.get("author") or "An educator"
        if comment.get("role"):
            who += f" ({comment['role']})"
        lines.append(f"{who}, {comment.get('date')}: {comment.get('body')}")
    return "\n\n".join(lines)


# --- credentials ---------------------------------------------------------------------------------


def achievement_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    subject: Subject,
    credit: Credit,
    award: Award,
    valid_from: str,
) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``AchievementCredential`` for one awarded credit."""
    achievement = credit_achievement(issuer, credit)
    level = LEVEL_NAMES.get(credit.level, credit.level.title())
    subject_part: dict[str, Any] = {
        "id": subject.id,
        "type": ["AchievementSubject"],
        "identifier": subject.identifiers(),
        "achievement": achievement,
        "result": [
            {
                "type": ["Result"],
                "resultDescription": f"{achievement['id']}#level",
                "achievedLevel": f"{achievement['id']}#{credit.level}",
            }
        ],
    }
    narrative = subject_narrative(award)
    if narrative:
        subject_part["narrative"] = narrative
    document: dict[str, Any] = {
        "@context": list(OB_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": f"{credit.title} ({level.lower()} mastery credit)",
        "description": (
            f"{issuer.name} awarded {subject.name} the {level.lower()} mastery credit "
            f"“{credit.title}” on {award.awarded_on}."
        ),
        "issuer": issuer.profile(),
        "validFrom": valid_from,
        "awardedDate": datetime_text(award.awarded_on),
        "credentialSubject": subject_part,
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    evidence = [evidence_entry(item) for item in award.evidence]
    if evidence:
        document["evidence"] = evidence
    return document


def clr_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    subject: Subject,
    name: str,
    description: str,
    valid_from: str,
    awarded_on: str,
    credentials: Sequence[Mapping[str, Any]],
    areas: Iterable[Area],
) -> dict[str, Any]:
    """Return the unsigned CLR 2.0 ``ClrCredential`` of a transcript version.

    ``credentials`` are the signed achievement credentials, embedded as they are; each area
    becomes an achievement, and each credit an association ``isChildOf`` its area.
    """
    areas = list(areas)
    embedded_ids = {
        c["credentialSubject"]["achievement"]["humanCode"]: c["credentialSubject"]["achievement"][
            "id"
        ]
        for c in credentials
    }
    associations = [
        {
            "type": "Association",
            "associationType": "isChildOf",
            "sourceId": embedded_ids[code],
            "targetId": area_id(issuer.url, area.code),
        }
        for area in areas
        for code in area.credit_codes
        if code in embedded_ids
    ]
    subject_part: dict[str, Any] = {
        "id": subject.id,
        "type": ["ClrSubject"],
        "identifier": subject.identifiers(),
        "verifiableCredential": [dict(c) for c in credentials],
    }
    if areas:
        subject_part["achievement"] = [area_achievement(issuer, area) for area in areas]
    if associations:
        subject_part["association"] = associations
    return {
        "@context": list(CLR_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "description": description,
        "partial": False,
        "issuer": issuer.profile(),
        "validFrom": valid_from,
        "awardedDate": datetime_text(awarded_on),
        "credentialSubject": subject_part,
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }


def content_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a credential says, without its id, validity start and proof.

    Two credentials with the same content say the same thing; a new one is issued only when
    the content changes.
    """
    return {k: v for k, v in document.items() if k not in ("id", "validFrom", "proof")}


# --- the issuer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedKey:
    public_key_multibase: str
    created: str
    retired: str | None = None


def issuer_document(issuer: Issuer, keys: Iterable[PublishedKey]) -> dict[str, Any]:
    """Return the issuer profile and controller document served at the issuer URL.

    Retired keys stay listed as assertion methods: credentials signed before a rotation
    must still verify. Only the active key signs new credentials.
    """
    keys = list(keys)
    methods = [f"{issuer.url}#{key.public_key_multibase}" for key in keys]
    document: dict[str, Any] = {
        "@context": list(ISSUER_CONTEXTS),
        **issuer.profile(),
    }
    if issuer.description:
        document["description"] = issuer.description
    document["verificationMethod"] = [
        {
            "id": method,
            "type": "Multikey",
            "controller": issuer.url,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for method, key in zip(methods, keys, strict=True)
    ]
    document["assertionMethod"] = methods
    return document


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

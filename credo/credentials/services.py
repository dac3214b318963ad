"""Every write about verifiable credentials: school keys, issuing, revoking.

- A school gets its signing key when it is created (``school_key_ensure``, from a ``post_save``
  signal on School) and a new one when an admin rotates it (``school_key_rotate``).
- ``award_credential_issue`` signs an Open Badges 3.0 AchievementCredential for an awarded
  credit; a new one is issued only when what it says changed, and it supersedes the last.
  ``award_credential_issue_direct`` does the same for an award no transcript shows (educators'
  micro-credentials).
- ``transcript_credential_issue`` signs the CLR 2.0 credential of a published transcript
  version, embedding the credentials of every credit it shows as earned. It runs after each
  publication (``credo.credentials.tasks``) and on demand.
- ``credential_revoke`` withdraws an issued credential, with a reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.access import require_manage_setup
from credo.core.audit import audit_record, audit_stamp
from credo.core.errors import refuse
from credo.credentials import documents, keys, proofs, selectors
from credo.credentials.events import (
    CREDENTIAL_ISSUED,
    CREDENTIAL_REVOKED,
    SIGNING_KEY_CREATED,
    SIGNING_KEY_RETIRED,
)
from credo.credentials.kek import key_encryption_key
from credo.credentials.models import (
    CredentialKind,
    IssuedCredential,
    SchoolKey,
    document_hash,
)

MAX_REASON = 200


def _xsd(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- keys ----------------------------------------------------------------------------------------


def _new_key(*, actor, school, note: str = "") -> SchoolKey:
    pair = keys.generate_key_pair()
    key = SchoolKey(school=school, public_key_multibase=pair.public_key_multibase)
    key.encrypted_private_key = keys.encrypt_private_key(
        pair.private_key, key_encryption_key(), associated_data=key.associated_data()
    )
    key.full_clean(exclude=["school"])
    key.save()
    audit_record(
        actor=actor,
        school=school,
        action=SIGNING_KEY_CREATED,
        target=key,
        after={"public_key_multibase": key.public_key_multibase},
        note=note,
    )
    return key


def school_key_ensure(*, actor, school) -> SchoolKey:
    """Return the school's active signing key, creating it when the school has none.

    Runs inside the caller's transaction (a school's creation, or issuing a credential).
    """
    key = SchoolKey.objects.filter(school=school, retired_at__isnull=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        return _new_key(actor=actor, school=school, note="the school's first signing key")


def school_key_rotate(*, actor, school, reason: str = "") -> SchoolKey:
    """Retire the school's signing key and make a new one; return the new key.

    The retired key signs nothing more but stays published at the issuer URL, so every
    credential signed with it still verifies.
    """
    require_manage_setup(actor, school, "rotate the school's signing key")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        refuse("reason", f"Keep the reason under {MAX_REASON} characters.")
    with transaction.atomic(durable=True):
        retired = list(
            SchoolKey.objects.select_for_update()
            .filter(school=school, retired_at__isnull=True)
            .order_by("pk")
        )
        now = timezone.now()
        for key in retired:
            key.retired_at, key.retired_reason = now, reason or "rotated"
            key.save(update_fields=["retired_at", "retired_reason"])
            audit_record(
                actor=actor,
                school=school,
                action=SIGNING_KEY_RETIRED,
                target=key,
                before={"retired_at": None},
                after={"retired_at": now, "reason": key.retired_reason},
            )
        return _new_key(actor=actor, school=school, note=reason or "rotation")


def _signing_material(*, actor, school) -> tuple[SchoolKey, bytes]:
    key = school_key_ensure(actor=actor, school=school)
    private = keys.decrypt_private_key(
        key.encrypted_private_key, key_encryption_key(), associated_data=key.associated_data()
    )
    return key, private


def _sign(document: dict, *, key: SchoolKey, private_key: bytes, issuer_url: str, now) -> dict:
    """Return `document` signed, its proof written as a one-proof array.

    The published OB 3.0 JSON schema accepts `proof` only as an array; JSON-LD reads a single
    proof and a one-element array alike, so the signature and canonical form are the same.
    """
    signed = proofs.sign(
        document, private_key, f"{issuer_url}#{key.public_key_multibase}", now, "assertionMethod"
    )
    if isinstance(signed.get("proof"), dict):
        signed["proof"] = [signed["proof"]]
    return signed


# --- issuing -------------------------------------------------------------------------------------


def _subject_from_content(student, content: Mapping) -> documents.Subject:
    return documents.Subject(
        id=documents.subject_id(str(student.school_id), str(student.pk)),
        name=content.get("student", {}).get("name") or student.full_name,
    )


def _award_for(student, code: str):
    """Return the student's award of the credit with ``code``: the active one, else the latest."""
    from django.db.models import F

    from credo.mastery.models import CreditAward

    return (
        CreditAward.objects.filter(student=student, credit__code=code)
        .select_related("credit")
        .order_by(F("revoked_at").desc(nulls_first=True), "-id")
        .first()
    )


def _issue_for_award(
    *,
    actor,
    award,
    student,
    issuer: documents.Issuer,
    subject: documents.Subject,
    credit: documents.Credit,
    entry: Mapping,
    evidence: Mapping[str, Mapping],
    signing: tuple[SchoolKey, bytes],
    now: dt.datetime,
    historical: bool = False,
) -> IssuedCredential:
    """Return the award's current credential if it says the same, else sign a new one.

    `historical`: the credential is for an older transcript version. Any credential of the
    award that says the same is reused; otherwise a new one is signed that supersedes nothing
    and is never current, so an older version's export cannot displace the current credential.
    """
    award_facts = documents.Award(
        awarded_on=entry.get("awarded_on") or award.awarded_on.isoformat(),
        review=entry.get("review"),
        comments=tuple(entry.get("comments") or ()),
        evidence=tuple(evidence[key] for key in entry.get("evidence") or () if key in evidence),
    )
    public_id = uuid.uuid4()
    unsigned = documents.achievement_credential(
        credential_id=f"urn:uuid:{public_id}",
        issuer=issuer,
        subject=subject,
        credit=credit,
        award=award_facts,
        valid_from=_xsd(now),
    )
    content_hash = document_hash(documents.content_of(unsigned))
    if historical:
        same = (
            IssuedCredential.objects.filter(
                award=award,
                kind=CredentialKind.ACHIEVEMENT,
                content_hash=content_hash,
                revoked_at__isnull=True,
            )
            .order_by("-issued_at", "-id")
            .first()
        )
        if same is not None:
            return same
        latest = None
    else:
        latest = (
            IssuedCredential.objects.filter(
                award=award,
                kind=CredentialKind.ACHIEVEMENT,
                superseded_by__isnull=True,
                historical=False,
            )
            .order_by("-issued_at", "-id")
            .first()
        )
        if latest is not None and latest.content_hash == content_hash and latest.revoked_at is None:
            return latest
    key, private_key = signing
    signed = _sign(unsigned, key=key, private_key=private_key, issuer_url=issuer.url, now=now)
    issued = IssuedCredential(
        school_id=student.school_id,
        public_id=public_id,
        kind=CredentialKind.ACHIEVEMENT,
        student=student,
        award=award,
        key=key,
        issuer_id=issuer.url,
        document=signed,
        document_hash=document_hash(signed),
        content_hash=content_hash,
        issued_at=now,
        supersedes=latest,
        historical=historical,
    )
    issued.save()
    audit_record(
        actor=actor,
        school=student.school_id,
        action=CREDENTIAL_ISSUED,
        target=issued,
        after={
            "kind": issued.kind,
            "historical": historical,
            "award": award.pk,
            "credit": credit.code,
            "document_hash": issued.document_hash,
            "supersedes": latest.pk if latest else None,
            "key": key.public_key_multibase,
        },
    )
    return issued


def award_credential_issue(*, actor, award) -> IssuedCredential:
    """Return the current Open Badges 3.0 credential of an awarded credit, issuing it if needed.

    What it says (the credit, its standard and competencies, the review, the educators'
    comments, the highlighted evidence) is read as the student's transcript shows it now.
    """
    from credo.mastery.services import lock_students
    from credo.transcripts.selectors import transcript_content

    student = award.student
    require_manage_setup(actor, student.school_id, "issue credentials")
    if award.revoked_at is not None:
        refuse(None, "This credit was revoked; no credential can be issued for it.")
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        content = transcript_content(student)
        entry = next(
            (
                (area, credit)
                for area, credit in selectors.earned_entries(content)
                if credit["code"] == award.credit.code
            ),
            None,
        )
        if entry is None:
            refuse(None, "The transcript does not show this credit as earned.")
        school = student.school
        facts = selectors.credit_facts(school, [entry])
        return _issue_for_award(
            actor=actor,
            award=award,
            student=student,
            issuer=selectors.issuer_of(school),
            subject=_subject_from_content(student, content),
            credit=facts[award.credit.code],
            entry=entry[1],
            evidence=content.get("evidence", {}),
            signing=_signing_material(actor=actor, school=school),
            now=timezone.now(),
        )


def award_credential_issue_direct(
    *, actor, award, review: Mapping | None = None, comments: tuple[Mapping, ...] = ()
) -> IssuedCredential:
    """Return the current Open Badges 3.0 credential of an award that no transcript shows (an
    educator's micro-credential, credo/growth), issuing it if needed.

    The credit, its area and competencies are read from the school's catalogue; `review` and
    `comments` are what the caller says of the panel and the educators (as on a transcript).
    Signed by the school's key, like every credential Credo issues.
    """
    from credo.mastery.services import lock_students

    student = award.student
    require_manage_setup(actor, student.school_id, "issue credentials")
    if award.revoked_at is not None:
        refuse(None, "This credit was revoked; no credential can be issued for it.")
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        credit, school = award.credit, student.school
        area = {"code": credit.area.code, "name": credit.area.name}
        entry = {
            "code": credit.code,
            "title": credit.title,
            "level": credit.level,
            "standard": credit.standard,
            "awarded_on": award.awarded_on.isoformat(),
            "review": dict(review) if review else None,
            "comments": [dict(c) for c in comments],
        }
        facts = selectors.credit_facts(school, [(area, entry)])
        return _issue_for_award(
            actor=actor,
            award=award,
            student=student,
            issuer=selectors.issuer_of(school),
            subject=documents.Subject(
                id=documents.subject_id(str(student.school_id), str(student.pk)),
                name=student.full_name,
            ),
            credit=facts[credit.code],
            entry=entry,
            evidence={},
            signing=_signing_material(actor=actor, school=school),
            now=timezone.now(),
        )


def transcript_credential_issue(*, actor, version) -> IssuedCredential:
    """Return the CLR 2.0 credential of a published transcript version, issuing it once.

    Each credit the version shows as earned is embedded as its Open Badges credential
    (issued now if the current one says something else). The CLR of the previous version,
    if any, is superseded by this one.
    """
    from credo.mastery.services import lock_students

    existing = selectors.clr_of_version(version)
    if existing is not None:
        return existing
    student = version.student
    require_manage_setup(actor, student.school_id, "issue credentials")
    content = version.content
    entries = selectors.earned_entries(content)
    if not entries:
        refuse(
            None,
            "This transcript version shows no earned credit yet, so there is nothing to put "
            "in a CLR.",
        )
    try:
        with transaction.atomic(durable=True):
            lock_students([student.pk])
            existing = selectors.clr_of_version(version)
            if existing is not None:
                return existing
            return _issue_clr(actor=actor, version=version, content=content, entries=entries)
    except IntegrityError:
        # Issued by a concurrent call between our check and the insert: theirs stands.
        existing = selectors.clr_of_version(version)
        if existing is None:
            raise
        return existing


def _issue_clr(*, actor, version, content: Mapping, entries) -> IssuedCredential:
    student = version.student
    school = student.school
    now = timezone.now()
    issuer = selectors.issuer_of(school)
    subject = _subject_from_content(student, content)
    signing = _signing_material(actor=actor, school=school)
    facts = selectors.credit_facts(school, entries)
    evidence = content.get("evidence", {})
    # An older version says what was true then: its credits never displace the current ones.
    historical = type(version).objects.filter(student=student, number__gt=version.number).exists()
    embedded = []
    for _area, entry in entries:
        award = _award_for(student, entry["code"])
        if award is None:
            refuse(
                None,
                f"No award of the credit {entry['code']} was found for {student}; the credit "
                "may have been renamed since this version was published.",
            )
        issued = _issue_for_award(
            actor=actor,
            award=award,
            student=student,
            issuer=issuer,
            subject=subject,
            credit=facts[entry["code"]],
            entry=entry,
            evidence=evidence,
            signing=signing,
            now=now,
            historical=historical,
        )
        embedded.append(issued.document)
    areas = [
        documents.Area(
            code=area["code"],
            name=area["name"],
            description=area.get("description") or "",
            credit_codes=tuple(
                c["code"] for c in area.get("credits", []) if c["state"] == "earned"
            ),
        )
        for area in content.get("areas", [])
    ]
    earned = len(embedded)
    school_name = content.get("school", {}).get("name") or school.name
    public_id = uuid.uuid4()
    unsigned = documents.clr_credential(
        credential_id=f"urn:uuid:{public_id}",
        issuer=issuer,
        subject=subject,
        name=f"Mastery Transcript of {subject.name}",
        description=(
            f"Version {version.number} of the Mastery Transcript that {school_name} published "
            f"on {timezone.localdate(version.published_at).isoformat()}: {earned} mastery "
            f"credit{'s' if earned != 1 else ''} earned, each its own signed Open Badges "
            "credential, grouped by credit area. Mastery credits replace grades: there is no "
            "GPA and no rank. Transcript content hash (SHA-256): "
            f"{version.content_hash}."
        ),
        valid_from=_xsd(now),
        awarded_on=timezone.localdate(version.published_at).isoformat(),
        credentials=embedded,
        areas=areas,
    )
    key, private_key = signing
    signed = _sign(unsigned, key=key, private_key=private_key, issuer_url=issuer.url, now=now)
    previous = (
        IssuedCredential.objects.filter(
            student=student,
            kind=CredentialKind.CLR,
            superseded_by__isnull=True,
            transcript_version__number__lt=version.number,
        )
        .order_by("-transcript_version__number")
        .first()
    )
    issued = IssuedCredential(
        school_id=student.school_id,
        public_id=public_id,
        kind=CredentialKind.CLR,
        student=student,
        transcript_version=version,
        key=key,
        issuer_id=issuer.url,
        document=signed,
        document_hash=document_hash(signed),
        content_hash=document_hash(documents.content_of(unsigned)),
        issued_at=now,
        supersedes=previous,
    )
    issued.save()
    audit_record(
        actor=actor,
        school=student.school_id,
        action=CREDENTIAL_ISSUED,
        target=issued,
        after={
            "kind": issued.kind,
            "transcript_version": version.pk,
            "embedded": [d["id"] for d in embedded],
            "document_hash": issued.document_hash,
            "supersedes": previous.pk if previous else None,
            "key": key.public_key_multibase,
        },
    )
    return issued


def credential_revoke(*, actor, credential: IssuedCredential, reason: str) -> IssuedCredential:
    """Revoke an issued credential; verifiers of this installation then report it revoked."""
    require_manage_setup(actor, credential.school_id, "revoke credentials")
    reason = (reason or "").strip()
    if not reason:
        refuse("reason", "Say why the credential is revoked; the reason is shown to verifiers.")
    if len(reason) > 2000:
        refuse("reason", "Keep the reason under 2000 characters.")
    with transaction.atomic(durable=True):
        credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            refuse(None, "That credential is already revoked.")
        audit_stamp(
            credential,
            "revoked",
            actor=actor,
            action=CREDENTIAL_REVOKED,
            before={"revoked_at": None},
            revoke_reason=reason,
        )
    return credential

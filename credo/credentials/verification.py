"""Verify a credential the way this installation can: offline checks, then its own records.

``verify_document`` runs every check of ``credo.credentials.verify`` (contexts, schema, dates,
each proof, outer and nested), with this installation's school keys as the key resolver, and
adds, for every credential whose issuer is one of this installation's schools:

- ``issuer-key``: the proof's key is one of that school's signing keys (a retired key counts
  only for proofs made before it was retired);
- ``record``: this installation has a record of issuing that credential;
- ``status``: the credential is current, superseded by a newer one (valid, with a warning)
  or revoked (invalid).

``describe`` turns the result into plain words for the command line and the web page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from credo.credentials import selectors
from credo.credentials.models import IssuedCredential
from credo.credentials.verify import Check, VerificationResult, verify_credential

_FAILURES_SHOWN = 8
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024  # a 35-credit CLR is about 250 KB

#: Each check's name in plain words, in the order a reader meets them.
CHECK_TITLES = {
    "parse": "Readable credential",
    "context": "Standard vocabularies (JSON-LD contexts)",
    "type": "Kind of credential",
    "schema": "Open Badges 3.0 structure (JSON schema)",
    "issuer": "Issuer named",
    "credential-subject-type": "Learner named",
    "evidence-type": "Evidence entries",
    "not-yet-valid": "Already in force",
    "expired": "Not expired",
    "credential-status": "Revocation list",
    "proof": "Signed",
    "proof-type": "Signature method",
    "verification-method": "Signing key",
    "proof-value": "Signature matches every word",
    "defined-terms": "Every field covered by the signature",
    "issuer-key": "Key belongs to the school",
    "record": "Issued by this installation",
    "status": "Current, superseded or revoked",
}


class UnreadableDocument(ValueError):
    """The input is not a JSON document (or is too large to be one)."""


def parse_document(data: bytes | str) -> Any:
    """Return the JSON in ``data``; raise ``UnreadableDocument`` saying why it cannot be read."""
    if isinstance(data, bytes):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise UnreadableDocument(
                f"the file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
            )
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnreadableDocument("the file is not UTF-8 text (a PDF or an image?)") from error
    if not data.strip():
        raise UnreadableDocument("the file is empty")
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise UnreadableDocument(
            f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error


@dataclass
class CredentialSummary:
    """What one credential (the document, or one embedded in it) says, for the reader."""

    path: str
    kind: str
    name: str
    issuer_name: str
    issuer_id: str
    subject_name: str
    valid_from: str
    credits: int = 0
    key: str = "none"  # "confirmed", "method-only" or "none"
    status: str = ""  # "current", "superseded", "revoked", "" (not issued here)
    checks: list[Check] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.name or ("Transcript" if self.kind == "clr" else "Credential")

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


@dataclass
class Report:
    """The whole verification: the result and a summary per credential."""

    result: VerificationResult
    credentials: list[CredentialSummary]
    checked_at: dt.datetime
    offline: str | None = None  # why this installation's records were not consulted

    @property
    def valid(self) -> bool:
        return self.result.valid

    @property
    def main(self) -> CredentialSummary | None:
        return self.credentials[0] if self.credentials else None

    @property
    def key_confirmed(self) -> bool:
        return bool(self.credentials) and all(c.key == "confirmed" for c in self.credentials)

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        data["checked_at"] = self.checked_at.isoformat()
        data["installation_records"] = self.offline is None
        if self.offline:
            data["offline"] = self.offline
        data["credentials"] = [
            {
                "path": c.path,
                "kind": c.kind,
                "name": c.name,
                "issuer": c.issuer_id,
                "key": c.key,
                "status": c.status or None,
                "valid": c.ok,
            }
            for c in self.credentials
        ]
        return data


def verify_document(document: Any, *, now: dt.datetime | None = None) -> Report:
    """Verify ``document`` offline and against this installation's keys and records.

    The offline checks need no database. When the database cannot be read (a fresh install
    not yet migrated, a server that is down), the installation's checks are left out and the
    report says so, rather than failing.
    """
    now = now or timezone.now()
    lookups = _Lookups()
    result = verify_credential(document, now=now, key_resolver=lookups.public_key)
    found = list(_credentials(document, "$"))
    offline = lookups.unavailable
    extra: dict[str, list[Check]] = {}
    if offline is None:
        try:
            extra = _installation(found, lookups)
        except DatabaseError as error:
            offline = _unavailable_reason(error)
    if offline is not None:
        extra = {}
    summaries, nodes = [], {}
    for path, node in found:
        result.checks.extend(extra.get(path, []))
        summaries.append(_summary(node, path))
        nodes[path] = node
    by_path: dict[str, CredentialSummary] = {s.path: s for s in summaries}
    for check in result.checks:
        summary = by_path.get(check.path)
        if summary is not None:
            summary.checks.append(check)
    for summary in summaries:
        summary.key = (
            _key_state(summary.checks, nodes[summary.path], lookups)
            if offline is None
            else _offline_key_state(summary.checks)
        )
        status = [c for c in summary.checks if c.name == "status"]
        if status:
            summary.status = status[0].message.split(":", 1)[0]
    return Report(result=result, credentials=summaries, checked_at=now, offline=offline)


def _installation(found, lookups: _Lookups) -> dict[str, list[Check]]:
    # One query for the records of every credential in the document and three for their
    # status, however many credits a CLR embeds.
    issued = selectors.issued_by_ids([node.get("id") for _, node in found])
    statuses = selectors.credential_statuses(issued.values())
    out = {}
    for path, node in found:
        record = issued.get(node.get("id")) if isinstance(node.get("id"), str) else None
        out[path] = _installation_checks(
            node,
            path,
            lookups=lookups,
            issued=record,
            status=statuses.get(record.pk) if record is not None else None,
        )
    return out


def _unavailable_reason(error: Exception) -> str:
    return (
        "this installation's records could not be read (is the database set up? run "
        f"`credo migrate`): {str(error).splitlines()[0] if str(error) else type(error).__name__}"
    )


def _offline_key_state(checks: list[Check]) -> str:
    methods = [c for c in checks if c.name == "verification-method"]
    return "method-only" if methods and all(c.ok for c in methods) else "none"


class _Lookups:
    """This installation's schools and keys, each looked up once per verification.

    A CLR names the same issuer and key in every embedded credential; without this, each
    would query the database again.
    """

    def __init__(self) -> None:
        self._schools: dict[str | None, Any] = {}
        self._keys: dict[str, Any] = {}
        self.unavailable: str | None = None  # why the database could not be read, if it could not

    def school_for_issuer(self, issuer_id: str | None):
        if issuer_id not in self._schools:
            self._schools[issuer_id] = selectors.school_for_issuer(issuer_id)
        return self._schools[issuer_id]

    def key_for_method(self, method: str):
        if method not in self._keys:
            self._keys[method] = selectors.key_for_method(method)
        return self._keys[method]

    def public_key(self, method: str) -> str | None:
        """Return the public key this installation holds for ``method`` (a KeyResolver).

        None when the database cannot be read: the key is then only read from the method.
        """
        if self.unavailable is not None:
            return None
        try:
            key = self.key_for_method(method)
        except DatabaseError as error:
            self.unavailable = _unavailable_reason(error)
            return None
        return key.public_key_multibase if key is not None else None


def _credentials(document: Any, path: str):
    if not isinstance(document, Mapping):
        return
    yield path, document
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "ClrCredential" in types:
        subject = document.get("credentialSubject")
        embedded = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
        for index, item in enumerate(embedded if isinstance(embedded, list) else [embedded]):
            if item is not None:
                yield from _credentials(
                    item, f"{path}.credentialSubject.verifiableCredential[{index}]"
                )


def _issuer_id(node: Mapping) -> str | None:
    issuer = node.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _proofs(node: Mapping) -> list[Mapping]:
    proof = node.get("proof")
    items = proof if isinstance(proof, list) else [proof] if proof is not None else []
    return [p for p in items if isinstance(p, Mapping)]


def _installation_checks(
    node: Mapping,
    path: str,
    *,
    lookups: _Lookups,
    issued: IssuedCredential | None,
    status: selectors.Status | None,
) -> list[Check]:
    school = lookups.school_for_issuer(_issuer_id(node))
    if school is None:
        return []
    checks: list[Check] = []

    def add(name: str, ok: bool, message: str, *, warning: bool = False) -> None:
        checks.append(Check(name, ok, message, path, warning))

    for proof in _proofs(node):
        method = proof.get("verificationMethod")
        method = method.get("id") if isinstance(method, Mapping) else method
        key = lookups.key_for_method(method) if isinstance(method, str) else None
        if key is None or key.school_id != school.pk:
            add(
                "issuer-key",
                False,
                f"{school.name} never held the key named by {method!r}: this installation "
                "issues with the school's own keys only",
            )
            continue
        created = _when(proof.get("created"))
        if key.retired_at is not None and (created is None or created > key.retired_at):
            add(
                "issuer-key",
                False,
                f"signed with {school.name}'s key {_short_key(key)}, which was retired on "
                f"{key.retired_at:%Y-%m-%d}, after its retirement",
            )
        elif key.retired_at is not None:
            add(
                "issuer-key",
                True,
                f"one of {school.name}'s signing keys ({_short_key(key)}, created "
                f"{key.created_at:%Y-%m-%d}, retired {key.retired_at:%Y-%m-%d}; the signature "
                "predates its retirement)",
            )
        else:
            add(
                "issuer-key",
                True,
                f"{school.name}'s current signing key ({_short_key(key)}, created "
                f"{key.created_at:%Y-%m-%d})",
            )
    if issued is None or issued.school_id != school.pk:
        add(
            "record",
            False,
            f"the issuer is {school.name} at this installation, but it has no record of "
            f"issuing a credential with the id {node.get('id')!r}",
        )
        return checks
    add(
        "record",
        True,
        f"{school.name} issued it on {timezone.localtime(issued.issued_at):%Y-%m-%d} "
        f"({issued.get_kind_display()})",
    )
    if status is None:
        status = selectors.credential_status(issued)
    if status.state == "revoked":
        add("status", False, f"revoked: {status.message}")
    elif status.state == "superseded":
        add("status", True, f"superseded: {status.message}", warning=True)
    else:
        add("status", True, f"current: {status.message}")
    return checks


def _summary(node: Mapping, path: str) -> CredentialSummary:
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    issuer = node.get("issuer")
    issuer_name = issuer.get("name", "") if isinstance(issuer, Mapping) else ""
    subject = node.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    names = [
        i.get("identityHash")
        for i in subject.get("identifier", []) or []
        if isinstance(i, Mapping) and i.get("identityType") == "name" and not i.get("hashed")
    ]
    embedded = subject.get("verifiableCredential")
    return CredentialSummary(
        path=path,
        kind="clr" if "ClrCredential" in types else "achievement",
        name=str(node.get("name") or ""),
        issuer_name=str(issuer_name or ""),
        issuer_id=_issuer_id(node) or "",
        subject_name=str(names[0]) if names else "",
        valid_from=str(node.get("validFrom") or node.get("issuanceDate") or ""),
        credits=len(embedded) if isinstance(embedded, list) else 0,
    )


def _key_state(checks: list[Check], node: Mapping, lookups: _Lookups) -> str:
    """Return "confirmed" when every proof's key is one this installation holds for the issuer,
    "method-only" when the keys were only read from the verification methods, else "none"."""
    methods = [c for c in checks if c.name == "verification-method"]
    if not methods or any(not c.ok for c in methods):
        return "none"
    names = []
    for proof in _proofs(node):
        method = proof.get("verificationMethod")
        names.append(method.get("id") if isinstance(method, Mapping) else method)
    school = lookups.school_for_issuer(_issuer_id(node))
    if school is not None and names:
        keys = [lookups.key_for_method(m) if isinstance(m, str) else None for m in names]
        if all(key is not None and key.school_id == school.pk for key in keys):
            return "confirmed"
    return "method-only"


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _short_key(key) -> str:
    return f"{key.public_key_multibase[:12]}…"


def key_sentence(summary: CredentialSummary) -> str:
    """Say in one sentence where the key that signed ``summary`` came from."""
    if summary.key == "confirmed":
        return (
            "The signing key was confirmed as the issuer's: it is one of the keys this "
            "installation holds for the school."
        )
    if summary.key == "method-only":
        return (
            "The signing key was only taken from the credential's verification method "
            "(offline); nothing here confirms it is the issuer's key."
        )
    return "No usable signing key was found."


def describe(report: Report) -> list[str]:
    """Return the report as lines of plain text (the command line prints them)."""
    lines = []
    verdict = "VALID" if report.valid else "NOT VALID"
    main = report.main
    if main is not None:
        what = "CLR transcript" if main.kind == "clr" else "Open Badges credential"
        lines.append(f"{verdict}: {what} “{main.title}”")
        if main.issuer_name or main.issuer_id:
            lines.append(f"  issued by {main.issuer_name or '?'} ({main.issuer_id or 'no id'})")
        if main.subject_name:
            lines.append(f"  to {main.subject_name}")
    else:
        lines.append(verdict)
    lines.append(f"  checked {report.checked_at:%Y-%m-%d %H:%M:%S %Z}")
    if report.offline:
        lines.append(
            f"  offline only: {report.offline}; status (current, superseded, revoked) "
            "was not checked"
        )
    failing = [(s, c) for s in report.credentials for c in s.checks if not c.ok]
    if failing:
        # A CLR lists dozens of credentials below; say first which ones failed, and why.
        lines.append(f"  what failed ({len(failing)} check{'s' if len(failing) != 1 else ''}):")
        for summary, check in failing[:_FAILURES_SHOWN]:
            where = "" if summary.path == "$" else f" [{summary.path}]"
            title = CHECK_TITLES.get(check.name, check.name)
            lines.append(f"    - {summary.title}{where}: {title}: {check.message}")
        if len(failing) > _FAILURES_SHOWN:
            lines.append(f"    - and {len(failing) - _FAILURES_SHOWN} more, listed below")
    for summary in report.credentials:
        lines.append("")
        label = "Transcript" if summary.kind == "clr" else "Credential"
        where = "" if summary.path == "$" else f"  [{summary.path}]"
        lines.append(f"{label}: {summary.title}{where}")
        for check in summary.checks:
            mark = "ok  " if check.ok and not check.warning else "warn" if check.ok else "FAIL"
            title = CHECK_TITLES.get(check.name, check.name)
            lines.append(f"  [{mark}] {title}: {check.message}")
        lines.append(f"  Key: {key_sentence(summary)}")
    stray = [c for c in report.result.checks if c.path not in {s.path for s in report.credentials}]
    for check in stray:
        mark = "ok  " if check.ok else "FAIL"
        lines.append(f"  [{mark}] {CHECK_TITLES.get(check.name, check.name)}: {check.message}")
    return lines

"""Verify an Open Badges 3.0 or CLR 2.0 credential offline and explain every check.

``verify_credential(document, now=...)`` returns a ``VerificationResult``: ``valid`` is true
only when every check passed; ``checks`` lists each check with its name, outcome and a message
a registrar or an admissions reader can act on. A ClrCredential's embedded credentials
(``credentialSubject.verifiableCredential``) are verified in full too, their checks carrying
the path of the embedded credential.

Check names: ``parse``, ``context``, ``type``, ``schema``, ``issuer``,
``credential-subject-type``, ``evidence-type``, ``not-yet-valid``, ``expired``,
``credential-status`` (only when the credential names one; never checked offline), ``proof``,
``proof-type``, ``verification-method``, ``proof-value``, ``defined-terms``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from credo.credentials import multikey, proofs
from credo.credentials.loader import (
    CREDENTIALS_V1,
    CREDENTIALS_V2,
    OfflineLoader,
    default_loader,
    unknown_context_urls,
)
from credo.credentials.verify.values import (
    _FAILED,
    _SCHEMA_ERRORS_SHOWN,
    _URI,
    CLR_CONTEXT_PATTERN,
    CLR_TYPE,
    OB_CONTEXT_PATTERN,
    OB_TYPES,
    _Add,
    _as_list,
    _date_field,
    _decoded_or_none,
    _first,
    _json_path,
    _named,
    _parse_datetime,
    _schema_errors,
    _short,
    _show,
)

#: Given a verification method URL, return its public key (raw 32 bytes or a Multikey string)
#: as the issuer publishes it, or None when the method is unknown to the resolver.
KeyResolver = Callable[[str], bytes | str | None]


@dataclass(frozen=True)
class Check:
    """One verification step: ``ok`` is its outcome, ``message`` says why.

    ``path`` locates the credential checked (``$`` is the document given, embedded credentials
    are ``$.credentialSubject.verifiableCredential[i]``). A ``warning`` passed with a caveat the
    reader should see (a key not confirmed with the issuer, a legacy format).
    """

    name: str
    ok: bool
    message: str
    path: str = "$"
    warning: bool = False


@dataclass
class VerificationResult:
    """The outcome of ``verify_credential``: every check, in the order they ran."""

    checks: list[Check] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Return whether every check passed (a result with no checks is not valid)."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        """Return the checks that failed."""
        return [check for check in self.checks if not check.ok]

    @property
    def warnings(self) -> list[Check]:
        """Return the checks that passed with a caveat."""
        return [check for check in self.checks if check.ok and check.warning]

    def named(self, name: str, path: str | None = "$") -> list[Check]:
        """Return the checks called ``name`` at ``path`` (any path when ``path`` is None)."""
        return [c for c in self.checks if c.name == name and (path is None or c.path == path)]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return {"valid": self.valid, "checks": [asdict(check) for check in self.checks]}


def verify_credential(
    document: Any,
    *,
    now: datetime,
    key_resolver: KeyResolver | None = None,
    loader: OfflineLoader | None = None,
) -> VerificationResult:
    """Verify an OpenBadgeCredential/AchievementCredential or a ClrCredential at time ``now``.

    Nothing is fetched: contexts come from the bundled files, did:key methods are decoded
    locally, and for ``<issuer URL>#<publicKeyMultibase>`` methods the key is read from the
    fragment. ``key_resolver`` (for instance Credo's own table of school keys) confirms such a
    key; without its confirmation the check passes with a warning saying the key was only
    taken from the verification method.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    result = VerificationResult()
    _Verifier(now=now, key_resolver=key_resolver, loader=loader or default_loader).run(
        document, "$", result.checks
    )
    return result


@dataclass
class _Verifier:
    now: datetime
    key_resolver: KeyResolver | None
    loader: OfflineLoader

    def run(self, document: Any, path: str, out: list[Check]) -> None:
        def add(name: str, ok: bool, message: str, *, warning: bool = False) -> None:
            out.append(Check(name, ok, message, path, warning))

        if not isinstance(document, Mapping):
            kind = "a JWT" if isinstance(document, str) else type(document).__name__
            add("parse", False, f"expected a JSON-LD credential object, got {kind}")
            return
        types = _as_list(document.get("type"))
        is_clr = CLR_TYPE in types
        legacy = _first(document.get("@context")) == CREDENTIALS_V1

        self.check_context(document, is_clr, add)
        self.check_type(types, is_clr, add)
        if not is_clr:
            self.check_schema(document, legacy, add)
        issuer_id = self.check_issuer(document, add)
        self.check_subject(document, is_clr, add)
        self.check_evidence(document, add)
        self.check_dates(document, add)
        self.check_status(document, add)
        self.check_proofs(document, issuer_id, add)

        if is_clr:
            subject = document.get("credentialSubject")
            embedded = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
            for index, item in enumerate(_as_list(embedded)):
                self.run(item, f"{path}.credentialSubject.verifiableCredential[{index}]", out)

    # -- structure ----------------------------------------------------------------------------

    def check_context(self, document: Mapping[str, Any], is_clr: bool, add: _Add) -> None:
        contexts = _as_list(document.get("@context"))
        if not contexts:
            add("context", False, "the credential has no @context")
            return
        problems = []
        first = contexts[0]
        if first not in (CREDENTIALS_V2, CREDENTIALS_V1):
            problems.append(f"the first context must be {CREDENTIALS_V2}")
        urls = [c for c in contexts if isinstance(c, str)]
        if not any(OB_CONTEXT_PATTERN.match(url) for url in urls):
            problems.append("the Open Badges 3.0 context is missing")
        if is_clr and not any(CLR_CONTEXT_PATTERN.match(url) for url in urls):
            problems.append("the CLR 2.0 context is missing")
        unknown = unknown_context_urls({"@context": document.get("@context")}, self.loader)
        if unknown:
            problems.append(
                "not bundled, so the credential cannot be processed offline: " + ", ".join(unknown)
            )
        if problems:
            add("context", False, "; ".join(problems))
        elif first == CREDENTIALS_V1:
            add("context", True, "legacy VCDM 1.1 context (v1); accepted", warning=True)
        else:
            add("context", True, "required contexts present")

    def check_type(self, types: list[Any], is_clr: bool, add: _Add) -> None:
        wanted = (CLR_TYPE,) if is_clr else OB_TYPES
        missing = []
        if "VerifiableCredential" not in types:
            missing.append("VerifiableCredential")
        if not any(t in types for t in wanted):
            missing.append(" or ".join(wanted))
        if missing:
            add("type", False, f"type {types!r} lacks {', '.join(missing)}")
        else:
            add("type", True, f"type {', '.join(map(str, types))}")

    def check_schema(self, document: Mapping[str, Any], legacy: bool, add: _Add) -> None:
        found, wrapped = _schema_errors(document)
        errors = sorted(found, key=lambda error: list(error.absolute_path))
        if not errors and wrapped:
            add(
                "schema",
                True,
                "matches the Open Badges 3.0 AchievementCredential schema once single values are "
                "read as one-element arrays, as JSON-LD reads them ("
                + ", ".join(sorted(wrapped))
                + "); a strict JSON-schema validator refuses it as written",
                warning=True,
            )
            return
        if not errors:
            add("schema", True, "matches the Open Badges 3.0 AchievementCredential schema")
            return
        shown = "; ".join(
            f"{_json_path(error.absolute_path)}: {_short(error.message)}"
            for error in errors[:_SCHEMA_ERRORS_SHOWN]
        )
        more = f" (and {len(errors) - _SCHEMA_ERRORS_SHOWN} more)" if len(errors) > 3 else ""
        if legacy:
            # The published schema describes VCDM 2.0 credentials; earlier ones are judged by
            # their other checks, as 1EdTech's validator does.
            add(
                "schema",
                True,
                f"legacy VCDM 1.1 credential, not checked: {shown}{more}",
                warning=True,
            )
        else:
            add("schema", False, f"does not match the AchievementCredential schema: {shown}{more}")

    def check_issuer(self, document: Mapping[str, Any], add: _Add) -> str | None:
        issuer = document.get("issuer")
        if issuer is None:
            add("issuer", False, "the credential has no issuer")
            return None
        if isinstance(issuer, str):
            if _URI.match(issuer):
                add("issuer", True, f"issuer {issuer}")
                return issuer
            add("issuer", False, f"issuer {issuer!r} is not a URI")
            return None
        if not isinstance(issuer, Mapping):
            add("issuer", False, "issuer must be a URI or a Profile object")
            return None
        issuer_id = issuer.get("id")
        problems = []
        if not isinstance(issuer_id, str) or not _URI.match(issuer_id):
            problems.append("its id is missing or not a URI")
        if "Profile" not in _as_list(issuer.get("type")):
            problems.append(f"its type {issuer.get('type')!r} does not include Profile")
        if problems:
            add("issuer", False, "issuer: " + "; ".join(problems))
            return None
        add("issuer", True, f"issuer {issuer_id}" + _named(issuer))
        return issuer_id

    def check_subject(self, document: Mapping[str, Any], is_clr: bool, add: _Add) -> None:
        wanted = "ClrSubject" if is_clr else "AchievementSubject"
        subjects = _as_list(document.get("credentialSubject"))
        if not subjects:
            add("credential-subject-type", False, "the credential has no credentialSubject")
            return
        for subject in subjects:
            kinds = _as_list(subject.get("type")) if isinstance(subject, Mapping) else []
            if wanted not in kinds:
                add(
                    "credential-subject-type",
                    False,
                    f"credentialSubject type {kinds!r} lacks {wanted}",
                )
                return
        add("credential-subject-type", True, f"credentialSubject is a {wanted}")

    def check_evidence(self, document: Mapping[str, Any], add: _Add) -> None:
        evidence = _as_list(document.get("evidence"))
        wrong = [
            index
            for index, item in enumerate(evidence)
            if not isinstance(item, Mapping) or "Evidence" not in _as_list(item.get("type"))
        ]
        if wrong:
            where = ", ".join(f"evidence[{index}]" for index in wrong)
            add("evidence-type", False, f"{where}: type must include Evidence")
        else:
            add("evidence-type", True, f"{len(evidence)} evidence item(s), all typed Evidence")

    def check_dates(self, document: Mapping[str, Any], add: _Add) -> None:
        valid_from, from_note = _date_field(document, "validFrom", "issuanceDate")
        valid_until, until_note = _date_field(document, "validUntil", "expirationDate")
        if isinstance(valid_from, str):
            add("not-yet-valid", False, valid_from)
        elif valid_from is not None and valid_from > self.now:
            add("not-yet-valid", False, f"not valid before {_show(valid_from)}")
        else:
            add("not-yet-valid", True, from_note or "no start of validity given")
        if isinstance(valid_until, str):
            add("expired", False, valid_until)
        elif (
            valid_until is not None
            and isinstance(valid_from, datetime)
            and valid_until < valid_from
        ):
            add("expired", False, f"validUntil {_show(valid_until)} is before validFrom")
        elif valid_until is not None and valid_until <= self.now:
            add("expired", False, f"expired on {_show(valid_until)}")
        else:
            add("expired", True, until_note or "no end of validity given")

    def check_status(self, document: Mapping[str, Any], add: _Add) -> None:
        status = _as_list(document.get("credentialStatus"))
        if status:
            kinds = ", ".join(
                str(item.get("type")) if isinstance(item, Mapping) else "?" for item in status
            )
            add(
                "credential-status",
                True,
                f"revocation status ({kinds}) is not checked: it needs the issuer's status list",
                warning=True,
            )

    # -- proofs -------------------------------------------------------------------------------

    def check_proofs(self, document: Mapping[str, Any], issuer_id: str | None, add: _Add) -> None:
        proof_set = _as_list(document.get("proof"))
        if not proof_set:
            add("proof", False, "the credential has no proof")
            return
        add("proof", True, f"{len(proof_set)} proof(s)")
        undefined: set[str] | None = None  # None until some proof's transformation ran
        for index, proof in enumerate(proof_set):
            label = f"proof {index + 1} of {len(proof_set)}: " if len(proof_set) > 1 else ""
            if not isinstance(proof, Mapping):
                add("proof-type", False, f"{label}a proof must be an object")
                continue
            if not self.check_proof_type(proof, label, add):
                continue
            key = self.check_verification_method(proof, issuer_id, label, add)
            found = self.check_proof_value(document, proof, key, label, add)
            if found is not None:
                undefined = (undefined or set()) | found
        if undefined is None:
            return  # nothing was canonicalized, so nothing is known about undefined terms
        if undefined:
            add(
                "defined-terms",
                False,
                "not defined by the credential's contexts, so not covered by its signature: "
                + ", ".join(sorted(undefined)),
            )
        else:
            add("defined-terms", True, "every property is defined by the contexts")

    def check_proof_type(self, proof: Mapping[str, Any], label: str, add: _Add) -> bool:
        try:
            suite = proofs.suite_of(proof)
        except proofs.ProofError as error:
            add("proof-type", False, f"{label}{error}")
            return False
        purpose = proof.get("proofPurpose")
        if purpose != "assertionMethod":
            add("proof-type", False, f"{label}proofPurpose is {purpose!r}, not assertionMethod")
            return False
        expires = _parse_datetime(proof.get("expires"))
        if isinstance(expires, datetime) and expires <= self.now:
            add("proof-type", False, f"{label}the proof expired on {_show(expires)}")
            return False
        if suite == proofs.CRYPTOSUITE:
            add("proof-type", True, f"{label}{proofs.PROOF_TYPE} with {suite}")
        else:
            add("proof-type", True, f"{label}legacy suite {suite}; accepted", warning=True)
        return True

    def check_verification_method(
        self, proof: Mapping[str, Any], issuer_id: str | None, label: str, add: _Add
    ) -> bytes | None:
        method = proof.get("verificationMethod")
        if isinstance(method, Mapping):
            method = method.get("id")
        if not isinstance(method, str) or not _URI.match(method):
            add("verification-method", False, f"{label}verificationMethod is missing or not a URI")
            return None
        base, _, fragment = method.partition("#")
        if base.startswith("did:key:"):
            key_text = base.removeprefix("did:key:")
            if fragment and fragment != key_text:
                add(
                    "verification-method",
                    False,
                    f"{label}{method}: fragment is not the did:key's key",
                )
                return None
            source = "decoded from the did:key"
            bound = issuer_id == base
        elif base.startswith(("https://", "http://")) and multikey.is_public_multikey(fragment):
            key_text = fragment
            source = "taken from the verification method's fragment"
            if issuer_id is not None and base != issuer_id:
                add(
                    "verification-method",
                    False,
                    f"{label}{method} belongs to {base}, not to the issuer {issuer_id}",
                )
                return _decoded_or_none(key_text)
            bound = issuer_id is not None
        else:
            return self._resolve_only(method, label, add)
        try:
            key = multikey.decode_public_key(key_text)
        except multikey.MultikeyError as error:
            add("verification-method", False, f"{label}{method}: {error}")
            return None
        if base.startswith("did:key:") and bound:
            add("verification-method", True, f"{label}{method} is the issuer's own did:key")
            return key
        confirmed = self._confirm(method, key, label, add)
        if confirmed is None:
            # The resolver contradicted the method or failed (already reported); the signature
            # is still checked against the method's key so the report says whether it holds.
            return key
        if confirmed:
            add(
                "verification-method",
                True,
                f"{label}key of {method} confirmed by the issuer's keys",
            )
        elif issuer_id is None:
            add(
                "verification-method",
                True,
                f"{label}key {source} only; there is no valid issuer to bind it to",
                warning=True,
            )
        elif bound:
            add(
                "verification-method",
                True,
                f"{label}key {source} only; not confirmed against the issuer's published keys",
                warning=True,
            )
        else:
            add(
                "verification-method",
                True,
                f"{label}key {source} only; nothing binds it to the issuer {issuer_id}",
                warning=True,
            )
        return key

    def _confirm(self, method: str, key: bytes, label: str, add: _Add) -> bool | None:
        """Return True if the resolver confirms ``key``, False if it cannot say, None if it
        publishes a different key (reported as a failure)."""
        if self.key_resolver is None:
            return False
        published = self._resolve(method, label, add)
        if published is _FAILED:
            return None
        if published is None:
            return False
        if published != key:
            add(
                "verification-method",
                False,
                f"{label}{method}: the key in the method is not the key the issuer publishes",
            )
            return None
        return True

    def _resolve_only(self, method: str, label: str, add: _Add) -> bytes | None:
        if self.key_resolver is None:
            add(
                "verification-method",
                False,
                f"{label}{method} cannot be resolved offline (did:key and "
                "<issuer URL>#<publicKeyMultibase> methods can)",
            )
            return None
        published = self._resolve(method, label, add)
        if published is _FAILED:
            return None
        if published is None:
            add("verification-method", False, f"{label}{method} is unknown to the key resolver")
            return None
        add("verification-method", True, f"{label}key of {method} from the issuer's keys")
        return published

    def _resolve(self, method: str, label: str, add: _Add) -> Any:
        assert self.key_resolver is not None
        try:
            published = self.key_resolver(method)
            if published is None:
                return None
            if isinstance(published, str):
                return multikey.decode_public_key(published)
            if isinstance(published, bytes | bytearray) and len(published) == 32:
                return bytes(published)
            raise multikey.MultikeyError("the resolver returned neither 32 bytes nor a Multikey")
        except Exception as error:  # noqa: BLE001 -- a resolver is caller code; report it, never crash
            add("verification-method", False, f"{label}{method}: key resolver failed: {error}")
            return _FAILED

    def check_proof_value(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        key: bytes | None,
        label: str,
        add: _Add,
    ) -> set[str] | None:
        """Check the signature; return the undefined terms, or None if nothing was read."""
        try:
            signature = proofs.proof_signature(proof)
            hashed = proofs.transform_and_hash(document, proof, loader=self.loader, safe=False)
        except proofs.ProofError as error:
            add("proof-value", False, f"{label}not checked: {error}")
            return None
        except Exception as error:  # noqa: BLE001 -- malformed input gives a report, never a crash
            add("proof-value", False, f"{label}not checked: unreadable JSON-LD ({error})")
            return None
        if key is None:
            add("proof-value", False, f"{label}not checked: no usable public key")
        elif proofs.verify_signature(hashed, signature, key):
            add("proof-value", True, f"{label}signature valid")
        else:
            add("proof-value", False, f"{label}signature does not match the credential")
        return set(hashed.undefined_terms)

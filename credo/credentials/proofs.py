"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA).

Signing and verifying follow the same transformation:

1. the document without its ``proof`` and the proof configuration (the proof without
   ``proofValue``, carrying the document's ``@context``) are each canonicalized with RDFC-1.0
   (URDNA2015) to N-Quads, loading contexts only from the bundled files;
2. each is hashed with SHA-256, and ``hashData = proofHash || documentHash``;
3. ``hashData`` is signed with Ed25519 and the signature written as multibase base58btc.

The legacy ``Ed25519Signature2020`` suite, and ``eddsa-2022`` (the cryptosuite's earlier name),
use the same transformation and are accepted when verifying; Credo signs only with
``eddsa-rdfc-2022``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from frozendict import frozendict
from pyld import jsonld

from credo.credentials import multikey
from credo.credentials.loader import OfflineLoader, default_loader

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITE = "eddsa-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
SIGNATURE_LENGTH = 64

PrivateKeyLike = bytes | Ed25519PrivateKey
PublicKeyLike = bytes | str | Ed25519PublicKey


class ProofError(ValueError):
    """A proof is malformed, uses an unsupported suite, or the document cannot be canonicalized."""


class UndefinedTermError(ProofError):
    """A property is not defined by the document's contexts, so a signature would not cover it."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__(
            "not defined by the JSON-LD contexts, so not covered by the signature: "
            + ", ".join(sorted(set(terms)))
        )
        self.terms = terms


@dataclass(frozen=True)
class HashData:
    """The intermediate values of the eddsa-rdfc-2022 transformation, for tests and diagnosis."""

    document_nquads: str
    proof_nquads: str
    document_hash: bytes
    proof_hash: bytes
    #: Properties the contexts do not define; JSON-LD leaves them out, so they are not signed.
    undefined_terms: tuple[str, ...] = ()

    @property
    def hash_data(self) -> bytes:
        """Return the bytes that are signed: the proof hash followed by the document hash."""
        return self.proof_hash + self.document_hash


def suite_of(proof: Mapping[str, Any]) -> str:
    """Return the name of the suite ``proof`` uses, or raise ``ProofError`` if unsupported."""
    proof_type = proof.get("type")
    if proof_type == PROOF_TYPE:
        cryptosuite = proof.get("cryptosuite")
        if cryptosuite in (CRYPTOSUITE, LEGACY_CRYPTOSUITE):
            return cryptosuite
        raise ProofError(f"unsupported cryptosuite {cryptosuite!r} (expected {CRYPTOSUITE!r})")
    if proof_type == ED25519_SIGNATURE_2020:
        return ED25519_SIGNATURE_2020
    raise ProofError(f"unsupported proof type {proof_type!r} (expected {PROOF_TYPE!r})")


def canonicalize(
    document: Mapping[str, Any], *, loader: OfflineLoader | None = None, safe: bool = True
) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document.

    With ``safe`` (the default), a property that the contexts do not define raises
    ``UndefinedTermError``: JSON-LD would silently leave it out of the N-Quads, so a signature
    would not protect it.
    """
    nquads, undefined = canonicalize_reporting(document, loader=loader)
    if safe and undefined:
        raise UndefinedTermError(undefined)
    return nquads


def canonicalize_reporting(
    document: Mapping[str, Any], *, loader: OfflineLoader | None = None
) -> tuple[str, list[str]]:
    """Return the canonical N-Quads of ``document`` and what JSON-LD left out of them.

    Left out are properties the contexts do not define and relative IRIs (an ``id`` or a
    type that is not an absolute IRI): RDF has no place for either, so neither is signed.
    """
    loader = loader or default_loader
    dropped: list[str] = []

    def on_dropped(term: str | None) -> None:
        dropped.append(term if term is not None else "(null)")

    # No base IRI: pyld would otherwise resolve relative IRIs against http://example.org/base/,
    # where other JSON-LD processors leave them relative and drop them from the N-Quads.
    processor = _Processor(on_property_dropped=on_dropped)
    options = {**loader.jsonld_options(), "base": None}
    try:
        expanded = processor.expand(dict(document), options)
        dropped.extend(_relative_iris(expanded))
        nquads = processor.normalize(
            expanded,
            {
                **options,
                _EXPANDED: expanded,
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
            },
        )
    except jsonld.JsonLdError as error:
        raise ProofError(f"the document cannot be canonicalized: {_root_cause(error)}") from error
    return nquads, dropped


_EXPANDED = "credoExpanded"


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, told not to expand a document it was handed already expanded.

    ``normalize`` expands its input before converting it to RDF; canonicalization expands
    first itself (to report what JSON-LD dropped), and expanding an expanded document again
    gives the same document at about a third of the cost of the whole canonicalization.
    """

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = (options or {}).get(_EXPANDED)
        if expanded is not None and expanded is input_:
            return expanded
        return super().expand(input_, options)

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        """Process a context as pyld does, reusing the result for the same pair of contexts.

        pyld caches a processed context under the active context it started from, but a
        type-scoped context (every Achievement, Profile, Evidence… node of a credential) is
        processed on a fresh clone, so its cache never hits and the whole type-scoped context
        is processed again for each node: about half of the signing time. Processed contexts
        are immutable and identified by their ``_uuid``, so the same active context and the
        same local context give the same result; only contexts the loader can vouch for
        (``OfflineLoader.processed_context_key``) are remembered.
        """
        loader = options.get("documentLoader")
        key = None
        if (
            isinstance(loader, OfflineLoader)
            and cycles is None
            and isinstance(active_ctx, frozendict)
            and "_uuid" in active_ctx
        ):
            local_key = loader.processed_context_key(local_ctx)
            if local_key is not None:
                key = (
                    active_ctx["_uuid"],
                    local_key,
                    override_protected,
                    propagate,
                    validate_scoped,
                    options.get("base"),
                    options.get("processingMode"),
                )
                hit = loader.processed_contexts.get(key)
                # A served context is keyed by its id, and the entry holds it: while the
                # entry exists no other object can have that id.
                if hit is not None:
                    return hit[1]
        processed = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if key is not None:
            # The local context is held with the result so its id cannot be reused meanwhile.
            loader.processed_contexts[key] = (local_ctx, processed)
        return processed


_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*|_):\S*$")


def _relative_iris(expanded: Any) -> Iterator[str]:
    """Yield the node ids, types and IRI values of an expanded document that are relative."""
    if isinstance(expanded, list):
        for item in expanded:
            yield from _relative_iris(item)
    elif isinstance(expanded, Mapping):
        if "@value" in expanded:
            return
        for key, value in expanded.items():
            if key in ("@id", "@type"):
                for iri in value if isinstance(value, list) else [value]:
                    if isinstance(iri, str) and not _ABSOLUTE_IRI.match(iri):
                        yield f"relative IRI {iri!r}"
            else:
                yield from _relative_iris(value)


def unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``document`` without its ``proof``."""
    return {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}


def proof_configuration(proof: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Return the proof configuration: ``proof`` without its value, in the document's context."""
    config = {
        key: copy.deepcopy(value)
        for key, value in proof.items()
        if key not in ("proofValue", "@context")
    }
    return {"@context": copy.deepcopy(context), **config}


def transform_and_hash(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    loader: OfflineLoader | None = None,
    safe: bool = True,
) -> HashData:
    """Canonicalize and hash ``document`` (its own proofs removed) and ``proof``'s configuration.

    When the proof carries its own ``@context``, the document's context must begin with it
    and the document is read in that context, as VC-DI-EdDSA prescribes.
    """
    body = unsecured(document)
    context = body.get("@context")
    if context is None:
        raise ProofError("the document has no @context")
    if "@context" in proof:
        context = _proof_context(proof["@context"], context)
        body["@context"] = copy.deepcopy(context)
    document_nquads, undefined = canonicalize_reporting(body, loader=loader)
    proof_nquads, undefined_in_proof = canonicalize_reporting(
        proof_configuration(proof, context), loader=loader
    )
    undefined_terms = tuple(dict.fromkeys([*undefined, *undefined_in_proof]))
    if safe and undefined_terms:
        raise UndefinedTermError(list(undefined_terms))
    return HashData(
        document_nquads=document_nquads,
        proof_nquads=proof_nquads,
        document_hash=hashlib.sha256(document_nquads.encode("utf-8")).digest(),
        proof_hash=hashlib.sha256(proof_nquads.encode("utf-8")).digest(),
        undefined_terms=undefined_terms,
    )


def sign(
    document: Mapping[str, Any],
    private_key: PrivateKeyLike,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    *,
    loader: OfflineLoader | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an eddsa-rdfc-2022 DataIntegrityProof added.

    ``private_key`` is the 32-byte Ed25519 seed or a ``cryptography`` private key;
    ``verification_method`` is the URL of the public key (``<issuer URL>#<publicKeyMultibase>``
    or a ``did:key``); ``created`` an aware datetime (or an XML Schema dateTime string).
    A document that already has proofs gets one more (a proof set); each proof covers the
    document without any proof. Undefined properties are refused (``UndefinedTermError``).
    """
    key = _private_key(private_key)
    proof = {
        "type": PROOF_TYPE,
        "created": _datetime_text(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    hashed = transform_and_hash(document, proof, loader=loader)
    proof["proofValue"] = multikey.multibase_encode(key.sign(hashed.hash_data))
    signed = copy.deepcopy(dict(document))
    existing = signed.get("proof")
    if existing is None:
        signed["proof"] = proof
    else:
        signed["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return signed


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: PublicKeyLike,
    *,
    loader: OfflineLoader | None = None,
    safe: bool = True,
) -> bool:
    """Return whether ``proof`` is a valid signature over ``document`` by ``public_key``.

    ``public_key`` is the raw 32-byte key, its Multikey string or a ``cryptography`` key.
    Raise ``ProofError`` when the proof is malformed or of an unsupported suite, or when the
    document cannot be canonicalized offline (an unknown context, an undefined property).
    """
    suite_of(proof)
    signature = proof_signature(proof)
    hashed = transform_and_hash(document, proof, loader=loader, safe=safe)
    return verify_signature(hashed, signature, public_key)


def proof_signature(proof: Mapping[str, Any]) -> bytes:
    """Return the signature bytes of ``proof`` (its multibase ``proofValue`` decoded)."""
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        raise ProofError("the proof has no proofValue")
    try:
        return multikey.multibase_decode(proof_value)
    except multikey.MultikeyError as error:
        raise ProofError(f"proofValue is not multibase base58btc: {error}") from error


def verify_signature(hashed: HashData, signature: bytes, public_key: PublicKeyLike) -> bool:
    """Return whether ``signature`` is ``public_key``'s Ed25519 signature over ``hashed``."""
    key = _public_key(public_key)
    if len(signature) != SIGNATURE_LENGTH:
        # A damaged value may still decode; it simply cannot be an Ed25519 signature.
        return False
    try:
        key.verify(signature, hashed.hash_data)
    except InvalidSignature:
        return False
    return True


def _proof_context(proof_context: Any, document_context: Any) -> Any:
    wanted = proof_context if isinstance(proof_context, list) else [proof_context]
    have = document_context if isinstance(document_context, list) else [document_context]
    if have[: len(wanted)] != wanted:
        raise ProofError("the proof's @context is not the beginning of the document's @context")
    return proof_context


def _private_key(key: PrivateKeyLike) -> Ed25519PrivateKey:
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, bytes | bytearray) and len(key) == multikey.ED25519_KEY_LENGTH:
        return Ed25519PrivateKey.from_private_bytes(bytes(key))
    raise TypeError("private_key must be a 32-byte Ed25519 seed or an Ed25519PrivateKey")


def _public_key(key: PublicKeyLike) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, str):
        try:
            key = multikey.decode_public_key(key)
        except multikey.MultikeyError as error:
            raise ProofError(f"public key: {error}") from error
    if isinstance(key, bytes | bytearray) and len(key) == multikey.ED25519_KEY_LENGTH:
        return Ed25519PublicKey.from_public_bytes(bytes(key))
    raise TypeError("public_key must be 32 bytes, a Multikey string or an Ed25519PublicKey")


def _datetime_text(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("created must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _root_cause(error: BaseException) -> str:
    """Return the message of the innermost cause (pyld wraps the loader's error twice)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error)

"""eddsa-rdfc-2022 proofs: the 1EdTech test vectors byte for byte, and the building blocks."""

import copy
import json
import socket

import pytest

from credo.credentials import keys, multikey, proofs
from credo.credentials.loader import (
    CONTEXT_FILES,
    OB_CONTEXT_3_0_3,
    OfflineLoader,
    UnknownContextError,
    unknown_context_urls,
)
from credo.credentials.tests.conftest import read_json
from credo.credentials.tests.factories import SIGNED_AT, achievement_credential

VECTORS = ["obv3p0", "clrv2p0"]


def _vector(interop, name):
    folder = interop / "ob3-vectors"
    vector = read_json(folder / f"{name}.json")
    signed = vector["signed_credential"]
    proof = signed["proof"][0] if isinstance(signed["proof"], list) else signed["proof"]
    return folder, vector, signed, proof


@pytest.mark.interop
@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("ob_context", ["validator", "spec"])
def test_vector_canonical_forms_and_hashes(interop, name, ob_context):
    # The interop README: both copies of the OB 3.0.3 context reproduce the vectors.
    extra = {}
    if ob_context == "spec":
        extra[OB_CONTEXT_3_0_3] = read_json(interop / "contexts/ob-v3p0-context-3.0.3.spec.json")
    folder, vector, signed, proof = _vector(interop, name)

    hashed = proofs.transform_and_hash(signed, proof, loader=OfflineLoader(extra))

    assert hashed.document_nquads == (folder / f"{name}-document-canon.nq").read_text("utf-8")
    assert hashed.proof_nquads == (folder / f"{name}-proof-canon.nq").read_text("utf-8")
    assert hashed.document_hash.hex() == vector["document_hash_hex"]
    assert hashed.proof_hash.hex() == vector["proof_hash_hex"]
    assert hashed.undefined_terms == ()


@pytest.mark.interop
@pytest.mark.parametrize("name", VECTORS)
def test_vector_signature_and_proof_value(interop, name):
    _, vector, signed, proof = _vector(interop, name)
    seed = bytes.fromhex(vector["key"]["private_key_seed_hex"])

    resigned = proofs.sign(
        proofs.unsecured(signed), seed, proof["verificationMethod"], proof["created"]
    )

    signature = multikey.multibase_decode(resigned["proof"]["proofValue"])
    assert signature.hex() == vector["signature_hex"]
    assert resigned["proof"]["proofValue"] == vector["proof_value"] == proof["proofValue"]
    assert resigned["proof"] == proof
    assert proofs.verify_proof(signed, proof, vector["key"]["public_key_multibase"])


@pytest.mark.interop
@pytest.mark.parametrize("name", VECTORS)
def test_vector_keys(interop, name):
    key = _vector(interop, name)[1]["key"]
    public = bytes.fromhex(key["public_key_hex"])
    seed = bytes.fromhex(key["private_key_seed_hex"])

    assert multikey.encode_public_key(public) == key["public_key_multibase"]
    assert multikey.decode_public_key(key["public_key_multibase"]) == public
    # The vector writes the older 64-byte private key (seed + public key).
    assert multikey.decode_private_key(key["secret_key_multibase"]) == seed
    assert keys.key_pair_from_seed(seed).public_key == public
    assert key["verification_method"] == f"{key['controller']}#{key['public_key_multibase']}"


def test_sign_then_verify_with_a_new_key():
    pair = keys.generate_key_pair()
    method = pair.verification_method("https://credo.example/schools/northfield")
    signed = proofs.sign(achievement_credential(), pair.private_key, method, SIGNED_AT)

    assert signed["proof"] == {
        "type": "DataIntegrityProof",
        "created": "2025-06-01T12:00:00Z",
        "verificationMethod": method,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": signed["proof"]["proofValue"],
    }
    assert proofs.verify_proof(signed, signed["proof"], pair.public_key)
    assert proofs.verify_proof(signed, signed["proof"], pair.public_key_multibase)
    assert not proofs.verify_proof(signed, signed["proof"], keys.generate_key_pair().public_key)


def test_sign_leaves_the_input_alone():
    document = achievement_credential()
    before = copy.deepcopy(document)
    proofs.sign(document, keys.generate_key_pair().private_key, "did:key:z6Mk", SIGNED_AT)
    assert document == before


def test_a_second_proof_makes_a_proof_set_each_covering_the_bare_document():
    first, second = keys.generate_key_pair(), keys.generate_key_pair()
    once = proofs.sign(achievement_credential(), first.private_key, "urn:a", SIGNED_AT)
    twice = proofs.sign(once, second.private_key, "urn:b", SIGNED_AT)

    assert [p["verificationMethod"] for p in twice["proof"]] == ["urn:a", "urn:b"]
    assert proofs.verify_proof(twice, twice["proof"][0], first.public_key)
    assert proofs.verify_proof(twice, twice["proof"][1], second.public_key)


def test_signing_refuses_properties_the_contexts_do_not_define():
    document = achievement_credential()
    document["credentialSubject"]["achievement"]["type"] = ["NotAnAchievement"]
    # "achievementType" is defined only inside Achievement's scoped context.
    with pytest.raises(proofs.UndefinedTermError, match="achievementType"):
        proofs.sign(document, keys.generate_key_pair().private_key, "urn:k", SIGNED_AT)


def test_created_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        proofs.sign(
            achievement_credential(),
            keys.generate_key_pair().private_key,
            "urn:k",
            SIGNED_AT.replace(tzinfo=None),
        )


def test_unsupported_suites_are_named():
    proof = {"type": "JsonWebSignature2020", "proofValue": "z1"}
    with pytest.raises(proofs.ProofError, match="unsupported proof type 'JsonWebSignature2020'"):
        proofs.verify_proof(achievement_credential(), proof, b"\0" * 32)
    proof = {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019", "proofValue": "z1"}
    with pytest.raises(proofs.ProofError, match="unsupported cryptosuite 'ecdsa-rdfc-2019'"):
        proofs.verify_proof(achievement_credential(), proof, b"\0" * 32)


def test_ed25519_signature_2020_proofs_verify():
    # The legacy suite signs the same hash data; only the proof's shape differs.
    pair = keys.generate_key_pair()
    document = achievement_credential()
    document["@context"] = [
        *document["@context"],
        "https://w3id.org/security/suites/ed25519-2020/v1",
    ]
    proof = {
        "type": "Ed25519Signature2020",
        "created": "2025-06-01T12:00:00Z",
        "verificationMethod": pair.verification_method("https://credo.example/schools/northfield"),
        "proofPurpose": "assertionMethod",
    }
    hashed = proofs.transform_and_hash(document, proof)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signature = Ed25519PrivateKey.from_private_bytes(pair.private_key).sign(hashed.hash_data)
    proof["proofValue"] = multikey.multibase_encode(signature)
    signed = {**document, "proof": proof}

    assert proofs.suite_of(proof) == "Ed25519Signature2020"
    assert proofs.verify_proof(signed, proof, pair.public_key)
    signed["name"] = "Changed"
    assert not proofs.verify_proof(signed, proof, pair.public_key)


def test_a_proof_context_must_begin_the_document_context():
    pair = keys.generate_key_pair()
    signed = proofs.sign(achievement_credential(), pair.private_key, "urn:k", SIGNED_AT)
    proof = {**signed["proof"], "@context": signed["@context"]}
    assert proofs.verify_proof(signed, proof, pair.public_key)
    # The document is then read in the proof's context alone, which leaves OB terms undefined.
    proof["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    with pytest.raises(proofs.UndefinedTermError, match="achievement"):
        proofs.verify_proof(signed, proof, pair.public_key)
    proof["@context"] = ["https://w3id.org/security/data-integrity/v1"]
    with pytest.raises(proofs.ProofError, match="beginning of the document's @context"):
        proofs.verify_proof(signed, proof, pair.public_key)


def test_the_loader_refuses_unknown_urls_without_touching_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the loader tried to open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    document = achievement_credential()
    document["@context"].append("https://example.org/not-bundled.jsonld")

    with pytest.raises(UnknownContextError, match="not-bundled.jsonld"):
        OfflineLoader()("https://example.org/not-bundled.jsonld")
    with pytest.raises(proofs.ProofError, match="not-bundled.jsonld' is not bundled"):
        proofs.canonicalize(document)
    assert unknown_context_urls(document) == ["https://example.org/not-bundled.jsonld"]


def test_every_bundled_context_loads():
    loader = OfflineLoader()
    for url in CONTEXT_FILES:
        document = loader(url)["document"]
        assert "@context" in document, url
        # A fresh copy each time: pyld may rewrite what it is given.
        assert loader(url)["document"] is not document


def test_base58_round_trip_keeps_leading_zeros():
    for data in [b"", b"\0", b"\0\0\x01", bytes(range(40)), b"\xff" * 33]:
        assert multikey.base58_decode(multikey.base58_encode(data)) == data
    assert multikey.base58_encode(b"\0\0\x01") == "112"
    with pytest.raises(multikey.MultikeyError, match="'0' is not a base58btc character"):
        multikey.base58_decode("z0")
    with pytest.raises(multikey.MultikeyError, match="starting with 'z'"):
        multikey.multibase_decode("uAAAA")


def test_multikeys():
    pair = keys.generate_key_pair()
    assert pair.public_key_multibase.startswith("z6Mk")
    assert multikey.decode_public_key(pair.public_key_multibase) == pair.public_key
    assert multikey.decode_private_key(multikey.encode_private_key(pair.private_key)) == (
        pair.private_key
    )
    with pytest.raises(multikey.MultikeyError, match="0xed01"):
        multikey.decode_public_key(multikey.encode_private_key(pair.private_key))
    assert not multikey.is_public_multikey("z6Mk")
    assert multikey.is_public_multikey(pair.public_key_multibase)


def test_private_keys_are_encrypted_at_rest():
    pair = keys.generate_key_pair()
    kek = keys.load_kek(keys.generate_kek())
    token = keys.encrypt_private_key(pair.private_key, kek, associated_data=b"school:7/key:3")

    assert pair.private_key.hex() not in token
    assert keys.encrypt_private_key(pair.private_key, kek) != keys.encrypt_private_key(
        pair.private_key, kek
    )  # a fresh nonce each time
    assert keys.decrypt_private_key(token, kek, associated_data=b"school:7/key:3") == (
        pair.private_key
    )
    with pytest.raises(keys.KeyDecryptionError):
        keys.decrypt_private_key(token, kek, associated_data=b"school:8/key:3")
    with pytest.raises(keys.KeyDecryptionError):
        keys.decrypt_private_key(token, keys.load_kek(keys.generate_kek()))
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(keys.KeyDecryptionError):
        keys.decrypt_private_key(tampered, kek, associated_data=b"school:7/key:3")

    new_kek = keys.load_kek(keys.generate_kek())
    rotated = keys.rewrap_private_key(token, kek, new_kek, associated_data=b"school:7/key:3")
    assert keys.decrypt_private_key(rotated, new_kek, associated_data=b"school:7/key:3") == (
        pair.private_key
    )


def test_key_material_is_checked_and_never_printed():
    pair = keys.generate_key_pair()
    assert pair.private_key.hex() not in repr(pair)
    with pytest.raises(ValueError, match="32 random bytes"):
        keys.load_kek("c2hvcnQ=")
    with pytest.raises(ValueError, match="32 bytes"):
        keys.encrypt_private_key(pair.private_key, b"short")


def test_vectors_sign_identically_in_json_round_trip(interop):
    # Signing depends on the data, not on key order or whitespace of the JSON text.
    _, vector, signed, proof = _vector(interop, "obv3p0")
    shuffled = json.loads(json.dumps(proofs.unsecured(signed), sort_keys=True))
    seed = bytes.fromhex(vector["key"]["private_key_seed_hex"])
    resigned = proofs.sign(shuffled, seed, proof["verificationMethod"], proof["created"])
    assert resigned["proof"]["proofValue"] == vector["proof_value"]


def _pyld_alone(document, loader):
    """Canonicalize as pyld does on its own: no reuse of processed contexts, two expansions."""
    from pyld import jsonld

    original = proofs._Processor
    proofs._Processor = type("PlainProcessor", (jsonld.JsonLdProcessor,), {})
    try:
        return proofs.canonicalize_reporting(document, loader=loader)
    except proofs.ProofError as error:
        return ("error", str(error))
    finally:
        proofs._Processor = original


@pytest.mark.interop
def test_reusing_processed_contexts_changes_no_byte_in_any_order(interop):
    """Credo remembers processed JSON-LD contexts across documents (pyld's own cache misses
    every type-scoped context); the N-Quads must be what pyld alone gives, whatever came
    before, for valid and broken documents alike."""
    import random

    documents = [
        unsigned
        for path in sorted(interop.glob("ob3-*/**/*.json")) + sorted(interop.glob("clr2-*/*.json"))
        if isinstance(unsigned := read_json(path), dict) and "@context" in unsigned
    ]
    documents.append(achievement_credential())
    assert len(documents) > 10
    documents = [proofs.unsecured(d) for d in documents]
    expected = [_pyld_alone(d, OfflineLoader()) for d in documents]
    shared = OfflineLoader()
    for seed in range(3):
        order = list(range(len(documents)))
        random.Random(seed).shuffle(order)
        for index in order:
            try:
                got = proofs.canonicalize_reporting(documents[index], loader=shared)
            except proofs.ProofError as error:
                got = ("error", str(error))
            assert got == expected[index]
    assert len(shared.processed_contexts) > 0

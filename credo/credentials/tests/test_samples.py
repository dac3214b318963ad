"""1EdTech's validator samples and test vectors, verified offline by verify_credential."""

from datetime import UTC, datetime

import pytest

from credo.credentials.tests.conftest import read_json
from credo.credentials.verify import verify_credential

pytestmark = pytest.mark.interop

NOW = datetime(2025, 9, 1, tzinfo=UTC)

VALID_OB_SAMPLES = [
    "simple.json",
    "simple-did-key-method.json",
    "simple-eddsa-2022.json",
    "complete.json",
]

# Each error sample: the check its name gives, then every check that fails on it. Several
# samples were edited after signing, so their signatures no longer hold either.
ERROR_SAMPLES = {
    "simple-err-context.json": (
        "context",
        ["context", "defined-terms", "proof-value", "schema", "verification-method"],
    ),
    "simple-err-credential-subject-type.json": (
        "credential-subject-type",
        ["credential-subject-type", "defined-terms", "proof-value", "schema"],
    ),
    "simple-err-evidence-type.json": (
        "evidence-type",
        ["defined-terms", "evidence-type", "proof-value", "schema"],
    ),
    "simple-err-expired.json": ("expired", ["expired"]),
    "simple-err-issuer.json": ("issuer", ["issuer", "schema"]),
    "simple-err-proof-value.json": ("proof-value", ["proof-value"]),
    "simple-err-type.json": ("type", ["defined-terms", "proof-value", "schema", "type"]),
}


def _failed(result, path="$"):
    return sorted({check.name for check in result.failures if check.path == path})


@pytest.mark.parametrize("name", VALID_OB_SAMPLES)
def test_valid_open_badges_samples_verify(interop, name):
    result = verify_credential(read_json(interop / "ob3-samples" / name), now=NOW)
    assert result.valid, result.failures


def test_legacy_samples_verify_with_warnings(interop):
    result = verify_credential(read_json(interop / "ob3-samples/simple-eddsa-2022.json"), now=NOW)
    warned = {check.name for check in result.warnings}
    assert {"context", "schema", "proof-type"} <= warned
    assert "legacy suite eddsa-2022" in result.named("proof-type")[0].message


def test_did_key_sample_says_the_key_is_not_bound_to_the_issuer(interop):
    result = verify_credential(
        read_json(interop / "ob3-samples/simple-did-key-method.json"), now=NOW
    )
    (method,) = result.named("verification-method")
    assert method.ok and method.warning
    assert "nothing binds it to the issuer urn:uuid:6f2e33e5" in method.message


@pytest.mark.parametrize("name", sorted(ERROR_SAMPLES))
def test_error_samples_fail_on_the_check_their_name_gives(interop, name):
    expected_check, all_failed = ERROR_SAMPLES[name]

    result = verify_credential(read_json(interop / "ob3-samples" / name), now=NOW)

    assert not result.valid
    assert expected_check in _failed(result)
    assert _failed(result) == all_failed


def test_open_badges_sample_without_proof(interop):
    result = verify_credential(read_json(interop / "ob3-samples/simple-noproof.json"), now=NOW)
    assert not result.valid
    assert result.named("proof")[0].message == "the credential has no proof"


def test_clr_sample_verifies_with_its_embedded_credential(interop):
    result = verify_credential(read_json(interop / "clr2-samples/simple.json"), now=NOW)

    assert result.valid, result.failures
    embedded = "$.credentialSubject.verifiableCredential[0]"
    assert result.named("proof-value", path=embedded)[0].ok
    assert result.named("type", path="$")[0].message == "type VerifiableCredential, ClrCredential"


def test_clr_sample_without_proof(interop):
    result = verify_credential(read_json(interop / "clr2-samples/simple-noproof.json"), now=NOW)
    assert not result.valid
    assert result.named("proof")[0].message == "the credential has no proof"


def test_clr_complex_sample_names_what_keeps_it_from_verifying(interop):
    # Legacy VCDM 1.1 signed with Ed25519Signature2020: the suite is supported, but the
    # sample names the unversioned OB and CLR context URLs, whose content has changed since
    # it was signed; they are not bundled, so nothing can be checked offline.
    result = verify_credential(read_json(interop / "clr2-samples/complex.json"), now=NOW)

    assert not result.valid
    (proof_type,) = result.named("proof-type")
    assert proof_type.ok and "Ed25519Signature2020" in proof_type.message
    (context,) = result.named("context")
    assert "https://purl.imsglobal.org/spec/clr/v2p0/context.json" in context.message
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context.json" in context.message
    assert _failed(result) == ["context", "proof-value"]
    assert "not bundled" in result.named("proof-value")[0].message


@pytest.mark.parametrize("name", ["obv3p0", "clrv2p0"])
def test_the_vectors_signed_credentials_verify(interop, name):
    vector = read_json(interop / "ob3-vectors" / f"{name}.json")
    key = vector["key"]
    published = {key["verification_method"]: key["public_key_multibase"]}

    result = verify_credential(vector["signed_credential"], now=NOW, key_resolver=published.get)

    assert result.valid, result.failures
    # The vectors write single values (their one proof, types) where the published schema
    # wants arrays, which a strict validator refuses as written: the check passes, and says so.
    assert {c.name for c in result.warnings} == {"schema"}
    assert all("strict JSON-schema validator refuses" in c.message for c in result.warnings)

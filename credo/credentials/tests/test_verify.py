"""verify_credential on credentials Credo signs: round trips, tampering, keys, dates, CLR."""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from credo.credentials import keys, proofs
from credo.credentials.tests.factories import (
    ISSUER,
    NOW,
    SIGNED_AT,
    achievement_credential,
    clr_credential,
    signed_achievement_credential,
)
from credo.credentials.verify import verify_credential

CHECKS_RUN = [
    "context",
    "type",
    "schema",
    "issuer",
    "credential-subject-type",
    "evidence-type",
    "not-yet-valid",
    "expired",
    "proof",
    "proof-type",
    "verification-method",
    "proof-value",
    "defined-terms",
]


@pytest.fixture(scope="module")
def key_pair():
    return keys.generate_key_pair()


@pytest.fixture(scope="module")
def signed(key_pair):
    return signed_achievement_credential(key_pair)


def _failed(result, path="$"):
    return sorted({check.name for check in result.failures if check.path == path})


def test_a_credential_credo_signs_verifies(signed):
    result = verify_credential(signed, now=NOW)

    assert result.valid, result.failures
    assert [check.name for check in result.checks] == CHECKS_RUN
    # Without a key resolver the key is only what the verification method says.
    (method,) = result.named("verification-method")
    assert method.warning
    assert "only" in method.message
    assert [check.name for check in result.warnings] == ["verification-method"]


def test_a_key_resolver_confirms_the_key(signed, key_pair):
    published = {key_pair.verification_method(ISSUER): key_pair.public_key_multibase}

    result = verify_credential(signed, now=NOW, key_resolver=published.get)

    assert result.valid
    assert result.warnings == []
    assert "confirmed" in result.named("verification-method")[0].message


def test_a_resolver_that_publishes_another_key_fails_the_credential(signed):
    other = keys.generate_key_pair()
    result = verify_credential(signed, now=NOW, key_resolver=lambda method: other.public_key)
    assert _failed(result) == ["verification-method"]
    assert "not the key the issuer publishes" in result.failures[0].message


def test_a_failing_resolver_is_reported_not_raised(signed):
    def broken(method):
        raise RuntimeError("database is down")

    result = verify_credential(signed, now=NOW, key_resolver=broken)
    assert _failed(result) == ["verification-method"]
    assert "database is down" in result.failures[0].message


def test_a_resolver_that_does_not_know_the_method_leaves_the_warning(signed):
    result = verify_credential(signed, now=NOW, key_resolver=lambda method: None)
    assert result.valid
    assert [check.name for check in result.warnings] == ["verification-method"]


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value.endswith("Z") and value[:4].isdigit():  # a dateTime: one second later
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(seconds=1)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value.startswith("z") and len(value) > 40:  # a multibase value: another valid digit
        return value[:-1] + ("2" if value[-1] != "2" else "3")
    return value + "x"


def _set(document, path, value):
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def test_changing_any_leaf_of_a_signed_credential_fails_verification(signed):
    leaves = list(_leaves(signed))
    assert len(leaves) > 25

    for path, value in leaves:
        tampered = copy.deepcopy(signed)
        _set(tampered, path, _changed(value))

        result = verify_credential(tampered, now=NOW)

        assert not result.valid, f"changing {path} went unnoticed"
        if path[0] != "proof":
            # The signature itself covers every field of the credential.
            (proof_value,) = result.named("proof-value")
            assert not proof_value.ok, f"the signature does not cover {path}"


def test_adding_or_removing_a_field_fails_verification(signed):
    added = copy.deepcopy(signed)
    added["description"] = "An extra claim"
    assert _failed(verify_credential(added, now=NOW)) == ["proof-value"]

    removed = copy.deepcopy(signed)
    del removed["evidence"]
    assert _failed(verify_credential(removed, now=NOW)) == ["proof-value"]

    undefined = copy.deepcopy(signed)
    undefined["credentialSubject"]["achievement"]["secretGrade"] = "A+"
    # JSON-LD drops an undefined term, so the signature still holds; the report says so.
    assert _failed(verify_credential(undefined, now=NOW)) == ["defined-terms"]
    assert "secretGrade" in verify_credential(undefined, now=NOW).failures[0].message


def test_nodes_with_relative_ids_are_reported_as_unsigned(signed):
    # RDF has no place for a relative IRI, so JSON-LD drops such a node without a word.
    smuggled = copy.deepcopy(signed)
    smuggled["evidence"].append({"id": "made-up", "type": ["Evidence"], "name": "Forged"})

    result = verify_credential(smuggled, now=NOW)

    assert _failed(result) == ["defined-terms"]
    assert "relative IRI 'made-up'" in result.failures[0].message


def test_revocation_status_is_flagged_as_unchecked(key_pair):
    document = achievement_credential()
    document["credentialStatus"] = {
        "id": f"{ISSUER}/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": f"{ISSUER}/status/1",
    }
    signed = proofs.sign(
        document, key_pair.private_key, key_pair.verification_method(ISSUER), SIGNED_AT
    )
    result = verify_credential(signed, now=NOW)
    assert result.valid, result.failures
    (status,) = result.named("credential-status")
    assert status.warning and "not checked" in status.message


def test_malformed_json_ld_is_reported_not_raised(signed):
    broken = copy.deepcopy(signed)
    broken["@context"] = [*broken["@context"], {"@version": 2.5}]
    result = verify_credential(broken, now=NOW)
    assert not result.valid
    assert "not checked" in result.named("proof-value")[0].message


def test_validity_period(key_pair):
    document = achievement_credential()
    document["validFrom"] = "2026-01-01T00:00:00Z"
    document["validUntil"] = "2027-01-01T00:00:00-05:00"
    signed = proofs.sign(
        document, key_pair.private_key, key_pair.verification_method(ISSUER), SIGNED_AT
    )

    assert _failed(verify_credential(signed, now=NOW)) == ["not-yet-valid"]
    assert verify_credential(signed, now=datetime(2026, 6, 1, tzinfo=UTC)).valid
    assert _failed(verify_credential(signed, now=datetime(2027, 1, 1, 5, tzinfo=UTC))) == [
        "expired"
    ]


def test_now_must_be_timezone_aware(signed):
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_credential(signed, now=datetime(2025, 1, 1))


def test_a_key_under_another_url_than_the_issuer_fails(key_pair):
    document = achievement_credential()
    method = key_pair.verification_method("https://elsewhere.example/issuer")
    signed = proofs.sign(document, key_pair.private_key, method, SIGNED_AT)

    result = verify_credential(signed, now=NOW)

    assert _failed(result) == ["verification-method"]
    assert "not to the issuer" in result.failures[0].message
    assert result.named("proof-value")[0].ok  # the signature is fine, the binding is not


def test_did_key_methods_resolve_locally(key_pair):
    did = f"did:key:{key_pair.public_key_multibase}"
    document = achievement_credential(issuer=did)
    signed = proofs.sign(
        document, key_pair.private_key, f"{did}#{key_pair.public_key_multibase}", SIGNED_AT
    )
    signed["proof"] = [signed["proof"]]

    result = verify_credential(signed, now=NOW)

    assert result.valid, result.failures
    assert result.warnings == []  # the issuer is the did:key itself


def test_methods_that_need_the_network_fail_without_a_resolver(key_pair):
    signed = proofs.sign(
        achievement_credential(), key_pair.private_key, "did:web:credo.example", SIGNED_AT
    )
    result = verify_credential(signed, now=NOW)
    assert _failed(result) == ["proof-value", "verification-method"]
    assert "cannot be resolved offline" in result.named("verification-method")[0].message

    resolved = verify_credential(signed, now=NOW, key_resolver=lambda m: key_pair.public_key)
    assert resolved.valid


def test_missing_or_foreign_proofs(signed):
    bare = proofs.unsecured(signed)
    result = verify_credential(bare, now=NOW)
    assert _failed(result) == ["proof"]
    assert result.named("proof")[0].message == "the credential has no proof"

    foreign = copy.deepcopy(signed)
    foreign["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    result = verify_credential(foreign, now=NOW)
    assert _failed(result) == ["proof-type"]
    assert "unsupported cryptosuite" in result.failures[0].message
    # Nothing was canonicalized, so nothing is claimed about the signature or the terms.
    assert result.named("proof-value") == result.named("defined-terms") == []

    other_purpose = copy.deepcopy(signed)
    other_purpose["proof"][0]["proofPurpose"] = "authentication"
    assert _failed(verify_credential(other_purpose, now=NOW)) == ["proof-type"]


def test_every_proof_of_a_set_must_hold(signed, key_pair):
    second = keys.generate_key_pair()
    twice = proofs.sign(signed, second.private_key, second.verification_method(ISSUER), SIGNED_AT)
    assert verify_credential(twice, now=NOW).valid

    twice["proof"][1]["proofValue"] = signed["proof"][0]["proofValue"]
    result = verify_credential(twice, now=NOW)
    assert _failed(result) == ["proof-value"]
    assert result.failures[0].message.startswith("proof 2 of 2:")


def test_not_a_credential():
    assert _failed(verify_credential("eyJhbGciOi.x.y", now=NOW)) == ["parse"]
    assert not verify_credential([], now=NOW).valid


@pytest.fixture(scope="module")
def transcript(key_pair):
    embedded = [signed_achievement_credential(key_pair, number) for number in (1, 2)]
    return proofs.sign(
        clr_credential(embedded),
        key_pair.private_key,
        key_pair.verification_method(ISSUER),
        SIGNED_AT,
    )


def test_a_clr_transcript_verifies_with_its_embedded_credentials(transcript):
    result = verify_credential(transcript, now=NOW)

    assert result.valid, result.failures
    paths = sorted({check.path for check in result.checks})
    assert paths == [
        "$",
        "$.credentialSubject.verifiableCredential[0]",
        "$.credentialSubject.verifiableCredential[1]",
    ]
    assert len(result.named("proof-value", path=None)) == 3


def test_tampering_with_an_embedded_credential_breaks_both_proofs(transcript):
    tampered = copy.deepcopy(transcript)
    tampered["credentialSubject"]["verifiableCredential"][1]["name"] = "Advanced Calculus"

    result = verify_credential(tampered, now=NOW)

    assert _failed(result) == ["proof-value"]
    assert _failed(result, "$.credentialSubject.verifiableCredential[1]") == ["proof-value"]
    assert _failed(result, "$.credentialSubject.verifiableCredential[0]") == []


def test_result_as_json(signed):
    data = verify_credential(signed, now=NOW).to_dict()
    assert data["valid"] is True
    assert data["checks"][0] == {
        "name": "context",
        "ok": True,
        "message": "required contexts present",
        "path": "$",
        "warning": False,
    }


def test_throughput_is_measured():
    from credo.credentials.bench import measure_throughput

    figures = measure_throughput(batch=4, runs=3)
    assert figures.sign_per_second > 0
    assert figures.verify_proof_per_second > 0
    assert figures.verify_credential_per_second > 0

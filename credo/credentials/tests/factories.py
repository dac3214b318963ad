"""Credentials built the way Credo issues them, for the tests."""

from datetime import UTC, datetime

from credo.credentials import keys, proofs
from credo.credentials.loader import CLR_CONTEXT_2_0_1, CREDENTIALS_V2, OB_CONTEXT_3_0_3

ISSUER = "https://credo.example/schools/northfield"
SIGNED_AT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
NOW = datetime(2025, 9, 1, tzinfo=UTC)


def achievement_credential(number: int = 1, *, issuer: str = ISSUER) -> dict:
    """Return an unsigned AchievementCredential for one awarded mastery credit."""
    return {
        "@context": [CREDENTIALS_V2, OB_CONTEXT_3_0_3],
        "id": f"{issuer}/credentials/{number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Northfield Community High School",
            "url": "https://northfield.example",
        },
        "validFrom": "2025-06-01T12:00:00Z",
        "name": "Scientific Inquiry (foundational)",
        "credentialSubject": {
            "id": "urn:uuid:4b0d9c2e-5b0a-4d7e-9a43-1d1f8f6a2c11",
            "type": ["AchievementSubject"],
            "creditsEarned": 1.5,
            "achievement": {
                "id": f"{issuer}/credits/scientific-inquiry",
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": "Scientific Inquiry",
                "description": "Designs investigations and argues from evidence.",
                "criteria": {"narrative": "Reviewed by a panel of two teachers and a scientist."},
            },
        },
        "evidence": [
            {
                "id": f"{issuer}/evidence/{number}",
                "type": ["Evidence"],
                "name": "Watershed study",
                "narrative": "A season of water-quality sampling, presented to the town council.",
            }
        ],
    }


def signed_achievement_credential(
    key_pair: keys.KeyPair, number: int = 1, *, issuer: str = ISSUER
) -> dict:
    """Return a credential signed as Credo signs: its one proof written as an array."""
    signed = proofs.sign(
        achievement_credential(number, issuer=issuer),
        key_pair.private_key,
        key_pair.verification_method(issuer),
        SIGNED_AT,
    )
    signed["proof"] = [signed["proof"]]
    return signed


def clr_credential(embedded: list[dict], *, issuer: str = ISSUER) -> dict:
    """Return an unsigned ClrCredential (a transcript) embedding signed credentials."""
    return {
        "@context": [CREDENTIALS_V2, CLR_CONTEXT_2_0_1, OB_CONTEXT_3_0_3],
        "id": f"{issuer}/transcripts/7",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Northfield Community High School"},
        "validFrom": "2025-06-01T12:00:00Z",
        "name": "Mastery Transcript",
        "credentialSubject": {
            "id": "urn:uuid:4b0d9c2e-5b0a-4d7e-9a43-1d1f8f6a2c11",
            "type": ["ClrSubject"],
            "verifiableCredential": embedded,
        },
    }

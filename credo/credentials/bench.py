"""Measure how many credentials per second this machine signs and verifies.

``python -m credo.credentials.bench`` prints the figures; ``credo bench`` can call
``measure_throughput``. Each figure is the median of several timed runs over a batch of
distinct OB 3.0 AchievementCredentials signed with a fresh key.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from credo.credentials import keys, proofs
from credo.credentials.loader import CREDENTIALS_V2, OB_CONTEXT_3_0_3
from credo.credentials.verify import verify_credential

_ISSUER = "https://bench.credo.invalid/issuer"


@dataclass(frozen=True)
class Throughput:
    """Credentials per second (medians of ``runs`` runs of ``batch`` credentials each)."""

    sign_per_second: float
    verify_proof_per_second: float
    verify_credential_per_second: float
    batch: int
    runs: int


def sample_credential(number: int) -> dict:
    """Return an unsigned AchievementCredential of typical size, distinct for each number."""
    return {
        "@context": [CREDENTIALS_V2, OB_CONTEXT_3_0_3],
        "id": f"{_ISSUER}/credentials/{number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": _ISSUER, "type": ["Profile"], "name": "Bench High School"},
        "validFrom": "2025-06-01T00:00:00Z",
        "name": f"Mastery credit {number}",
        "credentialSubject": {
            "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"{_ISSUER}/credits/{number % 40}",
                "type": ["Achievement"],
                "name": f"Credit {number % 40}",
                "description": "Demonstrated at the foundational level before a review panel.",
                "criteria": {"narrative": "Every listed competency assessed as proficient."},
            },
        },
        "evidence": [
            {
                "id": f"{_ISSUER}/evidence/{number}",
                "type": ["Evidence"],
                "name": "Exhibition",
                "narrative": "Presented and defended before the panel.",
            }
        ],
    }


def measure_throughput(batch: int = 50, runs: int = 5) -> Throughput:
    """Return the median signing and verification rates over ``runs`` runs of ``batch``."""
    pair = keys.generate_key_pair()
    method = pair.verification_method(_ISSUER)
    created = datetime(2025, 6, 1, tzinfo=UTC)
    now = datetime(2025, 9, 1, tzinfo=UTC)
    documents = [sample_credential(number) for number in range(batch)]
    # One warm-up so the contexts are loaded and resolved before timing.
    warm = proofs.sign(documents[0], pair.private_key, method, created)
    verify_credential(warm, now=now)

    sign_rates, proof_rates, credential_rates = [], [], []
    signed: list[dict] = []
    for _ in range(runs):
        started = time.perf_counter()
        signed = [proofs.sign(doc, pair.private_key, method, created) for doc in documents]
        sign_rates.append(batch / (time.perf_counter() - started))

        started = time.perf_counter()
        if not all(proofs.verify_proof(doc, doc["proof"], pair.public_key) for doc in signed):
            raise AssertionError("a benchmark credential failed to verify")
        proof_rates.append(batch / (time.perf_counter() - started))

        started = time.perf_counter()
        if not all(verify_credential(doc, now=now).valid for doc in signed):
            raise AssertionError("a benchmark credential failed to verify")
        credential_rates.append(batch / (time.perf_counter() - started))
    return Throughput(
        sign_per_second=statistics.median(sign_rates),
        verify_proof_per_second=statistics.median(proof_rates),
        verify_credential_per_second=statistics.median(credential_rates),
        batch=batch,
        runs=runs,
    )


def main(argv: list[str] | None = None) -> int:
    """Print the throughput figures; optional arguments: batch size, number of runs."""
    args = [int(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    result = measure_throughput(*args)
    sys.stdout.write(
        f"median of {result.runs} runs of {result.batch} OB 3.0 credentials:\n"
        f"  sign (eddsa-rdfc-2022)          {result.sign_per_second:8.1f} credentials/s\n"
        f"  verify proof                    {result.verify_proof_per_second:8.1f} credentials/s\n"
        f"  verify_credential (all checks)  {result.verify_credential_per_second:8.1f} credentials/s\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Verify an Open Badges 3.0 or CLR 2.0 credential offline and explain every check.

The checks live in `verifier.py` (`verify_credential`, `Check`, `VerificationResult`); what
they check values against in `values.py`. This package keeps the import path of the former
module.
"""

from credo.credentials.verify.values import (
    CLR_CONTEXT_PATTERN,
    CLR_TYPE,
    OB_CONTEXT_PATTERN,
    OB_TYPES,
)
from credo.credentials.verify.verifier import (
    Check,
    KeyResolver,
    VerificationResult,
    verify_credential,
)

__all__ = [
    "CLR_CONTEXT_PATTERN",
    "CLR_TYPE",
    "Check",
    "KeyResolver",
    "OB_CONTEXT_PATTERN",
    "OB_TYPES",
    "VerificationResult",
    "verify_credential",
]

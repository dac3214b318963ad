"""Verifiable records: Open Badges 3.0 and CLR 2.0 credentials with Data Integrity proofs."""

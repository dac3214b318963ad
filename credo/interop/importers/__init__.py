"""Importers: turn checked records into writes, all in one transaction, audited, idempotent."""

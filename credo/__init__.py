"""Credo: mastery-based learning records and the Mastery Transcript."""

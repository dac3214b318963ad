"""Bundled JSON schemas (standards files, kept byte for byte as published)."""

"""Bundled JSON-LD contexts (standards files, kept byte for byte as published)."""

"""Ingest: read each source kind, resolve municipalities, validate, and write data/processed."""

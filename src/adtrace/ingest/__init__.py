"""Ingest: read ad exports (CSV, JSON Lines, JSON, Parquet, saved HTML), map, validate, store."""

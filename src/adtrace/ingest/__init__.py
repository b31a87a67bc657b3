"""Ingest: read ad exports (CSV, JSON Lines, JSON arrays, Parquet, saved HTML), map, validate, store."""

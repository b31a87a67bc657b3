"""Tests of the store-free half of ingest: readers, column mapping, time parsing."""

"""Tests of the indexing package (no Qt)."""

"""Tests of the db package (no Qt)."""

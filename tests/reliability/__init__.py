"""Reliability tests: crash loops, recovery at open, damage, disk full, hostile PDFs."""

"""Tests of the Qt window (offscreen)."""

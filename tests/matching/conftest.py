"""Fixtures shared by the matching tests."""

from __future__ import annotations

import pytest

from workbench.matching import embedding, engine, vectors
from workbench.matching.embedding import ENV_SWITCH


@pytest.fixture
def fresh(monkeypatch):
    """A new process with the default meaning model: nothing loaded, no index or vector
    cached, no model chosen by the environment."""
    monkeypatch.setattr(embedding, "_LOADED", {})
    monkeypatch.setattr(engine, "_CACHE", type(engine._CACHE)())
    monkeypatch.setattr(vectors, "_CACHES", {})
    monkeypatch.setattr(vectors, "_MEMORY", {})
    monkeypatch.delenv(ENV_SWITCH, raising=False)

"""Fixtures for the lineage tests: a store with synthetic plans, and a ``Records`` service."""

from __future__ import annotations

import pytest

from db.records import SqliteRecords
from db.store import SqliteStore
from tests.lineage.synth import add_plan
from workbench.review import Records


@pytest.fixture
def store(tmp_path):
    (tmp_path / "lib").mkdir()
    s = SqliteStore(tmp_path / "lib" / "workbench.db")
    yield s
    s.close()


@pytest.fixture
def recs(store, tmp_path):
    add_plan(store, "old-plan", "2020", OLD)
    add_plan(store, "new-plan", "2022", NEW)
    return Records(store, SqliteRecords(store), actor="tester", sidecar_dir=tmp_path / "sidecars")


OLD = [
    ("Priority 1: Climate", [
        "We will reach Net Zero for our own estate by 2030.",
        "We will plant 1,000 trees in every district and restore the marshes.",
    ]),
    ("Priority 2: Roads", [
        "We will fix 500 potholes a month on the A28.",
        "We will deliver a new park and ride for Canterbury.",
    ]),
]
NEW = [
    ("Priority 1: Environment", [
        "We will rescind the Climate Emergency declaration and scrap Net Zero 2030.",
        "We will plant 1,000 trees in every district and restore the marshes.",
    ]),
    ("Priority 2: Highways", [
        "We will fix 350 potholes a month on the A28.",
        "We will explore a new park and ride for Canterbury.",
    ]),
]

"""Fixtures for the merge tests: officers' libraries copied from the sample library."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.composition import close_workbench, open_workbench, records_for
from workbench.merge import apply_merge, plan_merge, read_package, write_package
from workbench.review import KINDS, Records

FRAMING = "framing-kents-future-2022"
REFORMING = "reforming-kent-2025"


@contextmanager
def officer(root: Path, name: str) -> Iterator[Records]:
    """The records service of ``root`` acting as ``name``; the workbench closes afterwards."""
    wb = open_workbench(root)
    try:
        yield records_for(wb, name)
    finally:
        close_workbench(wb)


def snapshot(root: Path) -> list[str]:
    """Every user record (trash included) as canonical JSON, sorted: the library's work."""
    with officer(root, "reader") as r:
        return sorted(json.dumps(rec.to_json(), sort_keys=True)
                      for kind in KINDS for rec in r.rs.records(kind, include_deleted=True))


def export(root: Path, name: str, out: Path) -> Path:
    with officer(root, name) as r:
        return write_package(r, out)


def merge(root: Path, name: str, package: Path, resolve=None):
    """Plan and apply a merge; returns (plan, report)."""
    with officer(root, name) as r:
        plan = plan_merge(r, read_package(package))
        return plan, apply_merge(r, plan, resolve)


@pytest.fixture
def libraries(sample_library_master, tmp_path) -> dict[str, Path]:
    """A base library and the two officers' copies of it (same plans, no records yet)."""
    out = {}
    for name in ("base", "a", "b"):
        out[name] = tmp_path / name
        shutil.copytree(sample_library_master, out[name])
    return out


def keys(r: Records, slug: str) -> list[str]:
    return [c.key for c in r.effective_commitments(slug)]

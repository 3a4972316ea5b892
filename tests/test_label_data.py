"""The hand-labelled data for the commitment finder stays well-formed.

Kent span labels (tests/data/labels/kent/*.jsonl): every quote lies verbatim in its plan text,
with enough units per plan. Other councils' excerpts (tests/data/councils/*.json): schema,
vocabularies, size, and every quote inside its own block.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
PLANS = Path(__file__).resolve().parents[1] / ".." / "shared" / "plans"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


councils = _load("councils_validate", DATA / "councils" / "validate.py")
kent = _load("kent_verify", DATA / "labels" / "verify_labels.py")
COUNCIL_FILES = sorted((DATA / "councils").glob("*.json"))


@pytest.mark.parametrize("path", COUNCIL_FILES, ids=lambda p: p.stem)
def test_council_excerpt_is_valid(path: Path) -> None:
    assert councils.check_file(path) == []


def test_councils_set_is_broad_enough() -> None:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in COUNCIL_FILES]
    assert len(docs) >= 25
    assert len({d["council"] for d in docs}) >= 15
    assert {"welsh", "scottish", "northern_irish"} <= {d["kind"] for d in docs}


def test_a_quote_outside_its_block_is_reported(tmp_path: Path) -> None:
    doc = json.loads(COUNCIL_FILES[0].read_text(encoding="utf-8"))
    labelled = next(b for b in doc["blocks"] if b["labels"])
    labelled["labels"][0]["quote"] += " and more"
    broken = tmp_path / COUNCIL_FILES[0].name
    broken.write_text(json.dumps(doc), encoding="utf-8")
    assert any("quote not in block" in p for p in councils.check_file(broken))


@pytest.mark.skipif(not (PLANS / "manifest.json").exists(), reason="sample plan texts not present")
def test_kent_quotes_are_verbatim_and_plentiful() -> None:
    assert kent.check(PLANS) == []
    per_plan = Counter(
        json.loads(line)["plan"]
        for path in (DATA / "labels" / "kent").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    assert len(per_plan) == 5
    assert sum(per_plan.values()) >= 600
    assert min(per_plan.values()) >= 100

"""bench/eval_heldout.py scores a library with ../shared/eval/score.py and prints aggregates only.

A fake CLI answers with canned JSON, so this runs in well under a second: if score.py's output
or the product's JSON changes shape, or an extra measure drifts from its definition, this fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCORE = REPO.parent / "shared" / "eval" / "score.py"

if not SCORE.is_file() or not (REPO.parent / "shared" / "plans" / "manifest.json").is_file():
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the eval set is not at {SCORE.parent}", pytrace=False)
    pytest.skip(f"the eval set is not at {SCORE.parent}", allow_module_level=True)


@pytest.fixture(scope="module")
def harness():
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("eval_heldout", REPO / "bench" / "eval_heldout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VISION, DRAFT = "kent-vision-2011", "kent-five-year-plan-2020-draft"
Q = {  # made-up commitments: none is from any eval set
    "bridge": "we will build ten new footbridges over the river for walkers",
    "bridge2": "we will build twelve new footbridges across the river for walkers",
    "trees": "we will plant one million trees across the whole county by 2030",
    "trees2": "we will plant half a million trees across the whole county by 2035",
    "zero": "we will reach net zero emissions for the council estate by 2030",
    "zero2": "we will scrap the net zero 2030 target for the council estate now",
    "museum": "we will open a new museum of maritime history on the quay",
    "library": "we will keep every library in the county open every weekday",
    "library2": "we will keep all of our libraries in the county open on weekdays",
    "other": "we will publish a new transport strategy for the county next year",
}


def link(a: str, b: str, relation: str) -> dict:
    return {"from_plan": VISION, "from_quote": Q[a], "to_plan": DRAFT,
            "to_quote": Q[b] if b else "", "relation": relation}


LINKS = [link("bridge", "bridge2", "continued"), link("trees", "trees2", "modified"),
         link("zero", "zero2", "reversed"), link("museum", "", "dropped"),
         link("library", "library2", "continued")]
QUERIES = [
    {"id": "T1", "query": "footbridges", "expect": [{"plan": DRAFT, "quote": Q["bridge2"]}]},
    {"id": "T2", "query": '"net zero"', "expect": [{"plan": DRAFT, "quote": Q["zero2"]}]},
    {"id": "T3", "query": "secret held-out query",
     "expect": [{"plan": DRAFT, "quote": "a passage never found by this fake search at all"}]},
]


def cand(key: str, relation: str) -> dict:
    return {"id": 1, "text": Q[key], "relation": relation}


SUGGEST = {"suggestions": [
    {"text": Q["bridge"], "relation": "continued", "candidates": [cand("bridge2", "continued")]},
    {"text": Q["trees"], "relation": "modified",
     "candidates": [cand("other", "modified"), cand("trees2", "reversed")]},
    {"text": Q["zero"], "relation": "reversed", "candidates": [cand("zero2", "reversed")]},
    {"text": Q["museum"], "relation": "dropped", "candidates": []},
    {"text": Q["library"], "relation": "dropped", "candidates": []},
]}
SEARCH = {
    "footbridges": [Q["bridge2"], Q["other"]],
    '"net zero"': [Q["zero2"], "net zero 2030 target", "a climate plan for the county"],
    "secret held-out query": [Q["other"]],
}


class FakeCli:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def json(self, *args: str):
        self.calls.append(args)
        if args[0] == "show":
            units = [Q[k] for k in Q if k.endswith("2") == (args[1] == DRAFT) and k != "library2"]
            return {"commitments": [{"text": t} for t in units] if args[1] in (VISION, DRAFT)
                    else []}
        if args[0] == "suggest":
            return SUGGEST
        if args[0] == "search":
            return {"hits": [{"text": t} for t in SEARCH[args[1]]]}
        if args[0] == "compare":
            return {"pairs": [{"left": {"heading": "", "text": Q["bridge"]},
                               "right": {"heading": "", "text": Q["bridge2"]}}]}
        raise AssertionError(args)


def test_scores_follow_score_py_and_the_extra_definitions(harness):
    score = harness.load_score()
    r = harness.score_library(score, FakeCli(), {"heldout": (LINKS, QUERIES, "x")}, True)["heldout"]
    c = r["commitments"]
    assert (c["found"], c["quotes"]) == (8, 9)  # the dropped link has no to_quote
    assert c["plans"][VISION]["found"] == 5 and c["plans"][DRAFT]["quotes"] == 4
    assert c["plans"]["reforming-kent-2025"]["units"] == 0
    s = r["suggest"]
    assert (s["links"], s["top1"], s["top3"]) == (4, 0.5, 0.75)
    assert (s["negative_as_such"], s["negative"]) == (1, 1)
    assert s["relation_accuracy"] == 0.667  # trees: right candidate proposed as reversed
    assert s["false_reversal"] == 0.5  # of bridge and trees, trees proposed as reversed
    assert (s["no_successor_recall"], s["no_successor_precision"]) == (1.0, 0.5)  # library: FP
    assert "warning" not in s
    assert r["compare"] == {"held": 1, "links": 4, "share": 0.25}
    q = r["search"]
    assert (q["found"], q["expected"], q["nested"]) == (2, 3, 1)
    assert q["phrase_precision"] == 0.667


def test_compare_is_skipped_with_a_note_when_the_command_is_missing(harness):
    score = harness.load_score()
    cli = FakeCli()
    r = harness.score_library(score, cli, {"dev": (LINKS, QUERIES, "x")}, False)["dev"]
    assert "skipped" in r["compare"]
    assert not any(c[0] == "compare" for c in cli.calls)


def test_main_prints_aggregates_only_and_writes_markdown_and_json(harness, monkeypatch, tmp_path,
                                                                  capsys):
    monkeypatch.setattr(harness, "load_set", lambda name: (LINKS, QUERIES, f"fake {name}"))
    monkeypatch.setattr(harness, "libraries", lambda args, exe, work: {
        "samples": {"path": tmp_path / "lib", "layouts": "fake", "built": False, "seconds": 0}})
    monkeypatch.setattr(harness, "make_cli", lambda score, exe, lib: FakeCli())
    monkeypatch.setattr(harness, "compare_exists", lambda exe: False)
    out = tmp_path / "report.md"
    assert harness.main(["--work", str(tmp_path), "--out", str(out), "--jobs", "1",
                         "--nice", "0"]) == 0
    printed = capsys.readouterr().out
    assert "| suggest: top-3 | 0.750 | 0.750 |" in printed
    assert "samples · heldout" in printed
    assert "missed" not in printed and "held-out query" not in printed and Q["museum"] not in printed
    assert out.read_text(encoding="utf-8") in printed
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["results"]["samples"]["heldout"]["search"]["recall10"] == 0.667


def test_a_failing_command_is_reported_without_naming_a_held_out_query(harness, capsys):
    class FailingSearch(FakeCli):
        def json(self, *args: str):
            if args[0] == "search":
                raise SystemExit(f"workbench {' '.join(args)} failed (1): bad query")
            return super().json(*args)

    score = harness.load_score()
    sets = {"dev": (LINKS, QUERIES, "x"), "heldout": (LINKS, QUERIES, "y")}
    r = harness.score_library(score, FailingSearch(), sets, False)
    assert "footbridges" in r["dev"]["search"]["failed"]
    assert "footbridges" not in r["heldout"]["search"]["failed"]
    assert r["heldout"]["suggest"]["top3"] == 0.75  # the other figures still come
    meta = {"date": "d", "tree": "t", "seconds": 0, "sets": {}, "libraries": {}}
    table = harness.markdown({"samples": {"heldout": r["heldout"]}}, meta)
    assert "search FAILED" in table and "footbridges" not in table

"""What `workbench lineage` and `workbench coverage` tell a scrutiny member about proposals and
verdicts (qa12), run in-process as a user runs them on a small generated library of two plans.

A recorded proposal (a link without --confirm) printed as `--reversed-->`, exactly like a
confirmed verdict; and coverage said "N with no successor passage" counting every commitment
nobody had reviewed yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ui.cli
from tests.lineage.synth import BUSES, FIX, LIGHTS, RESURFACE, add_roads_pair
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from ui import compose


@pytest.fixture
def pair(tmp_path) -> Path:
    root = tmp_path / "library"
    wb = compose.open_workbench(root)
    add_roads_pair(wb.store)
    compose.close_workbench(wb)
    return root


def run(library: Path, capsys, *args: str) -> str:
    code = ui.cli.main([*args, "--library", str(library)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def ids(library: Path, capsys, plan: str) -> dict[str, int]:
    shown = json.loads(run(library, capsys, "show", plan, "--json"))
    return {c["text"]: c["id"] for c in shown["commitments"]}


def test_lineage_marks_a_recorded_proposal_and_coverage_counts_only_verdicts(pair, capsys):
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    fix_to, resurface_to = list(new.values())
    run(pair, capsys, "link", "--user", "clerk", str(old[FIX]), str(fix_to), "--relation", "continued",
        "--confirm")
    run(pair, capsys, "link", "--user", "clerk", str(old[RESURFACE]), str(resurface_to), "--relation",
        "reversed", "--rationale", "Target dropped.")
    run(pair, capsys, "link", "--user", "clerk", str(old[BUSES]), "--relation", "dropped", "--to", NEW,
        "--rationale", "No bus routes.", "--confirm")

    proposed = run(pair, capsys, "lineage", str(old[RESURFACE]))
    assert "?-reversed-> (proposed, not confirmed) Roads 2026" in proposed, proposed
    assert "--reversed-->" not in proposed
    confirmed = run(pair, capsys, "lineage", str(old[FIX]))
    assert "--continued--> Roads 2026" in confirmed and "proposed" not in confirmed
    dropped = run(pair, capsys, "lineage", str(old[BUSES]))
    assert f"--dropped--> (no successor in {NEW})" in dropped, dropped
    data = json.loads(run(pair, capsys, "lineage", str(old[RESURFACE]), "--json"))
    assert [s["state"] for s in data["steps"]] == [None, "proposed"]

    said = run(pair, capsys, "coverage", "--from", OLD, "--to", NEW).splitlines()
    assert said[0] == ("2 of 4 commitments of Roads 2024 have a confirmed verdict; "
                       "2 unreviewed (1 of them with a proposal)")
    assert said[1] == "Confirmed verdicts: 1 continued, 1 dropped (no successor, no statement)"
    assert said[2] == "1 confirmed verdict with no successor passage."  # not 2: LIGHTS is
    # simply not reviewed yet
    cov = json.loads(run(pair, capsys, "coverage", "--from", OLD, "--to", NEW, "--json"))
    assert cov["confirmed"] == 2 and cov["proposed"] == 1  # the JSON contract is unchanged
    # review, round 12: the text and --json agree; ``no_successor`` keeps its older meaning
    assert cov["no_successor_confirmed"] == [old[BUSES]]
    assert sorted(cov["no_successor"]) == sorted([old[BUSES], old[LIGHTS]])

"""Whose link is whose in a lineage thread (the lead, after the qa13b review): the steps of the
origin's own line come first into a shared successor, and another commitment's "no successor"
is named as that commitment's, in `workbench lineage` and in the window's thread; and a search
hit's relation is confirmed only by a verdict from the hit's own plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lineage.synth import FIX, FIX_NEW, RESURFACE, RESURFACE_NEW, add_plan, add_roads_pair
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from tests.lineage.test_cli_proposals_qa12 import ids, run
from ui import compose
from workbench.records import Link
from workbench.threads import Thread, ThreadEdge

LATER = "roads-2028"


def _edge(source: str, target: str | None) -> ThreadEdge:
    link = Link.__new__(Link)  # only the edge's keys matter to the walk
    return ThreadEdge(link, source, (target,) if target else ())


def test_the_origins_own_line_reaches_its_successors_and_their_ancestors_only():
    # A -> B -> D, and C -> D: C is another commitment linked to A's successor
    edges = (_edge("C", "D"), _edge("A", "B"), _edge("B", "D"))
    thread = Thread("A", (), edges)
    assert thread.own_line() == {"A", "B", "D"}
    assert [e.source_key for e in thread.into()["D"]] == ["B", "C"]  # its own line's first
    assert Thread("C", (), edges).own_line() == {"C", "D"}


@pytest.fixture
def three(tmp_path) -> Path:
    root = tmp_path / "library"
    wb = compose.open_workbench(root)
    add_roads_pair(wb.store)
    add_plan(wb.store, LATER, "2028", [("Streets", ["We will keep every street safe."])])
    compose.close_workbench(wb)
    return root


def test_lineage_names_another_commitments_no_successor(three, capsys):
    old, new = ids(three, capsys, OLD), ids(three, capsys, NEW)
    run(three, capsys, "link", "--user", "Bob", str(old[FIX]), str(new[RESURFACE_NEW]),
        "--relation", "modified", "--confirm")
    run(three, capsys, "link", "--user", "Alex", str(old[RESURFACE]), str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "A ended", "--confirm")
    run(three, capsys, "link", "--user", "Carol", str(old[RESURFACE]), "--relation", "dropped",
        "--to", LATER, "--rationale", "C dropped", "--confirm")
    lines = run(three, capsys, "lineage", str(old[FIX])).splitlines()
    at = lines.index(f"--dropped--> (no successor in {LATER})")
    assert lines[at + 1].startswith(f"    From [{old[RESURFACE]}]: Confirmed by Carol on "), lines
    # from RESURFACE's own thread the same verdict is its own, unnamed
    lines = run(three, capsys, "lineage", str(old[RESURFACE])).splitlines()
    at = lines.index(f"--dropped--> (no successor in {LATER})")
    assert lines[at + 1].startswith("    Confirmed by Carol on "), lines


def test_a_verdict_into_a_plan_does_not_confirm_that_plans_own_proposal(three, capsys):
    """Search marks a hit's relation confirmed only by a verdict *from* the hit's plan: a
    verdict into it, whose source sits at the same place of an earlier plan's page, is not
    its own (the qa13b review: the filter was untested)."""
    old, new = ids(three, capsys, OLD), ids(three, capsys, NEW)
    later = ids(three, capsys, LATER)
    run(three, capsys, "link", "--user", "Bob", str(old[FIX]), str(new[FIX_NEW]),
        "--relation", "reversed", "--rationale", "ended", "--confirm")
    run(three, capsys, "link", "--user", "clerk", str(new[FIX_NEW]),
        str(next(iter(later.values()))), "--relation", "reversed")
    data = json.loads(run(three, capsys, "search", "pothole", "--relation", "reversed",
                          "--plan", NEW, "--json"))
    assert [(h["id"], h["relation_confirmed"]) for h in data["hits"]] == [
        (new[FIX_NEW], {"reversed": False})]

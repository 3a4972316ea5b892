"""The window's thread names another commitment's "no successor" (the lead, after the qa13b
review: a drop recorded for a commitment linked to the same successor read as the origin's)."""

from __future__ import annotations

from tests.ui.test_review_mends_qa13b import shared_successor
from ui.models.thread import ThreadModel
from ui.ops.records import PlanChoice
from workbench.lineage import RELATIONS
from workbench.records import Link
from workbench.threads import Thread, ThreadEdge


def test_the_thread_names_whose_no_successor_it_is(qtbot):
    nodes, mine, theirs = shared_successor()
    dropped = Link("l3", theirs.source, "c", "dropped", (), "confirmed", rationale="gone",
                   confirmed_by="Carol", confirmed_at="2026-12-06T11:00:00Z")
    edges = (ThreadEdge(mine, "c:1", ("c:2",)), ThreadEdge(theirs, "c:3", ("c:2",)),
             ThreadEdge(dropped, "c:3", ()))
    plans = [PlanChoice("a", "Plan A", "2020", False), PlanChoice("b", "Plan B", "2022", False),
             PlanChoice("c", "Plan C", "2024", False)]
    model = ThreadModel()
    model.set_thread(Thread("c:1", nodes, edges), plans, RELATIONS)
    cell = model.index(0, 2).data()
    assert cell.startswith("No successor: Dropped (no successor, no statement) (of “We will "
                           "run a pool.”)\n"), cell
    model.set_thread(Thread("c:3", nodes, edges), plans, RELATIONS)
    assert "(of " not in model.index(0, 2).data().splitlines()[0]

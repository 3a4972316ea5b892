"""The lineage thread, the review screen and the compare view word a link an officer confirmed
without a relation ("unreviewed") as no verdict (qa13), as packs and review coverage count it
(``workbench.links.is_verdict``). All three said "Confirmed by X" / "Confirmed link" / "✓"."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_align import EARLIER, LATER, _commitment
from ui.models.compare import ComparePairModel
from ui.models.thread import verdict_lines
from ui.ops.compare import alignment_from
from ui.panels.review import verdict_text
from workbench.anchoring import Anchor
from workbench.matching import PlanIndex, plan_passages
from workbench.matching.align import compare_plans
from workbench.model import DocumentId, Plan, PlanId, PlanMeta
from workbench.records import Link, Ref
from workbench.review_queue import Coverage, ReviewState


def _ref(text: str, plan: str) -> Ref:
    return Ref(plan, Anchor(text, "", "", 0, "1", 0, len(text), "sha"))


SRC, TGT = _ref("We will open a lido.", "a"), (_ref("The lido opens in May.", "b"),)
LINKED = Link("l1", SRC, "b", "unreviewed", TGT, "confirmed", confirmed_by="Alex",
              confirmed_at="2026-05-01T10:00:00Z")
VERDICT = Link("l2", SRC, "b", "continued", TGT, "confirmed", confirmed_by="Alex",
               confirmed_at="2026-05-01T10:00:00Z")


def test_thread_cell_of_a_confirmed_unreviewed_link_says_no_verdict():
    lines = verdict_lines(LINKED, "Unreviewed", "Plan A (2020)")
    assert lines[1] == "Linked by Alex on 2026-05-01; relation not yet reviewed, so no verdict"
    assert not any(line.startswith("Confirmed") for line in lines)
    assert verdict_lines(VERDICT, "Continued")[1] == "Confirmed by Alex on 2026-05-01"


def _state(link: Link) -> ReviewState:
    cov = Coverage("a", "A", "b", 1, 0, 0, ("c:1",), (), {})
    return ReviewState("a", "b", cov, None, None, link, 0, 1, ())


def test_review_screen_says_a_confirmed_unreviewed_link_is_no_verdict():
    said = verdict_text(_state(LINKED), None, 0)
    assert said.startswith("Linked by Alex on 2026-05-01; relation not yet reviewed, so no "
                           "verdict → p. 1: The lido opens in May."), said
    assert "confirmed" not in said.casefold()
    said = verdict_text(_state(VERDICT), None, 0)
    assert said.startswith("Confirmed by Alex on 2026-05-01: Continued → p. 1:"), said


def linked_alignment():
    """Two plans compared with a reversal verdict (c:1 → c:11) and a confirmed "unreviewed"
    link (c:2 → c:12), which is no verdict."""
    left = plan_passages("a", [
        _commitment("c:1", "a", "We will reach net zero carbon emissions by 2030.", EARLIER[4]),
        _commitment("c:2", "a", "We will keep every library open with longer hours.", EARLIER[3]),
    ])
    right = PlanIndex(plan_passages("b", [
        _commitment("c:11", "b", "We will scrap the net zero carbon emissions target of 2030.",
                    LATER[2]),
        _commitment("c:12", "b", "Every library stays open with longer hours.", LATER[4]),
    ]))
    result = compare_plans(EARLIER, LATER, left, right, confirmed=[("c:1", "c:11", "reversed")],
                           linked=[("c:2", "c:12", "unreviewed")])
    plan = Plan(PlanId(1), "a", PlanMeta(title="A"), 1, 1, 1, DocumentId(1))
    return alignment_from(plan, plan, result)


def test_compare_marks_a_confirmed_unreviewed_link_as_no_verdict(qapp):
    alignment = linked_alignment()
    model = ComparePairModel()
    model.set_alignment(alignment)
    rows = {model.pair(r).left.item_id: r for r in range(model.rowCount())
            if model.pair(r).left.kind != "section"}
    linked = model.index(rows["c:2"], 2)
    assert model.data(linked) == "linked"  # not "100%": the engine did not score it
    tip = model.data(linked, Qt.ItemDataRole.ToolTipRole)
    assert "Linked, no verdict" in tip and "Confirmed" not in tip, tip
    verdict = model.index(rows["c:1"], 2)
    assert model.data(verdict) == "linked ✓"
    # the reason "confirmed link" is not said twice
    assert model.data(verdict, Qt.ItemDataRole.ToolTipRole).endswith(
        "Confirmed link: reversed</qt>"), model.data(verdict, Qt.ItemDataRole.ToolTipRole)
    assert [p.right.item_id for p in alignment.links] == ["c:11"]

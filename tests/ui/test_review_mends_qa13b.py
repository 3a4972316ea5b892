"""The review of qa13's work (qa13b): the link dialog's refusal names a confirmed link marked
"unreviewed" in ``link_standing``'s words, not as a verdict; the compare panel's detail line
says "linked ✓" / "linked" for a pair an officer linked, not the engine's "match 100%"."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QObject, Signal

from tests.lineage.test_earlier_verdicts import ref
from tests.ui.test_unreviewed_words_qa13 import linked_alignment
from ui.dialogs import link as link_dialog
from ui.models.thread import ThreadModel
from ui.ops.records import PlanChoice
from ui.panels import compare as compare_panel
from workbench.lineage import RELATIONS
from workbench.records import Link
from workbench.threads import Thread, ThreadEdge, ThreadNode


def _dialog(qtbot, monkeypatch, existing: Link) -> link_dialog.LinkDialog:
    monkeypatch.setattr(link_dialog.records_ops, "load_link_choices", lambda *a, **k: None)
    dialog = link_dialog.LinkDialog(None, "Bob", "c:1")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.choices = SimpleNamespace(existing=existing)  # type: ignore[assignment]
    dialog.confirm_check.setChecked(False)
    return dialog


def test_the_dialog_does_not_call_a_confirmed_unreviewed_link_a_verdict(qtbot, monkeypatch):
    linked = Link("l1", ref("a", "We will open a lido."), "b", "unreviewed",
                  (ref("b", "We will keep the lido open."),), "confirmed", confirmed_by="Alex",
                  confirmed_at="2026-12-07T10:00:00Z")
    said = _dialog(qtbot, monkeypatch, linked).problem()
    assert said.startswith("This commitment already has a confirmed link (no verdict) about b: "
                           "Unreviewed, linked by Alex on 2026-12-07; relation not yet "
                           "reviewed, so no verdict: a proposal cannot replace it."), said
    verdict = Link("l2", ref("a", "We will open a lido."), "b", "reversed",
                   (ref("b", "We will keep the lido open."),), "confirmed", confirmed_by="Alex",
                   confirmed_at="2026-12-07T10:00:00Z", rationale="Scrapped.")
    said = _dialog(qtbot, monkeypatch, verdict).problem()
    assert said.startswith("This commitment already has a confirmed verdict about b: Reversed, "
                           "confirmed by Alex on 2026-12-07: a proposal cannot replace it."), said


class _Ctx(QObject):
    """What ComparePanel connects to, and nothing more: the test gives it an alignment."""

    changes_applied = Signal(object)
    library_changed = Signal(object)


def test_the_compare_panel_detail_line_says_linked_not_a_match_score(qtbot, monkeypatch):
    monkeypatch.setattr(compare_panel.library_ops, "load_plans", lambda *a, **k: None)
    panel = compare_panel.ComparePanel(_Ctx())  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.ensure_built()
    panel._on_aligned(linked_alignment())
    model = panel.pair_model
    rows = {model.pair(r).left.item_id: r for r in range(model.rowCount())
            if model.pair(r).left.kind != "section"}
    said = {}
    for key in ("c:1", "c:2"):
        panel.pairs_view.selectRow(rows[key])
        said[key] = panel.diff_view.toPlainText().splitlines()[0]
    assert " · linked ✓ · +" in said["c:1"] and "match" not in said["c:1"], said
    assert " · linked · +" in said["c:2"] and "match" not in said["c:2"], said
    section = next(r for r in range(model.rowCount()) if model.pair(r).left.kind == "section")
    panel.pairs_view.selectRow(section)
    assert " · match " in panel.diff_view.toPlainText().splitlines()[0]


def shared_successor() -> tuple[tuple[ThreadNode, ...], Link, Link]:
    """Two commitments of plan A (c:1, c:3) linked to one passage of plan B (c:2): Bob's
    verdict from c:1 and Alex's from c:3; the thread's nodes, then the two links."""
    src, other, tgt = (ref("a", "We will open a lido."), ref("a", "We will run a pool."),
                       ref("b", "The lido closes."))
    bob = Link("l1", src, "b", "scaled_back", (tgt,), "confirmed", rationale="reviewed: cut",
               confirmed_by="Bob", confirmed_at="2026-12-07T10:00:00Z")
    alex = Link("l2", other, "b", "reversed", (tgt,), "confirmed", rationale="probe verdict",
                confirmed_by="Alex", confirmed_at="2026-12-06T10:00:00Z")
    nodes = (ThreadNode("a", "Plan A", "2020", "adopted", False, "c:1", src.anchor.exact, "2",
                        None),
             ThreadNode("a", "Plan A", "2020", "adopted", False, "c:3", other.anchor.exact, "2",
                        None),
             ThreadNode("b", "Plan B", "2022", "adopted", False, "c:2", tgt.anchor.exact, "3",
                        None))
    return nodes, bob, alex


def test_the_thread_cell_says_each_link_into_a_shared_successor(qtbot):
    nodes, bob, alex = shared_successor()
    model = ThreadModel()
    plans = [PlanChoice("a", "Plan A", "2020", False), PlanChoice("b", "Plan B", "2022", False)]
    # the other commitment's link last among the edges: it used to take the cell
    model.set_thread(Thread("c:1", nodes, (ThreadEdge(bob, "c:1", ("c:2",)),
                                           ThreadEdge(alex, "c:3", ("c:2",)))), plans, RELATIONS)
    cell = model.index(0, 1).data()
    assert cell.startswith("Scaled back from Plan A (2020)\nConfirmed by Bob on 2026-12-07\n"
                           "Why: reviewed: cut\nReversed from Plan A (2020)\nConfirmed by Alex "
                           "on 2026-12-06\nWhy: probe verdict\n"), cell
    model.set_thread(Thread("c:3", nodes, (ThreadEdge(bob, "c:1", ("c:2",)),
                                           ThreadEdge(alex, "c:3", ("c:2",)))), plans, RELATIONS)
    assert model.index(0, 1).data().startswith("Reversed from Plan A (2020)\nConfirmed by Alex")

"""The Compare tab as a person uses its drop-downs, Swap and "Compare with earlier".

Why: old results under new plan names mislead (a drop-down change must recompute or clear at
once); the earlier plan belongs on the left (a swap that puts the later one there must say why
it did not); "Compare with earlier" on the first edition must say there is none instead of
silently comparing two other plans.
"""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt

FRAMING = "framing-kents-future-2022"
REFORMING = "reforming-kent-2025"
INTERIM = "kent-interim-strategic-plan-2020"
FIRST = "kent-vision-2011"


@pytest.fixture
def compare(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    window.compare_plan(REFORMING)
    panel = window.compare_panel
    qtbot.waitUntil(lambda: panel.alignment is not None and not panel.is_busy(), timeout=30000)
    assert (panel.alignment.left_plan.slug, panel.alignment.right_plan.slug) == (FRAMING,
                                                                                 REFORMING)
    return window, panel


def test_choosing_another_plan_recomputes_at_once(qtbot, compare):
    _window, panel = compare
    combo = panel.left_combo
    combo.setCurrentIndex(combo.findData(INTERIM))
    combo.activated.emit(combo.currentIndex())  # what choosing with mouse or keyboard does
    assert panel.alignment is None and panel.pair_model.rowCount() == 0  # cleared at once
    assert panel.pair_model.headerData(0, Qt.Orientation.Horizontal) == "Earlier plan"
    qtbot.waitUntil(lambda: panel.alignment is not None and not panel.is_busy(), timeout=30000)
    assert panel.alignment.left_plan.slug == INTERIM
    assert panel.pair_model.headerData(0, Qt.Orientation.Horizontal) == panel.alignment.left_plan.title


def test_swap_keeps_the_earlier_plan_on_the_left_and_says_so(qtbot, compare):
    window, panel = compare
    panel.swap()
    assert panel.left_combo.currentData() == FRAMING and panel.right_combo.currentData() == \
        REFORMING
    assert "Not swapped" in panel.summary_label.text()
    assert "Not swapped" in window.statusBar().currentMessage()

    combo = panel.left_combo  # the later plan chosen on the left: put in order, with a word
    combo.setCurrentIndex(combo.findData(REFORMING))
    panel.right_combo.setCurrentIndex(panel.right_combo.findData(FRAMING))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: panel.alignment is not None and not panel.is_busy(), timeout=30000)
    assert (panel.alignment.left_plan.slug, panel.alignment.right_plan.slug) == (FRAMING,
                                                                                 REFORMING)
    assert "is the later plan" in panel.summary_label.text()


def test_compare_with_earlier_on_the_first_edition_says_there_is_none(qtbot, compare):
    window, panel = compare
    window.library_panel.select_slug(FIRST)
    window.library_panel.compare_selected()
    assert "no earlier edition" in panel.summary_label.text()
    assert "no earlier edition" in window.statusBar().currentMessage()
    assert panel.left_combo.currentData() == FIRST  # the plan asked about, nothing compared
    assert panel.alignment is None and panel.pair_model.rowCount() == 0
    assert not panel.is_busy()


def test_compare_with_earlier_as_the_first_thing_done(qtbot, open_window, sample_library):
    """Before the Compare tab has loaded its plan list, too: no other pair is opened."""
    window = open_window(sample_library)
    window.library_panel.select_slug(FIRST)
    window.library_panel.compare_selected()
    panel = window.compare_panel
    qtbot.waitUntil(lambda: "no earlier edition" in panel.summary_label.text(), timeout=15000)
    qtbot.wait(100)
    assert panel.alignment is None and not panel.is_busy()


def test_the_selected_pair_says_its_proposed_relation_and_reasons(qtbot, compare):
    """The relation and reasons were only in the Match column's tooltip: out of reach from the
    keyboard and of a screen reader, and hidden from anyone not hovering that column."""
    _window, panel = compare
    rows = [r for r in range(panel.pair_model.rowCount())
            if panel.pair_model.pair(r).left.kind != "section"
            and panel.pair_model.pair(r).reasons]
    assert rows
    pair = panel.pair_model.pair(rows[0])
    panel.pairs_view.selectRow(rows[0])
    shown = panel.diff_view.toPlainText()
    assert ("Proposed: " in shown or "Confirmed link: " in shown) and pair.reasons[0] in shown
    section_row = next(r for r in range(panel.pair_model.rowCount())
                       if panel.pair_model.pair(r).left.kind == "section")
    panel.pairs_view.selectRow(section_row)
    assert "Side by side: " in panel.diff_view.toPlainText()


def test_the_summary_counts_section_pairs_and_passage_pairs_apart(compare):
    """"548 aligned pair(s)" added the section rows (§) to the passage pairs inside them."""
    _window, panel = compare
    pairs = panel.alignment.pairs
    sections = sum(1 for p in pairs if p.left.kind == "section")
    assert 0 < sections < len(pairs)
    assert panel.summary_label.text().startswith(
        f"{len(pairs) - sections} passage pair(s) in {sections} section pair(s) · ")

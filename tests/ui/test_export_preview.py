"""The Export dialog's preview as a clerk reads it (fix11), on a small generated library: each
item is numbered as the pack numbers it, its citation indented under it, and the rows alternate
in colour, so two-line items do not run together in a long list."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QWidget

from tests.lineage.synth import add_plan
from ui import compose
from ui.dialogs.export import ExportDialog, preview_label
from ui.executor import DbExecutor
from ui.ops import OpContext
from ui.ops.export import PreviewRow
from workbench.pack import PackSelection


@pytest.fixture
def small_library(tmp_path) -> Path:
    root = tmp_path / "small-library"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "roads-2024", "2024",
             [("Roads", ["We will fix every pothole within 28 days.",
                         "We will resurface 250 miles of road by 2027."])])
    compose.close_workbench(wb)
    return root


def test_preview_items_are_numbered_with_their_citation_indented(small_library, qtbot,
                                                                settings):
    parent = QWidget()
    qtbot.addWidget(parent)
    ctx = OpContext(DbExecutor(small_library, parent=parent), parent)
    dialog = ExportDialog(ctx, ctx.window, settings=settings)
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        qtbot.waitUntil(lambda: dialog.from_combo.count() > 1 and not dialog.preview_busy(),
                        timeout=20000)
        dialog.set_selection(PackSelection(from_plan="roads-2024"))
        qtbot.waitUntil(lambda: not dialog.preview_busy() and dialog.preview.count() == 2,
                        timeout=20000)
        texts = [dialog.preview.item(n).text() for n in range(2)]
        assert texts[0].startswith("1. We will fix every pothole within 28 days.\n      ")
        assert texts[1].startswith("2. We will resurface 250 miles")
        assert all(t.endswith("Roads 2024 · p. 2") for t in texts), texts
        assert dialog.preview.alternatingRowColors()
    finally:
        dialog.close()
        ctx.shutdown()


@pytest.fixture
def pair_library(tmp_path) -> Path:
    """Two plans: the pothole pledge continued (confirmed), the resurfacing one reversed (a
    proposal only), the lighting one never reviewed."""
    root = tmp_path / "pair-library"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "roads-2024", "2024",
             [("Roads", ["We will fix every pothole within 28 days.",
                         "We will resurface 250 miles of road by 2027.",
                         "We will switch every street light to LED by 2026."])])
    add_plan(wb.store, "roads-2026", "2026",
             [("Highways", ["We will fix every pothole within 21 days.",
                            "We will no longer resurface roads on a mileage target."])])
    recs = compose.records_for(wb, "clerk")
    old = [c.key for c in recs.effective_commitments("roads-2024")]
    new = [c.key for c in recs.effective_commitments("roads-2026")]
    recs.link(old[0], [new[0]], relation="continued", confirm=True)
    recs.link(old[1], [new[1]], relation="reversed", rationale="Target dropped.")
    compose.close_workbench(wb)
    return root


def test_preview_shows_each_verdict_and_can_keep_only_items_with_one(pair_library, qtbot,
                                                                     settings):
    """qa12 (a fix11 leftover): the preview said nothing of an item's verdict, so a clerk
    could not see which of 330 items had one; it now ends the citation line with the verdict
    the pack prints, and "Only items with a verdict" keeps the confirmed ones alone."""
    parent = QWidget()
    qtbot.addWidget(parent)
    ctx = OpContext(DbExecutor(pair_library, parent=parent), parent)
    dialog = ExportDialog(ctx, ctx.window, settings=settings)
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        qtbot.waitUntil(lambda: dialog.from_combo.count() > 1 and not dialog.preview_busy(),
                        timeout=20000)
        dialog.set_selection(PackSelection(from_plan="roads-2024", to_plan="roads-2026"))
        qtbot.waitUntil(lambda: not dialog.preview_busy() and dialog.preview.count() == 3,
                        timeout=20000)
        texts = [dialog.preview.item(n).text() for n in range(3)]
        assert texts[0].endswith("Roads 2024 · p. 2 · next edition: continued, ✓ confirmed")
        assert texts[1].endswith("Roads 2024 · p. 2 · next edition: reversed, "
                                 "suggested, not yet confirmed")
        assert texts[2].endswith("Roads 2024 · p. 2"), texts[2]
        dialog.verdict_check.setChecked(True)
        qtbot.waitUntil(lambda: not dialog.preview_busy() and dialog.preview.count() == 1,
                        timeout=20000)
        assert dialog.preview.item(0).text().startswith("1. We will fix every pothole")
        assert dialog.selection().with_verdict
        assert dialog.count_label.text() == "1 item in the pack"
    finally:
        dialog.close()
        ctx.shutdown()


def test_a_numbered_passage_is_numbered_once_as_in_the_pack():
    """qa12: "2. 1. Explore new models …" read as two numbers; the pack drops the passage's
    own list number from its headings, and so does the preview."""
    row = PreviewRow("k", "1. Explore new models of delivering highways maintenance.",
                     "Framing Kent's Future · p. 16")
    assert preview_label(2, row).startswith("2. Explore new models of delivering")
    assert preview_label(3, PreviewRow("k", "• Work with Kent Police.", "P · p. 9")) \
        .startswith("3. Work with Kent Police.\n")


def test_the_plan_lists_show_a_whole_label(tmp_path, qtbot, settings):
    """qa12: at the dialog's size the To list read "Reforming Kent 2025-2028 (202"."""
    root = tmp_path / "long-titles"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "reforming-roads-2025-2028", "2025",
             [("Roads", ["We will fix every pothole within 28 days."])])
    compose.close_workbench(wb)
    parent = QWidget()
    qtbot.addWidget(parent)
    ctx = OpContext(DbExecutor(root, parent=parent), parent)
    dialog = ExportDialog(ctx, ctx.window, settings=settings)
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        qtbot.waitUntil(lambda: dialog.to_combo.count() > 1 and not dialog.preview_busy(),
                        timeout=20000)
        dialog.to_combo.setCurrentIndex(1)
        label = dialog.to_combo.currentText()
        assert label == "Reforming Roads 2025 2028 (2025)"
        needed = dialog.to_combo.fontMetrics().horizontalAdvance(label) + 30  # + the arrow
        assert dialog.to_combo.width() >= needed, (dialog.to_combo.width(), needed)
        assert dialog.preview.width() >= dialog.to_combo.width()  # the preview keeps room
    finally:
        dialog.close()
        ctx.shutdown()


def test_a_discarded_preview_stops(pair_library, monkeypatch):
    """Review, round 12: the preview looks up each row's verdict on the database thread; a
    preview the dialog discarded (its selection changed) kept running to the last row. It
    now honours the cancel its ``TaskState`` carries between rows."""
    from ui.ops import export as export_ops
    from workbench.errors import Cancelled
    from workbench.tasks import TaskState

    state = TaskState()
    chosen = export_ops.select_in

    def select_then_discard(*args, **kwargs):
        items = chosen(*args, **kwargs)
        state.request_cancel()  # the dialog discards the job once the rows are chosen
        return items

    monkeypatch.setattr(export_ops, "select_in", select_then_discard)
    wb = compose.open_workbench(pair_library)
    try:
        with pytest.raises(Cancelled):
            export_ops.preview(wb, PackSelection(from_plan="roads-2024", to_plan="roads-2026"),
                               state)
    finally:
        compose.close_workbench(wb)

"""The Export dialog's preview as a clerk reads it (fix11), on a small generated library: each
item is numbered as the pack numbers it, its citation indented under it, and the rows alternate
in colour, so two-line items do not run together in a long list."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QWidget

from tests.lineage.synth import add_plan
from ui import compose
from ui.dialogs.export import ExportDialog
from ui.executor import DbExecutor
from ui.ops import OpContext
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

"""The Export dialog, offscreen, on a copy of the sample library with a recorded reversal.

Why real threads: the preview and the export run on the DB executor and the task runner as in
the window, so these tests also prove the dialog never touches the database itself and that
cancel really stops the writer (and leaves no file).
"""

from __future__ import annotations

import time

import pytest

from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from export import read_manifest
from tests.export.libraries import library_with
from ui.basket import Basket
from ui.briefing_ui import EXPORT_SHORTCUT
from ui.dialogs.export import ExportDialog
from ui.executor import DbExecutor
from ui.ops import OpContext
from workbench.pack import PackSelection

F, R = "framing-kents-future-2022", "reforming-kent-2025"
PATHWAYS = "1. Set detailed emission reduction pathways to Net Zero by 2050"
SCRAP = "6. Scrap unattainable Net Zero 2030"


def _record_reversal(recs) -> int:
    src = next(c.key for c in recs.effective_commitments(F) if c.text.startswith(PATHWAYS))
    tgt = next(c.key for c in recs.effective_commitments(R) if c.text.startswith(SCRAP))
    recs.link(src, [tgt], relation="reversed", confirm=True, rationale="Scrapped.")
    return len(recs.effective_commitments(F))


@pytest.fixture
def library(sample_library_master, tmp_path):
    return library_with(sample_library_master, tmp_path / "library", _record_reversal)


@pytest.fixture
def ctx(library, qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    context = OpContext(DbExecutor(library[0], parent=parent), parent)
    yield context
    context.shutdown()


@pytest.fixture
def dialog(ctx, qtbot, settings):
    d = ExportDialog(ctx, ctx.window, settings=settings)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.from_combo.count() > 1 and not d.preview_busy(), timeout=20000)
    yield d
    d.close()


def show(dialog, qtbot, selection: PackSelection) -> None:
    dialog.set_selection(selection)  # the preview follows after a short pause
    assert dialog.preview_busy()
    qtbot.waitUntil(lambda: not dialog.preview_busy(), timeout=20000)


def test_preview_follows_the_selection(dialog, qtbot, library):
    _root, count = library
    show(dialog, qtbot, PackSelection(from_plan=F, to_plan=R))
    assert len(dialog.rows) == count == dialog.preview.count()
    assert dialog.count_label.text() == f"{count} items in the pack"
    show(dialog, qtbot, PackSelection(relation="reversed", to_plan=R))
    assert [r.heading[:len(PATHWAYS)] for r in dialog.rows] == [PATHWAYS]
    assert dialog.preview.item(0).text().endswith(
        "Framing Kent's Future · p. 19 · next edition: reversed, ✓ confirmed")  # qa12
    show(dialog, qtbot, PackSelection(status="delivered"))
    assert dialog.rows == [] and "No items" in dialog.count_label.text()


def test_export_writes_the_file_and_offers_the_folder(dialog, qtbot, tmp_path, library):
    show(dialog, qtbot, PackSelection(relation="reversed", to_plan=R))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    out = tmp_path / "out" / "reversals.csv"
    out.parent.mkdir()
    dialog.path_edit.setText(str(out))
    dialog.as_at_edit.setText("2025-09-30")
    with qtbot.waitSignal(dialog.exported, timeout=30000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0].path == out and out.is_file()
    assert [p.name for p in out.parent.iterdir()] == ["reversals.csv"]  # nothing beside it
    manifest = read_manifest(out, archive=library[0] / "packs")  # kept in the library
    assert manifest["selection"]["relation"] == "reversed" and len(manifest["items"]) == 1
    box = dialog.result_box
    assert box is not None and box.isVisible()
    assert any(b.text() == "Open &folder" for b in box.buttons())
    box.close()
    dialog.changes_check.setChecked(True)  # compared with the pack just written
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.export_button.click()
    dialog.result_box.close()


def test_an_export_is_remembered_under_the_selection_it_wrote(dialog, qtbot, tmp_path,
                                                              settings):
    """Review, round 12: the finished export was recorded under the dialog's selection at
    that moment; changed while the export ran, "changes since" then found the wrong pack."""
    written = PackSelection(relation="reversed", to_plan=R)
    show(dialog, qtbot, written)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    out = tmp_path / "reversals.csv"
    dialog.path_edit.setText(str(out))
    later = PackSelection(status="delivered")
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.export_button.click()
        dialog.set_selection(later)  # the clerk moves on while it runs
    dialog.result_box.close()
    assert settings.value(f"export/last/{written.key()}") == str(out)
    assert not settings.value(f"export/last/{later.key()}")


@pytest.mark.threads  # cancels a job while it runs
def test_cancel_from_the_progress_dialog_leaves_no_file(dialog, qtbot, tmp_path, monkeypatch):
    import export as writers  # the PackWriter the window hands to workbench.pack_export

    real_write = writers.write_pack

    def write_after_cancel(pack, out, fmt=None, *, state, **kwargs):
        # Hold the job (on its worker thread) until Cancel is clicked, then let the real
        # writer run with the cancelled state: it must stop and leave no file. (Waiting for a
        # whole-library PDF to notice Cancel took 30-120 s on a loaded machine.)
        deadline = time.monotonic() + 60
        while not state.cancel_requested and time.monotonic() < deadline:
            time.sleep(0.01)
        return real_write(pack, out, fmt, state=state, **kwargs)

    monkeypatch.setattr(writers, "write_pack", write_after_cancel)
    show(dialog, qtbot, PackSelection())  # the whole library
    out = tmp_path / "everything.pdf"
    dialog.path_edit.setText(str(out))
    dialog.export_button.click()
    assert dialog.exporting() and not dialog.export_button.isEnabled()

    def progress() -> QProgressDialog | None:
        found = [d for d in dialog.parent().findChildren(QProgressDialog) if d.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: progress() is not None, timeout=20000)
    cancel = next(b for b in progress().findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()  # what a person does (QProgressDialog.cancel() would not emit canceled)
    qtbot.waitUntil(lambda: not dialog.exporting(), timeout=60000)
    assert "cancelled" in dialog.last_error
    assert not out.exists() and not list(tmp_path.glob("everything*"))


def test_the_window_has_file_actions_and_basket(open_window, library, qtbot):
    root, _count = library
    window = open_window(root)
    ui = window.briefing_ui
    file_menu = window.file_menu
    assert ui.export_action in file_menu.actions() and ui.basket_action in file_menu.actions()
    assert ui.export_action.shortcut().toString() == EXPORT_SHORTCUT  # Ctrl+E is Edit plan
    assert ui.basket_action.shortcut().toString() == "Ctrl+B"
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    ui.add_key("c:1")
    qtbot.waitUntil(lambda: bool(Basket.for_library(root).keys()), timeout=10000)
    assert Basket.for_library(root).keys()[0].startswith("commitment:")
    qtbot.waitUntil(lambda: any("basket" in m for m in messages), timeout=5000)
    d = ui.open_dialog()
    qtbot.waitUntil(lambda: d.basket_check.isEnabled() and not d.preview_busy(), timeout=20000)
    d.basket_check.setChecked(True)
    qtbot.waitUntil(lambda: not d.preview_busy() and len(d.rows) == 1, timeout=20000)
    d.close()

"""Issue 7 in the window: File → Import annotation package… → the merge review screen.

Two officers' libraries are copies of the sample library; each acts through
``records_for(open_workbench(root), name)`` (closed before anything is copied or opened in the
window). Officer B's package conflicts with Officer A's library on one annotation and one link.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QRadioButton

from ui.compose import close_workbench, open_workbench, records_for
from ui.dialogs.merge_review import ExportPackageDialog, MergeReviewDialog
from workbench.merge import apply_merge, plan_merge, read_package, write_package
from workbench.review import KINDS, Records

FRAMING = "framing-kents-future-2022"
REFORMING = "reforming-kent-2025"


@contextmanager
def officer(root: Path, name: str) -> Iterator[Records]:
    wb = open_workbench(root)
    try:
        yield records_for(wb, name)
    finally:
        close_workbench(wb)


def keys(r: Records, slug: str) -> list[str]:
    return [c.key for c in r.effective_commitments(slug)]


def snapshot(root: Path) -> list[dict]:
    with officer(root, "reader") as r:
        return [rec.to_json() for kind in KINDS for rec in r.rs.records(kind, include_deleted=True)]


def db_digest(root: Path) -> str:
    return hashlib.sha256((root / "workbench.db").read_bytes()).hexdigest()


@pytest.fixture
def conflicting(sample_library_master, tmp_path) -> tuple[Path, Path]:
    """(Officer A's library, Officer B's package): both edited the same annotation and link."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(sample_library_master, a)
    shutil.copytree(sample_library_master, b)
    with officer(a, "Officer A") as r:
        ann = r.annotate_commitment(keys(r, FRAMING)[0], note="original").value
        link = r.link(keys(r, FRAMING)[1], [keys(r, REFORMING)[0]], relation="continued").value
        shared = write_package(r, tmp_path / "shared.zip")
    with officer(b, "Officer B") as r:
        apply_merge(r, plan_merge(r, read_package(shared)))
        r.edit_annotation(ann.uuid, note="B's view <b>not bold</b>")
        r.confirm_link(link.uuid, relation="continued")
        package = write_package(r, tmp_path / "b.zip")
    with officer(a, "Officer A") as r:
        r.edit_annotation(ann.uuid, note="A's view")
        r.confirm_link(link.uuid, relation="scaled_back", rationale="fewer buses")
    return a, package


def _review(qtbot, window, package: Path) -> MergeReviewDialog:
    ui = window.package_ui
    ui.import_package(package)
    qtbot.waitUntil(lambda: isinstance(ui.dialog, MergeReviewDialog), timeout=30000)
    dialog = ui.dialog
    assert isinstance(dialog, MergeReviewDialog)
    return dialog


def test_file_menu_has_the_package_actions(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    file_menu = window.file_menu
    texts = [a.text().replace("&", "") for a in file_menu.actions()]
    assert "Export annotation package…" in texts and "Import annotation package…" in texts
    assert texts.index("Import annotation package…") < texts.index("Quit")


def test_conflicts_side_by_side_apply_disabled_until_chosen_and_both_kept(
        qtbot, open_window, conflicting):
    library, package = conflicting
    window = open_window(library)
    dialog = _review(qtbot, window, package)

    assert "2 conflicts" in dialog.counts_label.text()
    assert len(dialog.conflict_widgets) == 2
    by_text = {w.conflict.record_kind: w for w in dialog.conflict_widgets}
    mine, theirs = by_text["link"].side_texts()
    assert "Officer A" in mine and "Officer A: scaled_back" in mine
    assert "Officer B" in theirs and "Officer B: continued" in theirs
    note_mine, note_theirs = by_text["annotation"].side_texts()
    assert "A's view" in note_mine and "B's view <b>not bold</b>" in note_theirs
    for label in by_text["annotation"].incoming_cells:  # record text is never rendered as HTML
        assert label.textFormat() == Qt.TextFormat.PlainText

    assert not dialog.apply_button.isEnabled()
    first = dialog.conflict_widgets[0]
    first.buttons["both"].click()
    assert not dialog.apply_button.isEnabled()  # one conflict still open
    radios = dialog.conflict_widgets[1].findChildren(QRadioButton)
    assert all(r.focusPolicy() & Qt.FocusPolicy.TabFocus for r in radios)  # keyboard reachable
    dialog.all_buttons["both"].click()  # "apply the same choice to all"
    assert {w.choice() for w in dialog.conflict_widgets} == {"both"}
    assert dialog.apply_button.isEnabled()

    dialog.apply_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    assert dialog.status_label.text().startswith("Backed up, merged:")
    assert "2 kept both" in dialog.status_label.text()
    assert dialog.report.backup is not None and dialog.report.backup.exists()
    assert not dialog.apply_button.isVisible() and dialog.cancel_button.text() == "Close"
    dialog.cancel_button.click()
    window.close()

    records = snapshot(library)
    notes = [r.get("note", "") for r in records if r["record"] == "annotation"]
    assert any("A's view" in n for n in notes) and any("B's view" in n for n in notes)
    relations = sorted(r["relation"] for r in records if r["record"] == "link")
    assert relations == ["continued", "scaled_back"]


def test_cancel_writes_nothing(qtbot, open_window, conflicting):
    library, package = conflicting
    before = db_digest(library)
    records_before = json.dumps(snapshot(library), sort_keys=True)
    window = open_window(library)
    dialog = _review(qtbot, window, package)
    dialog.all_buttons["incoming"].click()
    dialog.cancel_button.click()
    assert dialog.report is None and not dialog.isVisible()
    window.close()
    assert json.dumps(snapshot(library), sort_keys=True) == records_before
    assert db_digest(library) == before
    assert not any("before-merge" in p.name for p in (library / "backups").glob("*.db"))


def test_a_refused_package_is_a_one_line_message(qtbot, open_window, sample_library, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    window = open_window(sample_library)
    ui = window.package_ui
    ui.import_package(bad)
    qtbot.waitUntil(lambda: ui.message_box is not None, timeout=30000)
    box = ui.message_box
    assert isinstance(box, QMessageBox)
    assert box.text().startswith("bad.zip is not a Plan Workbench package")
    assert "\n" not in box.text()
    assert ui.dialog is None
    box.close()


def test_export_package_of_all_plans(qtbot, open_window, conflicting, tmp_path):
    library, _ = conflicting
    window = open_window(library)
    ui = window.package_ui
    ui.export_package()
    qtbot.waitUntil(lambda: isinstance(ui.dialog, ExportPackageDialog), timeout=30000)
    dialog = ui.dialog
    assert isinstance(dialog, ExportPackageDialog)
    assert dialog.plan_list.count() == 5 and dialog.plans() is None  # all by default
    out = tmp_path / "out" / "mine.zip"
    dialog.path_edit.setText(str(out))
    dialog.ok_button.click()
    qtbot.waitUntil(out.exists, timeout=30000)
    qtbot.waitUntil(lambda: ui.ctx.runner.is_idle(), timeout=30000)
    package = read_package(out)
    assert package.manifest.author and len(package.records) >= 2

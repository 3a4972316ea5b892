"""Recovery in the window (RELIABILITY.md T-COR-02/03, T-DUR-07, T-IO-01/03/04).

Start-up goes through ``open_library_checked``: a damaged database gets the recovery dialog
(backups listed, restore keeps the damaged file), a database from a newer app a clear refusal,
a read-only library a banner and disabled write actions. ``report_save_error`` keeps the text
of a save that failed on a full disk.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton

import db.recovery
from db.store import SqliteStore
from ui import reliability_ui
from ui.dialogs.recovery import LibraryProblemDialog
from ui.main_window import write_actions
from ui.reliability_ui import (
    DISK_FULL,
    READ_ONLY_BANNER,
    UNCLEAN_BANNER,
    StartupCheck,
    apply_read_only,
    banners,
    handle_open_error,
    open_library_checked,
    prepare_window,
    probe_library,
    report_save_error,
    show_store_warnings,
)
from workbench.errors import DatabaseTooNew, DiskFull, LibraryDamaged, LibraryReadOnly


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def damaged_library(sample_library) -> tuple[Path, Path, bytes]:
    """(library, its one verified backup, the damaged database bytes): header overwritten."""
    store = SqliteStore(sample_library / "workbench.db", backups_dir=sample_library / "backups",
                        backup_interval=None)
    try:
        backup = store.backup("manual")
    finally:
        store.close()
    db_path = sample_library / "workbench.db"
    data = bytearray(db_path.read_bytes())
    data[0:100] = b"\xa5" * 100  # the 100-byte SQLite header
    db_path.write_bytes(bytes(data))
    return sample_library, backup, bytes(data)


def test_probe_reports_a_healthy_library(sample_library):
    check = probe_library(sample_library)
    assert check.root == sample_library and not check.read_only and not check.unclean


def test_damaged_database_lists_backups_and_restore_keeps_the_damaged_file(
        qtbot, damaged_library):
    library, backup, damaged_bytes = damaged_library
    seen: list[LibraryProblemDialog] = []

    def drive_the_dialog(exc, parent, *, root):  # what a person does in the modal dialog
        assert isinstance(exc, LibraryDamaged)
        dialog = LibraryProblemDialog(exc, root, parent)
        qtbot.addWidget(dialog)
        seen.append(dialog)
        dialog.show()
        assert dialog.backups() == [backup]
        row = dialog.backup_list.topLevelItem(0)
        assert row.text(1) == "manual" and row.text(2).endswith(("KB", "MB"))
        assert dialog.restore_button.isEnabled()
        assert dialog.other_button.isVisible() and dialog.quit_button.isVisible()
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: dialog.open_restored_button.isVisible(), timeout=30000)
        dialog.open_restored_button.click()
        return dialog.chosen_path

    check = open_library_checked(library, handle=drive_the_dialog)

    assert isinstance(check, StartupCheck) and check.root == library
    (dialog,) = seen
    kept = dialog.damaged_kept_as
    assert kept is not None and kept.exists() and kept.name.startswith("workbench.db.damaged-")
    assert kept.read_bytes() == damaged_bytes  # the damaged file is kept, untouched
    assert str(kept) in dialog.status_label.text()
    assert backup.exists()  # the good backup is still there
    assert _digest(library / "workbench.db") != hashlib.sha256(damaged_bytes).hexdigest()


def test_damaged_without_backups_offers_another_library_or_quit(qtbot, tmp_path):
    exc = LibraryDamaged("The library database is damaged (x).", ())
    dialog = LibraryProblemDialog(exc, tmp_path / "lib")
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert "no backup" in dialog.status_label.text()
    other = tmp_path / "other"
    dialog.choose_folder = lambda: other  # type: ignore[method-assign]
    dialog.other_button.click()
    assert dialog.chosen_path == other


def _click_when_modal(name: str, seen: list[str]) -> QTimer:
    """Click button ``name`` of the recovery dialog once it is shown modally (``exec``)."""
    timer = QTimer()
    timer.setInterval(20)

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LibraryProblemDialog):
            return  # not shown yet (the library is still being opened)
        timer.stop()
        seen.append(dialog.windowTitle())
        seen.append(dialog.detail_label.text())
        dialog.findChild(QPushButton, name).click()

    timer.timeout.connect(click)
    timer.start()
    return timer


def test_database_from_a_newer_app_is_refused_clearly(qtbot, sample_library):
    import sqlite3  # the test plays a newer app writing its migration

    conn = sqlite3.connect(sample_library / "workbench.db")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('workbench', 'm999_from_the_future', 'x')")
    conn.commit()
    conn.close()
    before = _digest(sample_library / "workbench.db")
    with pytest.raises(DatabaseTooNew) as info:
        probe_library(sample_library)
    seen: list[str] = []
    clicker = _click_when_modal("quit", seen)
    assert handle_open_error(info.value, None, root=sample_library) is None
    assert not clicker.isActive()
    assert seen[0] == "This library needs a newer Plan Workbench"
    assert "newer Plan Workbench" in seen[1]
    assert _digest(sample_library / "workbench.db") == before


def test_quit_from_the_recovery_dialog_opens_nothing(qtbot, damaged_library):
    library, _, damaged_bytes = damaged_library
    seen: list[str] = []
    clicker = _click_when_modal("quit", seen)
    assert open_library_checked(library) is None
    assert not clicker.isActive()
    assert seen[0] == "The library database is damaged"
    assert (library / "workbench.db").read_bytes() == damaged_bytes


def test_read_only_library_opens_with_a_banner_and_no_write_actions(
        qtbot, open_window, sample_library, monkeypatch):
    # as root, chmod cannot make a folder read-only: ask db.recovery's permission test instead
    monkeypatch.setattr(db.recovery, "_writable", lambda path: False)
    before = _digest(sample_library / "workbench.db")
    check = probe_library(sample_library)
    assert check.read_only and db.recovery.READ_ONLY_WARNING in check.warnings
    window = open_window(sample_library)
    prepare_window(window, check, write_actions(window))
    texts = [b.text() for b in banners(window)]
    assert READ_ONLY_BANNER in texts
    assert not window.import_action.isEnabled()
    assert not window.edit_plan_action.isEnabled()
    assert not window.package_ui.import_action.isEnabled()
    assert window.package_ui.export_action.isEnabled()  # reading is fine
    assert window.find_action.isEnabled()
    window.import_action.setEnabled(True)  # something re-enables it: it stays off
    assert not window.import_action.isEnabled()
    assert not window.annotation_ui.highlight_action.isEnabled()
    assert not window.undo.redo_action.isEnabled()
    window.close()
    assert _digest(sample_library / "workbench.db") == before


def test_read_only_open_refused_when_it_cannot_be_created(tmp_path, monkeypatch):
    monkeypatch.setattr(db.recovery, "_writable", lambda path: False)
    with pytest.raises(LibraryReadOnly):
        probe_library(tmp_path / "new-library")


def test_network_and_unclean_notices_are_banners(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    shown = show_store_warnings(window, [db.recovery.NETWORK_WARNING,
                                         db.recovery.UNCLEAN_WARNING])
    assert [b.objectName() for b in shown] == ["networkBanner", "uncleanBanner"]
    assert shown[1].text() == UNCLEAN_BANNER
    show_store_warnings(window, [db.recovery.NETWORK_WARNING])  # shown once
    assert len(banners(window)) == 2
    apply_read_only(window)
    assert len(banners(window)) == 3


def test_network_folder_probe_warns(sample_library, monkeypatch):
    monkeypatch.setattr(db.recovery.connection, "is_network_or_synced", lambda path: True)
    check = probe_library(sample_library)
    assert check.network and db.recovery.NETWORK_WARNING in check.warnings


def test_unclean_shutdown_is_checked_and_reported(sample_library):
    marker = db.recovery.OpenMarker(sample_library / "workbench.db")
    # a session that died: its marker stays, unlocked once "its process" is gone
    db.recovery._unlock(marker.fd)
    import os

    os.close(marker.fd)
    with db.recovery._registry_lock:
        db.recovery._own_markers.discard(str(marker.path))
    assert reliability_ui._was_unclean(sample_library)
    check = probe_library(sample_library)
    assert check.unclean and db.recovery.UNCLEAN_WARNING in check.warnings
    assert not reliability_ui._was_unclean(sample_library)  # checked once, then clean


def test_disk_full_save_error_keeps_the_text(qtbot):
    unsaved = "My long note about the bus strategy <b>kept</b>"
    dialog = report_save_error(None, DiskFull(), unsaved)
    qtbot.addWidget(dialog)
    assert dialog.message_label.text() == DISK_FULL
    assert dialog.text_view.toPlainText() == unsaved
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == unsaved
    assert dialog.isVisible()  # copying does not close it
    dialog.close()


def test_other_save_errors_say_so_and_keep_the_text(qtbot):
    dialog = report_save_error(None, RuntimeError("boom"), "text")
    qtbot.addWidget(dialog)
    assert dialog.message_label.text().startswith("Not saved: an unexpected error")
    assert "previous work is safe" in dialog.message_label.text()
    dialog.close()


def test_app_start_up_uses_the_checked_library(qtbot, sample_library, monkeypatch, tmp_path):
    from ui import app

    other = tmp_path / "copy"
    shutil.copytree(sample_library, other)
    window = app.open_main_window(other)
    if window is None:
        pytest.fail("the healthy library did not open")
    qtbot.addWidget(window)
    try:
        assert window.ctx.root == other
        assert window.package_ui.import_action in window.file_menu.actions()
    finally:
        window.close()

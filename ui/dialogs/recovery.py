"""What the window shows when a library cannot be opened (RELIABILITY.md T-COR-02/03, T-IO-03).

``LibraryProblemDialog(exc, root)`` explains the problem in words and offers the ways out:

* ``LibraryDamaged``: the verified backups (date, reason, size), newest first, with "Restore
  selected backup" (``db.recovery.restore_from_backup``: the damaged database and its journal
  are *kept* beside it as ``workbench.db.damaged-<stamp>``, which the dialog then names),
  "Open another library…" and "Quit" (Zotero's restore-from-backup dialog is the model);
* ``DatabaseTooNew``: a clear refusal (nothing is migrated or written), another library, Quit;
* ``LibraryLocked``: Try again, another library, Quit;
* anything else (read-only folder that cannot be created, unexpected errors): the one-line
  message, Try again, another library, Quit.

The restore runs on a worker thread (a big database takes a moment to copy and verify) while
a busy bar shows; the dialog stays responsive. ``chosen_path`` is the library to open next
(the restored one, another one, or the same one to try again), or None to quit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import connection, recovery
from workbench.errors import (
    DatabaseTooNew,
    LibraryDamaged,
    LibraryLocked,
    LibraryReadOnly,
    WorkbenchError,
)

BackupRole = Qt.ItemDataRole.UserRole + 1

DAMAGED_TEXT = (
    "Plan Workbench could not open this library because its database is damaged. This usually "
    "happens when a library is kept in a network or cloud-synced folder, or when its files are "
    "copied while the app is open.\n\nYou can restore the database from one of its automatic "
    "backups. The damaged file is kept beside it, so nothing is thrown away; work done after "
    "the backup was taken is not in it, but each plan's annotations are also kept in the "
    "library's sidecars folder."
)
NO_BACKUP_TEXT = (
    "There is no backup of this library to restore. Keep a copy of the whole library folder "
    "before trying anything else, and open another library for now."
)
TOO_NEW_TEXT = (
    "This library was saved by a newer version of Plan Workbench, which changed how it is "
    "stored. This version will not open it, so that nothing in it is lost or changed. Update "
    "Plan Workbench to open it."
)


class BackgroundCall(QObject):
    """``fn()`` on a plain worker thread; ``finished(result, error)`` on the GUI thread.

    The worker never touches Qt; a 50 ms timer on the GUI thread notices when it is done.
    """

    finished = Signal(object, object)

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        self._finished_event = threading.Event()
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._on_timer_timeout)

        def work() -> None:
            try:
                self.result = fn()
            except BaseException as exc:  # delivered to the GUI thread
                self.error = exc
            finally:
                self._finished_event.set()

        self._thread = threading.Thread(target=work, name="recovery", daemon=True)
        self._thread.start()
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._finished_event.is_set() and not self.done:
            self._timer.stop()
            self._thread.join()
            self.done = True
            self.finished.emit(self.result, self.error)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker returns (only for closing down; not on a normal path)."""
        return self._finished_event.wait(timeout)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def backup_rows(backups: list[Path]) -> list[tuple[Path, str, str, str]]:
    """(path, taken, reason, size) for each backup that still exists, newest first."""
    rows = []
    for path in backups:
        try:
            st = path.stat()
        except OSError:
            continue
        # the time in the name, shown in local time: a copied library's files all carry the
        # time of the copy
        taken = connection.backup_taken(path).astimezone().strftime("%Y-%m-%d %H:%M")
        parts = path.stem.split("-", 2)  # workbench-<stamp>-<reason>
        reason = parts[2].replace("-", " ") if len(parts) == 3 else ""
        rows.append((path, taken, reason, human_size(st.st_size)))
    return rows


def _plain(text: str, name: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # paths and SQLite messages, shown literally
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class LibraryProblemDialog(QDialog):
    """A library could not be opened: say why, and offer restore / another library / quit."""

    def __init__(self, exc: BaseException, root: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.exc = exc
        self.root = root or self._root_from(exc)
        self.chosen_path: Path | None = None
        self.restored_from: Path | None = None
        self.damaged_kept_as: Path | None = None
        self.restore_error = ""
        self._call: BackgroundCall | None = None
        self.setObjectName("libraryProblemDialog")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        heading, body = self._texts(exc)
        self.setWindowTitle(heading)
        self.setAccessibleName(heading)
        title = _plain(heading, "problemHeading")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        layout.addWidget(title)
        if self.root is not None:
            layout.addWidget(_plain(f"Library: {self.root}", "problemLibrary"))
        layout.addWidget(_plain(body, "problemExplanation"))
        message = str(exc) or type(exc).__name__
        self.detail_label = _plain(f"Details: {message}", "problemDetail")
        layout.addWidget(self.detail_label)

        self.backup_list = QTreeWidget()
        self.backup_list.setObjectName("backupList")
        self.backup_list.setAccessibleName("Backups, newest first")
        self.backup_list.setHeaderLabels(["Taken", "Why", "Size", "File"])
        self.backup_list.setRootIsDecorated(False)
        self.backup_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_list.hide()
        layout.addWidget(self.backup_list, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Restoring")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status_label = _plain("", "recoveryStatus")
        self.status_label.setAccessibleName("Recovery status")
        layout.addWidget(self.status_label)

        self.buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.restore_button = QPushButton("&Restore selected backup")
        self.restore_button.setObjectName("restoreBackup")
        self.open_restored_button = QPushButton("Open the &restored library")
        self.open_restored_button.setObjectName("openRestored")
        self.retry_button = QPushButton("&Try again")
        self.retry_button.setObjectName("tryAgain")
        self.other_button = QPushButton("&Open another library…")
        self.other_button.setObjectName("openAnother")
        self.quit_button = QPushButton("&Quit")
        self.quit_button.setObjectName("quit")
        for button, r in ((self.restore_button, role.ActionRole),
                          (self.open_restored_button, role.AcceptRole),
                          (self.retry_button, role.ActionRole),
                          (self.other_button, role.ActionRole),
                          (self.quit_button, role.RejectRole)):
            self.buttons.addButton(button, r)
        self.restore_button.clicked.connect(self.restore_selected)
        self.open_restored_button.clicked.connect(self._open_restored)
        self.retry_button.clicked.connect(self._retry)
        self.other_button.clicked.connect(self.open_another)
        self.quit_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

        damaged = isinstance(exc, LibraryDamaged)
        self.restore_button.setVisible(damaged)
        self.open_restored_button.hide()
        self.retry_button.setVisible(not damaged and not isinstance(exc, DatabaseTooNew)
                                     and self.root is not None)
        if damaged:
            self._fill_backups(exc)  # type: ignore[arg-type]

    # -- text ------------------------------------------------------------------------------

    @staticmethod
    def _root_from(exc: BaseException) -> Path | None:
        backups = getattr(exc, "backups", ())
        return Path(backups[0]).parent.parent if backups else None

    @staticmethod
    def _texts(exc: BaseException) -> tuple[str, str]:
        if isinstance(exc, LibraryDamaged):
            return "The library database is damaged", DAMAGED_TEXT
        if isinstance(exc, DatabaseTooNew):
            return "This library needs a newer Plan Workbench", TOO_NEW_TEXT
        if isinstance(exc, LibraryLocked):
            return "This library is in use", (
                "Another Plan Workbench window or command is using this library. Close it, "
                "then try again, or open another library.")
        if isinstance(exc, LibraryReadOnly):
            return "This library cannot be opened", (
                "The library's folder cannot be written, and the library cannot be opened "
                "read-only as it is. Copy it to a folder you can write to, or open another "
                "library.")
        if isinstance(exc, WorkbenchError):
            return "The library could not be opened", (
                "Plan Workbench could not open this library. Try again, or open another one.")
        return "The library could not be opened", (
            "Plan Workbench could not open this library because of an unexpected error. Keep a "
            "copy of the library folder, and open another library for now.")

    def _fill_backups(self, exc: LibraryDamaged) -> None:
        paths = [Path(b) for b in exc.backups]
        if not paths and self.root is not None:
            paths = connection.list_backups(self.root / "backups")
        rows = backup_rows(paths)
        for path, taken, reason, size in rows:
            item = QTreeWidgetItem([taken, reason, size, path.name])
            item.setData(0, BackupRole, str(path))
            self.backup_list.addTopLevelItem(item)
        for column in range(4):
            self.backup_list.resizeColumnToContents(column)
        if rows:
            self.backup_list.show()
            self.backup_list.setCurrentItem(self.backup_list.topLevelItem(0))
            self.backup_list.setFocus()
            self.restore_button.setDefault(True)
        else:
            self.status_label.setText(NO_BACKUP_TEXT)
            self.restore_button.setEnabled(False)
            self.other_button.setDefault(True)

    # -- actions ---------------------------------------------------------------------------

    def backups(self) -> list[Path]:
        return [Path(self.backup_list.topLevelItem(i).data(0, BackupRole))
                for i in range(self.backup_list.topLevelItemCount())]

    def selected_backup(self) -> Path | None:
        item = self.backup_list.currentItem()
        return Path(item.data(0, BackupRole)) if item is not None else None

    def restore_selected(self) -> None:
        backup = self.selected_backup()
        if backup is None or self.root is None or self._call is not None:
            return
        db_path = self.root / "workbench.db"
        backups_dir = self.root / "backups"
        self._set_busy(True)
        self.status_label.setText(f"Restoring from {backup.name}…")
        self._call = BackgroundCall(
            lambda: recovery.restore_from_backup(db_path, backup, backups_dir=backups_dir),
            self)
        self._call.finished.connect(lambda result, error: self._on_restored(backup, result,
                                                                            error))

    def _on_restored(self, backup: Path, damaged: Path | None,
                     error: BaseException | None) -> None:
        self._call = None
        self._set_busy(False)
        if error is not None:
            self.restore_error = str(error)
            self.status_label.setText(f"Not restored: {error}")
            return
        self.restored_from = backup
        self.damaged_kept_as = damaged
        rows = backup_rows([backup])
        taken = f" taken {rows[0][1]}" if rows else ""
        kept = f"\nThe damaged database was kept as {damaged}." if damaged else ""
        self.status_label.setText(f"Restored the library from the backup{taken} "
                                  f"({backup.name}).{kept}\nIf search results look out of "
                                  "date, use File → Reindex.")
        self.restore_button.hide()
        self.backup_list.setEnabled(False)
        self.open_restored_button.show()
        self.open_restored_button.setDefault(True)
        self.open_restored_button.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for button in (self.restore_button, self.retry_button, self.other_button,
                       self.quit_button):
            button.setEnabled(not busy)
        self.backup_list.setEnabled(not busy)

    def _open_restored(self) -> None:
        self.chosen_path = self.root
        self.accept()

    def _retry(self) -> None:
        self.chosen_path = self.root
        self.accept()

    def choose_folder(self) -> Path | None:
        """Ask for a library folder (tests replace this)."""
        folder = QFileDialog.getExistingDirectory(self, "Open library folder")
        return Path(folder) if folder else None

    def open_another(self) -> None:
        folder = self.choose_folder()
        if folder is not None:
            self.chosen_path = folder
            self.accept()

    def reject(self) -> None:
        if self._call is not None:  # a restore is running; let it finish
            return
        self.chosen_path = None
        super().reject()

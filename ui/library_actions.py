"""Library-wide actions: File ▸ New library, Open library, Reindex, Check database.

``LibraryActions`` owns the four actions and their slots; the main window builds it and places
the actions in its File menu. Reindex and Check run as ``ui.ops.library`` ops; switching the
library swaps the window's DB executor (``OpContext.switch_library``) and remembers the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui import preferences
from ui.executor import DbExecutor
from ui.ops import OpContext
from ui.ops import library as library_ops
from workbench.services import CheckReport

APP_TITLE = "Plan Workbench"


class LibraryActions(QObject):
    """New, open, reindex and check the library."""

    def __init__(self, parent: QWidget, ctx: OpContext, settings: QSettings, *,
                 show_status: Callable[[str], None],
                 show_error: Callable[[BaseException], None],
                 index_notice: Callable[[bool], None],
                 before_switch: Callable[[], None]) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.ctx = ctx
        self.settings = settings
        self.show_status = show_status
        self._show_error = show_error
        self.set_index_notice = index_notice
        self._before_switch = before_switch
        self.check_dialog: QMessageBox | None = None
        self.new_action = self._action("&New library…", self.choose_new_library)
        self.open_action = self._action("&Open library…", self.choose_open_library,
                                        QKeySequence.StandardKey.Open)
        self.reindex_action = self._action("&Reindex", self.reindex,
                                           tip="Rebuild the search index from the database")
        self.check_action = self._action("&Check database", self.check_library)

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: QKeySequence.StandardKey | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("&", "").rstrip("…"))
        action.setStatusTip(action.toolTip())
        action.triggered.connect(slot)
        self.parent_widget.addAction(action)
        return action

    def reindex(self) -> None:
        self.set_index_notice(True)

        def done(count: int) -> None:
            self.set_index_notice(False)
            self.show_status(f"Search index rebuilt: {count} passages")

        def failed(exc: BaseException) -> None:
            self.set_index_notice(False)
            self._show_error(exc)

        library_ops.reindex(self.ctx, on_done=done, on_error=failed)

    def check_library(self) -> None:
        library_ops.check(self.ctx, on_done=self._show_check, on_error=self._show_error)

    def _show_check(self, report: CheckReport) -> None:
        """The result, in a window-modal box that does not block (tests read its text)."""
        if self.check_dialog is not None:
            self.check_dialog.close()
            self.check_dialog.deleteLater()
        box = QMessageBox(self.parent_widget)
        box.setWindowTitle("Check database")
        box.setAccessibleName("Check database result")
        box.setTextFormat(Qt.TextFormat.PlainText)  # file names are shown as given
        if report.ok:
            box.setIcon(QMessageBox.Icon.Information)
            box.setText("The library is healthy: the database, the PDF copies and the search "
                        "index all check out.")
        else:
            lines = [*report.database, *report.files, *report.index]
            box.setIcon(QMessageBox.Icon.Warning)
            box.setText(f"{len(lines)} problem(s) found in {self.ctx.root}.")
            box.setInformativeText("\n".join(f"• {line}" for line in lines[:12])
                                   + ("\n…" if len(lines) > 12 else ""))
            box.setDetailedText("\n".join(lines))
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        self.check_dialog = box
        box.open()

    def choose_new_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.parent_widget, "New library: choose an empty folder")
        if folder:
            self.switch_library(Path(folder))

    def choose_open_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.parent_widget, "Open library folder")
        if not folder:
            return
        if not (Path(folder) / "workbench.db").exists():
            box = QMessageBox(QMessageBox.Icon.Question, APP_TITLE, "",
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                              self.parent_widget)
            box.setTextFormat(Qt.TextFormat.PlainText)  # the folder name, shown as given
            box.setText(f"{folder} holds no library yet. Create one there?")
            answer = box.exec()
            box.deleteLater()
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.switch_library(Path(folder))

    def switch_library(self, root: Path) -> None:
        self._before_switch()
        self.ctx.switch_library(DbExecutor(root, parent=self.parent_widget))
        self.settings.setValue("library/last", str(root))
        preferences.set_last_library(root)  # the CLI's default library follows the window

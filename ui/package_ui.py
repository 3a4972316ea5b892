"""Annotation packages in the window: File → Export / Import annotation package.

``PackageUi`` holds the two actions and their slots; the main window builds it and places the
actions in its File menu. Reading, planning and applying a package are ``ui.ops.merge`` ops on
the DB thread; the conflict review is ``ui.dialogs.merge_review.MergeReviewDialog``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from ui.dialogs.merge_review import PACKAGE_FILTER, ExportPackageDialog, MergeReviewDialog
from ui.dialogs.user_name import current_user
from ui.ops import OpContext
from ui.ops import library as library_ops
from ui.ops import merge as merge_ops
from workbench.errors import Cancelled, WorkbenchError
from workbench.merge import MergePlan, MergeReport


class PackageUi(QObject):
    """Export and import of annotation packages."""

    def __init__(self, parent: QWidget, ctx: OpContext, settings: QSettings,
                 show_status: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.ctx = ctx
        self.settings = settings
        self._status = show_status
        self.dialog: QDialog | None = None  # the dialog opened last (tests drive it)
        self.message_box: QMessageBox | None = None
        self.export_action = QAction("&Export annotation package…", parent)
        self.export_action.setObjectName("exportPackageAction")
        self.export_action.setStatusTip("Write your annotations, links and statuses to a file "
                                        "a colleague can import")
        self.export_action.triggered.connect(self.export_package)
        self.import_action = QAction("I&mport annotation package…", parent)
        self.import_action.setObjectName("importPackageAction")
        self.import_action.setStatusTip("Review and merge a colleague's annotation package")
        self.import_action.triggered.connect(self.import_package)
        parent.addAction(self.export_action)
        parent.addAction(self.import_action)

    @property
    def actor(self) -> str:
        return current_user(self.settings)

    def _last_folder(self) -> Path:
        return Path(str(self.settings.value("merge/folder", "") or Path.home()))

    def _remember_folder(self, path: Path) -> None:
        self.settings.setValue("merge/folder", str(Path(path).parent))

    def _error(self, title: str, text: str) -> None:
        """A one-line message box that does not block (plain text: file names as given)."""
        self._status(text)
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Close, self.parent_widget)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAccessibleName(title)
        self.message_box = box
        box.open()

    # -- import ----------------------------------------------------------------------------

    def choose_import_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent_widget, "Import annotation package",
                                              str(self._last_folder()), PACKAGE_FILTER)
        return Path(name) if name else None

    def import_package(self, path: Path | None = None) -> None:
        """Read and plan the package on the DB thread, then open the review screen."""
        path = Path(path) if path else self.choose_import_file()
        if path is None:
            return
        self._remember_folder(path)
        self._status(f"Reading {path.name}…")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                self._status("Import cancelled: nothing was written.")
                return
            text = str(exc) if isinstance(exc, WorkbenchError) else \
                f"Could not read {path.name}: {exc}"
            self._error("Import annotation package", text.splitlines()[0] if text else text)

        merge_ops.load_merge_plan(self.ctx, path, self.actor, on_done=self.review,
                                  on_error=failed)

    def review(self, plan: MergePlan) -> MergeReviewDialog:
        dialog = MergeReviewDialog(plan, self.parent_widget)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.apply_requested.connect(lambda decisions: self._apply(dialog, decisions))
        dialog.finished.connect(lambda _code: self._review_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _apply(self, dialog: MergeReviewDialog, decisions: dict[str, str]) -> None:
        def done(report: MergeReport) -> None:
            dialog.show_applied(report)
            self._status(report.summary())

        def failed(exc: BaseException) -> None:
            dialog.show_failed(exc)
            self._status(f"Not merged: {exc}")

        merge_ops.apply(self.ctx, self.actor, dialog.plan, decisions, on_done=done,
                        on_error=failed, initiator=self)

    def _review_closed(self, dialog: MergeReviewDialog) -> None:
        if dialog.report is None:
            self._status("Import cancelled: nothing was written.")
        dialog.deleteLater()

    # -- export ----------------------------------------------------------------------------

    def export_package(self) -> None:
        library_ops.load_plans(self.ctx, on_done=self._choose_export,
                               on_error=lambda exc: self._error("Export annotation package",
                                                                str(exc)))

    def _choose_export(self, plans: library_ops.PlanList) -> ExportPackageDialog:
        safe_actor = "".join(c if c.isalnum() else "-" for c in self.actor).strip("-")
        default = self._last_folder() / (f"annotations-{safe_actor or 'export'}-"
                                         f"{dt.date.today().isoformat()}.zip")
        dialog = ExportPackageDialog([(p.slug, p.meta.title) for p in plans.plans], default,
                                     self.parent_widget)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._export(dialog.path(), dialog.plans()))
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _export(self, out: Path, plans: list[str] | None) -> None:
        self._remember_folder(out)
        merge_ops.export_package(
            self.ctx, self.actor, out, plans,
            on_done=lambda path: self._status(f"Wrote the annotation package {path}."),
            on_error=lambda exc: self._error("Export annotation package",
                                             f"Not exported: {exc}"))

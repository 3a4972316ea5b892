"""The library: a filterable table of plans; import (menu, toolbar, drag and drop), edit,
trash and restore.

Encrypted PDFs: after an import, each file refused for lack of a password is offered a password
prompt (``ui.dialogs.password``), retried up to three times on a wrong password; Cancel skips
the file. The password only travels to that one re-import; it is never kept or logged. The
finished report (failures first, with reasons) opens without blocking the window.

Signals:
    open_requested(str): a plan slug to show in the reader.
    compare_requested(str): a plan slug to compare with the plan it supersedes.
    status_message(str): something to show in the status bar.
    import_finished(object): the ``ImportReport`` of a finished import (after any passwords).
    plan_count_changed(int): the number of plans in the library (not in the trash).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import password as password_dialog
from ui.dialogs.import_report import ImportReportDialog, summary
from ui.dialogs.plan_edit import PlanEditDialog
from ui.models.plans import (
    COLUMNS,
    NOTICES_COLUMN,
    BadgesRole,
    PlanFilterProxy,
    PlanTableModel,
    SlugRole,
)
from ui.ops import Changes, OpContext
from ui.ops import library as ops
from ui.widgets.badges import BadgeDelegate
from ui.widgets.plain import plain_message
from workbench.services import ImportOutcome, ImportReport

NEEDS_PASSWORD = "needs_password"
WRONG_PASSWORD = "wrong_password"


def dropped_paths(urls: Sequence) -> list[Path]:  # QUrl list
    """Local PDFs and folders among dropped URLs (anything else is ignored)."""
    paths = []
    for url in urls:
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.is_dir() or path.suffix.casefold() == ".pdf":
            paths.append(path)
    return paths


NARROW_WIDTH = 900
NARROW_HIDDEN = (5, 6)  # Pages, Sections


class LibraryPanel(QWidget):
    """The plans of the open library."""

    open_requested = Signal(str)
    compare_requested = Signal(str)
    status_message = Signal(str)
    import_finished = Signal(object)
    plan_count_changed = Signal(int)

    def __init__(self, ctx: OpContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Library")
        self._ctx = ctx
        self.show_reports = True  # tests turn the modal report off and read ``last_report``
        self.last_report: ImportReport | None = None
        self.report_dialog: ImportReportDialog | None = None
        self._locked: list[ImportOutcome] = []  # encrypted files still to ask about
        self._kept: list[ImportOutcome] = []  # outcomes of the import being finished
        self.all_plans: list = []
        self.model = PlanTableModel(self)
        self.proxy = PlanFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self.setAcceptDrops(True)
        ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ctx.library_changed.connect(lambda _root: self.reload())

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter plans (title, organisation, stage, year…)")
        self.filter_edit.setAccessibleName("Filter plans")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_needle)
        self.trash_check = QCheckBox("Show &trash")
        self.trash_check.setAccessibleName("Show plans in the trash")
        self.trash_check.toggled.connect(lambda _on: self.reload())
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.trash_check)
        layout.addLayout(top)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Plans")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # one Tab stop; arrow keys move inside
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setItemDelegateForColumn(NOTICES_COLUMN, BadgeDelegate(BadgesRole, self.table))
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.setAcceptDrops(True)
        self.table.viewport().setAcceptDrops(True)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.import_button = self._button("&Import PDFs…", self.choose_and_import)
        self.open_button = self._button("&Open in reader", self.open_selected)
        self.compare_button = self._button("&Compare with earlier", self.compare_selected)
        self.edit_button = self._button("&Edit details…", self.edit_selected)
        self.remove_button = self._button("Move to tras&h", self.toggle_removed_selected)
        for b in (self.import_button, self.open_button, self.compare_button, self.edit_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.setTabOrder(self.filter_edit, self.trash_check)
        self.setTabOrder(self.trash_check, self.table)
        self.setTabOrder(self.table, self.import_button)
        self._update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """On a narrow window the page and section counts give way to the title (the row's
        tool tip still has them)."""
        super().resizeEvent(event)
        narrow = self.width() < NARROW_WIDTH
        for column in NARROW_HIDDEN:
            self.table.setColumnHidden(column, narrow)

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        return button

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        ops.load_plans(self._ctx, on_done=self._on_plans_loaded, on_error=self._on_failed)

    def _on_plans_loaded(self, result: ops.PlanList) -> None:
        current = self.selected_slug()
        show_trash = self.trash_check.isChecked()
        plans = [p for p in result.plans if show_trash or p.slug not in result.removed]
        self.model.set_plans(plans, set(result.removed))
        self.all_plans = list(result.plans)
        if current:
            self.select_slug(current)
        elif self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_buttons()
        live = sum(1 for p in result.plans if p.slug not in result.removed)
        self.plan_count_changed.emit(live)  # the status bar shows the count and the folder

    def _on_failed(self, exc: BaseException) -> None:
        self.status_message.emit(str(exc))
        self.error_box = plain_message(self, "Plan Workbench", str(exc))  # never rich text

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if changes.plan_list or changes.plans:
            self.reload()

    # -- selection -----------------------------------------------------------------------

    def selected_slug(self) -> str | None:
        index = self.table.currentIndex()
        return index.siblingAtColumn(0).data(SlugRole) if index.isValid() else None

    def select_slug(self, slug: str) -> None:
        row = self.model.row_of(slug)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.selectRow(index.row())

    def _update_buttons(self) -> None:
        slug = self.selected_slug()
        has = slug is not None
        for b in (self.open_button, self.edit_button, self.remove_button, self.compare_button):
            b.setEnabled(has)
        removed = has and self.model.is_removed(slug)
        self.remove_button.setText("&Restore from trash" if removed else "Move to tras&h")
        self.remove_button.setAccessibleName(
            "Restore from trash" if removed else "Move to trash"
        )

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        slug = index.siblingAtColumn(0).data(SlugRole)
        if slug:
            self.open_requested.emit(slug)

    def open_selected(self) -> None:
        if slug := self.selected_slug():
            self.open_requested.emit(slug)

    def compare_selected(self) -> None:
        if slug := self.selected_slug():
            self.compare_requested.emit(slug)

    # -- import --------------------------------------------------------------------------

    def choose_and_import(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        files, _ = QFileDialog.getOpenFileNames(
            self, "Import PDFs", str(Path.home()), "PDF files (*.pdf *.PDF)"
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def import_paths(self, paths: Sequence[Path], password: str | None = None) -> None:
        self.status_message.emit(f"Importing {len(paths)} item(s)…")
        ops.import_pdfs(
            self._ctx,
            list(paths),
            password=password,
            on_done=self._on_import_done,
            on_error=self._on_failed,
            initiator=self,
        )

    def _on_import_done(self, report: ImportReport) -> None:
        self._locked = [o for o in report.outcomes if o.reason == NEEDS_PASSWORD]
        self._kept = [o for o in report.outcomes if o.reason != NEEDS_PASSWORD]
        self._ask_next_password()

    def _ask_next_password(self) -> None:
        """One encrypted file at a time; then the whole import is reported."""
        if not self._locked:
            self._finish_import(ImportReport(self._kept))
            return
        outcome = self._locked.pop(0)
        self._try_password(outcome, attempt=1)

    def _try_password(self, outcome: ImportOutcome, attempt: int) -> None:
        password = password_dialog.ask_password(self, outcome.path.name, attempt)
        if password is None:
            self._kept.append(ImportOutcome(
                outcome.path, "refused", f"{outcome.path.name} needs a password; skipped.",
                reason=NEEDS_PASSWORD))
            self._ask_next_password()
            return

        def done(report: ImportReport) -> None:
            retry = [o for o in report.outcomes if o.reason == WRONG_PASSWORD]
            if retry and attempt < password_dialog.MAX_ATTEMPTS:
                self._try_password(outcome, attempt + 1)
                return
            self._kept.extend(report.outcomes)
            self._ask_next_password()

        self.status_message.emit(f"Opening {outcome.path.name} with its password…")
        ops.import_pdfs(self._ctx, [outcome.path], password=password, on_done=done,
                        on_error=self._on_failed, initiator=self)
        del password  # only the queued import holds it, until it has run

    def _finish_import(self, report: ImportReport) -> None:
        self._kept = []
        self.last_report = report
        self.status_message.emit(f"Import finished: {summary(report)}")
        self.import_finished.emit(report)
        if self.show_reports and (report.failed or any(o.notices for o in report.outcomes)):
            self.show_report(report)
        self.reload()

    def show_report(self, report: ImportReport) -> ImportReportDialog:
        """The import report, window-modal but not blocking (tests read ``rows()``)."""
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        self.report_dialog = ImportReportDialog(report, self)
        self.report_dialog.open()
        return self.report_dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and dropped_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # -- edit, trash -------------------------------------------------------------------

    def edit_selected(self) -> None:
        slug = self.selected_slug()
        plan = self.model.plan(slug) if slug else None
        if plan is None:
            return
        dialog = PlanEditDialog(plan, self.model.plans(), self)
        if dialog.exec() != PlanEditDialog.DialogCode.Accepted or not dialog.fields():
            return
        ops.edit_plan(
            self._ctx, plan.slug, dialog.fields(), initiator=self,
            on_done=lambda p: self.status_message.emit(f"Saved {p.title}"),
            on_error=self._on_failed,
        )

    def toggle_removed_selected(self) -> None:
        slug = self.selected_slug()
        if slug is None:
            return
        removing = not self.model.is_removed(slug)
        verb = "Moved to trash" if removing else "Restored"
        ops.set_removed(
            self._ctx, slug, removing, initiator=self,
            on_done=lambda p: self.status_message.emit(f"{verb}: {p.title}"),
            on_error=self._on_failed,
        )

    # -- settings -------------------------------------------------------------------------

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("library/header", self.table.horizontalHeader().saveState())

    def restore_settings(self, settings: QSettings) -> None:
        state = settings.value("library/header")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

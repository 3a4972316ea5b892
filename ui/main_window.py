"""The main window: wires the panels, menus, toolbar and status bar together, nothing more.

Central tabs: Library, Reader, Compare; the Search panel is a dock. Data access goes through
``ui.ops`` on the one DB thread (``OpContext``); page images through ``PageRenderer``.
Closing the window saves geometry, state, splitters and reader settings, cancels running jobs
and waits for them. The status bar shows the library folder, the number of plans, background
work and a notice while the search index is being rebuilt.

Signals:
    (none of its own; panels' ``status_message`` signals end in the status bar)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QWidget,
)

from ui import compose
from ui.dialogs.export import install_export_ui
from ui.executor import DbExecutor
from ui.icons import icon
from ui.lineage_ui import install_lineage_ui
from ui.ocr_ui import OcrController
from ui.ops import OpContext
from ui.ops import library as library_ops
from ui.panels.compare import ComparePanel
from ui.panels.library import LibraryPanel
from ui.panels.reader import ReaderPanel
from ui.panels.search import SearchPanel
from ui.reliability_ui import install_merge_ui
from ui.render import PageRenderer
from ui.widgets.plain import make_plain, plain_message, tooltip
from workbench.model import SearchHit, SearchResult
from workbench.services import CheckReport, ImportReport

APP_TITLE = "Plan Workbench"
TAB_LIBRARY, TAB_READER, TAB_COMPARE = 0, 1, 2


def load_stylesheet() -> str:
    try:
        return (resources.files("resources") / "styles" / "app.qss").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return ""


class MainWindow(QMainWindow):
    """One open library."""

    def __init__(
        self,
        library: Path,
        *,
        settings: QSettings | None = None,
        executor: DbExecutor | None = None,
        renderer: PageRenderer | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or QSettings()
        self.ctx = OpContext(executor or DbExecutor(library, parent=self), self)
        self.renderer = renderer or PageRenderer(self)
        self._closed = False

        self.library_panel = LibraryPanel(self.ctx)
        self.reader_panel = ReaderPanel(self.ctx, self.renderer)
        self.compare_panel = ComparePanel(self.ctx)
        self.search_panel = SearchPanel(self.ctx, self.settings)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Views")
        self.tabs.tabBar().setAccessibleName("Views: Library, Reader, Compare")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.library_panel, "&Library")
        self.tabs.addTab(self.reader_panel, "&Reader")
        self.tabs.addTab(self.compare_panel, "&Compare")
        self.setCentralWidget(self.tabs)
        self.search_dock = QDockWidget("Search", self)
        self.search_dock.setObjectName("searchDock")
        self.search_dock.setWidget(self.search_panel)
        self.search_dock.setAccessibleName("Search panel")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.search_dock)

        self.setWindowIcon(icon("app"))
        self.check_dialog: QMessageBox | None = None
        self.library_label = QLabel("")
        make_plain(self.library_label)  # shows data: never rich text
        self.library_label.setAccessibleName("Library folder")
        self.library_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plan_count_label = QLabel("")
        make_plain(self.plan_count_label)  # shows data: never rich text
        self.plan_count_label.setAccessibleName("Plans in the library")
        self.index_label = QLabel("")
        make_plain(self.index_label)  # shows data: never rich text
        self.index_label.setObjectName("indexNotice")
        self.index_label.setAccessibleName("Search index")
        self.index_label.hide()
        self.busy_label = QLabel("")
        make_plain(self.busy_label)  # shows data: never rich text
        self.busy_label.setAccessibleName("Background work")
        for label in (self.index_label, self.busy_label, self.plan_count_label,
                      self.library_label):
            self.statusBar().addPermanentWidget(label)
        self._make_actions()
        self._make_menus_and_toolbar()
        self._connect_panels()
        self._restore_settings()
        install_lineage_ui(self)  # issue 5: annotations, corrections, lineage, review, undo
        install_export_ui(self)  # issue 6: briefing packs and the basket
        install_merge_ui(self)  # issue 7: annotation packages and their conflict review
        self._set_library_title(self.ctx.root)
        self.library_panel.reload()

    # -- actions --------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "",  # noqa: ANN001
                icon_name: str = "") -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("&", "").rstrip("…"))
        action.setStatusTip(action.toolTip())
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        reader = self.reader_panel
        seq = QKeySequence.StandardKey
        self.new_library_action = self._action("&New library…", self.choose_new_library)
        self.open_library_action = self._action("&Open library…", self.choose_open_library,
                                                seq.Open)
        self.import_action = self._action("&Import PDFs…", self.library_panel.choose_and_import,
                                          "Ctrl+I", "Import PDFs or a folder of PDFs", "import")
        self.reindex_action = self._action("&Reindex", self.reindex,
                                           tip="Rebuild the search index from the database")
        self.check_action = self._action("&Check database", self.check_library)
        self.quit_action = self._action("&Quit", self.close, seq.Quit)
        self.copy_citation_action = self._action("Copy with &citation", self.copy_citation,
                                                 "Ctrl+Shift+C", icon_name="copy-citation")
        self.find_action = self._action("&Search plans", self.focus_search, seq.Find,
                                        icon_name="search")
        self.edit_plan_action = self._action("&Edit plan details…",
                                             self.library_panel.edit_selected, "Ctrl+E")
        self.trash_action = self._action("Move to trash / restore",
                                         self.library_panel.toggle_removed_selected)
        self.show_library_action = self._action("&Library", lambda: self.show_tab(TAB_LIBRARY),
                                                "Ctrl+1")
        self.show_reader_action = self._action("&Reader", lambda: self.show_tab(TAB_READER),
                                               "Ctrl+2")
        self.show_compare_action = self._action("&Compare", self.show_compare, "Ctrl+3",
                                                icon_name="compare")
        self.zoom_in_action = self._action("Zoom &in", lambda: reader.step_zoom(1), seq.ZoomIn,
                                           icon_name="zoom-in")
        self.zoom_out_action = self._action("Zoom &out", lambda: reader.step_zoom(-1),
                                            seq.ZoomOut, icon_name="zoom-out")
        self.fit_width_action = self._action("&Fit width", reader.set_fit_width, "Ctrl+0",
                                             icon_name="fit-width")
        self.next_page_action = self._action("&Next page", reader.next_page, "Ctrl+PgDown",
                                             icon_name="next-page")
        self.prev_page_action = self._action("&Previous page", reader.previous_page, "Ctrl+PgUp",
                                             icon_name="previous-page")
        self.goto_page_action = self._action("&Go to page…", self.go_to_page, "Ctrl+G")
        self.larger_text_action = self._action(
            "&Larger document text", lambda: self._change_font(1), "Ctrl+Shift+="
        )
        self.smaller_text_action = self._action(
            "&Smaller document text", lambda: self._change_font(-1), "Ctrl+Shift+-"
        )
        self.about_action = self._action("&About Plan Workbench", self.about)
        self.ocr = OcrController(self.ctx, self.library_panel, self, self.show_status)  # issue 15

    def _make_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.new_library_action, self.open_library_action, None, self.import_action,
                  self.reindex_action, self.check_action, None, self.quit_action):
            file_menu.addSeparator() if a is None else file_menu.addAction(a)
        edit_menu = bar.addMenu("&Edit")
        for a in (self.copy_citation_action, self.find_action, None, self.edit_plan_action,
                  self.ocr.action, self.trash_action):
            edit_menu.addSeparator() if a is None else edit_menu.addAction(a)
        view_menu = bar.addMenu("&View")
        for a in (self.show_library_action, self.show_reader_action, self.show_compare_action):
            view_menu.addAction(a)
        toggle = self.search_dock.toggleViewAction()
        toggle.setText("&Search panel")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+F"))
        view_menu.addAction(toggle)
        view_menu.addSeparator()
        for a in (self.zoom_in_action, self.zoom_out_action, self.fit_width_action, None,
                  self.prev_page_action, self.next_page_action, self.goto_page_action, None,
                  self.larger_text_action, self.smaller_text_action):
            view_menu.addSeparator() if a is None else view_menu.addAction(a)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(20, 20))
        for a in (self.import_action, self.find_action, self.show_compare_action, None,
                  self.copy_citation_action, None, self.prev_page_action, self.next_page_action,
                  None, self.zoom_out_action, self.zoom_in_action, self.fit_width_action):
            toolbar.addSeparator() if a is None else toolbar.addAction(a)
        self.addToolBar(toolbar)

    def _connect_panels(self) -> None:
        for panel in (self.library_panel, self.reader_panel, self.compare_panel,
                      self.search_panel):
            panel.status_message.connect(self.show_status)
        self.library_panel.open_requested.connect(self.open_plan)
        self.library_panel.compare_requested.connect(self.compare_plan)
        self.search_panel.hit_activated.connect(self.open_hit)
        self.search_panel.search_finished.connect(self._on_search_finished)
        self.library_panel.plan_count_changed.connect(self._on_plan_count_changed)
        self.compare_panel.open_requested.connect(self.open_item)
        self.ctx.runner.busy_changed.connect(self._on_runner_busy_changed)
        library_ops.import_lane(self.ctx).busy_changed.connect(self._on_runner_busy_changed)
        self.ctx.library_changed.connect(self._set_library_title)

    # -- navigation ---------------------------------------------------------------------

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def open_plan(self, slug: str) -> None:
        self.show_tab(TAB_READER)
        self.reader_panel.open_plan(slug)

    def open_item(self, slug: str, kind: str, item_id: int) -> None:
        self.show_tab(TAB_READER)
        self.reader_panel.open_at(slug, kind, item_id)

    def open_hit(self, hit: SearchHit) -> None:
        self.show_tab(TAB_READER)
        self.reader_panel.open_hit(hit)

    def compare_plan(self, slug: str) -> None:
        self.show_tab(TAB_COMPARE)
        self.compare_panel.compare_plan(slug)

    def show_compare(self) -> None:
        self.show_tab(TAB_COMPARE)
        self.compare_panel.ensure_built()

    def focus_search(self) -> None:
        self.search_dock.show()
        self.search_dock.raise_()
        self.search_panel.focus_query()

    def copy_citation(self) -> None:
        self.reader_panel.copy_citation()

    def go_to_page(self) -> None:
        self.show_tab(TAB_READER)
        self.reader_panel.focus_page_label()

    def _change_font(self, step: int) -> None:
        self.reader_panel.set_document_font_size(self.reader_panel.document_font_size + step)

    def _on_plan_count_changed(self, count: int) -> None:
        self.plan_count_label.setText("1 plan" if count == 1 else f"{count} plans")

    def _on_search_finished(self, result: SearchResult) -> None:
        self.set_index_notice("rebuild" in result.notice.casefold())

    def set_index_notice(self, rebuilding: bool) -> None:
        """Show "Rebuilding search index…" in the status bar while the index is rebuilt."""
        self.index_label.setText("Rebuilding search index…" if rebuilding else "")
        self.index_label.setVisible(rebuilding)

    def _on_runner_busy_changed(self, _busy: bool) -> None:
        titles = [*self.ctx.runner.running_titles(),
                  *library_ops.import_lane(self.ctx).running_titles()]
        self.busy_label.setText(f"{titles[0]}…" if titles else "")

    # -- library-wide actions ------------------------------------------------------------

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
        box = QMessageBox(self)
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

    def _show_error(self, exc: BaseException) -> None:
        self.show_status(str(exc))
        self.error_box = plain_message(self, APP_TITLE, str(exc))  # never rich text

    def fill_sample_if_empty(self) -> None:
        """First run (or an interrupted one): import the bundled plans if there are none."""

        def check(result: library_ops.PlanList) -> None:
            if not result.plans:
                self.import_sample_plans()

        library_ops.load_plans(self.ctx, on_done=check, on_error=self._show_error)

    def import_sample_plans(self) -> None:
        """First run: fill the (empty) sample library with the bundled plans, with progress."""
        sample = compose.sample_plans_dir()
        self.show_status("Setting up the sample library…")
        library_ops.import_pdfs(
            self.ctx, [sample], on_done=self._on_sample_imported, on_error=self._show_error
        )

    def _on_sample_imported(self, report: ImportReport) -> None:
        self.show_status(f"Sample library ready: {report.count('imported')} plans imported")

    def choose_new_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "New library: choose an empty folder")
        if folder:
            self.switch_library(Path(folder))

    def choose_open_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open library folder")
        if not folder:
            return
        if not (Path(folder) / "workbench.db").exists():
            box = QMessageBox(QMessageBox.Icon.Question, APP_TITLE, "",
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                              self)
            box.setTextFormat(Qt.TextFormat.PlainText)  # the folder name, shown as given
            box.setText(f"{folder} holds no library yet. Create one there?")
            answer = box.exec()
            box.deleteLater()
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.switch_library(Path(folder))

    def switch_library(self, root: Path) -> None:
        self.reader_panel.clear()
        self.ctx.switch_library(DbExecutor(root, parent=self))
        self.settings.setValue("library/last", str(root))

    def _set_library_title(self, root: Path) -> None:
        self.setWindowTitle(f"{APP_TITLE} — {root}")
        text = f"Library: {root}"
        elided = self.library_label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideMiddle, 420)
        self.library_label.setText(elided)
        self.library_label.setToolTip(tooltip(str(root)))

    def about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_TITLE}",
            f"<b>{APP_TITLE}</b><p>Follow a council's commitments through its successive "
            "strategic plans: read, search and compare them.</p>",
        )

    # -- settings and closing ------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.tabs.setCurrentIndex(int(s.value("window/tab", TAB_LIBRARY)))
        self.reader_panel.restore_settings(s)
        self.compare_panel.restore_settings(s)
        self.library_panel.restore_settings(s)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.setValue("library/last", str(self.ctx.root))
        self.reader_panel.save_settings(s)
        self.compare_panel.save_settings(s)
        self.library_panel.save_settings(s)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.save_settings()
            library_ops.shutdown_imports(self.ctx)  # cancels an import, waits for its thread
            self.ctx.shutdown()  # cancels running jobs and waits for the DB thread
            self.renderer.close()
        super().closeEvent(event)


def center_on_screen(window: QWidget) -> None:
    screen = QApplication.primaryScreen()
    if screen is not None:
        frame = window.frameGeometry()
        frame.moveCenter(screen.availableGeometry().center())
        window.move(frame.topLeft())

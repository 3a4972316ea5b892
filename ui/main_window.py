"""The main window: wires the panels, menus, toolbar and status bar together, nothing more.

Central tabs: Library, Reader, Compare, Review (Ctrl+1…4); docks: Search, Annotations,
Lineage. The window's features are declared here, as typed attributes built in ``__init__``:
``annotation_ui`` (highlights, notes, corrections), ``lineage_ui`` (links, statuses, threads,
review), ``briefing_ui`` (briefing packs, basket), ``package_ui`` (annotation packages) and
``undo`` (Edit ▸ Undo/Redo). Each owns its actions and slots; the menus, tabs and docks that
show them are built here. Data access goes through ``ui.ops`` on the one DB thread
(``OpContext``); page images through ``PageRenderer``.
Closing the window saves geometry, state, splitters and reader settings, cancels running jobs
and waits for them. The status bar shows the library folder, the number of plans, background
work and a notice while the search index is being rebuilt. The window opens no larger than the
screen's available area (it stays usable at 1024×700).

Signals:
    (none of its own; panels' ``status_message`` signals end in the status bar)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QTabBar,
    QTabWidget,
    QToolBar,
    QWidget,
)

from ui import compose, preferences
from ui.annotation_ui import AnnotationUi, RecordFeedback
from ui.briefing_ui import BriefingUi
from ui.dialogs.help import ReviewGuide, ShortcutSheet, show_about
from ui.dialogs.user_name import UserNameDialog, current_user, has_user
from ui.executor import DbExecutor
from ui.icons import icon
from ui.library_actions import LibraryActions
from ui.lineage_ui import LineageUi
from ui.ocr_ui import OcrController
from ui.ops import OpContext
from ui.ops import library as library_ops
from ui.package_ui import PackageUi
from ui.panels.annotations import AnnotationsPanel
from ui.panels.compare import ComparePanel
from ui.panels.library import LibraryPanel
from ui.panels.lineage import LineagePanel
from ui.panels.reader import ReaderPanel
from ui.panels.review import ReviewPanel
from ui.panels.search import SearchPanel
from ui.reader_bridge import ReaderBridge
from ui.render import PageRenderer
from ui.undo import UndoController
from ui.warmup import VectorWarmup
from ui.widgets.plain import make_plain, plain_message, tooltip
from workbench.model import SearchHit, SearchResult
from workbench.services import ImportReport

APP_TITLE = "Plan Workbench"
TAB_LIBRARY, TAB_READER, TAB_COMPARE, TAB_REVIEW = 0, 1, 2, 3  # in the order built below
DEFAULT_SIZE = QSize(1400, 880)


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
        self.review_panel = ReviewPanel(self.ctx, self.actor)
        self.search_panel = SearchPanel(self.ctx, self.settings)
        self.annotations_panel = AnnotationsPanel()
        self.lineage_panel = LineagePanel(self.ctx)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Views")
        self.tabs.tabBar().setAccessibleName("Views: Library, Reader, Compare, Review")
        self.tabs.setDocumentMode(True)
        for panel, title in ((self.library_panel, "&Library"), (self.reader_panel, "&Reader"),
                             (self.compare_panel, "&Compare"), (self.review_panel, "Re&view")):
            self.tabs.addTab(panel, title)
        self.setCentralWidget(self.tabs)
        self.search_dock = self._dock("Search", "searchDock", self.search_panel,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.annotations_dock = self._dock("Annotations", "annotationsDock",
                                           self.annotations_panel,
                                           Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.search_dock, self.annotations_dock)
        self.search_dock.raise_()
        self.lineage_dock = self._dock("Lineage", "lineageDock", self.lineage_panel,
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.lineage_dock.hide()

        # the features: each owns its actions and slots; menus are built below
        self.feedback = RecordFeedback(self, self.show_status)
        self.reader_panel.ensure_built()  # the features hook into its outline and page text
        self.compare_panel.ensure_built()
        self.bridge = ReaderBridge(self.ctx, self.reader_panel,
                                   lambda: self.show_tab(TAB_READER), self)
        self.bridge.message.connect(self.feedback.tell)
        self.undo = UndoController(self.ctx, self.actor, self)
        self.annotation_ui = AnnotationUi(self, self.ctx, self.settings, self.reader_panel,
                                          self.bridge, self.annotations_panel, self.feedback)
        self.lineage_ui = LineageUi(
            self, self.ctx, self.settings, reader=self.reader_panel,
            compare=self.compare_panel, review=self.review_panel, lineage=self.lineage_panel,
            bridge=self.bridge, feedback=self.feedback,
            show_reader=lambda: self.show_tab(TAB_READER),
            show_review_tab=lambda: self.show_tab(TAB_REVIEW),
            show_lineage_dock=lambda: self._raise_dock(self.lineage_dock))
        self.annotation_ui.commitment_menu = self.lineage_ui.outline_menu_entries()
        self.briefing_ui = BriefingUi(self, self.ctx, self.settings, self.show_status,
                                      self.lineage_ui.reader_commitment_key)
        self.package_ui = PackageUi(self, self.ctx, self.settings, self.show_status)
        self.library_actions = LibraryActions(self, self.ctx, self.settings,
                                              show_status=self.show_status,
                                              show_error=self._show_error,
                                              index_notice=self.set_index_notice,
                                              before_switch=self.reader_panel.clear)

        self.setWindowIcon(icon("app"))
        self.dialog: QDialog | None = None  # the help or name dialog opened last (tests)
        labels = [status_label(name) for name in ("Search index", "Background work",
                                                  "Preparing suggestions",
                                                  "Plans in the library", "Library folder")]
        (self.index_label, self.busy_label, self.warmup_label, self.plan_count_label,
         self.library_label) = labels
        self.warmup = VectorWarmup(self.ctx, self.warmup_label)
        self.index_label.setObjectName("indexNotice")
        self.index_label.hide()
        self.library_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in labels:
            self.statusBar().addPermanentWidget(label)
        self._make_actions()
        self._make_menus_and_toolbar()
        self._connect_panels()
        self._restore_settings()
        name_dock_tab_bars(self)
        QTimer.singleShot(0, lambda: name_dock_tab_bars(self))  # Qt makes them during layout
        self._set_library_title(self.ctx.root)
        self.library_panel.reload()
        self._pending_sample = False
        if not has_user(self.settings):
            QTimer.singleShot(0, self.ask_user_name)

    def _dock(self, title: str, name: str, panel: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(panel)
        dock.setAccessibleName(f"{title} panel")
        self.addDockWidget(area, dock)
        return dock

    def _raise_dock(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()

    def actor(self) -> str:
        """The name stamped on the user's records (asked on first run)."""
        return current_user(self.settings)

    def ask_user_name(self) -> UserNameDialog:
        dialog = UserNameDialog(self.settings, self)
        dialog.name_chosen.connect(lambda name: self.show_status(f"Working as {name}"))
        dialog.finished.connect(lambda _code: self._after_name_prompt())
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- actions --------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "",
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
        self.import_action = self._action("&Import PDFs…", self.library_panel.choose_and_import,
                                          "Ctrl+I", "Import PDFs or a folder of PDFs", "import")
        self.quit_action = self._action("&Quit", self.close, seq.Quit)
        self.copy_citation_action = self._action("Copy with &citation", self.copy_citation,
                                                 "Ctrl+Shift+C", icon_name="copy-citation")
        self.find_action = self._action("&Search plans", self.focus_search, seq.Find,
                                        icon_name="search")
        self.edit_plan_action = self._action("&Edit plan details…",
                                             self.library_panel.edit_selected, "Ctrl+E")
        self.trash_action = self._action("Move to trash / restore",
                                         self.library_panel.toggle_removed_selected)
        self.show_tab_actions = [
            self._action(text, lambda _c=False, i=i: self.show_tab(i), f"Ctrl+{i + 1}",
                         icon_name="compare" if i == TAB_COMPARE else "")
            for i, text in enumerate(("&Library", "&Reader", "&Compare", "Re&view"))]
        self.show_compare_action = self.show_tab_actions[TAB_COMPARE]
        self.user_action = self._action("Your &name…", self.ask_user_name)
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts,
                                             seq.HelpContents)
        self.guide_action = self._action("&Reviewing lineage: a short guide",
                                         self.show_review_guide)
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
        self.about_action = self._action("&About Plan Workbench", lambda: show_about(self))
        self.ocr = OcrController(self.ctx, self.library_panel, self, self.show_status)  # issue 15

    def _make_menus_and_toolbar(self) -> None:
        ann, lin = self.annotation_ui, self.lineage_ui
        bar = self.menuBar()
        lib = self.library_actions
        self.file_menu = self._menu(bar, "&File", (
            lib.new_action, lib.open_action, None, self.import_action,
            lib.reindex_action, lib.check_action, None, self.briefing_ui.export_action,
            self.briefing_ui.basket_action, None, self.package_ui.export_action,
            self.package_ui.import_action, None, self.quit_action))
        self.edit_menu = self._menu(bar, "&Edit", (
            self.undo.undo_action, self.undo.redo_action, None, self.copy_citation_action,
            self.find_action, None, self.edit_plan_action, self.ocr.action, self.trash_action, None,
            ann.tags_action, ann.trash_action, ann.audit_action, self.user_action))
        search_toggle = self.search_dock.toggleViewAction()
        search_toggle.setText("&Search panel")
        search_toggle.setShortcut(QKeySequence("Ctrl+Shift+F"))
        dock_toggles = [search_toggle]
        for dock, key in ((self.annotations_dock, "Ctrl+Shift+A"),
                          (self.lineage_dock, "Ctrl+Shift+L")):
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(key))
            dock_toggles.append(toggle)
        self.view_menu = self._menu(bar, "&View", (
            *self.show_tab_actions, None, *dock_toggles, None, self.zoom_in_action,
            self.zoom_out_action, self.fit_width_action, None, self.prev_page_action,
            self.next_page_action, self.goto_page_action, None, self.larger_text_action,
            self.smaller_text_action))
        self.annotate_menu = self._menu(bar, "&Annotate", (
            ann.highlight_action, ann.mark_action, None, lin.link_action, lin.status_action,
            lin.thread_action, None, lin.review_action))
        self.help_menu = self._menu(bar, "&Help", (
            self.shortcuts_action, self.guide_action, None, self.about_action))

        toolbar = QToolBar("Main toolbar", self)
        self.toolbar = toolbar
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(20, 20))
        for a in (self.import_action, self.find_action, self.show_compare_action, None,
                  self.copy_citation_action, None, self.prev_page_action, self.next_page_action,
                  None, self.zoom_out_action, self.zoom_in_action, self.fit_width_action):
            toolbar.addSeparator() if a is None else toolbar.addAction(a)
        self.addToolBar(toolbar)

    def _menu(self, bar: QMenuBar, title: str, actions: tuple[QAction | None, ...]) -> QMenu:
        menu = bar.addMenu(title)
        for a in actions:
            menu.addSeparator() if a is None else menu.addAction(a)
        return menu

    def _connect_panels(self) -> None:
        for panel in (self.library_panel, self.reader_panel, self.compare_panel,
                      self.search_panel, self.review_panel):
            panel.status_message.connect(self.show_status)
        self.undo.message.connect(self.show_status)
        self.search_panel.hit_activated.connect(lambda hit: self.annotation_ui.open_note_hit(
            hit, lambda: self._raise_dock(self.annotations_dock)))
        self.reader_panel.document_opened.connect(self.lineage_panel.plan_opened)
        self.library_panel.open_requested.connect(self.open_plan)
        self.library_panel.compare_requested.connect(self.compare_plan)
        self.search_panel.hit_activated.connect(self.open_hit)
        self.search_panel.search_finished.connect(self._on_search_finished)
        self.library_panel.plan_count_changed.connect(self._on_plan_count_changed)
        self.library_panel.plan_count_changed.connect(lambda _count: self.warmup.schedule())
        self.compare_panel.open_requested.connect(self.open_item)
        self.ctx.runner.busy_changed.connect(self._on_runner_busy_changed)
        library_ops.import_lane(self.ctx).busy_changed.connect(self._on_runner_busy_changed)
        self.ctx.library_changed.connect(self._set_library_title)

    # -- navigation ---------------------------------------------------------------------

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        if index == TAB_REVIEW:
            self.review_panel.focus_review()

    def show_shortcuts(self) -> ShortcutSheet:
        self.dialog = sheet = ShortcutSheet(self.findChildren(QAction), self)
        sheet.open()
        return sheet

    def show_review_guide(self) -> ReviewGuide:
        self.dialog = guide = ReviewGuide(self)
        guide.open()
        return guide

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

    def _show_error(self, exc: BaseException) -> None:
        self.show_status(str(exc))
        self.error_box = plain_message(self, APP_TITLE, str(exc))  # never rich text

    def fill_sample_if_empty(self) -> None:
        """First run (or an interrupted one): import the bundled plans if there are none."""

        def check(result: library_ops.PlanList) -> None:
            if not result.plans:
                self._pending_sample = True
                if not self._name_prompt_open():
                    self._after_name_prompt()

        library_ops.load_plans(self.ctx, on_done=check, on_error=self._show_error)

    def _name_prompt_open(self) -> bool:
        return isinstance(self.dialog, UserNameDialog) and self.dialog.isVisible() \
            or not has_user(self.settings) and not isinstance(self.dialog, UserNameDialog)

    def _after_name_prompt(self) -> None:
        """First run: the sample import (and its progress box) starts once the "Your name"
        prompt is answered, so the progress box never covers it."""
        if self._pending_sample:
            self._pending_sample = False
            self.import_sample_plans()

    def import_sample_plans(self) -> None:
        """First run: fill the (empty) sample library with the bundled plans, with progress."""
        sample = compose.sample_plans_dir()
        self.show_status("Setting up the sample library…")
        library_ops.import_pdfs(
            self.ctx, [sample], on_done=self._on_sample_imported, on_error=self._show_error
        )

    def _on_sample_imported(self, report: ImportReport) -> None:
        self.show_status(f"Sample library ready: {report.count('imported')} plans imported")

    def _set_library_title(self, root: Path) -> None:
        self.setWindowTitle(f"{APP_TITLE} — {root}")
        text = f"Library: {root}"
        elided = self.library_label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideMiddle, 420)
        self.library_label.setText(elided)
        self.library_label.setToolTip(tooltip(str(root)))

    # -- settings and closing ------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        fit_to_screen(self, None if geometry is not None else DEFAULT_SIZE)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.tabs.setCurrentIndex(int(s.value("window/tab", TAB_LIBRARY)))
        self.reader_panel.restore_settings(s)
        self.compare_panel.restore_settings(s)
        self.review_panel.restore_settings(s)
        self.library_panel.restore_settings(s)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.setValue("library/last", str(self.ctx.root))
        preferences.set_last_library(self.ctx.root)
        self.reader_panel.save_settings(s)
        self.compare_panel.save_settings(s)
        self.review_panel.save_settings(s)
        self.library_panel.save_settings(s)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.save_settings()
            library_ops.shutdown_imports(self.ctx)  # cancels an import, waits for its thread
            self.warmup.stop()  # cancels the vector warm-up between two chunks
            self.ctx.shutdown()  # cancels running jobs and waits for the DB thread
            self.renderer.close()
        super().closeEvent(event)


def fit_to_screen(window: QWidget, wanted: QSize | None = None,
                  available: QSize | None = None) -> QSize:
    """Resize to ``wanted`` (or keep the size), never beyond the screen's available area
    (less room for the window frame). Returns the size asked for."""
    if available is None:
        screen = window.screen() or QApplication.primaryScreen()
        available = screen.availableGeometry().size() if screen is not None else None
    size = QSize(wanted) if wanted is not None else window.size()
    if available is not None:
        size = size.boundedTo(available - QSize(16, 48))
    window.resize(size)
    return size


def write_actions(window: MainWindow) -> list[QAction]:
    """Every action that writes to the library (disabled in a read-only library)."""
    ann, lin = window.annotation_ui, window.lineage_ui
    return [window.import_action, window.edit_plan_action, window.trash_action,
            window.library_actions.reindex_action, window.package_ui.import_action,
            ann.highlight_action, ann.mark_action, ann.tags_action, lin.link_action,
            lin.status_action, window.undo.undo_action, window.undo.redo_action]


def name_dock_tab_bars(window: QMainWindow) -> None:
    """The tab bars of tabified docks need a name for screen readers too."""
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window and not bar.accessibleName():
            bar.setAccessibleName("Docked panels")


def status_label(name: str) -> QLabel:
    """A status bar label for data (plain text only) with a name for screen readers."""
    label = QLabel("")
    make_plain(label)
    label.setAccessibleName(name)
    return label


def center_on_screen(window: QWidget) -> None:
    screen = QApplication.primaryScreen()
    if screen is not None:
        frame = window.frameGeometry()
        frame.moveCenter(screen.availableGeometry().center())
        window.move(frame.topLeft())

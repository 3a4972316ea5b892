"""Issue 5 in the window: annotations, corrections, lineage links, statuses, review, undo.

``install_lineage_ui(window)`` is the one entry point: it adds the Annotations and Lineage docks,
the Review tab, the Annotate and Lineage menus, Undo/Redo (and Trash, Audit log, Tags, Your
name) in the Edit menu, context menus on the reader's outline and page text and on the compare
view's pairs, and opens note search hits at their annotation. ``LineageUi`` is the glue; it
holds no data access of its own (reads and writes are ``ui.ops.records`` ops on the DB thread).

Offsets: the reader's page text is a ``QPlainTextEdit`` whose positions are UTF-16 code units;
records anchor in code points of the stored page text, so every selection goes through
``utf16_to_cp`` and every highlight through ``cp_to_utf16`` (RELIABILITY rule 12).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabBar,
    QWidget,
)

from ui.dialogs.highlight import HighlightDialog
from ui.dialogs.history import AuditDialog, TrashDialog
from ui.dialogs.link import LinkDialog
from ui.dialogs.save_error import handle_save_error, not_saved_text
from ui.dialogs.status import StatusDialog
from ui.dialogs.tags import TagsDialog
from ui.dialogs.user_name import UserNameDialog, current_user, has_user
from ui.ops import Changes
from ui.ops import records as records_ops
from ui.panels.annotations import AnnotationsPanel
from ui.panels.lineage import LineagePanel
from ui.panels.review import ReviewPanel
from ui.reader_bridge import ReaderBridge
from ui.undo import UndoController
from workbench.anchoring import utf16_to_cp
from workbench.model import SearchHit
from workbench.records import Change


def install_lineage_ui(window: QMainWindow) -> None:
    """Add the issue-5 docks, menus, actions and shortcuts to the main window (idempotent)."""
    if getattr(window, "lineage_ui", None) is None:
        window.lineage_ui = LineageUi(window)  # type: ignore[attr-defined]


class LineageUi(QObject):
    """Connects the reader, compare view and search panel to the user-record features."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.settings = window.settings
        self.reader = window.reader_panel
        self.reader.ensure_built()
        self.tag_paths: list[str] = []
        self.dialog: Any = None  # the dialog opened last (tests drive it)
        self.last_error = ""
        self.bridge = ReaderBridge(self.ctx, self.reader, lambda: window.show_tab(1), self)

        self.annotations_panel = AnnotationsPanel()
        self.annotations_dock = self._dock("Annotations", "annotationsDock",
                                           self.annotations_panel,
                                           Qt.DockWidgetArea.RightDockWidgetArea)
        search_dock = getattr(window, "search_dock", None)
        if search_dock is not None:
            window.tabifyDockWidget(search_dock, self.annotations_dock)
            search_dock.raise_()
        self.lineage_panel = LineagePanel(self.ctx)
        self.lineage_dock = self._dock("Lineage", "lineageDock", self.lineage_panel,
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.lineage_dock.hide()
        self.review_panel = ReviewPanel(self.ctx, lambda: self.actor)
        window.tabs.addTab(self.review_panel, "Re&view")
        self.undo = UndoController(self.ctx, lambda: self.actor, window)
        self._make_actions()
        self._make_menus()
        self._connect()
        state = self.settings.value("window/state")
        if state is not None:  # the docks did not exist when the window restored its state
            window.restoreState(state)
        tab = int(self.settings.value("window/tab", 0) or 0)
        if tab == window.tabs.indexOf(self.review_panel):  # it did not exist then either
            window.tabs.setCurrentIndex(tab)
        self._load_tags()
        self._name_dock_tab_bars()
        QTimer.singleShot(0, self._name_dock_tab_bars)  # Qt makes them during layout
        if not has_user(self.settings):
            QTimer.singleShot(0, self.ask_user_name)

    # -- set-up ----------------------------------------------------------------------------

    def _dock(self, title: str, name: str, panel: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(panel)
        dock.setAccessibleName(f"{title} panel")
        self.window.addDockWidget(area, dock)
        return dock

    def _name_dock_tab_bars(self) -> None:
        """The tab bars of tabified docks need a name for screen readers too."""
        for bar in self.window.findChildren(QTabBar):
            if bar.parent() is self.window and not bar.accessibleName():
                bar.setAccessibleName("Docked panels")

    def _action(self, text: str, slot: Callable[[], None], shortcut: str | None = None,
                *, widgets: tuple[QWidget, ...] = ()) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
        if widgets:  # a one-letter key only where it cannot swallow typing
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for w in widgets:
                w.addAction(action)
        else:
            self.window.addAction(action)
        return action

    def _make_actions(self) -> None:
        reader, compare = self.reader, self.window.compare_panel
        self.highlight_action = self._action("&Highlight selection…", self.highlight, "Ctrl+H")
        self.mark_action = self._action("&Mark selection as commitment", self.mark_selection)
        self.link_action = self._action("&Link commitment…", self.link_current, "L",
                                        widgets=(reader, compare))
        self.status_action = self._action("Delivery &status…", self.status_current)
        self.thread_action = self._action("Show &lineage thread", self.thread_current)
        self.review_action = self._action("&Review lineage", self.show_review, "Ctrl+Shift+R")
        self.tags_action = self._action("&Tags…", self.edit_tags)
        self.trash_action = self._action("Deleted &annotations and links…", self.show_trash)
        self.audit_action = self._action("Au&dit log…", self.show_audit)
        self.user_action = self._action("Your &name…", self.ask_user_name)
        for action in (self.undo.undo_action, self.undo.redo_action):
            self.window.addAction(action)

    def _make_menus(self) -> None:
        bar = self.window.menuBar()
        menus = {a.text().replace("&", ""): a for a in bar.actions()}
        edit = menus.get("Edit")
        if edit is not None and edit.menu() is not None:
            menu = edit.menu()
            first = menu.actions()[0] if menu.actions() else None
            menu.insertActions(first, [self.undo.undo_action, self.undo.redo_action])
            menu.insertSeparator(first)
            menu.addSeparator()
            for a in (self.tags_action, self.trash_action, self.audit_action, self.user_action):
                menu.addAction(a)
        annotate = QMenu("&Annotate", bar)
        for a in (self.highlight_action, self.mark_action, None, self.link_action,
                  self.status_action, self.thread_action, None, self.review_action):
            annotate.addSeparator() if a is None else annotate.addAction(a)
        help_menu = menus.get("Help")
        bar.insertMenu(help_menu, annotate) if help_menu else bar.addMenu(annotate)
        view = menus.get("View")
        if view is not None and view.menu() is not None:
            view.menu().addSeparator()
            for dock, key in ((self.annotations_dock, "Ctrl+Shift+A"),
                              (self.lineage_dock, "Ctrl+Shift+L")):
                toggle = dock.toggleViewAction()
                toggle.setShortcut(QKeySequence(key))
                view.menu().addAction(toggle)

    def _connect(self) -> None:
        w = self.window
        self.bridge.message.connect(self._tell)
        self.reader.text_view.selectionChanged.connect(self._on_text_view_selection_changed)
        self._on_text_view_selection_changed()
        self.bridge.annotations_loaded.connect(self.annotations_panel.set_list)
        self.reader.outline.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.outline.customContextMenuRequested.connect(self._on_outline_menu)
        self.reader.text_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.text_view.customContextMenuRequested.connect(self._on_text_menu)
        compare = w.compare_panel
        compare.ensure_built()
        compare.pairs_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        compare.pairs_view.customContextMenuRequested.connect(self._on_pairs_menu)
        compare.compared.connect(lambda a: self.review_panel.set_pair(a.left_plan.slug,
                                                                      a.right_plan.slug))
        w.search_panel.hit_activated.connect(self._on_hit_activated)
        self.ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ap = self.annotations_panel
        ap.open_requested.connect(self.bridge.show_span)
        ap.reattach_requested.connect(self.reattach)
        ap.edit_requested.connect(self.edit_annotation)
        ap.delete_requested.connect(
            lambda uuid: records_ops.delete(self.ctx, self.actor, uuid, on_done=self._saved,
                                            on_error=self._failed))
        rp = self.review_panel
        rp.status_message.connect(w.show_status)
        rp.show_requested.connect(self.show_commitment)
        rp.link_requested.connect(lambda key, to: self.open_link_dialog(key, to_plan=to))
        rp.status_requested.connect(self.open_status_dialog)
        rp.thread_requested.connect(self.show_thread)
        self.lineage_panel.show_requested.connect(self.show_commitment)

    # -- who ---------------------------------------------------------------------------------

    @property
    def actor(self) -> str:
        return current_user(self.settings)

    def ask_user_name(self) -> None:
        dialog = UserNameDialog(self.settings, self.window)
        dialog.name_chosen.connect(lambda name: self.window.show_status(f"Working as {name}"))
        self.dialog = dialog
        dialog.open()

    # -- feedback ----------------------------------------------------------------------------

    def _saved(self, change: Change) -> None:
        # saved in the database; a sidecar that could not be written is a warning, not a loss
        self.window.show_status(change.warning or f"Saved: {change.label}")

    def _failed(self, exc: BaseException, unsaved_text: str = "") -> None:
        self.last_error = str(exc)
        self.window.show_status(not_saved_text(exc))
        if handle_save_error(self.window, exc, unsaved_text) is not None:
            return  # the disk is full: the "Not saved" dialog says so and keeps the text
        box = QMessageBox(QMessageBox.Icon.Warning, "Not saved", str(exc),
                          QMessageBox.StandardButton.Close, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()  # never blocks the event loop

    def _annotation_failed(self, dialog: HighlightDialog, exc: BaseException) -> None:
        """The dialog stays open with the note; on a full disk it opens "Not saved" too."""
        self.last_error = str(exc)
        self.window.show_status(not_saved_text(exc))
        dialog.failed(exc)

    def _tell(self, text: str) -> None:
        self.last_error = text
        self.window.show_status(text)

    # -- menus ---------------------------------------------------------------------------------

    def _on_outline_menu(self, pos: QPoint) -> None:
        index = self.reader.outline.indexAt(pos)
        target = self.bridge.outline_target(index) if index.isValid() else None
        if target is None:
            return
        kind, item_id = target
        menu = QMenu(self.reader.outline)
        if kind == "commitment":
            key = lambda then: self.bridge.with_key(item_id, then)  # noqa: E731
            menu.addAction("&Link…\tL", lambda: key(self.open_link_dialog))
            menu.addAction("Delivery &status…", lambda: key(self.open_status_dialog))
            menu.addAction("Show &lineage", lambda: key(self.show_thread))
            menu.addSeparator()
            menu.addAction("&Unmark as commitment", lambda: key(self.unmark))
            menu.addAction("S&plit here (at the text cursor)", lambda: key(
                lambda k: self.split_at_cursor(k, item_id)))
            menu.addAction("&Merge with next", lambda: key(self.merge_with_next))
        else:
            levels = menu.addMenu("Heading &level")
            for level in range(1, 7):
                levels.addAction(f"Level {level}", lambda lv=level: self.set_heading_level(
                    item_id, lv))
        menu.popup(self.reader.outline.viewport().mapToGlobal(pos))

    def _on_text_menu(self, pos: QPoint) -> None:
        view = self.reader.text_view
        menu = view.createStandardContextMenu(pos)
        menu.addSeparator()
        for action in (self.highlight_action, self.mark_action):
            menu.addAction(action)
        orphan = self.annotations_panel.selected_orphan()
        if orphan and self.bridge.selection() is not None:
            menu.addAction("&Re-attach the orphaned annotation here",
                           lambda: self.reattach(orphan))
        menu.popup(view.viewport().mapToGlobal(pos))

    def _on_text_view_selection_changed(self) -> None:
        """Highlight and Mark act on the selected page text: enabled only while there is one."""
        has = self.reader.text_view.textCursor().hasSelection()
        for action in (self.highlight_action, self.mark_action):
            action.setEnabled(has)

    def _on_pairs_menu(self, pos: QPoint) -> None:
        view = self.window.compare_panel.pairs_view
        index = view.indexAt(pos)
        if index.isValid():
            view.selectRow(index.row())
            menu = QMenu(view)
            menu.addAction("&Link earlier → later…\tL", self.link_compare_pair)
            menu.popup(view.viewport().mapToGlobal(pos))

    # -- annotate --------------------------------------------------------------------------------

    def highlight(self) -> None:
        found = self.bridge.selection()
        if found is None:
            self._tell("Select text in the reader's page text first, then Highlight (Ctrl+H).")
            return
        span, quote = found
        doc = self.reader.doc
        where = f"{doc.plan.title}, p. {self.reader.page_label()}"
        dialog = HighlightDialog(quote, where, self.tag_paths, self.window)
        dialog.submitted.connect(lambda values: records_ops.annotate(
            self.ctx, self.actor, *span, note=values["note"], colour=values["colour"],
            tag_paths=values["tags"], on_done=lambda change: self._on_annotated(dialog, change),
            on_error=lambda exc: self._annotation_failed(dialog, exc)))
        self.dialog = dialog
        dialog.open()

    def _on_annotated(self, dialog: HighlightDialog, change: Change) -> None:
        dialog.saved()
        cursor = self.reader.text_view.textCursor()
        cursor.clearSelection()  # so the new highlight shows at once
        self.reader.text_view.setTextCursor(cursor)
        page = change.value.anchor.page_label if change.value is not None else ""
        self.window.show_status(change.warning or f"Saved: annotation on p. {page}")

    def edit_annotation(self, uuid: str) -> None:
        lists = self.bridge.annotations
        items = [*lists.items, *lists.orphans] if lists else []
        item = next((i for i in items if i.annotation.uuid == uuid), None)
        if item is None:
            return
        a = item.annotation
        dialog = HighlightDialog(a.anchor.exact, f"p. {a.anchor.page_label}", self.tag_paths,
                                 self.window, note=a.note, colour=a.colour,
                                 tag=item.tags[0] if item.tags else "", title="Edit annotation")
        dialog.submitted.connect(lambda v: records_ops.edit_annotation(
            self.ctx, self.actor, uuid, note=v["note"], colour=v["colour"], tag_paths=v["tags"],
            on_done=lambda change: (dialog.saved(), self._saved(change)),
            on_error=lambda exc: self._annotation_failed(dialog, exc)))
        self.dialog = dialog
        dialog.open()

    def reattach(self, uuid: str) -> None:
        found = self.bridge.selection()
        if found is None:
            self._tell("Select the passage in the reader's page text, then Re-attach.")
            return
        (plan, page, start, end), _quote = found
        records_ops.reattach(self.ctx, self.actor, uuid, page, start, end, on_done=self._saved,
                             on_error=self._failed)

    # -- corrections -------------------------------------------------------------------------------

    def mark_selection(self) -> None:
        found = self.bridge.selection()
        if found is None:
            self._tell("Select the passage in the reader's page text first.")
            return
        records_ops.mark(self.ctx, self.actor, found[0], on_done=self._saved,
                         on_error=self._failed)

    def unmark(self, key: str) -> None:
        records_ops.unmark(self.ctx, self.actor, key, on_done=self._saved, on_error=self._failed)

    def split_at_cursor(self, key: str, item_id: int) -> None:
        c = self.bridge.commitment(item_id)
        text = self.bridge.page_text()
        at = utf16_to_cp(text, self.reader.text_view.textCursor().position())
        if c is None or c.page_index != self.reader.page_index \
                or not c.char_start < at < c.char_end:
            self._tell("Put the text cursor inside the commitment's text (on its page), "
                       "where the second part starts.")
            return
        records_ops.split(self.ctx, self.actor, key, at - c.char_start, on_done=self._saved,
                          on_error=self._failed)

    def merge_with_next(self, key: str) -> None:
        records_ops.merge_with_next(self.ctx, self.actor, key, on_done=self._saved,
                                    on_error=self._failed)

    def set_heading_level(self, section_id: int, level: int) -> None:
        records_ops.heading_level(self.ctx, self.actor, section_id, level, on_done=self._saved,
                                  on_error=self._failed)

    # -- lineage -------------------------------------------------------------------------------------

    def _focus_in(self, widget: QWidget) -> bool:
        focus = widget.focusWidget() if widget.isVisible() else None
        return focus is not None and widget.isAncestorOf(focus)

    def link_current(self) -> None:
        """L: link the compare view's selected pair, else the reader's current commitment."""
        if self._focus_in(self.window.compare_panel):
            self.link_compare_pair()
        else:
            self.bridge.reader_key(self.open_link_dialog)

    def link_compare_pair(self) -> None:
        compare = self.window.compare_panel
        index = compare.pairs_view.currentIndex()
        from ui.models.compare import PairRole  # noqa: PLC0415 - only needed here

        pair = index.siblingAtColumn(0).data(PairRole) if index.isValid() else None
        if pair is None or compare.alignment is None:
            self._tell("Select an aligned pair first.")
            return
        if pair.left.kind != "commitment" or pair.right.kind != "commitment":
            self._tell("Links join commitments: choose a pair of commitments (•), not sections.")
            return
        self.open_link_dialog(f"c:{pair.left.item_id}",
                              to_plan=compare.alignment.right_plan.slug,
                              preselect=(f"c:{pair.right.item_id}",))

    def open_link_dialog(self, key: str, *, to_plan: str | None = None,
                         preselect: tuple[str, ...] = ()) -> LinkDialog:
        found = self.bridge.selection()
        dialog = LinkDialog(self.ctx, self.actor, key, self.window, to_plan=to_plan,
                            preselect=preselect, evidence=found[0] if found else None,
                            evidence_text=found[1] if found else "")
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def status_current(self) -> None:
        if self._focus_in(self.review_panel):
            self.review_panel.request_status()
        else:
            self.bridge.reader_key(self.open_status_dialog)

    def open_status_dialog(self, key: str) -> StatusDialog:
        found = self.bridge.selection()
        c = self.bridge.commitment(int(key[2:])) if key.startswith("c:") else None
        dialog = StatusDialog(self.ctx, self.actor, key, c.text if c else key, self.window,
                              evidence=found[0] if found else None,
                              evidence_text=found[1] if found else "")
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def thread_current(self) -> None:
        if self._focus_in(self.review_panel):
            self.review_panel.request_thread()
        else:
            self.bridge.reader_key(self.show_thread)

    def show_thread(self, key: str) -> None:
        self.lineage_dock.show()
        self.lineage_dock.raise_()
        self.lineage_panel.show_thread(key)

    def show_commitment(self, plan: str, key: str, page_index: int) -> None:
        self.window.show_tab(1)
        if key.startswith("c:"):
            self.reader.open_at(plan, "commitment", int(key[2:]))
        else:
            self.reader.open_at(plan, page_index=max(0, page_index))

    def show_review(self) -> None:
        self.window.tabs.setCurrentWidget(self.review_panel)
        self.review_panel.focus_review()

    # -- dialogs -------------------------------------------------------------------------------------

    def edit_tags(self) -> TagsDialog:
        dialog = TagsDialog(self.ctx, self.actor, self.window)
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_trash(self) -> TrashDialog:
        dialog = TrashDialog(self.ctx, self.actor, self.window)
        dialog.restored.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_audit(self) -> AuditDialog:
        dialog = AuditDialog(self.ctx, self.window)
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- search and changes ----------------------------------------------------------------------

    def _on_hit_activated(self, hit: SearchHit) -> None:
        if hit.kind == "note":
            records_ops.load_note_target(self.ctx, hit.item_id, on_done=self._on_note_target)

    def _on_note_target(self, target: records_ops.NoteTarget | None) -> None:
        if target is None:
            self._tell("That note's record could not be found (it may have been deleted).")
            return
        self.bridge.show_span(target.plan, target.page_index, target.start, target.end)
        if target.kind == "annotation":
            self.annotations_dock.show()
            self.annotations_dock.raise_()
            self.annotations_panel.select_uuid(target.uuid)

    def _load_tags(self) -> None:
        records_ops.load_tags(self.ctx, on_done=lambda items: setattr(
            self, "tag_paths", [i.path for i in items]))

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if not changes.touches_records:
            return
        if self.bridge.plan in changes.record_plans or not changes.record_plans:
            self.bridge.load_annotations()
        self._load_tags()

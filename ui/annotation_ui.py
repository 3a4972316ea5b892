"""Annotations and corrections in the window: highlights with notes and tags, outline fixes.

``AnnotationUi`` holds the actions (Highlight selection, Mark selection as commitment; Tags,
Deleted annotations and links, Audit log), the context menus of the reader's
outline and page text, and the slots they run. The main window builds it, places its actions
in its menus and gives it the Annotations panel it docks. It holds no data access of its own:
reads and writes are ``ui.ops.records`` ops on the DB thread.

Offsets: the reader's page text is a ``QPlainTextEdit`` whose positions are UTF-16 code units;
records anchor in code points of the stored page text, so every selection goes through
``ReaderBridge.selection`` (``utf16_to_cp``) and every highlight through ``cp_to_utf16``
(RELIABILITY rule 12).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QWidget

from ui.dialogs.highlight import HighlightDialog
from ui.dialogs.history import AuditDialog, TrashDialog
from ui.dialogs.save_error import handle_save_error, not_saved_text
from ui.dialogs.tags import TagsDialog
from ui.dialogs.user_name import current_user
from ui.ops import Changes, OpContext
from ui.ops import records as records_ops
from ui.panels.annotations import AnnotationsPanel
from ui.panels.reader import ReaderPanel
from ui.reader_bridge import ReaderBridge
from workbench.anchoring import utf16_to_cp
from workbench.model import SearchHit
from workbench.records import Change


@dataclass(slots=True)
class CommitmentMenuEntry:
    """An entry another feature adds to the outline's menu for a commitment."""

    text: str
    run: Callable[[str], None]  # gets the commitment key


class RecordFeedback:
    """"Saved" / "Not saved" in the status bar (and a box when a save failed)."""

    def __init__(self, parent: QWidget, show_status: Callable[[str], None]) -> None:
        self.parent = parent
        self.show_status = show_status
        self.last_error = ""

    def saved(self, change: Change) -> None:
        # saved in the database; a sidecar that could not be written is a warning, not a loss
        self.show_status(change.warning or f"Saved: {change.label}")

    def failed(self, exc: BaseException, unsaved_text: str = "") -> None:
        self.last_error = str(exc)
        self.show_status(not_saved_text(exc))
        if handle_save_error(self.parent, exc, unsaved_text) is not None:
            return  # the disk is full: the "Not saved" dialog says so and keeps the text
        box = QMessageBox(QMessageBox.Icon.Warning, "Not saved", str(exc),
                          QMessageBox.StandardButton.Close, self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()  # never blocks the event loop

    def tell(self, text: str) -> None:
        self.last_error = text
        self.show_status(text)


class AnnotationUi(QObject):
    """Highlights, notes, tags and outline corrections on the reader."""

    def __init__(self, parent: QWidget, ctx: OpContext, settings: QSettings,
                 reader: ReaderPanel, bridge: ReaderBridge, panel: AnnotationsPanel,
                 feedback: RecordFeedback) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.ctx = ctx
        self.settings = settings
        self.reader = reader
        self.bridge = bridge
        self.annotations_panel = panel
        self.feedback = feedback
        self.tag_paths: list[str] = []
        self.dialog: QDialog | None = None  # the dialog opened last (tests drive it)
        self.commitment_menu: list[CommitmentMenuEntry] = []
        self.highlight_action = self._action("&Highlight selection…", self.highlight, "Ctrl+H")
        self.mark_action = self._action("&Mark selection as commitment", self.mark_selection)
        self.tags_action = self._action("&Tags…", self.edit_tags)
        self.trash_action = self._action("Deleted &annotations and links…", self.show_trash)
        self.audit_action = self._action("Au&dit log…", self.show_audit)
        self._connect()
        self._load_tags()

    def _action(self, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
        self.parent_widget.addAction(action)
        return action

    def _connect(self) -> None:
        self.reader.ensure_built()
        self.bridge.annotations_loaded.connect(self.annotations_panel.set_list)
        self.reader.text_view.selectionChanged.connect(self._on_text_view_selection_changed)
        self._on_text_view_selection_changed()
        self.reader.outline.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.outline.customContextMenuRequested.connect(self._on_outline_menu)
        self.reader.text_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.text_view.customContextMenuRequested.connect(self._on_text_menu)
        self.ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ap = self.annotations_panel
        ap.open_requested.connect(self.bridge.show_span)
        ap.reattach_requested.connect(self.reattach)
        ap.edit_requested.connect(self.edit_annotation)
        ap.delete_requested.connect(
            lambda uuid: records_ops.delete(self.ctx, self.actor, uuid,
                                            on_done=self.feedback.saved,
                                            on_error=self.feedback.failed))

    @property
    def actor(self) -> str:
        return current_user(self.settings)

    @property
    def last_error(self) -> str:
        return self.feedback.last_error

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
            for entry in self.commitment_menu:
                menu.addAction(entry.text, lambda run=entry.run: key(run))
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

    # -- annotate ------------------------------------------------------------------------------

    def highlight(self) -> None:
        found = self.bridge.selection()
        doc = self.reader.doc
        if found is None or doc is None:
            self.feedback.tell("Select text in the reader's page text first, then Highlight "
                               "(Ctrl+H).")
            return
        span, quote = found
        where = f"{doc.plan.title}, p. {self.reader.page_label()}"
        dialog = HighlightDialog(quote, where, self.tag_paths, self.parent_widget)
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
        self.feedback.show_status(change.warning or f"Saved: annotation on p. {page}")

    def _annotation_failed(self, dialog: HighlightDialog, exc: BaseException) -> None:
        """The dialog stays open with the note; on a full disk it opens "Not saved" too."""
        self.feedback.last_error = str(exc)
        self.feedback.show_status(not_saved_text(exc))
        dialog.failed(exc)

    def edit_annotation(self, uuid: str) -> None:
        lists = self.bridge.annotations
        items = [*lists.items, *lists.orphans] if lists else []
        item = next((i for i in items if i.annotation.uuid == uuid), None)
        if item is None:
            return
        a = item.annotation
        dialog = HighlightDialog(a.anchor.exact, f"p. {a.anchor.page_label}", self.tag_paths,
                                 self.parent_widget, note=a.note, colour=a.colour,
                                 tag=item.tags[0] if item.tags else "", title="Edit annotation")
        dialog.submitted.connect(lambda v: records_ops.edit_annotation(
            self.ctx, self.actor, uuid, note=v["note"], colour=v["colour"], tag_paths=v["tags"],
            on_done=lambda change: (dialog.saved(), self.feedback.saved(change)),
            on_error=lambda exc: self._annotation_failed(dialog, exc)))
        self.dialog = dialog
        dialog.open()

    def reattach(self, uuid: str) -> None:
        found = self.bridge.selection()
        if found is None:
            self.feedback.tell("Select the passage in the reader's page text, then Re-attach.")
            return
        (_plan, page, start, end), _quote = found
        records_ops.reattach(self.ctx, self.actor, uuid, page, start, end,
                             on_done=self.feedback.saved, on_error=self.feedback.failed)

    # -- corrections ---------------------------------------------------------------------------

    def mark_selection(self) -> None:
        found = self.bridge.selection()
        if found is None:
            self.feedback.tell("Select the passage in the reader's page text first.")
            return
        records_ops.mark(self.ctx, self.actor, found[0], on_done=self.feedback.saved,
                         on_error=self.feedback.failed)

    def unmark(self, key: str) -> None:
        records_ops.unmark(self.ctx, self.actor, key, on_done=self.feedback.saved,
                           on_error=self.feedback.failed)

    def split_at_cursor(self, key: str, item_id: int) -> None:
        c = self.bridge.commitment(item_id)
        text = self.bridge.page_text()
        at = utf16_to_cp(text, self.reader.text_view.textCursor().position())
        if c is None or c.page_index != self.reader.page_index \
                or not c.char_start < at < c.char_end:
            self.feedback.tell("Put the text cursor inside the commitment's text (on its "
                               "page), where the second part starts.")
            return
        records_ops.split(self.ctx, self.actor, key, at - c.char_start,
                          on_done=self.feedback.saved, on_error=self.feedback.failed)

    def merge_with_next(self, key: str) -> None:
        records_ops.merge_with_next(self.ctx, self.actor, key, on_done=self.feedback.saved,
                                    on_error=self.feedback.failed)

    def set_heading_level(self, section_id: int, level: int) -> None:
        records_ops.heading_level(self.ctx, self.actor, section_id, level,
                                  on_done=self.feedback.saved, on_error=self.feedback.failed)

    # -- dialogs -------------------------------------------------------------------------------

    def edit_tags(self) -> TagsDialog:
        dialog = TagsDialog(self.ctx, self.actor, self.parent_widget)
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_trash(self) -> TrashDialog:
        dialog = TrashDialog(self.ctx, self.actor, self.parent_widget)
        dialog.restored.connect(self.feedback.saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_audit(self) -> AuditDialog:
        dialog = AuditDialog(self.ctx, self.parent_widget)
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- search hits and changes -----------------------------------------------------------------

    def open_note_hit(self, hit: SearchHit, show_dock: Callable[[], None]) -> None:
        """A search hit of kind "note": show its passage (and its annotation in the list)."""
        if hit.kind != "note":
            return

        def found(target: records_ops.NoteTarget | None) -> None:
            if target is None:
                self.feedback.tell("That note's record could not be found (it may have been "
                                   "deleted).")
                return
            self.bridge.show_span(target.plan, target.page_index, target.start, target.end)
            if target.kind == "annotation":
                show_dock()
                self.annotations_panel.select_uuid(target.uuid)

        records_ops.load_note_target(self.ctx, hit.item_id, on_done=found)

    def _load_tags(self) -> None:
        records_ops.load_tags(self.ctx, on_done=lambda items: setattr(
            self, "tag_paths", [i.path for i in items]))

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if not changes.touches_records:
            return
        if self.bridge.plan in changes.record_plans or not changes.record_plans:
            self.bridge.load_annotations()
        self._load_tags()

"""Lineage in the window: links between editions, delivery statuses, threads and the review.

``LineageUi`` holds the actions (Link commitment, Delivery status, Show lineage thread,
Review lineage) and the slots they run, for the reader, the compare view and the Review tab.
The main window builds it and places its actions; the Lineage panel and the Review panel are
the window's own (a dock and a tab). It holds no data access of its own: reads and writes are
``ui.ops.records`` ops on the DB thread.

What a link starts from: the reader's current commitment (outline), else the passage
selected in the reader's page text (the commitment it overlaps, or, when it overlaps none,
the passage marked as a commitment first, as "Mark selection as commitment" does); in the
compare view, the selected pair (its earlier commitment is the source, its later one the
preselected successor), or a passage selected in the pair's word-difference pane: found in the
later text it becomes the successor (the commitment it lies in, or the passage marked as one);
found in the earlier text it becomes the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from ui.annotation_ui import CommitmentMenuEntry, RecordFeedback
from ui.dialogs.link import LinkDialog
from ui.dialogs.status import StatusDialog
from ui.dialogs.user_name import current_user
from ui.models.compare import PairRole
from ui.ops import OpContext
from ui.ops import records as records_ops
from ui.ops.compare import AlignedPair, Alignment
from ui.panels.compare import ComparePanel
from ui.panels.lineage import LineagePanel
from ui.panels.reader import ReaderPanel
from ui.panels.review import ReviewPanel
from ui.reader_bridge import ReaderBridge
from workbench.review import Records


class LineageUi(QObject):
    """Links, statuses, lineage threads and the review of a plan pair."""

    def __init__(self, parent: QWidget, ctx: OpContext, settings: QSettings, *,
                 reader: ReaderPanel, compare: ComparePanel, review: ReviewPanel,
                 lineage: LineagePanel, bridge: ReaderBridge, feedback: RecordFeedback,
                 show_reader: Callable[[], None], show_review_tab: Callable[[], None],
                 show_lineage_dock: Callable[[], None]) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.ctx = ctx
        self.settings = settings
        self.reader = reader
        self.compare = compare
        self.review_panel = review
        self.lineage_panel = lineage
        self.bridge = bridge
        self.feedback = feedback
        self._show_reader = show_reader
        self._show_review_tab = show_review_tab
        self._show_lineage_dock = show_lineage_dock
        self.dialog: QDialog | None = None  # the dialog opened last (tests drive it)
        reader.ensure_built()
        compare.ensure_built()
        self.link_action = self._action("&Link commitment…", self.link_current, "L",
                                        widgets=(reader, compare))
        self.status_action = self._action("Delivery &status…", self.status_current)
        self.thread_action = self._action("Show &lineage thread", self.thread_current)
        self.review_action = self._action("&Review lineage", self.show_review, "Ctrl+Shift+R")
        self._connect()

    def _action(self, text: str, slot: Callable[[], object], shortcut: str = "", *,
                widgets: tuple[QWidget, ...] = ()) -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
        if widgets:  # a one-letter key only where it cannot swallow typing
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for w in widgets:
                w.addAction(action)
        else:
            self.parent_widget.addAction(action)
        return action

    def _connect(self) -> None:
        pairs = self.compare.pairs_view
        pairs.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        pairs.customContextMenuRequested.connect(self._on_pairs_menu)
        self.compare.compared.connect(lambda a: self.review_panel.set_pair(a.left_plan.slug,
                                                                           a.right_plan.slug))
        rp = self.review_panel
        rp.show_requested.connect(self.show_commitment)
        rp.link_requested.connect(lambda key, to: self.open_link_dialog(key, to_plan=to))
        rp.status_requested.connect(self.open_status_dialog)
        rp.thread_requested.connect(self.show_thread)
        self.lineage_panel.show_requested.connect(self.show_commitment)

    @property
    def actor(self) -> str:
        return current_user(self.settings)

    def outline_menu_entries(self) -> list[CommitmentMenuEntry]:
        """What the reader's outline menu offers for a commitment (links, status, thread)."""
        return [CommitmentMenuEntry("&Link…\tL", self.open_link_dialog),
                CommitmentMenuEntry("Delivery &status…", self.open_status_dialog),
                CommitmentMenuEntry("Show &lineage", self.show_thread)]

    def _focus_in(self, widget: QWidget) -> bool:
        focus = widget.focusWidget() if widget.isVisible() else None
        return focus is not None and widget.isAncestorOf(focus)

    # -- links ---------------------------------------------------------------------------------

    def link_current(self) -> None:
        """L: the compare view's pair, else the reader's selected passage or commitment."""
        if self._focus_in(self.compare):
            self.link_compare_pair()
        else:
            self.link_from_reader()

    def link_from_reader(self) -> None:
        target = self.reader.current_item
        found = self.bridge.selection()
        if found is not None and not self._selection_in_current(found[0]):
            self.link_passage(found[0])
        elif target and target[0] == "commitment":
            self.bridge.with_key(target[1], self.open_link_dialog)
        else:
            self.feedback.tell("Select a commitment in the reader's outline, or select its "
                               "passage in the page text, then Link (L).")

    def _selection_in_current(self, span: records_ops.Span) -> bool:
        """Whether the selected passage lies inside the outline's current commitment."""
        target = self.reader.current_item
        c = self.bridge.commitment(target[1]) if target and target[0] == "commitment" else None
        return c is not None and c.page_index == span[1] \
            and c.char_start <= span[2] and span[3] <= c.char_end

    def link_passage(self, span: records_ops.Span, *, to_plan: str | None = None,
                     as_target_of: str | None = None) -> None:
        """Link from a passage (or, ``as_target_of`` a source key, to it): the commitment it
        overlaps, else the passage marked as a commitment first."""
        plan, page, start, end = span

        def open_for(key: str | None) -> None:
            if not key:
                records_ops.mark(self.ctx, self.actor, span, on_done=marked,
                                 on_error=self.feedback.failed)
            elif as_target_of:
                self.open_link_dialog(as_target_of, to_plan=plan, preselect=(key,))
            else:
                self.open_link_dialog(key, to_plan=to_plan)

        def marked(change: object) -> None:
            self.feedback.show_status("Marked the passage as a commitment; now link it.")
            records_ops.read(self.ctx, lambda r: records_ops.key_at(r, plan, page, start, end),
                             on_done=lambda key: key and open_for(key))

        records_ops.read(self.ctx, lambda r: records_ops.key_at(r, plan, page, start, end),
                         on_done=open_for, on_error=self.feedback.failed)

    def link_compare_pair(self) -> None:
        compare = self.compare
        alignment = compare.alignment
        index = compare.pairs_view.currentIndex()
        pair = index.siblingAtColumn(0).data(PairRole) if index.isValid() else None
        if pair is None or alignment is None:
            self.feedback.tell("Select an aligned pair first.")
            return
        later = alignment.right_plan.slug
        passage = " ".join(compare.diff_view.textCursor().selectedText().split())
        if passage and self._link_diff_passage(passage, pair, alignment):
            return
        if pair.left.kind != "commitment":
            self.feedback.tell("Links start from a commitment of the earlier plan: this row "
                               "is a section. Open it in the reader (Enter), select the "
                               "passage and press L.")
            return
        preselect = (f"c:{pair.right.item_id}",) if pair.right.kind == "commitment" else ()
        self.open_link_dialog(f"c:{pair.left.item_id}", to_plan=later, preselect=preselect)

    def _link_diff_passage(self, passage: str, pair: AlignedPair,
                           alignment: Alignment) -> bool:
        """A passage selected in the difference pane: the later plan's text → the successor;
        the earlier plan's → the source. False when it is in neither (a mix of both)."""
        later, earlier = alignment.right_plan.slug, alignment.left_plan.slug
        if passage in " ".join(pair.right.text.split()) and pair.left.kind == "commitment":
            source = f"c:{pair.left.item_id}"
            self._locate(later, pair.right.page_index, passage, lambda span: self.link_passage(
                span, as_target_of=source))
            return True
        if passage in " ".join(pair.left.text.split()):
            self._locate(earlier, pair.left.page_index, passage,
                         lambda span: self.link_passage(span, to_plan=later))
            return True
        return False

    def _locate(self, plan: str, page_index: int, passage: str,
                then: Callable[[records_ops.Span], None]) -> None:
        """Find a passage (whitespace aside) on a page or the next one, as a span."""
        pattern = re.compile(r"\s+".join(re.escape(w) for w in passage.split()))

        def find(recs: Records) -> records_ops.Span | None:
            texts = recs.pages(plan).texts
            for page in (page_index, page_index + 1):
                found = pattern.search(texts[page]) if 0 <= page < len(texts) else None
                if found:
                    return plan, page, found.start(), found.end()
            return None

        records_ops.read(self.ctx, find, on_error=self.feedback.failed, on_done=lambda span: (
            then(span) if span else self.feedback.tell("That passage could not be found on "
                                                       "its page; select it in the reader.")))

    def open_link_dialog(self, key: str, *, to_plan: str | None = None,
                         preselect: tuple[str, ...] = ()) -> LinkDialog:
        found = self.bridge.selection()
        dialog = LinkDialog(self.ctx, self.actor, key, self.parent_widget, to_plan=to_plan,
                            preselect=preselect, evidence=found[0] if found else None,
                            evidence_text=found[1] if found else "")
        dialog.saved.connect(self.feedback.saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_pairs_menu(self, pos: QPoint) -> None:
        view = self.compare.pairs_view
        index = view.indexAt(pos)
        if index.isValid():
            view.selectRow(index.row())
            menu = QMenu(view)
            menu.addAction("&Link earlier → later…\tL", self.link_compare_pair)
            menu.popup(view.viewport().mapToGlobal(pos))

    # -- statuses and threads ----------------------------------------------------------------

    def reader_commitment_key(self, then: Callable[[str], None]) -> None:
        """The commitment under the reader's selection, else the outline's current one."""
        found = self.bridge.selection()
        if found is None or self._selection_in_current(found[0]):
            self.bridge.reader_key(then)
            return
        plan, page, start, end = found[0]
        records_ops.read(self.ctx, lambda r: records_ops.key_at(r, plan, page, start, end),
                         on_error=self.feedback.failed, on_done=lambda key: then(key) if key
                         else self.feedback.tell("The selected passage is not a commitment: "
                                                 "mark it first (Annotate ▸ Mark selection)."))

    def status_current(self) -> None:
        if self._focus_in(self.review_panel):
            self.review_panel.request_status()
        else:
            self.reader_commitment_key(self.open_status_dialog)

    def open_status_dialog(self, key: str) -> StatusDialog:
        found = self.bridge.selection()
        c = self.bridge.commitment(int(key[2:])) if key.startswith("c:") else None
        dialog = StatusDialog(self.ctx, self.actor, key, c.text if c else key,
                              self.parent_widget, evidence=found[0] if found else None,
                              evidence_text=found[1] if found else "")
        dialog.saved.connect(self.feedback.saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def thread_current(self) -> None:
        if self._focus_in(self.review_panel):
            self.review_panel.request_thread()
        else:
            self.reader_commitment_key(self.show_thread)

    def show_thread(self, key: str) -> None:
        self._show_lineage_dock()
        self.lineage_panel.show_thread(key)

    def show_commitment(self, plan: str, key: str, page_index: int) -> None:
        self._show_reader()
        if key.startswith("c:"):
            self.reader.open_at(plan, "commitment", int(key[2:]))
        else:
            self.reader.open_at(plan, page_index=max(0, page_index))

    def show_review(self) -> None:
        self._show_review_tab()
        self.review_panel.focus_review()

"""The Lineage dock: one commitment's thread across every edition, texts side by side.

Columns are the plans in chronological order (a draft that was never adopted says so in its
header); each cell says how the commitment got there ("Continued from Plan A (2020)"), who
confirmed that and when, the rationale, then its text, page and delivery status history
(``ui.models.thread.ThreadModel``). Built from ``Records.thread`` and each step's status
history on the DB thread; reloads after any user-record change while it shows a thread, and
clears when the reader opens a plan the thread does not run through.

Signals:
    show_requested(str, str, int): (plan, commitment key, -1) to show in the reader.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.records import one_line
from ui.models.thread import ThreadModel, ValueRole
from ui.ops import Changes, OpContext
from ui.ops import records as records_ops
from ui.panels import LazyPanel
from ui.widgets.plain import make_plain
from workbench.review import Records, Thread

EMPTY_TEXT = "Choose a commitment (outline: right-click ▸ Show lineage, or T in the Review tab)."


def thread_with_histories(recs: Records, key: str) -> tuple:
    """(thread, plans, relation labels, status history per step) — DB thread."""
    thread = recs.thread(key)
    histories = {n.key: recs.status_history(n.key) for n in thread.nodes if n.key}
    return thread, records_ops.plan_choices(recs), dict(recs.relation_labels), histories


class LineagePanel(LazyPanel):
    """The thread of the commitment chosen last (outline, review panel or Lineage menu)."""

    show_requested = Signal(str, str, int)

    def __init__(self, ctx: OpContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Lineage thread")
        self._ctx = ctx
        self.key: str | None = None
        self.thread: Thread | None = None
        self.model = ThreadModel(self)
        ctx.changes_applied.connect(self._on_ctx_changes_applied)

    def build(self, layout: QVBoxLayout) -> None:
        layout.setContentsMargins(6, 6, 6, 6)
        self.title_label = QLabel(EMPTY_TEXT)
        make_plain(self.title_label)  # shows data: never rich text
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleName("Lineage of")
        layout.addWidget(self.title_label)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Lineage: one column per plan")
        self.view.setWordWrap(True)
        self.view.setTabKeyNavigation(False)  # one Tab stop; arrow keys move inside
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.view.activated.connect(self._on_view_activated)
        self.view.doubleClicked.connect(self._on_view_activated)
        layout.addWidget(self.view, 1)

    def show_thread(self, key: str) -> None:
        self.ensure_built()
        self.key = key
        self.title_label.setText("Loading the lineage…")
        records_ops.read(self._ctx, lambda r: thread_with_histories(r, key),
                         on_done=self._on_thread_loaded, on_error=self._on_failed)

    def _on_thread_loaded(self, result: tuple) -> None:
        thread, plans, labels, histories = result
        self.thread = thread
        self.model.set_thread(thread, plans, labels, histories)
        origin = next((n for n in thread.nodes if n.key == thread.origin), None)
        steps = len({n.plan for n in thread.nodes})
        text = one_line(origin.text, 160) if origin else thread.origin
        self.title_label.setText(f"Lineage of “{text}” — {steps} plan(s), "
                                 f"{len(thread.edges)} link(s)")
        self.view.resizeRowsToContents()

    def _on_failed(self, exc: BaseException) -> None:
        self.thread = None
        self.model.set_thread(None, [], {})
        self.title_label.setText(f"No lineage to show: {exc}")

    def plan_opened(self, slug: str) -> None:
        """Another plan in the reader: keep the thread only if it runs through that plan."""
        if self.thread is not None and slug not in {n.plan for n in self.thread.nodes}:
            self.clear()

    def clear(self) -> None:
        self.key = None
        self.thread = None
        self.model.set_thread(None, [], {})
        if self.is_built:
            self.title_label.setText(EMPTY_TEXT)

    def plan_columns(self) -> list[str]:
        return [p.slug for p in self.model.plans()]

    def _on_view_activated(self, index: QModelIndex) -> None:
        node = index.data(ValueRole)
        if node is not None and node.key:
            self.show_requested.emit(node.plan, node.key, -1)

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if self.key and changes.touches_records and self.isVisible():
            self.show_thread(self.key)

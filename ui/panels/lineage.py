"""The Lineage dock: one commitment's thread across every edition, texts side by side.

Columns are the plans in chronological order (a draft that was never adopted says so in its
header); each cell shows how the commitment got there ("← Continued"), its text, page and
latest delivery status. Built from ``Records.thread`` (``ui.ops.records.load_thread``);
reloads after any user-record change while it shows a thread.

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

from ui.models.records import ThreadModel, ValueRole, one_line
from ui.ops import Changes, OpContext
from ui.ops import records as records_ops
from ui.panels import LazyPanel
from ui.widgets.plain import make_plain
from workbench.review import Thread


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
        self.title_label = QLabel("Choose a commitment (outline: right-click ▸ Show lineage).")
        make_plain(self.title_label)  # shows data: never rich text
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleName("Lineage of")
        layout.addWidget(self.title_label)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Lineage: one column per plan")
        self.view.setWordWrap(True)
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
        records_ops.load_thread(self._ctx, key, on_done=self._on_thread_loaded,
                                on_error=self._on_failed)

    def _on_thread_loaded(self, result: tuple) -> None:
        thread, plans, labels = result
        self.thread = thread
        self.model.set_thread(thread, plans, labels)
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

    def plan_columns(self) -> list[str]:
        return [p.slug for p in self.model.plans()]

    def _on_view_activated(self, index: QModelIndex) -> None:
        node = index.data(ValueRole)
        if node is not None and node.key:
            self.show_requested.emit(node.plan, node.key, -1)

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if self.key and changes.touches_records and self.isVisible():
            self.show_thread(self.key)

"""The Trash (restore deleted records) and the Audit log (who did what, when).

Both load on the DB executor; restoring is one op per record and refreshes the list after the
commit.

Signals (``TrashDialog``):
    restored(object): the ``Change`` of a restore.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.records import AuditModel, IdRole, TrashModel, _RowModel
from ui.ops import OpContext
from ui.ops import records as records_ops
from ui.widgets.plain import make_plain
from workbench.records import Change


def _table(model: _RowModel, name: str) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # one Tab stop; arrow keys move inside
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class TrashDialog(QDialog):
    """Deleted annotations, links, statuses, corrections and tags; Restore brings one back."""

    restored = Signal(object)

    def __init__(self, ctx: OpContext, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._actor = ctx, actor
        self.setWindowTitle("Trash")
        self.setAccessibleName("Trash")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel("Loading…")
        make_plain(self.summary_label)  # shows data: never rich text
        layout.addWidget(self.summary_label)
        self.model = TrashModel(self)
        self.view = _table(self.model, "Deleted records")
        self.view.activated.connect(lambda _i: self.restore_selected())
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton("&Restore")
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore_selected)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        records_ops.load_trash(self._ctx, on_done=self._on_trash_loaded)

    def _on_trash_loaded(self, records: list) -> None:
        self.model.set_records(records)
        self.summary_label.setText(f"{len(records)} record(s) in the trash."
                                   if records else "The trash is empty.")
        if records:
            self.view.selectRow(0)

    def restore_selected(self) -> None:
        index = self.view.currentIndex()
        uuid = index.siblingAtColumn(0).data(IdRole) if index.isValid() else None
        if uuid:
            records_ops.restore(self._ctx, self._actor, uuid, on_done=self._on_restored,
                                on_error=lambda exc: self.summary_label.setText(str(exc)))

    def _on_restored(self, change: Change) -> None:
        self.restored.emit(change)
        self.reload()


class AuditDialog(QDialog):
    """The newest audit entries first: when, who, what, which record."""

    def __init__(self, ctx: OpContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        self.setAccessibleName("Audit log")
        self.resize(820, 460)
        layout = QVBoxLayout(self)
        self.model = AuditModel(self)
        self.view = _table(self.model, "Audit entries")
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        records_ops.load_audit(ctx, on_done=self.model.set_entries)

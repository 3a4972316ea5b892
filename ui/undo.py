"""Edit ▸ Undo / Redo for annotations, corrections, links and statuses — without QUndoStack.

The undo history lives in the database (``workbench.review.Records``), so it survives restarts
and is shared with the CLI's ``workbench undo``. ``UndoController`` owns two ``QAction``s
(Ctrl+Z, Ctrl+Shift+Z) whose text names the action ("Undo add annotation"); triggering one runs
``Records.undo``/``redo`` as an op on the DB executor. The labels are re-read after every
user-record change.

Redo has Ctrl+Shift+Z plus the platform's other Redo keys (Ctrl+Y on Windows), each once: a
sequence registered twice makes Qt call the shortcut ambiguous and do nothing.

Signals:
    undone(object): the ``Change`` of an undo or redo, after its commit.
    message(str): what was undone or redone, or why not, for the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from ui.ops import Changes, OpContext
from ui.ops import records as records_ops
from workbench.records import Change


class UndoController(QObject):
    """Keeps the Undo/Redo actions' text and enabled state in step with the database."""

    undone = Signal(object)
    message = Signal(str)

    def __init__(self, ctx: OpContext, actor: Callable[[], str], parent: QObject) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._actor = actor
        self._busy = False
        self._labels: tuple[str | None, str | None] = (None, None)
        self._running_label = ""
        self.undo_action = QAction("Undo", parent)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda: self.run(redo=False))
        self.redo_action = QAction("Redo", parent)
        self.redo_action.setShortcuts(redo_keys())
        self.redo_action.triggered.connect(lambda: self.run(redo=True))
        for action in (self.undo_action, self.redo_action):
            action.setEnabled(False)
        ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ctx.library_changed.connect(lambda _root: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        records_ops.load_undo_labels(self._ctx, on_done=self._on_labels_loaded)

    def _on_labels_loaded(self, labels: tuple[str | None, str | None]) -> None:
        undo, redo = labels
        self._labels = labels
        self.undo_action.setText(f"&Undo {undo.lower()}" if undo else "&Undo")
        self.redo_action.setText(f"&Redo {redo.lower()}" if redo else "&Redo")
        self.undo_action.setEnabled(bool(undo) and not self._busy)
        self.redo_action.setEnabled(bool(redo) and not self._busy)

    def run(self, *, redo: bool) -> None:
        if self._busy:
            return
        self._busy = True
        label = self._labels[1 if redo else 0] or ""
        self._running_label = f"{'Redone' if redo else 'Undone'}: {label.lower()}" if label \
            else ("Redone" if redo else "Undone")
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        records_ops.undo(self._ctx, self._actor(), redo=redo, on_done=self._on_done,
                         on_error=self._on_failed)

    def _on_done(self, change: Change) -> None:
        self._busy = False
        note = f" ({change.warning})" if change.warning else ""
        said = self._running_label
        if change.description:  # which one, as the CLI says: "add link from p. 11 of …"
            said = f"{said.split(':')[0]}: {change.description[:1].lower()}" \
                   f"{change.description[1:]}"
        self.message.emit(f"{said}{note}")
        self.undone.emit(change)
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.message.emit(f"Nothing changed: {exc}")
        self.refresh()

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if changes.touches_records and not self._busy:
            self.refresh()


def redo_keys() -> list[QKeySequence]:
    """Ctrl+Shift+Z and the platform's Redo bindings, without repeats."""
    keys = [QKeySequence("Ctrl+Shift+Z")]
    for key in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo):
        if not key.isEmpty() and all(key != k for k in keys):
            keys.append(key)
    return keys

"""Operations: every UI action that writes, or reads more than a frame's worth, lives here.

One module per subject (``library``, ``reader``, ``search``, ``compare``). An op is a function
that queues work on the ``DbExecutor`` (short reads) or the ``TaskRunner`` (long, cancellable
jobs) and calls back on the GUI thread. Writes return a ``Changes`` value; ``OpContext`` re-emits
it so each view can decide whether to refresh and ignore changes it started itself.

Signals (``OpContext``):
    changes_applied(Changes, object): after a successful write; the object is the initiator.
    library_changed(Path): another library folder was opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ui.executor import DbExecutor
from ui.tasks import TaskRunner
from workbench.records import Changes

__all__ = ["Changes", "OpContext"]


class OpContext(QObject):
    """The executor, the task runner and the change bus of one open library."""

    changes_applied = Signal(object, object)
    library_changed = Signal(object)

    def __init__(self, executor: DbExecutor, window: QWidget) -> None:
        super().__init__(window)
        self.executor = executor
        self.window = window
        self.runner = TaskRunner(executor, window)
        self.import_lane: Any = None  # ui.ops.library.ImportLane, created on first use

    @property
    def root(self) -> Path:
        return self.executor.root

    def emit_changes(self, changes: Changes, initiator: object | None = None) -> None:
        self.changes_applied.emit(changes, initiator)

    def switch_library(self, executor: DbExecutor) -> None:
        """Close the current library (cancelling and waiting for its jobs), use another."""
        old = self.executor
        self.runner.set_executor(executor)
        self.executor = executor
        old.shutdown(wait=True)
        self.library_changed.emit(executor.root)

    def shutdown(self) -> None:
        self.runner.cancel_all()
        self.executor.shutdown(wait=True)

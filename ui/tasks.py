"""Long jobs with a ``TaskState``: progress shown after ~600 ms, Cancel, no frozen window.

``TaskRunner.run(work, ...)`` queues ``work(workbench, state)`` on the ``DbExecutor`` (work a
person asked for queues behind the running job; views that need "latest only" behaviour discard
their previous job themselves). A 100 ms ``QTimer`` polls ``state.snapshot()``; the worker never
touches Qt. The progress dialog appears only if the job is still running after
``SHOW_AFTER_MS``. ``cancel_all()`` asks every job to stop; the window calls it on close.

Signals:
    busy_changed(bool): True when the first job starts, False when the last one ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget

from ui.executor import DbExecutor, Job
from workbench.services import Workbench
from workbench.tasks import TaskState

SHOW_AFTER_MS = 600
POLL_MS = 100

Work = Callable[[Workbench, TaskState], Any]


class _Running:
    def __init__(self, job: Job, title: str, started: float) -> None:
        self.job = job
        self.title = title
        self.started = started
        self.dialog: QProgressDialog | None = None


class TaskRunner(QObject):
    """Runs cancellable jobs on the DB executor and shows their progress."""

    busy_changed = Signal(bool)

    def __init__(self, executor: DbExecutor, parent_widget: QWidget | None) -> None:
        super().__init__(parent_widget)
        self._executor = executor
        self._parent_widget = parent_widget
        self._running: list[_Running] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.show_dialogs = True

    def set_executor(self, executor: DbExecutor) -> None:
        self.cancel_all()
        self._executor = executor

    def run(
        self,
        work: Work,
        *,
        title: str,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Job:
        state = TaskState()
        entry: _Running | None = None

        def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
            self._forget(entry)
            if callback is not None:
                callback(value)

        job = self._executor.submit(
            lambda wb: work(wb, state),
            on_done=lambda result: finish(on_done, result),
            on_error=lambda exc: finish(on_error, exc),
            state=state,
        )
        entry = _Running(job, title, time.monotonic())
        self._running.append(entry)
        if len(self._running) == 1:
            self.busy_changed.emit(True)
        self._timer.start()
        return job

    def _forget(self, entry: _Running | None) -> None:
        if entry is None or entry not in self._running:
            return
        self._running.remove(entry)
        if entry.dialog is not None:
            entry.dialog.reset()
            entry.dialog.hide()
            entry.dialog.deleteLater()
            entry.dialog = None
        if not self._running:
            self._timer.stop()
            self.busy_changed.emit(False)

    @Slot()
    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        for entry in list(self._running):
            if entry.job.finished or entry.job.discarded:
                self._forget(entry)
                continue
            state = entry.job.state
            assert state is not None
            progress, status = state.snapshot()
            if entry.dialog is None:
                if not self.show_dialogs or (now - entry.started) * 1000 < SHOW_AFTER_MS:
                    continue
                if not entry.job.running:  # queued behind another job: only that one shows
                    continue
                entry.dialog = self._make_dialog(entry)
            entry.dialog.setLabelText(status or entry.title)
            entry.dialog.setValue(int(progress * 1000))

    def _make_dialog(self, entry: _Running) -> QProgressDialog:
        dialog = QProgressDialog(entry.title, "Cancel", 0, 1000, self._parent_widget)
        label = QLabel(entry.title)  # status text names files: never interpret it as HTML
        label.setTextFormat(Qt.TextFormat.PlainText)
        dialog.setLabel(label)
        dialog.setWindowTitle(entry.title)
        dialog.setAccessibleName(f"Progress: {entry.title}")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(420)
        state = entry.job.state

        def cancel() -> None:
            if state is not None:
                state.request_cancel()
            dialog.setLabelText("Cancelling…")

        dialog.canceled.connect(cancel)
        dialog.show()
        return dialog

    def cancel_all(self) -> None:
        for entry in list(self._running):
            if entry.job.state is not None:
                entry.job.state.request_cancel()

    def is_idle(self) -> bool:
        return not self._running

    def running_titles(self) -> list[str]:
        return [e.title for e in self._running]

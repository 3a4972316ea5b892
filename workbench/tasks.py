"""Cancellable, observable long jobs without Qt.

A work function takes a ``TaskState``, checks ``cancel_requested`` at every document or page and
reports ``progress``/``status``. The UI polls the state with a timer (see ``ui/tasks.py``); the
CLI prints it. Nothing here emits signals.
"""

from __future__ import annotations

import threading

from workbench.errors import Cancelled


class TaskState:
    """Shared by one worker (writes) and one observer (reads by polling)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._progress = 0.0
        self._status = ""

    def request_cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, progress: float | None = None, status: str | None = None) -> None:
        with self._lock:
            if progress is not None:
                self._progress = min(1.0, max(0.0, progress))
            if status is not None:
                self._status = status

    @property
    def progress(self) -> float:
        with self._lock:
            return self._progress

    @property
    def status(self) -> str:
        with self._lock:
            return self._status

    def snapshot(self) -> tuple[float, str]:
        with self._lock:
            return self._progress, self._status


class SubState(TaskState):
    """A view of a parent state that maps 0..1 progress into [start, end] of the parent."""

    def __init__(self, parent: TaskState, start: float, end: float) -> None:
        super().__init__()
        self._parent = parent
        self._start = start
        self._end = end

    @property
    def cancel_requested(self) -> bool:
        return self._parent.cancel_requested

    def raise_if_cancelled(self) -> None:
        self._parent.raise_if_cancelled()

    def request_cancel(self) -> None:
        self._parent.request_cancel()

    def report(self, progress: float | None = None, status: str | None = None) -> None:
        mapped = None if progress is None else self._start + (self._end - self._start) * progress
        self._parent.report(mapped, status)

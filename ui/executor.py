"""The single database thread: every store, search and import call of the window runs here.

``DbExecutor`` owns one ``ThreadPoolExecutor(max_workers=1)`` whose initializer opens the
library's ``Workbench`` *inside* that thread (sqlite3 connections are ``check_same_thread``), and
whose last job closes it. Work is a plain function ``fn(workbench) -> T``; its result or exception
comes back to the GUI thread through a queued signal of a QObject that lives there, and the
``on_done``/``on_error`` callbacks run on the GUI thread. Jobs run strictly in order (FIFO), so a
callback may safely submit further work.

``InlinePool`` is the synchronous stand-in (as Picard's tests run its thread helper inline): a
job runs at once on the submitting thread, and its callbacks still arrive through the event
loop, after ``submit`` has returned, exactly as from the DB thread. tests/ui/conftest.py makes
every executor use it unless a test is marked ``threads`` (the tests of threading itself).

Signals:
    job_finished(object): a ``Job`` whose callbacks have just run (GUI thread).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from workbench.services import Workbench
from workbench.tasks import TaskState

log = logging.getLogger(__name__)

Opener = Callable[[Path], Workbench]
Closer = Callable[[Workbench], None]

_LIVE: weakref.WeakSet[DbExecutor] = weakref.WeakSet()


class InlinePool(Executor):
    """A synchronous ``Executor``: ``initializer`` runs at construction, each job in ``submit``.

    For tests that do not test threading: no thread handoffs, no waiting for a worker thread to
    start, and a job's exception is delivered like the real pool's (through its ``Future``).
    """

    def __init__(self, initializer: Callable[[], None] | None = None) -> None:
        self._shut_down = False
        if initializer is not None:
            initializer()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self._shut_down:
            future.cancel()
            return future
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the real pool keeps it in the future too
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shut_down = True


def thread_pool(initializer: Callable[[], None]) -> Executor:
    """The DB thread: one worker, which opens the library first (see the module docstring)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="db", initializer=initializer)


#: how every ``DbExecutor`` makes its pool; tests swap in ``InlinePool`` (tests/ui/conftest.py)
make_pool: Callable[[Callable[[], None]], Executor] = thread_pool


def live_executors() -> list[DbExecutor]:
    """Every executor not shut down yet (the test guard asks them whether they are idle)."""
    return [e for e in list(_LIVE) if not e.is_shut_down]


class Job:
    """One unit of work on the DB thread, with its callbacks and optional ``TaskState``."""

    def __init__(
        self,
        fn: Callable[[Workbench], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        state: TaskState | None,
    ) -> None:
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.state = state
        self.future: Future[None] | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.discarded = False  # results are dropped and callbacks never run
        self.finished = False  # callbacks delivered (or dropped) on the GUI thread

    def discard(self) -> None:
        """Forget this job: cancel it if it has not started, and drop its result."""
        self.discarded = True
        if self.state is not None:
            self.state.request_cancel()
        if self.future is not None:
            self.future.cancel()

    @property
    def running(self) -> bool:
        return self.future is not None and self.future.running()


class DbExecutor(QObject):
    """One thread that owns the library's ``Workbench`` (and so its SQLite connection)."""

    job_finished = Signal(object)
    _delivered = Signal(object)  # emitted on the DB thread, delivered queued on the GUI thread

    def __init__(
        self,
        root: Path,
        *,
        opener: Opener | None = None,
        closer: Closer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if opener is None or closer is None:
            from ui import compose  # keeps tests free to inject fakes

            opener = opener or compose.open_workbench
            closer = closer or compose.close_workbench
        self.root = root
        self._opener = opener
        self._closer = closer
        self._workbench: Workbench | None = None
        self._open_error: BaseException | None = None
        self._jobs: list[Job] = []
        self._lock = threading.Lock()
        self.is_shut_down = False
        # Queued even when emitted on this thread (an inline pool): callbacks never run inside
        # ``submit``, so a caller always holds the returned Job before they do.
        self._delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)
        self._pool = make_pool(self._open)
        _LIVE.add(self)

    # -- DB thread -------------------------------------------------------------------------

    def _open(self) -> None:
        try:
            self._workbench = self._opener(self.root)
        except BaseException as exc:  # reported to every job instead of killing the thread
            log.exception("could not open the library %s", self.root)
            self._open_error = exc

    def _run(self, job: Job) -> None:
        try:
            if job.discarded:
                return
            if self._open_error is not None:
                raise self._open_error
            assert self._workbench is not None
            job.result = job.fn(self._workbench)
        except BaseException as exc:  # delivered to on_error on the GUI thread
            job.error = exc
        finally:
            self._delivered.emit(job)

    def _close(self) -> None:
        if self._workbench is not None:
            try:
                self._closer(self._workbench)
            finally:
                self._workbench = None

    # -- GUI thread ------------------------------------------------------------------------

    def submit(
        self,
        fn: Callable[[Workbench], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        state: TaskState | None = None,
    ) -> Job:
        """Queue ``fn(workbench)``; callbacks run on the GUI thread when it returns."""
        if self.is_shut_down:
            raise RuntimeError("the library has been closed")
        job = Job(fn, on_done, on_error, state)
        self._jobs.append(job)
        job.future = self._pool.submit(self._run, job)
        if job.future.cancelled():  # pragma: no cover - only during interpreter exit
            self._jobs.remove(job)
        return job

    @Slot(object)
    def _on_delivered(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        job.finished = True
        if job.discarded or self.is_shut_down:
            return
        try:
            if job.error is None:
                if job.on_done is not None:
                    job.on_done(job.result)
            elif job.on_error is not None:
                job.on_error(job.error)
            else:
                log.error("unhandled error in a DB job", exc_info=job.error)
        finally:
            self.job_finished.emit(job)

    def pending(self) -> list[Job]:
        """Jobs submitted whose callbacks have not been delivered yet."""
        # A job cancelled before it started never reaches _run, so it is never delivered.
        self._jobs = [j for j in self._jobs if not (j.future and j.future.cancelled())]
        return list(self._jobs)

    def is_idle(self) -> bool:
        return not self.pending()

    def shutdown(self, *, wait: bool = True) -> None:
        """Cancel long jobs (those with a ``TaskState``), finish the short ones, close the library.

        A short job may be a save the person just asked for: closing the window right after an
        edit must not drop it (Zotero #2278, T-DUR-06). Its callbacks are dropped, its commit is
        not. Long jobs (import, reindex, export) are atomic per document, so cancelling is safe.
        """
        if self.is_shut_down:
            return
        self.is_shut_down = True
        for job in list(self._jobs):
            if job.state is not None:
                job.discard()
            # a short job runs to its commit; its callbacks are dropped (we are shut down)
        self._jobs.clear()
        self._pool.submit(self._close)
        self._pool.shutdown(wait=wait, cancel_futures=False)
        _LIVE.discard(self)

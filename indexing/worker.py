"""Run PyMuPDF in a child process behind a tiny request/reply protocol (STYLE R5).

The parent (GUI or CLI process) never imports PyMuPDF: the child entry point
(``indexing.worker_child``) imports ``indexing.pdf_extract`` itself. Requests and replies are
the frozen dataclasses of ``indexing.worker_protocol``, sent over a ``multiprocessing.Pipe`` to
a child started with the ``spawn`` context.

* ``PdfWorkerExtractor`` implements ``workbench.ports.Extractor``: one long-lived child for
  many documents (replaced after ``recycle_after`` pages served, once its resident memory
  passes ``recycle_rss``, or after a failure that may have left it unhealthy; a recycled child's
  successor is started at once, so the next document does not wait for a spawn), a wall-clock timeout, a "no page progress" stall limit, a memory cap
  (``RLIMIT_AS`` in the child on POSIX, and everywhere a watchdog here polling the child's
  resident memory: ``indexing.worker_limits``), cancellation through
  ``TaskState.cancel_requested`` (the child is killed at once), and crash detection (the child
  died: ``CRASHED`` or ``TOO_BIG``). With ``ocr=`` it also OCRs the pages without a text layer
  (``indexing.ocr``), under the same limits with a longer clock.
* ``PdfRenderWorker`` renders page images (PNG, pixel count clamped) and lists a page's words
  with their boxes (for highlighting search terms on the image) in a separate long-lived child,
  so a long import never stalls the reader.

Every call ends by returning or raising, including after a crash, a timeout or a cancel: that is
the "done" notification, always delivered. ``abort()`` kills the child from another thread.
Progress is fed to ``state.report(progress)``; nothing else is emitted.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from pathlib import Path
from typing import Any

from indexing.worker_child import child_main
from indexing.worker_limits import (
    MemoryWatchdog,
    process_handle,
    resident_memory,
    rlimit_enabled,
)
from indexing.worker_protocol import (
    ExtractReply,
    ExtractRequest,
    Progress,
    RenderReply,
    RenderRequest,
    Word,
    WordsReply,
    WordsRequest,
)
from workbench.errors import ExtractError, ExtractFailure
from workbench.model import Extraction, OcrSettings
from workbench.tasks import TaskState

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_OCR_STALL",
    "DEFAULT_OCR_TIMEOUT",
    "DEFAULT_STALL",
    "DEFAULT_TIMEOUT",
    "ExtractReply",
    "ExtractRequest",
    "PdfRenderWorker",
    "PdfWorkerExtractor",
    "Progress",
    "RenderReply",
    "RenderRequest",
    "Word",
    "WordsReply",
    "WordsRequest",
]

DEFAULT_TIMEOUT = 120.0
DEFAULT_STALL = 20.0
# OCR costs seconds per page (Tesseract): a scanned plan gets a longer clock, and a page may
# take a while before its progress message
DEFAULT_OCR_TIMEOUT = 3600.0
DEFAULT_OCR_STALL = 180.0
DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024  # 1.5 GiB of address space
# Recycling bounds the child's growth (MuPDF's allocator, caches) by the work it did and the
# memory it holds, not by a count of documents: a library of many small PDFs respawned the
# child every 20 files (~1 s each, the parent waiting; issue 12, Speed).
DEFAULT_RECYCLE_PAGES = 2000
DEFAULT_RECYCLE_RSS = 512 * 1024 * 1024  # resident memory after a document

# Refusals decided before MuPDF parsed anything leave the child healthy; any other failure
# restarts it (a damaged file may have left MuPDF's allocator fragmented or worse).
_HEALTHY_REFUSALS = {
    ExtractFailure.MISSING,
    ExtractFailure.NOT_A_FILE,
    ExtractFailure.UNREADABLE,
    ExtractFailure.EMPTY,
    ExtractFailure.NEEDS_PASSWORD,
    ExtractFailure.WRONG_PASSWORD,
    ExtractFailure.OCR_UNAVAILABLE,
}


# --- parent side ----------------------------------------------------------------------------

_CHILD_NAME = "pdf-worker"


def _skip_main_in_workers() -> None:
    """Spawned workers do not import the parent's ``__main__`` module.

    ``spawn`` re-imports the parent's main script in every child (as ``__mp_main__``), so a
    worker started by the CLI or the window first imported the whole application (``ui.cli``:
    ~600 modules, ~0.5 s of CPU) before reading a page, at every start and every recycle
    (issue 12, Speed). Our child's entry point lives in ``indexing.worker_child``, not in
    ``__main__``, so it needs none of that. The standard library offers no switch: this wraps
    ``multiprocessing.spawn.get_preparation_data`` (which the POSIX and Windows spawn launchers
    call with the process name) to drop the main-module entries for processes named
    ``_CHILD_NAME`` only; every other process is prepared as before."""
    from multiprocessing import spawn

    original = spawn.get_preparation_data
    if getattr(original, "_workbench_skips_main", False):
        return

    def get_preparation_data(name: str) -> dict[str, Any]:
        data = original(name)
        if name == _CHILD_NAME:
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    get_preparation_data._workbench_skips_main = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = get_preparation_data


_skip_main_in_workers()


class _Child:
    """One spawned worker process and the parent end of its pipe."""

    def __init__(self, memory_limit: int, use_rlimit: bool = True) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=child_main,
                                   args=(child_conn, memory_limit, use_rlimit),
                                   name=_CHILD_NAME, daemon=True)
        self.process.start()
        child_conn.close()
        self.served = 0
        self._handle: Any = None  # process_handle(), made on first use
        # one poll object for the life of the pipe: Connection.poll builds and closes a
        # selector at every call, ~70 us a time in a loop that waits on every document
        # (issue 12, Speed); Windows has no select.poll and keeps Connection.poll
        self._poller: Any = None
        if hasattr(select, "poll"):
            self._poller = select.poll()
            self._poller.register(self.conn.fileno(), select.POLLIN)

    def readable(self, timeout: float) -> bool:
        """``conn.poll(timeout)``: a message (or the end of the pipe) is waiting."""
        if self._poller is None:
            return self.conn.poll(timeout)
        return bool(self._poller.poll(timeout * 1000))

    def handle(self) -> Any:
        """The child's ``process_handle`` for the memory checks, made once."""
        if self._handle is None:
            self._handle = process_handle(self.process.pid)
        return self._handle

    def kill(self) -> None:
        try:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
        finally:
            self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        self.kill()


class _WorkerBase:
    def __init__(self, *, memory_limit: int, recycle_after: int, recycle_rss: int = 0,
                 use_rlimit: bool | None = None) -> None:
        self.memory_limit = memory_limit
        #: units served (pages extracted, images rendered) before the child is replaced
        self.recycle_after = recycle_after
        #: resident memory (bytes) after a call above which the child is replaced (0 = never)
        self.recycle_rss = recycle_rss
        #: cap the child's address space where the OS can (POSIX); the RSS watchdog always runs
        self.use_rlimit = rlimit_enabled() if use_rlimit is None else use_rlimit
        #: the child's peak resident memory seen by the watchdog during the last call (bytes)
        self.last_peak_rss = 0
        self._child: _Child | None = None
        self._lock = threading.Lock()  # one request at a time per worker
        self._abort = threading.Event()

    # lifecycle
    def __enter__(self) -> _WorkerBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # best effort; call close()
        child = getattr(self, "_child", None)
        if child is not None and child.process.is_alive():
            child.process.kill()

    def close(self) -> None:
        """Stop the child process (politely, then by force)."""
        child, self._child = self._child, None
        if child is not None:
            child.stop()

    def abort(self) -> None:
        """Kill the child now; a running call raises CANCELLED. Safe from any thread."""
        self._abort.set()
        child = self._child
        if child is not None and child.process.is_alive():
            child.process.kill()

    def warm_up(self) -> None:
        """Start the child now, without waiting for it: it imports PyMuPDF and the analysis
        while the caller does other work (an import hashes its files first), so the first
        request does not wait for a spawn (issue 12, Speed). Does nothing if one is running."""
        with self._lock:
            self._ensure_child()

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.process.pid if child is not None else None

    def _ensure_child(self) -> _Child:
        child = self._child
        if child is not None and (not child.process.is_alive()
                                  or child.served >= self.recycle_after):
            self._discard()
            child = None
        if child is None:
            child = self._child = _Child(self.memory_limit, self.use_rlimit)
        return child

    def _served(self, child: _Child, units: int) -> None:
        """Count a call's work; past a recycling bound, replace the child now (the successor
        starts importing PyMuPDF while the parent stores this reply, not when the next
        document is waiting for it)."""
        child.served += max(1, units)
        if self._child is not child:  # already discarded after a failure
            return
        if child.served >= self.recycle_after or (
                self.recycle_rss > 0 and resident_memory(child.handle()) > self.recycle_rss):
            self._discard()
            self._child = _Child(self.memory_limit, self.use_rlimit)

    def _discard(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.kill()

    def _call(
        self,
        request: object,
        name: str,
        *,
        timeout: float,
        stall: float,
        state: TaskState | None,
    ) -> Any:
        """Send one request and wait for its reply, enforcing every limit."""
        child = self._ensure_child()
        self._abort.clear()
        try:
            child.conn.send(request)
        except (OSError, ValueError) as exc:
            self._discard()
            raise ExtractError(ExtractFailure.CRASHED,
                               f"{name} could not be sent to the PDF reader") from exc
        start = last = time.monotonic()
        watchdog = MemoryWatchdog(child.handle(), self.memory_limit)
        while True:
            if self._abort.is_set() or (state is not None and state.cancel_requested):
                self._discard()
                raise ExtractError(ExtractFailure.CANCELLED, f"Import of {name} was cancelled")
            try:
                ready = child.readable(0.05)
                message = child.conn.recv() if ready else None
            except (EOFError, OSError):
                message, ready = None, False
                child.process.join(1)
                self._crashed(child, name)
            now = time.monotonic()
            if isinstance(message, Progress):
                last = now
                if state is not None and message.total > 0:
                    state.report(progress=message.done / message.total)
                continue
            if message is not None:
                return message
            if not child.process.is_alive():
                # the reply may still be in the pipe
                if child.conn.poll(0):
                    continue
                self._crashed(child, name)
            if watchdog.over_limit():  # Windows has no RLIMIT_AS: this is its memory cap
                self.last_peak_rss = watchdog.peak
                self._discard()
                raise ExtractError(ExtractFailure.TOO_BIG,
                                   f"{name} needs more memory than allowed and was not imported")
            self.last_peak_rss = watchdog.peak
            if now - start > timeout:
                self._discard()
                raise ExtractError(ExtractFailure.TIMEOUT,
                                   f"{name} took longer than {timeout:g} s to read and was not "
                                   "imported")
            if now - last > stall:
                self._discard()
                raise ExtractError(ExtractFailure.TIMEOUT,
                                   f"{name} stalled the PDF reader (no progress for {stall:g} s) "
                                   "and was not imported")

    def _crashed(self, child: _Child, name: str) -> None:
        code = child.process.exitcode
        self._discard()
        if self._abort.is_set():
            raise ExtractError(ExtractFailure.CANCELLED, f"Import of {name} was cancelled")
        # SIGKILL without us asking is what the kernel's OOM killer does
        if code is not None and os.name == "posix" and code == -signal.SIGKILL:
            raise ExtractError(ExtractFailure.TOO_BIG,
                               f"{name} needs more memory than allowed and was not imported")
        raise ExtractError(ExtractFailure.CRASHED,
                           f"{name} crashed the PDF reader and was not imported")


class PdfWorkerExtractor(_WorkerBase):
    """``workbench.ports.Extractor`` that reads PDFs in a recycled child process.

    Args:
        timeout: wall-clock seconds allowed per document.
        stall: seconds allowed without a page-progress message.
        memory_limit: address-space cap of the child in bytes (POSIX only; 0 = none).
        recycle_after: pages extracted before the child is replaced (a refused document
            counts one).
        recycle_rss: the child's resident memory after a document, in bytes, above which it
            is replaced (0 = no such bound).
        test_hook: tests only; see ``ExtractRequest.test_hook``.
        use_rlimit: cap the child's address space too (default: unless
            ``WORKBENCH_NO_RLIMIT=1``); the resident-memory watchdog runs either way.
        ocr_timeout / ocr_stall: the limits of a call that OCRs (``extract(ocr=...)``).
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        stall: float = DEFAULT_STALL,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        recycle_after: int = DEFAULT_RECYCLE_PAGES,
        recycle_rss: int = DEFAULT_RECYCLE_RSS,
        test_hook: str = "",
        use_rlimit: bool | None = None,
        ocr_timeout: float = DEFAULT_OCR_TIMEOUT,
        ocr_stall: float = DEFAULT_OCR_STALL,
    ) -> None:
        super().__init__(memory_limit=memory_limit, recycle_after=recycle_after,
                         recycle_rss=recycle_rss, use_rlimit=use_rlimit)
        self.timeout = timeout
        self.stall = stall
        self.test_hook = test_hook
        self.ocr_timeout = ocr_timeout
        self.ocr_stall = ocr_stall

    def __enter__(self) -> PdfWorkerExtractor:
        return self

    def extract(
        self, path: Path, *, password: str | None = None, state: TaskState | None = None,
        ocr: OcrSettings | None = None,
    ) -> Extraction:
        """Extract one PDF in the child process (OCR-ing its scanned pages if ``ocr``).

        Raises:
            ExtractError: the file was refused, or the child crashed, timed out, ran out of
                memory or was cancelled (the child is then replaced).
        """
        path = Path(path)
        name = path.name or str(path)
        request = ExtractRequest(str(path.absolute()), password, self.test_hook, ocr)
        password = None
        timeout = self.timeout if ocr is None else max(self.timeout, self.ocr_timeout)
        stall = self.stall if ocr is None else max(self.stall, self.ocr_stall)
        with self._lock:
            child = self._ensure_child()
            reply = self._call(request, name, timeout=timeout, stall=stall, state=state)
            del request
            if not isinstance(reply, ExtractReply):
                self._discard()
                raise ExtractError(ExtractFailure.CRASHED,
                                   f"{name} crashed the PDF reader and was not imported")
            if reply.extraction is None:
                reason = ExtractFailure(reply.reason)
                if reason not in _HEALTHY_REFUSALS:
                    self._discard()
                self._served(child, 1)
                raise ExtractError(reason, reply.message)
            self._served(child, reply.extraction.page_count)
            if state is not None:
                state.report(progress=1.0)
            return reply.extraction


class PdfRenderWorker(_WorkerBase):
    """Renders page images in its own long-lived child process (a few documents kept open).

    Args:
        timeout: seconds allowed per page image.
        memory_limit: address-space cap of the child in bytes (POSIX only; 0 = none).
        recycle_after: images rendered before the child is replaced.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        recycle_after: int = 500,
    ) -> None:
        super().__init__(memory_limit=memory_limit, recycle_after=recycle_after)
        self.timeout = timeout

    def __enter__(self) -> PdfRenderWorker:
        return self

    def render(
        self,
        path: Path,
        page_index: int,
        zoom: float,
        *,
        max_pixels: int = 8_000_000,
        password: str | None = None,
    ) -> tuple[bytes, int, int]:
        """Render one page to PNG, zoom reduced so the image has at most ``max_pixels``.

        Returns:
            ``(png_bytes, width, height)``.

        Raises:
            ExtractError: the file is refused or the child failed; IndexError: no such page.
        """
        reply = self.render_page(path, page_index, zoom, max_pixels=max_pixels,
                                 password=password)
        return reply.png, reply.width, reply.height

    def render_page(
        self,
        path: Path,
        page_index: int,
        zoom: float,
        *,
        max_pixels: int = 8_000_000,
        password: str | None = None,
    ) -> RenderReply:
        """Like ``render``, but the whole reply, including the page size in points."""
        path = Path(path)
        request = RenderRequest(str(path.absolute()), int(page_index), float(zoom),
                                int(max_pixels), password)
        reply = self._page_call(request, path)
        if not isinstance(reply, RenderReply):
            self._discard()
            raise ExtractError(ExtractFailure.CRASHED, f"{path.name} crashed the PDF reader")
        return reply

    def words(self, path: Path, page_index: int, *, password: str | None = None) -> list[Word]:
        """The words of one page: ``[(x0, y0, x1, y1, word), ...]`` in displayed-page points.

        Raises:
            ExtractError: the file is refused or the child failed; IndexError: no such page.
        """
        return list(self.page_words(path, page_index, password=password).words)

    def page_words(
        self, path: Path, page_index: int, *, password: str | None = None
    ) -> WordsReply:
        """Like ``words``, but the whole reply, including the page size in points."""
        path = Path(path)
        request = WordsRequest(str(path.absolute()), int(page_index), password)
        reply = self._page_call(request, path)
        if not isinstance(reply, WordsReply):
            self._discard()
            raise ExtractError(ExtractFailure.CRASHED, f"{path.name} crashed the PDF reader")
        return reply

    def _page_call(self, request: object, path: Path) -> Any:
        """Send a page request; raise for a failure reply (IndexError for a bad page)."""
        name = path.name or str(path)
        with self._lock:
            child = self._ensure_child()
            reply = self._call(request, name, timeout=self.timeout, stall=self.timeout,
                               state=None)
            self._served(child, 1)
        reason = getattr(reply, "reason", "")
        if reason == "bad_page":
            raise IndexError(reply.message)
        if reason:
            failure = ExtractFailure(reason)
            if failure not in _HEALTHY_REFUSALS:
                self._discard()
            raise ExtractError(failure, reply.message)
        return reply

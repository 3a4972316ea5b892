"""Run PyMuPDF in a child process behind a tiny request/reply protocol (STYLE R5).

The parent (GUI or CLI process) never imports PyMuPDF: the child entry point imports
``indexing.pdf_extract`` itself. Requests and replies are frozen dataclasses sent over a
``multiprocessing.Pipe`` to a child started with the ``spawn`` context.

* ``PdfWorkerExtractor`` implements ``workbench.ports.Extractor``: one long-lived child for
  several documents (restarted after ``recycle_after`` documents or after a failure that may have
  left it unhealthy), a wall-clock timeout, a "no page progress" stall limit, a memory cap
  (``RLIMIT_AS`` on POSIX), cancellation through ``TaskState.cancel_requested`` (the child is
  killed at once), and crash detection (the child died: ``CRASHED`` or ``TOO_BIG``).
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
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from workbench.errors import ExtractError, ExtractFailure
from workbench.model import Extraction
from workbench.tasks import TaskState

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
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
DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024  # 1.5 GiB of address space
DEFAULT_RECYCLE_AFTER = 20
MAX_WORDS = 20_000  # per page; a pathological page must not flood the pipe

Word = tuple[float, float, float, float, str]  # x0, y0, x1, y1 in points (as displayed), text

# Refusals decided before MuPDF parsed anything leave the child healthy; any other failure
# restarts it (a damaged file may have left MuPDF's allocator fragmented or worse).
_HEALTHY_REFUSALS = {
    ExtractFailure.MISSING,
    ExtractFailure.NOT_A_FILE,
    ExtractFailure.UNREADABLE,
    ExtractFailure.EMPTY,
    ExtractFailure.NEEDS_PASSWORD,
    ExtractFailure.WRONG_PASSWORD,
}


# --- protocol -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractRequest:
    path: str
    password: str | None = field(default=None, repr=False)
    test_hook: str = ""  # tests only: "sleep", "busy", "exit", "abort", "segv", "memory"


@dataclass(frozen=True, slots=True)
class RenderRequest:
    path: str
    page_index: int
    zoom: float
    max_pixels: int = 8_000_000
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class WordsRequest:
    path: str
    page_index: int
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ExtractReply:
    extraction: Extraction | None = None
    reason: str = ""  # an ExtractFailure value when extraction is None
    message: str = ""


@dataclass(frozen=True, slots=True)
class RenderReply:
    png: bytes = b""
    width: int = 0
    height: int = 0
    reason: str = ""  # ExtractFailure value, or "bad_page"
    message: str = ""
    page_width: float = 0.0  # the page as displayed (rotation applied), in points
    page_height: float = 0.0


@dataclass(frozen=True, slots=True)
class WordsReply:
    words: tuple[Word, ...] = ()
    page_width: float = 0.0
    page_height: float = 0.0
    reason: str = ""  # ExtractFailure value, or "bad_page"
    message: str = ""


# --- child side -----------------------------------------------------------------------------


def _limit_memory(limit: int) -> None:
    if limit <= 0:
        return
    if os.name != "posix":
        # Windows has no RLIMIT_AS; a Job Object (SetInformationJobObject with
        # JOB_OBJECT_LIMIT_PROCESS_MEMORY) would do it but needs pywin32 or ctypes plumbing.
        # Until then the wall-clock and stall limits still stop runaway files there.
        return
    import resource

    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        new_hard = limit if hard == resource.RLIM_INFINITY or hard > limit else hard
        resource.setrlimit(resource.RLIMIT_AS, (min(limit, new_hard), new_hard))
    except (ValueError, OSError):  # macOS does not enforce RLIMIT_AS and may refuse it
        pass


def _run_test_hook(hook: str, conn: Connection) -> None:
    if hook == "sleep":  # a hang with no progress at all
        time.sleep(3600)
    elif hook == "busy":  # progress keeps coming but the file never finishes
        i = 0
        while True:
            conn.send(Progress(i, 10**9))
            i += 1
            time.sleep(0.05)
    elif hook == "exit":
        os._exit(3)
    elif hook == "abort":
        os.abort()
    elif hook == "segv":
        if os.name == "posix":
            os.kill(os.getpid(), signal.SIGSEGV)
        os._exit(139)
    elif hook == "memory":
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))


def _is_memory_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or "out of memory" in text or "malloc" in text


def _child_main(conn: Connection, memory_limit: int) -> None:
    """Entry point of the worker process: serve requests until told to stop (``None``)."""
    _limit_memory(memory_limit)
    # MuPDF prints its complaints on stdout, which is the CLI's stdout (and would corrupt
    # `--json`): send the child's fd 1 to stderr, and keep MuPDF's messages in its store only.
    try:
        os.dup2(2, 1)
    except OSError:  # no usable stderr (a windowed app on Windows): keep what we have
        pass
    from indexing import pdf_extract  # PyMuPDF is loaded here, in the child only

    pdf_extract.quiet_mupdf()

    docs: dict[tuple[str, float, int], Any] = {}
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        if isinstance(request, ExtractRequest):
            conn.send(_serve_extract(request, conn, pdf_extract))
        elif isinstance(request, RenderRequest):
            conn.send(_serve_render(request, pdf_extract, docs))
        elif isinstance(request, WordsRequest):
            conn.send(_serve_words(request, pdf_extract, docs))


def _serve_extract(request: ExtractRequest, conn: Connection, pdf_extract: Any) -> ExtractReply:
    name = Path(request.path).name
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or done == 0 or now - last[0] >= 0.1:
            last[0] = now
            conn.send(Progress(done, total))

    try:
        if request.test_hook:
            _run_test_hook(request.test_hook, conn)
        extraction = pdf_extract.extract_file(Path(request.path), request.password, progress)
        return ExtractReply(extraction)
    except ExtractError as exc:
        return ExtractReply(None, exc.reason.value, exc.message)
    except BaseException as exc:  # report, never die silently
        if _is_memory_error(exc):
            return ExtractReply(None, ExtractFailure.TOO_BIG.value,
                                f"{name} needs more memory than allowed and was not imported")
        return ExtractReply(None, ExtractFailure.CRASHED.value,
                            f"{name} crashed the PDF reader and was not imported "
                            f"({type(exc).__name__})")


def _open_cached(path: Path, password: str | None, pdf_extract: Any, docs: dict) -> Any:
    """An open document for ``path``, kept across requests (reopened when the file changes)."""
    st = path.stat()
    key = (str(path), st.st_mtime, st.st_size)
    doc = docs.get(key)
    if doc is None:
        doc, _ = pdf_extract.open_document(path, password)
        if len(docs) >= 4:  # a few open documents; the reader shows one plan at a time
            old_key = next(iter(docs))
            docs.pop(old_key).close()
        docs[key] = doc
    return doc


def _page_failure(exc: BaseException, path: Path, page_index: int) -> tuple[str, str]:
    """(reason, message) of a render or words request that failed."""
    if isinstance(exc, FileNotFoundError):
        return ExtractFailure.MISSING.value, f"{path.name} does not exist"
    if isinstance(exc, ExtractError):
        return exc.reason.value, exc.message
    if isinstance(exc, IndexError):
        return "bad_page", str(exc)
    if _is_memory_error(exc):
        return (ExtractFailure.TOO_BIG.value,
                f"page {page_index + 1} of {path.name} needs more memory than allowed")
    return (ExtractFailure.CRASHED.value,
            f"{path.name} crashed the PDF reader ({type(exc).__name__})")


def _serve_render(request: RenderRequest, pdf_extract: Any, docs: dict) -> RenderReply:
    path = Path(request.path)
    try:
        doc = _open_cached(path, request.password, pdf_extract, docs)
        png, w, h = pdf_extract.render_page_png(path, request.page_index, request.zoom,
                                                request.max_pixels, doc=doc)
        rect = doc.load_page(request.page_index).rect
        return RenderReply(png, w, h, page_width=float(rect.width),
                           page_height=float(rect.height))
    except BaseException as exc:  # report, never die silently
        reason, message = _page_failure(exc, path, request.page_index)
        return RenderReply(reason=reason, message=message)


def _serve_words(request: WordsRequest, pdf_extract: Any, docs: dict) -> WordsReply:
    """The page's words with boxes in displayed-page points (rotation applied, like images)."""
    path = Path(request.path)
    try:
        doc = _open_cached(path, request.password, pdf_extract, docs)
        if not 0 <= request.page_index < doc.page_count:
            raise IndexError(f"page {request.page_index} is out of range")
        page = doc.load_page(request.page_index)
        matrix = page.rotation_matrix if page.rotation else None
        words: list[Word] = []
        for x0, y0, x1, y1, text, *_rest in page.get_text("words")[:MAX_WORDS]:
            if matrix is not None:  # words come in unrotated coordinates; images are rotated
                a, b, c, d, e, f = tuple(matrix)
                xs = (a * x0 + c * y0 + e, a * x1 + c * y1 + e)
                ys = (b * x0 + d * y0 + f, b * x1 + d * y1 + f)
                x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            words.append((float(x0), float(y0), float(x1), float(y1), str(text)))
        return WordsReply(tuple(words), float(page.rect.width), float(page.rect.height))
    except BaseException as exc:  # report, never die silently
        reason, message = _page_failure(exc, path, request.page_index)
        return WordsReply(reason=reason, message=message)


# --- parent side ----------------------------------------------------------------------------


class _Child:
    """One spawned worker process and the parent end of its pipe."""

    def __init__(self, memory_limit: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_child_main, args=(child_conn, memory_limit),
                                   name="pdf-worker", daemon=True)
        self.process.start()
        child_conn.close()
        self.served = 0

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
    def __init__(self, *, memory_limit: int, recycle_after: int) -> None:
        self.memory_limit = memory_limit
        self.recycle_after = recycle_after
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
            child = self._child = _Child(self.memory_limit)
        return child

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
        while True:
            if self._abort.is_set() or (state is not None and state.cancel_requested):
                self._discard()
                raise ExtractError(ExtractFailure.CANCELLED, f"Import of {name} was cancelled")
            try:
                ready = child.conn.poll(0.05)
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
                child.served += 1
                return message
            if not child.process.is_alive():
                # the reply may still be in the pipe
                if child.conn.poll(0):
                    continue
                self._crashed(child, name)
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
        recycle_after: documents served before the child is replaced.
        test_hook: tests only; see ``ExtractRequest.test_hook``.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        stall: float = DEFAULT_STALL,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        recycle_after: int = DEFAULT_RECYCLE_AFTER,
        test_hook: str = "",
    ) -> None:
        super().__init__(memory_limit=memory_limit, recycle_after=recycle_after)
        self.timeout = timeout
        self.stall = stall
        self.test_hook = test_hook

    def __enter__(self) -> PdfWorkerExtractor:
        return self

    def extract(
        self, path: Path, *, password: str | None = None, state: TaskState | None = None
    ) -> Extraction:
        """Extract one PDF in the child process.

        Raises:
            ExtractError: the file was refused, or the child crashed, timed out, ran out of
                memory or was cancelled (the child is then replaced).
        """
        path = Path(path)
        name = path.name or str(path)
        request = ExtractRequest(str(path.absolute()), password, self.test_hook)
        password = None
        with self._lock:
            reply = self._call(request, name, timeout=self.timeout, stall=self.stall,
                               state=state)
            del request
            if not isinstance(reply, ExtractReply):
                self._discard()
                raise ExtractError(ExtractFailure.CRASHED,
                                   f"{name} crashed the PDF reader and was not imported")
            if reply.extraction is None:
                reason = ExtractFailure(reply.reason)
                if reason not in _HEALTHY_REFUSALS:
                    self._discard()
                raise ExtractError(reason, reply.message)
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
            reply = self._call(request, name, timeout=self.timeout, stall=self.timeout,
                               state=None)
        reason = getattr(reply, "reason", "")
        if reason == "bad_page":
            raise IndexError(reply.message)
        if reason:
            failure = ExtractFailure(reason)
            if failure not in _HEALTHY_REFUSALS:
                self._discard()
            raise ExtractError(failure, reply.message)
        return reply

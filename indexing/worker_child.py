"""The PDF worker's child process: serves extraction, OCR, page images and page words.

Started by ``indexing.worker`` with the ``spawn`` context; this is the only side that imports
PyMuPDF (through ``indexing.pdf_extract``, loaded in ``child_main``). It caps its own address
space with ``RLIMIT_AS`` where the platform has it (the parent's RSS watchdog covers the rest),
sends ``Progress`` while it reads pages, and answers every request with a reply: an exception
becomes a failure reply, never a silent death.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from indexing.worker_protocol import (
    MAX_WORDS,
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
from workbench.safe_text import safe_text

__all__ = ["child_main", "is_memory_error", "settle_collector"]


def _limit_memory(limit: int) -> None:
    if limit <= 0:
        return
    if os.name != "posix":  # no RLIMIT_AS: the parent's RSS watchdog enforces the limit
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
    elif hook == "memory_slow":  # resident memory that grows steadily, for the RSS watchdog
        hog = []
        while len(hog) < 48:  # 1.5 GiB at most, should the watchdog fail
            hog.append(b"\x01" * (32 * 1024 * 1024))  # bytes are written: resident at once
            conn.send(Progress(len(hog), 10**6))
            time.sleep(0.05)
        time.sleep(3600)


def is_memory_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or "out of memory" in text or "malloc" in text


def child_main(conn: Connection, memory_limit: int, use_rlimit: bool = True) -> None:
    """Entry point of the worker process: serve requests until told to stop (``None``).

    ``use_rlimit=False`` leaves the address space uncapped (tests of the parent's watchdog,
    which is what enforces ``memory_limit`` on Windows)."""
    if use_rlimit:
        _limit_memory(memory_limit)
    # MuPDF prints its complaints on stdout, which is the CLI's stdout (and would corrupt
    # `--json`): send the child's fd 1 to stderr, and keep MuPDF's messages in its store only.
    try:
        os.dup2(2, 1)
    except OSError:  # no usable stderr (a windowed app on Windows): keep what we have
        pass
    from indexing import pdf_extract  # PyMuPDF is loaded here, in the child only

    pdf_extract.quiet_mupdf()
    settle_collector()

    docs: dict[tuple[str, float, int], Any] = {}
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            _leave()
            return
        try:
            if isinstance(request, ExtractRequest):
                conn.send(_serve_extract(request, conn, pdf_extract))
            elif isinstance(request, RenderRequest):
                conn.send(_serve_render(request, pdf_extract, docs))
            elif isinstance(request, WordsRequest):
                conn.send(_serve_words(request, pdf_extract, docs))
        except (OSError, EOFError):  # a broken pipe or reset, or its kin on macOS or Windows
            # The parent is gone (killed mid-import): nobody will read a reply, and a
            # traceback here would land on the officer's terminal. Leave quietly.
            _leave()
            return


def settle_collector() -> None:
    """Tune the cyclic garbage collector for a worker, once its modules are loaded.

    What is loaded by now (PyMuPDF's bindings, our modules, their tables and patterns) lives
    as long as the process, yet every full collection walked all of it again: ``gc.freeze``
    moves it out of the collector's sight. An extraction then makes hundreds of thousands of
    short-lived dicts, lists and lines, nearly all freed by reference counting: collecting the
    young generation every 10,000 allocations instead of 700 lets most of them go before a
    collection ever walks them. Cycles are still collected. Together about 3.4 % fewer
    instructions for an extraction (callgrind, issue 12, Speed; ``gc.freeze`` alone 3.0 %).
    """
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _leave() -> None:
    """End the child at once when told to stop: it holds no files and nothing to flush (its
    replies went through the pipe), and tearing down the interpreter with MuPDF loaded cost
    ~0.1 s of CPU, which the parent's ``close`` waited for at the end of every import
    (issue 12, Speed)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # no usable stream: nothing to flush
            pass
    os._exit(0)


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
        extraction = pdf_extract.extract_file(Path(request.path), request.password, progress,
                                              ocr=request.ocr)
        return ExtractReply(extraction)
    except ExtractError as exc:
        return ExtractReply(None, exc.reason.value, exc.message)
    except BaseException as exc:  # report, never die silently
        if is_memory_error(exc):
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
    if is_memory_error(exc):
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
            words.append((float(x0), float(y0), float(x1), float(y1), safe_text(text)))
        return WordsReply(tuple(words), float(page.rect.width), float(page.rect.height))
    except BaseException as exc:  # report, never die silently
        reason, message = _page_failure(exc, path, request.page_index)
        return WordsReply(reason=reason, message=message)

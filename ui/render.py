"""Page images and page words for the reader, from the isolated render worker process.

``PageRenderer`` runs ``indexing.worker.PdfRenderWorker`` calls on its own single thread (not the
DB thread, so a long import never stalls the reader), keeps the latest request only (a newer
request replaces a queued one), decodes the PNG into a ``QImage`` on that thread (``QImage`` is
safe off the GUI thread, ``QPixmap`` is not) and caches recent images and word lists. The GUI
process never parses a PDF itself.

High DPI: ``request(..., dpr=2.0)`` renders ``zoom * dpr`` device pixels per point and marks the
image with ``setDevicePixelRatio(dpr)``, so it is drawn at its logical size and stays crisp.

Signals:
    page_rendered(object, int, float, QImage): (path, page index, scale, image), GUI thread;
        ``scale`` is the image's logical pixels per PDF point (the requested zoom, unless the
        pixel cap reduced it).
    render_failed(object, int, str): (path, page index, message), GUI thread.
    words_ready(object, int, object): (path, page index, ``[(x0, y0, x1, y1, word), ...]`` in
        points), GUI thread; an empty list when the words could not be read.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

if TYPE_CHECKING:  # the worker lives in indexing and starts lazily (a process)
    from indexing.worker import PdfRenderWorker

log = logging.getLogger(__name__)

MAX_PIXELS = 16_000_000
CACHE_SIZE = 24
WORDS_CACHE_SIZE = 64

Key = tuple[str, int, float, float]  # path, page index, zoom, device pixel ratio
WordsKey = tuple[str, int]
Word = tuple[float, float, float, float, str]


class PageRenderer(QObject):
    """Latest-request-wins page rendering with a small image cache."""

    page_rendered = Signal(object, int, float, QImage)
    render_failed = Signal(object, int, str)
    words_ready = Signal(object, int, object)
    _finished = Signal(object, object, float, str)  # key, QImage | None, scale, error
    _words_finished = Signal(object, object)  # words key, list of words

    def __init__(self, parent: QObject | None = None,
                 worker: PdfRenderWorker | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        self._cache: OrderedDict[Key, tuple[QImage, float]] = OrderedDict()
        self._words: OrderedDict[WordsKey, list[Word]] = OrderedDict()
        self._pending: Future[None] | None = None
        self._pending_words: Future[None] | None = None
        self._latest: Key | None = None
        self._latest_words: WordsKey | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._busy = 0
        self._finished.connect(self._on_finished)
        self._words_finished.connect(self._on_words_finished)

    def request(self, path: Path, page_index: int, zoom: float, dpr: float = 1.0) -> None:
        key: Key = (str(path), int(page_index), round(float(zoom), 3),
                    round(max(1.0, float(dpr)), 2))
        self._latest = key
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.page_rendered.emit(Path(key[0]), key[1], cached[1], cached[0])
            return
        if self._closed:
            return
        if self._pending is not None and self._pending.cancel():
            self._busy -= 1
        self._busy += 1
        self._pending = self._pool.submit(self._render, key)

    def request_words(self, path: Path, page_index: int) -> None:
        """Ask for a page's words (``words_ready`` follows); the latest request wins."""
        key: WordsKey = (str(path), int(page_index))
        self._latest_words = key
        cached = self._words.get(key)
        if cached is not None:
            self._words.move_to_end(key)
            self.words_ready.emit(Path(key[0]), key[1], cached)
            return
        if self._closed:
            return
        if self._pending_words is not None and self._pending_words.cancel():
            self._busy -= 1
        self._busy += 1
        self._pending_words = self._pool.submit(self._read_words, key)

    def _render(self, key: Key) -> None:
        path, page_index, zoom, dpr = key
        try:
            worker = self._ensure_worker()
            reply = worker.render_page(Path(path), page_index, zoom * dpr, max_pixels=MAX_PIXELS)
            png, page_width = reply.png, reply.page_width
            image = QImage.fromData(png, "PNG")
            if image.isNull():
                raise ValueError("the page image could not be decoded")
            image.setDevicePixelRatio(dpr)
            # logical pixels per point: the requested zoom unless the pixel cap reduced it
            scale = image.width() / dpr / page_width if page_width > 0 else zoom
            self._finished.emit(key, image, scale, "")
        except Exception as exc:  # shown in the reader, never a crash
            log.warning("page render failed: %s", exc)
            self._finished.emit(key, None, 0.0, str(exc) or type(exc).__name__)

    def _read_words(self, key: WordsKey) -> None:
        try:
            worker = self._ensure_worker()
            words = list(worker.words(Path(key[0]), key[1]))
        except Exception as exc:  # no highlights on the image, never a crash
            log.warning("page words failed: %s", exc)
            words = None  # not cached: the next request tries again
        self._words_finished.emit(key, words)

    def _ensure_worker(self) -> PdfRenderWorker:  # started on first use
        with self._lock:
            if self._worker is None:
                from indexing.worker import PdfRenderWorker  # lazy start

                self._worker = PdfRenderWorker()
            return self._worker

    @Slot(object, object, float, str)
    def _on_finished(self, key: Key, image: QImage | None, scale: float, error: str) -> None:
        self._busy = max(0, self._busy - 1)
        if self._closed:
            return
        if image is not None:
            self._cache[key] = (image, scale)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            if key == self._latest:
                self.page_rendered.emit(Path(key[0]), key[1], scale, image)
        elif key == self._latest:
            self.render_failed.emit(Path(key[0]), key[1], error)

    @Slot(object, object)
    def _on_words_finished(self, key: WordsKey, words: list[Word] | None) -> None:
        self._busy = max(0, self._busy - 1)
        if self._closed:
            return
        if words is not None:
            self._words[key] = words
            while len(self._words) > WORDS_CACHE_SIZE:
                self._words.popitem(last=False)
        if key == self._latest_words:
            self.words_ready.emit(Path(key[0]), key[1], words or [])

    def is_idle(self) -> bool:
        return self._busy == 0

    def close(self) -> None:
        """Stop the render thread and the worker process."""
        if self._closed:
            return
        self._closed = True
        for pending in (self._pending, self._pending_words):
            if pending is not None:
                pending.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()

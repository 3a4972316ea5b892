"""Page images for the reader, from the isolated render worker process (never MuPDF here).

``PageRenderer`` runs ``indexing.worker.PdfRenderWorker.render`` on its own single thread (not the
DB thread, so a long import never stalls the reader), keeps the latest request only (a newer
request replaces a queued one), decodes the PNG into a ``QImage`` on that thread (``QImage`` is
safe off the GUI thread, ``QPixmap`` is not) and caches recent images.

Signals:
    page_rendered(object, int, float, QImage): (path, page index, zoom, image), GUI thread.
    render_failed(object, int, str): (path, page index, message), GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

MAX_PIXELS = 12_000_000
CACHE_SIZE = 24

Key = tuple[str, int, float]


class PageRenderer(QObject):
    """Latest-request-wins page rendering with a small image cache."""

    page_rendered = Signal(object, int, float, QImage)
    render_failed = Signal(object, int, str)
    _finished = Signal(object, object, str)  # key, QImage | None, error (from the render thread)

    def __init__(self, parent: QObject | None = None, worker: object | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        self._cache: OrderedDict[Key, QImage] = OrderedDict()
        self._pending: Future[None] | None = None
        self._latest: Key | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._busy = 0
        self._finished.connect(self._on_finished)

    def request(self, path: Path, page_index: int, zoom: float) -> None:
        key: Key = (str(path), int(page_index), round(float(zoom), 3))
        self._latest = key
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.page_rendered.emit(Path(key[0]), key[1], key[2], cached)
            return
        if self._closed:
            return
        if self._pending is not None and self._pending.cancel():
            self._busy -= 1
        self._busy += 1
        self._pending = self._pool.submit(self._render, key)

    def _render(self, key: Key) -> None:
        try:
            worker = self._ensure_worker()
            png, _w, _h = worker.render(Path(key[0]), key[1], key[2], max_pixels=MAX_PIXELS)
            image = QImage.fromData(png, "PNG")
            if image.isNull():
                raise ValueError("the page image could not be decoded")
            self._finished.emit(key, image, "")
        except Exception as exc:  # shown in the reader, never a crash
            log.warning("page render failed: %s", exc)
            self._finished.emit(key, None, str(exc) or type(exc).__name__)

    def _ensure_worker(self):  # noqa: ANN202 - the worker type lives in indexing
        with self._lock:
            if self._worker is None:
                from indexing.worker import PdfRenderWorker  # noqa: PLC0415 - lazy start

                self._worker = PdfRenderWorker()
            return self._worker

    @Slot(object, object, str)
    def _on_finished(self, key: Key, image: QImage | None, error: str) -> None:
        self._busy = max(0, self._busy - 1)
        if self._closed:
            return
        if image is not None:
            self._cache[key] = image
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            if key == self._latest:
                self.page_rendered.emit(Path(key[0]), key[1], key[2], image)
        elif key == self._latest:
            self.render_failed.emit(Path(key[0]), key[1], error)

    def is_idle(self) -> bool:
        return self._busy == 0

    def close(self) -> None:
        """Stop the render thread and the worker process."""
        if self._closed:
            return
        self._closed = True
        if self._pending is not None:
            self._pending.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        worker = self._worker
        self._worker = None
        close = getattr(worker, "close", None)
        if close is not None:
            close()

"""A Whoosh writer fed while an import runs (issue 12, Speed).

The index is written on its own thread as each document is committed to SQLite, instead of in
one pass on one core after the last document: the workers extract the next files meanwhile.

SQLite stays the only source of truth. The feed only writes passages that the caller read back
from the database after their commit, and nothing it writes is visible before ``finish()``
commits. The caller then runs the usual fingerprint sync (``WhooshSearchIndex.sync``), which
finds the fed passages current and fixes whatever changed since they were read (relations,
metadata, replaced versions). A kill mid-import leaves the index at its previous commit and its
recorded revision behind the library's, so the next open syncs it (``ensure_index_current``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from workbench.model import IndexDoc

log = logging.getLogger(__name__)

_END = None
LOCK_WAIT_S = 3.0  # as search_index.LOCK_WAIT_S


class IndexFeed:
    """One Whoosh writer and the thread that feeds it.

    Args:
        writer: an open Whoosh writer; this object ends it (``commit`` or ``cancel``).
        fields: ``IndexDoc`` -> the Whoosh document (``search_index.doc_fields``).
        release: called once the writer has ended (the index's write lock).
    """

    def __init__(self, writer, fields: Callable[[IndexDoc], dict[str, object]],
                 release: Callable[[], None]) -> None:
        self._writer = writer
        self._fields = fields
        self._release = release
        self._queue: queue.SimpleQueue[Sequence[IndexDoc] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._ended = False
        self._end_lock = threading.Lock()
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="index-feed", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, lock: threading.Lock, make_writer: Callable[[], object],
             fields: Callable[[IndexDoc], dict[str, object]],
             on_end: Callable[[], None]) -> IndexFeed | None:
        """Take the index's write ``lock`` and a writer; ``None`` when either is unavailable
        (the caller's sync at the end then writes everything)."""
        if not lock.acquire(timeout=LOCK_WAIT_S):
            return None
        try:
            writer = make_writer()
        except Exception as exc:  # locked by another process, or damaged
            lock.release()
            log.info("no index feed (%s: %s)", type(exc).__name__, exc)
            return None

        def release() -> None:
            on_end()
            lock.release()

        return cls(writer, fields, release)

    def put(self, docs: Sequence[IndexDoc]) -> None:
        """Queue passages already committed to the database (ignored once ended)."""
        if not self._ended and docs:
            self._queue.put(list(docs))

    def _run(self) -> None:
        while (docs := self._queue.get()) is not _END:
            if self._error is not None:
                continue  # drain: the writer is cancelled at the end
            try:
                for doc in docs:
                    # update, not add: a key may be in the index from an earlier state
                    self._writer.update_document(**self._fields(doc))
                    self.written += 1
            except BaseException as exc:  # reported at finish(); the sync repairs
                self._error = exc

    def finish(self) -> bool:
        """Write what is queued and commit. Returns False when the feed failed and was
        cancelled (the caller's sync then writes those passages itself)."""
        return self._end(commit=True)

    def cancel(self) -> None:
        """Drop everything fed (the index keeps its last commit)."""
        self._end(commit=False)

    def _end(self, *, commit: bool) -> bool:
        with self._end_lock:
            if self._ended:
                return self._error is None
            self._ended = True
            self._queue.put(_END)
            self._thread.join()
            try:
                if commit and self._error is None:
                    if self.written:  # no empty generation when nothing was imported
                        self._writer.commit()
                    else:
                        self._writer.cancel()
                    return True
                if self._error is not None:
                    log.warning("the index feed failed (%s: %s); the sync will write it",
                                type(self._error).__name__, self._error)
                self._writer.cancel()
                return False
            except Exception as exc:  # a failed commit: the cache stays at its last commit
                log.warning("the index feed could not commit (%s: %s)", type(exc).__name__, exc)
                self._error = exc
                try:
                    self._writer.cancel()
                except Exception:  # already failing; the sync repairs
                    log.debug("cancelling the index feed failed", exc_info=True)
                return False
            finally:
                self._release()

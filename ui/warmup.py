"""Sentence vectors prepared in the background, so the review, compare and lineage views open fast.

After a library opens, after an import and after an edit, and once the window has been quiet for
``DELAY_MS``, ``VectorWarmup`` asks the database thread for the plans' passage texts (a quick
read, ``workbench.matching.warmup.plan_texts``) and embeds the ones with no vector yet on a
thread of its own (``warm``). Not on the database thread: that would queue every save behind
seconds of model work. Progress shows in a status-bar label ("Preparing suggestions: 120 of 900
passages"); closing the window or switching libraries cancels it between chunks, and whatever
was finished stays in the library's vector cache. With the meaning signal switched off
(``WORKBENCH_EMBEDDINGS=off``) nothing runs.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ui.ops import OpContext
from ui.ops.records import records
from workbench.errors import Cancelled
from workbench.matching.embedding import enabled
from workbench.matching.service import vector_folder
from workbench.matching.warmup import plan_texts, warm
from workbench.tasks import TaskState

log = logging.getLogger(__name__)

DELAY_MS = 2000
"""Quiet time before a warm-up starts (start-up, an import's last rows, a burst of edits)."""
POLL_MS = 250
AUTOSTART = True
"""False in the UI tests (tests/ui/conftest.py): most of them close the window within
seconds, and a warm-up per window would only burn the CI's cores. Its own test sets it."""


class VectorWarmup(QObject):
    """Embeds the open library's passages in the background; shows progress in ``label``."""

    def __init__(self, ctx: OpContext, label: QLabel) -> None:
        super().__init__(ctx)
        self._ctx = ctx
        self._label = label
        self._state: TaskState | None = None
        self._thread: threading.Thread | None = None
        self._again = False
        self.embedded = 0  # passages embedded by the last finished run (tests, status)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(DELAY_MS)
        self._delay.timeout.connect(self._start)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        ctx.library_changed.connect(self._on_library_changed)
        ctx.changes_applied.connect(lambda *_args: self.schedule())

    def schedule(self) -> None:
        """Warm up once the window has been quiet for ``DELAY_MS`` (restarts the wait)."""
        if AUTOSTART and enabled():
            self._delay.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel a running warm-up and wait for it to stop (between two chunks)."""
        self._delay.stop()
        if self._state is not None:
            self._state.request_cancel()
        if self._thread is not None:
            self._thread.join(timeout)
        self._poll.stop()
        self._label.setText("")

    # -- steps -----------------------------------------------------------------------------

    def _on_library_changed(self, _root: Path) -> None:
        self.stop()
        self.schedule()

    def _start(self) -> None:
        if self.running:  # texts changed while embedding: go again when this run ends
            self._again = True
            return
        self._ctx.executor.submit(self._collect, on_done=self._embed,
                                  on_error=lambda exc: log.warning("warm-up: %s", exc))

    @staticmethod
    def _collect(wb: Any) -> tuple[dict[str, list[str]], Path | None]:  # the database thread
        return plan_texts(records(wb)), vector_folder(wb.store)

    def _embed(self, found: tuple[dict[str, list[str]], Path | None]) -> None:
        texts, folder = found
        state = self._state = TaskState()

        def run() -> None:
            try:
                self.embedded = warm(texts, folder, state)
            except Cancelled:
                pass
            except Exception:  # derived data: a failure costs speed later, never work
                log.exception("warm-up of sentence vectors failed")

        self._thread = threading.Thread(target=run, name="vector-warmup", daemon=True)
        self._thread.start()
        self._poll.start()

    def _on_poll(self) -> None:
        if self._state is None:
            return
        if self.running:
            _progress, status = self._state.snapshot()
            self._label.setText(status if status.startswith("Preparing") else "")
            return
        self._poll.stop()
        self._label.setText("")
        if self._again:
            self._again = False
            self._start()

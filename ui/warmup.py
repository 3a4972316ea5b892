"""Sentence vectors prepared in the background, so the review, compare and lineage views open fast.

After a library opens, after an import and after an edit that changes a plan's outline, and once
the window has been quiet for ``DELAY_MS``, ``VectorWarmup`` asks the database thread for those
plans' passage texts (a quick read, ``workbench.matching.warmup.plan_texts``) and embeds the ones
with no vector yet on a thread of its own (``warm``). Not on the database thread: that would queue
every save behind seconds of model work. One warm-up runs at a time; what is asked for meanwhile
waits for it and runs next. Progress shows in a status-bar label ("Preparing suggestions: 120 of
900 passages"); switching libraries cancels it between two chunks without waiting, closing the
window cancels it and waits for the chunk in hand, and whatever was finished stays in the
library's vector cache. With no per-text meaning model (``WORKBENCH_EMBEDDINGS=off``, WordLlama)
nothing runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ui.ops import OpContext
from ui.ops.records import records
from workbench.errors import Cancelled
from workbench.matching.embedding import enabled
from workbench.matching.service import vector_folder
from workbench.matching.warmup import plan_texts, warm, warmable
from workbench.records import Changes
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
        self._pending = False  # texts being collected on the database thread
        self._all = False  # wanted next: every plan, or
        self._plans: set[str] = set()  # these plans
        self.embedded = 0  # passages prepared by the last finished run (tests, status)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(DELAY_MS)
        self._delay.timeout.connect(self._start)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        ctx.library_changed.connect(self._on_library_changed)
        ctx.changes_applied.connect(self._on_changes)

    def schedule(self, plans: Iterable[str] | None = None) -> None:
        """Warm up ``plans`` (None: every plan) once the window has been quiet for
        ``DELAY_MS`` (restarts the wait); after the running warm-up, if there is one."""
        if not (AUTOSTART and enabled()):
            return
        if plans is None:
            self._all = True
        else:
            self._plans.update(plans)
        if (self._all or self._plans) and not self.busy:
            self._delay.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def busy(self) -> bool:
        """Collecting texts or embedding them."""
        return self._pending or self.running

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel a running warm-up and wait for it to stop (after the chunk in hand)."""
        self._delay.stop()
        self._all, self._plans = False, set()
        if self._state is not None:
            self._state.request_cancel()
        if self._thread is not None:
            self._thread.join(timeout)
        self._poll.stop()
        self._label.setText("")

    # -- steps -----------------------------------------------------------------------------

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.plan_list:
            self.schedule()
        elif changes.plans:  # content or outline changed; annotations and links do not count
            self.schedule(changes.plans)

    def _on_library_changed(self, _root: Path) -> None:
        self._delay.stop()
        if self._state is not None:
            self._state.request_cancel()  # no waiting here: the poll starts the next run
        self._all, self._plans = False, set()
        self.schedule()

    def _start(self) -> None:
        if self.busy:  # the running warm-up's end starts the next one
            return
        slugs = None if self._all else sorted(self._plans)
        self._all, self._plans = False, set()
        self._pending = True
        self._ctx.executor.submit(lambda wb: self._collect(wb, slugs), on_done=self._embed,
                                  on_error=self._on_collect_failed)

    @staticmethod
    def _collect(wb: Any, slugs: list[str] | None) -> tuple[dict[str, list[str]], Path | None] | None:
        if not warmable():  # the database thread: keep it short when there is nothing to do
            return None
        return plan_texts(records(wb), slugs), vector_folder(wb.store)

    def _on_collect_failed(self, exc: BaseException) -> None:
        self._pending = False
        log.warning("warm-up: %s", exc)

    def _embed(self, found: tuple[dict[str, list[str]], Path | None] | None) -> None:
        self._pending = False
        if found is None:
            return
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
        if self.running and self._state is not None:
            _progress, status = self._state.snapshot()
            self._label.setText(status if status.startswith("Preparing") else "")
            return
        self._poll.stop()
        self._label.setText("")
        if self._all or self._plans:  # asked for while this one ran
            self._delay.start()

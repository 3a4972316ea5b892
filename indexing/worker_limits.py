"""The PDF worker's memory watchdog, portable to Windows (issue 15).

``RLIMIT_AS`` caps the child's address space on Linux, but Windows has no such limit, so a
decompression bomb there was stopped only by the clock. ``MemoryWatchdog`` runs in the parent:
each poll of the request loop it reads the child's resident memory (psutil, at most every
``interval`` seconds) and says when it is over the limit; the caller then ends the child and
refuses the file with the same one-line message as an ``RLIMIT_AS`` failure. psutil is used
rather than hand-written ``/proc`` and ``GetProcessMemoryInfo`` code: one maintained call,
the same on every platform.
"""

from __future__ import annotations

import os
import time

import psutil

__all__ = ["MemoryWatchdog", "process_handle", "resident_memory", "rlimit_enabled"]


def rlimit_enabled() -> bool:
    """False when ``WORKBENCH_NO_RLIMIT=1``: the child runs uncapped and only the watchdog
    holds the limit (how Windows behaves; used to test the watchdog on Linux)."""
    return os.environ.get("WORKBENCH_NO_RLIMIT", "") not in ("1", "true", "yes")


def process_handle(pid: int | None) -> psutil.Process | None:
    """A psutil handle on process ``pid`` (None if there is none), to keep with a worker child:
    making one reads ``/proc`` each time, and an import asked twice a document (issue 12,
    Speed). The child is reaped only when it is discarded, so its pid is not reused while the
    handle is kept."""
    if pid is None:
        return None
    try:
        return psutil.Process(pid)
    except (psutil.Error, OSError):
        return None


def resident_memory(pid: int | psutil.Process | None) -> int:
    """The resident memory of process ``pid`` (or of a ``process_handle``) in bytes (0 if it
    cannot be read)."""
    if pid is None:
        return 0
    try:
        process = pid if isinstance(pid, psutil.Process) else psutil.Process(pid)
        return int(process.memory_info().rss)
    except (psutil.Error, OSError):
        return 0


class MemoryWatchdog:
    """Polls one process's resident memory against ``limit`` bytes (0 = no limit); ``pid`` may
    be a ``process_handle``."""

    def __init__(self, pid: int | psutil.Process | None, limit: int, *,
                 interval: float = 0.1) -> None:
        self.limit = limit
        self.interval = interval
        self.peak = 0
        self._next = 0.0
        self._process: psutil.Process | None = None
        if pid is not None and limit > 0:
            self._process = pid if isinstance(pid, psutil.Process) else process_handle(pid)

    def over_limit(self) -> bool:
        """True once the process's resident memory exceeds the limit."""
        if self._process is None:
            return False
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self.interval
        try:
            rss = self._process.memory_info().rss
        except (psutil.Error, OSError):  # it ended: the request loop notices that itself
            return False
        self.peak = max(self.peak, rss)
        return rss > self.limit

"""Event-loop lateness probe shared by the window benchmarks (bench_ui, bench_ocr)."""

from __future__ import annotations

import time


def lateness_probe(interval_ms: int = 10):
    """A stopped ``QTimer`` ticking every ``interval_ms`` and the list it fills with how late
    (ms) each tick fired: the window's event loop was busy for that long. Call ``start()``."""
    from PySide6.QtCore import QTimer

    lateness: list[float] = []
    last = [time.perf_counter()]
    probe = QTimer()
    probe.setInterval(interval_ms)

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - interval_ms))
        last[0] = now

    probe.timeout.connect(tick)
    return probe, lateness

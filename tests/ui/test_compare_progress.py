"""The Compare tab while a first comparison is slow: progress, Cancel, and a close that does not wait.

Why: in a fresh library the first comparison of a plan pair embeds every passage of both plans
(30 to 70 s on a busy two-core machine, measured in round 9). The panel used to say
"Aligning sections and commitments…" for all of it, with no figure and no way to stop, and
closing the window waited for the whole comparison (the job had no ``TaskState``, so the DB
thread's shutdown let it run to the end). The real DB thread runs here; the slow embedding is a
stand-in that reports progress and stops when cancelled, as ``warm`` does between chunks.
"""

from __future__ import annotations

import time

import pytest

from ui.ops import compare as compare_ops

pytestmark = pytest.mark.threads  # the comparison must run on the real DB thread

REFORMING = "reforming-kent-2025"


class SlowFirstTime:
    """The stand-in's calls (the texts it was asked to embed) and how each call ended."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.ends: list[str] = []


@pytest.fixture
def slow_first_time(monkeypatch):
    slow = SlowFirstTime()

    def slow_warm(texts, folder, state):
        slow.calls.append(sorted(texts))
        state.report(0.25, "Preparing suggestions: 8 of 32 passages")
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                state.raise_if_cancelled()
                time.sleep(0.02)
        except BaseException:
            slow.ends.append("cancelled")
            raise
        slow.ends.append("ran to the end")
        return 0

    monkeypatch.setattr(compare_ops, "warmable", lambda: True, raising=False)
    monkeypatch.setattr(compare_ops, "warm", slow_warm, raising=False)
    return slow


def _first_comparison_under_way(qtbot, open_window, library):
    """The window comparing the sample plans for the first time, the stand-in at 25 %."""
    window = open_window(library)
    window.compare_plan(REFORMING)
    panel = window.compare_panel
    qtbot.waitUntil(lambda: panel.progress_bar.value() == 25, timeout=10000)
    return window, panel


def test_first_comparison_shows_progress_and_can_be_cancelled(qtbot, open_window,
                                                              sample_library, slow_first_time):
    window, panel = _first_comparison_under_way(qtbot, open_window, sample_library)
    assert slow_first_time.calls == [["framing-kents-future-2022", REFORMING]]  # both plans, once
    assert panel.progress_bar.isVisible() and panel.cancel_button.isVisible()
    assert "first time" in panel.summary_label.text() and "25 %" in panel.summary_label.text()
    assert panel.is_busy()

    panel.cancel_button.click()
    assert "cancelled" in panel.summary_label.text()
    assert not panel.is_busy() and not panel.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.ctx.executor.is_idle(), timeout=5000)
    assert slow_first_time.ends == ["cancelled"]  # the DB thread is free again, not after 60 s
    assert panel.alignment is None and panel.pair_model.rowCount() == 0


def test_closing_the_window_does_not_wait_for_a_first_comparison(qtbot, open_window,
                                                                 sample_library, slow_first_time):
    window, panel = _first_comparison_under_way(qtbot, open_window, sample_library)
    window.close()
    assert slow_first_time.ends == ["cancelled"]  # stopped by the close, not run to its end

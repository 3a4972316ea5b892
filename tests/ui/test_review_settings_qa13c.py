"""The review tab remembers "Move on after a verdict" across restarts (qa13c, round 13).

Why: an officer who unticks it (to stay on a commitment while giving it several verdicts) found
it ticked again after every restart, while the plan pair beside it was remembered; the next
verdict then moved on unexpectedly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QSettings

from tests.lineage.synth import add_plan
from ui import compose
from ui.main_window import TAB_LIBRARY, TAB_REVIEW


@pytest.fixture
def small_library(tmp_path) -> Path:
    root = tmp_path / "small-library"
    wb = compose.open_workbench(root)
    for i, year in enumerate(("2020", "2022")):
        add_plan(wb.store, f"plan-{year}", year,
                 [(f"Priority {n}", [f"We will do thing {n} in {year}."]) for n in range(2)],
                 salt=str(i))
    compose.close_workbench(wb)
    return root


def _review(window):
    window.tabs.setCurrentIndex(TAB_REVIEW)
    panel = window.review_panel
    panel.ensure_built()
    return panel


def test_move_on_after_a_verdict_is_remembered(qtbot, open_window, small_library):
    window = open_window(small_library)
    panel = _review(window)
    assert panel.advance_check.isChecked()  # the default
    panel.advance_check.setChecked(False)
    window.close()
    assert QSettings().value("review/advance") is not None

    again = open_window(small_library)
    assert not _review(again).advance_check.isChecked()
    again.review_panel.advance_check.setChecked(True)
    again.close()
    assert _review(open_window(small_library)).advance_check.isChecked()


def test_a_session_that_never_built_the_tab_keeps_the_choice(qtbot, open_window,
                                                             small_library):
    window = open_window(small_library)
    _review(window).advance_check.setChecked(False)
    window.tabs.setCurrentIndex(TAB_LIBRARY)  # the next session opens on the library tab
    window.close()
    unbuilt = open_window(small_library)  # never shows the review tab
    assert not unbuilt.review_panel.is_built
    unbuilt.close()
    assert not _review(open_window(small_library)).advance_check.isChecked()


@pytest.mark.parametrize("key", ["accept_top", "reject_top", "mark_dropped", "next",
                                 "previous"])
def test_a_verdict_key_pressed_while_busy_says_nothing_was_saved(qtbot, open_window,
                                                                 small_library, key):
    """A, R, D, N or Shift+N pressed while the review is loading or saving was dropped
    without a word: the officer could believe a verdict was recorded."""
    window = open_window(small_library)
    panel = _review(window)
    qtbot.waitUntil(lambda: panel.state is not None and not panel.is_busy(), timeout=15000)
    said: list[str] = []
    panel.status_message.connect(said.append)
    panel._writing = True  # a save still on its way
    try:
        getattr(panel, key)()
    finally:
        panel._writing = False
    assert said and "nothing was saved" in said[-1].lower(), said
    assert panel.dialog is None  # no rationale asked for a verdict that cannot be written

"""The search panel's results line: what is filtered, and why there are no results.

Why: a plan filter left on from an earlier search silently hides hits; "0 results" alone does
not tell a person whether to rephrase or to clear the filters.
"""

from __future__ import annotations

from tests.ui.test_window_keyboard import small_library  # noqa: F401 - the fixture


def _search_dock(qtbot, open_window, library):
    """The window on ``library`` with its search dock shown and its plan filter filled."""
    window = open_window(library)
    window.focus_search()
    panel = window.search_panel
    qtbot.waitUntil(lambda: len(panel._plan_actions) == 3, timeout=10000)
    return window, panel


def _search(qtbot, panel, text: str) -> None:
    with qtbot.waitSignal(panel.search_finished, timeout=15000):
        panel.set_query(text, immediately=True)


def test_an_active_plan_filter_shows_in_the_results_line(qtbot, open_window, small_library):  # noqa: F811
    window, panel = _search_dock(qtbot, open_window, small_library)
    _search(qtbot, panel, "thing")
    everywhere = panel.last_result.total
    assert panel.count_label.text() == f"{everywhere} result(s)"  # no filter: nothing said
    panel.set_plan_filter(["plan-2022"])
    _search(qtbot, panel, "thing")
    assert 0 < panel.last_result.total < everywhere
    assert panel.count_label.text() == f"{panel.last_result.total} result(s) · in Plan 2022"


def test_zero_results_say_why(qtbot, open_window, small_library):  # noqa: F811
    window, panel = _search_dock(qtbot, open_window, small_library)
    _search(qtbot, panel, "zeppelin")
    assert panel.count_label.text() == "No results: no passage in any plan matches “zeppelin”."

    panel.date_from_edit.setText("2030")
    panel.date_to_edit.setText("2031")
    _search(qtbot, panel, "thing")
    qtbot.waitUntil(lambda: "exclude them all" in panel.count_label.text(), timeout=10000)
    assert "published 2030–2031" in panel.count_label.text()

    panel.date_from_edit.setText("2024")
    panel.date_to_edit.setText("2020")
    _search(qtbot, panel, "thing")
    assert "ends before it starts" in panel.count_label.text()
    qtbot.waitUntil(lambda: window.ctx.executor.is_idle(), timeout=10000)


def test_no_results_with_a_notice_says_the_notice_and_a_long_query_is_cut(
        qtbot, open_window, small_library):  # noqa: F811
    """A lone quote mark read "No results: no passage in any plan matches “"”.. Type a word or
    phrase to search for" (a contradiction and a double stop); a pasted page of text was quoted
    whole in the results line, which pushed the results out of the dock."""
    window, panel = _search_dock(qtbot, open_window, small_library)
    _search(qtbot, panel, '"')
    assert panel.count_label.text() == "No results. Type a word or phrase to search for"
    _search(qtbot, panel, "zeppelin " * 50)
    text = panel.count_label.text()
    assert text.startswith("No results: no passage in any plan matches “zeppelin zeppelin")
    assert len(text) < 160 and "…”" in text
    qtbot.waitUntil(lambda: window.ctx.executor.is_idle(), timeout=10000)

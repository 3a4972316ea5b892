"""Saved searches are library records: the search panel writes them to the library (the CLI
lists them), and those the window kept in QSettings are adopted once, on first run."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from tests.conftest import run_cli
from ui.panels.search import SAVED_ADOPTED_KEY

LEGACY = {"id": "6c1b2a8e-0d7e-4a8e-9a51-5f8e1b7c2d10", "name": "Net zero in 2022",
          "query": "net zero", "plans": ["framing-kents-future-2022"], "kinds": [],
          "date_from": "", "date_to": "", "sort": "relevance", "relations": [],
          "statuses": []}


def cli_searches(library) -> list[dict]:
    proc = run_cli("searches", "--json", library=library)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def open_panel(qtbot, open_window, library):
    window = open_window(library)
    panel = window.search_panel
    panel.ensure_built()
    return window, panel


def test_searches_kept_in_qsettings_move_into_the_library_once(qtbot, open_window,
                                                                sample_library):
    QSettings().setValue("search/saved", json.dumps([LEGACY]))
    window, panel = open_panel(qtbot, open_window, sample_library)
    qtbot.waitUntil(lambda: panel.saved_searches() != [], timeout=20000)
    assert [e["id"] for e in panel.saved_searches()] == [LEGACY["id"]]
    assert QSettings().value(SAVED_ADOPTED_KEY, False, type=bool)
    window.close()
    [saved] = cli_searches(sample_library)
    assert (saved["uuid"], saved["name"], saved["filters"]["plans"]) == (
        LEGACY["id"], LEGACY["name"], LEGACY["plans"])
    window, panel = open_panel(qtbot, open_window, sample_library)  # a second start
    qtbot.waitUntil(lambda: panel.saved_searches() != [], timeout=20000)
    window.close()
    assert len(cli_searches(sample_library)) == 1


def test_a_search_saved_in_the_window_is_listed_by_the_cli(qtbot, open_window, sample_library):
    window, panel = open_panel(qtbot, open_window, sample_library)
    panel.set_query("climate emergency", immediately=True)
    with qtbot.waitSignal(panel.status_message, timeout=20000) as saved:
        entry = panel.save_current("Climate")
    assert "Climate" in saved.args[0]
    assert entry in panel.saved_searches()
    window.close()
    [listed] = cli_searches(sample_library)
    assert (listed["uuid"], listed["name"], listed["query"]) == (
        entry["id"], "Climate", "climate emergency")

"""UI fixtures: isolated settings and data folders, the real window, and a leak guard.

Why each piece exists:
* QSettings is pointed (INI format) into ``tmp_path``, so no test reads or writes the user's
  settings, and "settings restored on reopen" can be checked against a clean slate.
* ``WORKBENCH_LIBRARY`` and ``ui.compose.data_dir`` point into ``tmp_path`` too.
* ``_no_dangling_work`` fails a test that leaves a job queued or running on one of *our*
  executors: ask the executors themselves (a ``QThreadPool`` check proves nothing here).
* ``_inline_db_thread``: the DB executor runs each job at once on the GUI thread
  (``ui.executor.InlinePool``; callbacks still come through the event loop), because most
  tests check what a window shows, not how work crosses threads, and the handoffs only slow
  them down. A test of threading itself (ordering behind a slow job, cancel while running,
  close during a save) is marked ``@pytest.mark.threads`` and gets the real DB thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from ui import compose, executor
from ui.executor import live_executors


@pytest.fixture(autouse=True)
def _isolated_settings(qapp, tmp_path, monkeypatch):
    qapp.setOrganizationName("PlanWorkbenchTests")
    qapp.setApplicationName("Plan Workbench Tests")
    settings_dir = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(settings_dir))
    monkeypatch.setenv("WORKBENCH_LIBRARY", str(tmp_path / "library-from-env"))
    monkeypatch.setattr(compose, "data_dir", lambda: tmp_path / "data")
    yield


@pytest.fixture(autouse=True)
def _inline_db_thread(request, monkeypatch):
    if request.node.get_closest_marker("threads") is None:
        monkeypatch.setattr(executor, "make_pool", executor.InlinePool)


@pytest.fixture(autouse=True)
def _no_background_warmup(monkeypatch):
    """No sentence-vector warm-up per window (``ui.warmup.AUTOSTART``); its test turns it on."""
    from ui import warmup

    monkeypatch.setattr(warmup, "AUTOSTART", False)


@pytest.fixture(autouse=True)
def _no_dangling_work(qapp, qtbot):
    yield
    try:
        qtbot.waitUntil(lambda: all(e.is_idle() for e in live_executors()), timeout=5000)
    except Exception:  # the assertion below gives the useful message
        pass
    busy = [e.root for e in live_executors() if not e.is_idle()]
    assert not busy, f"a job outlived its test on {busy}: wait with qtbot, or close the window"


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings()


@pytest.fixture
def open_window(qtbot, settings):
    """Factory: the real main window on a library folder; closed (and joined) at teardown."""
    from ui.main_window import MainWindow

    windows = []

    def make(root: Path) -> MainWindow:
        window = MainWindow(root, settings=QSettings())
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.library_panel.model.rowCount() > 0, timeout=15000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()

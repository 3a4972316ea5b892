"""The window's composition root: ``run(library)`` starts Qt and opens the main window.

Which library opens: the ``library`` argument, else ``compose.default_library()``, the one the
CLI opens too (``$WORKBENCH_LIBRARY``, else the last one used, else ``<user data>/library``),
which on first run is filled with the bundled sample plans in the background (progress after
~600 ms, Cancel) while the window is already usable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ui import compose, preferences
from workbench.library import ENV_LIBRARY

ORGANISATION = "PlanWorkbench"
APPLICATION = "Plan Workbench"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    from ui.icons import icon  # needs the QApplication

    app.setWindowIcon(icon("app"))
    app.setDesktopFileName("plan-workbench")
    return app  # type: ignore[return-value]


def choose_library(library: Path | None, settings: QSettings) -> tuple[Path, bool]:
    """The library to open, and whether it is the sample library (filled on first run)."""
    if library is not None:
        return Path(library).expanduser(), False
    env = os.environ.get(ENV_LIBRARY, "").strip()
    if env:
        return Path(env).expanduser(), False
    # the window kept the last library in QSettings before the CLI shared the choice
    preferences.adopt_window_settings(user=settings.value("user/name", ""),
                                      library=settings.value("library/last", ""))
    root = compose.default_library()
    return root, root in (compose.data_dir() / compose.LIBRARY_DIR, compose.sample_library_dir())


def open_main_window(library: Path | None = None):  # MainWindow, lazily imported
    """Create and show the main window (the QApplication must exist); None if the library
    could not be opened and the user chose Quit in the recovery dialog."""
    from ui import reliability_ui
    from ui.main_window import MainWindow, load_stylesheet, write_actions

    app = QApplication.instance()
    settings = QSettings()
    root, is_sample = choose_library(library, settings)
    if isinstance(app, QApplication) and not app.styleSheet():
        app.setStyleSheet(load_stylesheet())
    # a damaged, too-new or locked library gets the recovery dialog before any window exists
    check = reliability_ui.open_library_checked(root)
    if check is None:
        return None  # the user chose Quit
    is_sample = is_sample and check.root == root
    window = MainWindow(check.root, settings=settings)
    reliability_ui.prepare_window(window, check, write_actions(window))  # notices, read-only
    window.show()
    if is_sample:
        window.fill_sample_if_empty()
    return window


def run(library: Path | None = None) -> int:
    app = make_application()
    window = open_main_window(library)
    if window is None:
        return 1
    code = app.exec()
    del window
    return code

"""The window and ``workbench`` open one default library, and the CLI follows the window.

Both resolve the default the real way here: ``ui.compose.data_dir`` is put back to platformdirs
(tests/ui/conftest.py points it into tmp_path), under the temporary HOME, XDG_* and
LOCALAPPDATA folders that tests/conftest.py sets, so nothing real is read or written. The CLI
runs as a separate process, as a user would run it, without ``--library``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from ui import app, compose

REAL_DATA_DIR = compose.data_dir  # before tests/ui/conftest.py replaces it for each test


@pytest.fixture
def real_user_dirs(monkeypatch):
    monkeypatch.setattr(compose, "data_dir", REAL_DATA_DIR)
    monkeypatch.delenv("WORKBENCH_LIBRARY", raising=False)
    home = Path(os.environ["HOME"])
    default = compose.default_library()
    temporary = [Path(os.environ[k]) for k in ("HOME", "XDG_DATA_HOME", "LOCALAPPDATA")]
    assert any(default.is_relative_to(t) for t in temporary), "not the temporary user folders"
    return home, default


def slugs_in_window(window) -> set[str]:
    return {p.slug for p in window.library_panel.model.plans()}


def test_the_window_and_the_cli_open_the_same_default_library(
        qtbot, real_user_dirs, sample_library_master, tmp_path):
    _home, default = real_user_dirs
    shutil.copytree(sample_library_master, default)  # as the window's first run leaves it
    window = app.open_main_window(None)
    qtbot.addWidget(window)
    try:
        assert window.ctx.root == default
        qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 5, timeout=60000)
        shown = slugs_in_window(window)
    finally:
        window.close()
    proc = run_cli("plans", "--json")
    assert proc.returncode == 0, proc.stderr
    assert {p["slug"] for p in json.loads(proc.stdout)} == shown and len(shown) == 5


def test_the_cli_follows_the_library_the_window_switched_to(
        qtbot, real_user_dirs, sample_library_master, tmp_path):
    _home, default = real_user_dirs
    shutil.copytree(sample_library_master, default)
    other = tmp_path / "other-library"
    shutil.copytree(sample_library_master, other)
    window = app.open_main_window(None)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 5, timeout=60000)
        window.library_actions.switch_library(other)
        qtbot.waitUntil(lambda: window.ctx.root == other, timeout=10000)
    finally:
        window.close()
    proc = run_cli("remove", "reforming-kent-2025", "--json")  # acts on the window's library
    assert proc.returncode == 0, proc.stderr
    default_plans = json.loads(run_cli("plans", "--json", "--library", str(default)).stdout)
    other_plans = json.loads(run_cli("plans", "--json", "--library", str(other)).stdout)
    assert "reforming-kent-2025" in {p["slug"] for p in default_plans}
    assert "reforming-kent-2025" not in {p["slug"] for p in other_plans}

"""Shared fixtures. Qt runs offscreen; no test can touch the user's real data folder.

The sample library (the five bundled Kent plans) is imported once per session and copied for
each test that changes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED_PLANS = REPO.parent / "shared" / "plans"  # the dev data beside a checkout (../shared)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().casefold() in ("1", "true", "yes")


def sample_plans_dir(kind: str = "pdfs") -> Path:
    """Where the sample plans are, found through the repository, never an absolute path.

    ``"pdfs"``: the bundled ``resources/sample`` (the five PDFs and manifest.json), always in a
    checkout. ``"texts"``: ``../shared/plans`` relative to the repository root (the dev data
    set: PDFs in pdf/, their texts as *.txt, manifest.json), which only a dev machine has.
    Missing: the test is skipped, except in CI (``CI=true``), where it fails, so a test that
    reads the plans can never pass there by not running.
    """
    folder = {"pdfs": REPO / "resources" / "sample", "texts": SHARED_PLANS}[kind]
    if not (folder / "manifest.json").is_file():
        message = f"the sample plans ({kind}) are not at {folder}"
        if in_ci():
            pytest.fail(message + " (CI=true: a missing data set fails, it never skips)")
        pytest.skip(message)
    return folder


SAMPLE_DIR = REPO / "resources" / "sample"  # bundled with the code; sample_plans_dir() checks it
WORKBENCH = Path(sys.executable).with_name("workbench")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point every user folder at a temporary one, so tests never see real libraries."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "appdata"))
    monkeypatch.setenv("APPDATA", str(home / "appdata"))
    monkeypatch.delenv("WORKBENCH_LIBRARY", raising=False)
    yield


def run_cli(*args: str, library: Path | None = None, check: bool = False, timeout: float = 300):
    """Run the installed ``workbench`` command as a user would; return CompletedProcess."""
    cmd = [str(WORKBENCH) if WORKBENCH.exists() else sys.executable, *(
        [] if WORKBENCH.exists() else ["-m", "ui.cli"])]
    cmd += list(args)
    if library is not None:
        cmd += ["--library", str(library)]
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = "error::DeprecationWarning"
    proc = subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=env,
        cwd=REPO, check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def sample_library_master(tmp_path_factory) -> Path:
    """A library with the five sample plans imported through the real pipeline, built once,
    its sentence vectors prepared (``workbench prepare``) so that every copy's suggest and
    compare read them instead of running the model again in each test's process."""
    root = tmp_path_factory.mktemp("sample-master") / "library"
    run_cli("import", str(sample_plans_dir()), library=root, check=True)
    backups = root / "backups"
    before = set(backups.iterdir()) if backups.is_dir() else set()
    run_cli("prepare", library=root, check=True)
    for path in set(backups.iterdir()) - before if backups.is_dir() else ():
        path.unlink()  # the daily backup this second opening took: the library is as imported
    return root


@pytest.fixture
def sample_library(sample_library_master, tmp_path) -> Path:
    """A private copy of the sample library for one test."""
    root = tmp_path / "library"
    shutil.copytree(sample_library_master, root)
    return root

"""The project installs as a normal package and every dependency imports cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

DEPENDENCIES = ["PySide6.QtWidgets", "pymupdf", "whoosh", "sqlite_utils", "platformdirs",
                "rapidfuzz", "docx", "openpyxl", "bm25s", "Stemmer", "numpy", "psutil"]


def test_every_dependency_imports_with_warnings_as_errors(tmp_path):
    code = "; ".join(f"import {m}" for m in DEPENDENCIES)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(tmp_path))
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr


def test_non_editable_install_finds_our_packages_and_the_sample_library(tmp_path):
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheel_dir.glob("*.whl")
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, check=False,
    )
    assert install.returncode == 0, install.stderr
    code = (
        "import ui, ui.cli, db.store, indexing, export, workbench, resources\n"
        "from importlib import resources as r\n"
        "from pathlib import Path\n"
        "print(Path(ui.__file__).parent.parent)\n"
        "sample = r.files('resources') / 'sample'\n"
        "print(sorted(p.name for p in sample.iterdir()))\n"
        "print((r.files('resources') / 'synonyms.tsv').is_file())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    where, names, synonyms = proc.stdout.splitlines()
    assert Path(where) == target
    assert "manifest.json" in names and "reforming-kent-2025.pdf" in names
    assert synonyms == "True"

"""The optional compiled build of the per-page analysis (issue 12, Speed; ``indexing.native``,
``scripts/build_native.py``): used only while it is current, and then by the worker."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import psutil
import pytest

from indexing import native
from indexing.worker import PdfWorkerExtractor
from tests.pdfgen import Page, heading, lorem, make_pdf, para

PACKAGE = Path(native.__file__).resolve().parent
SUFFIX = native.stamp_for(PACKAGE)["suffix"]


def fake_build(tmp_path: Path) -> Path:
    """A copy of the compiled modules' sources with a (fake) build that is current."""
    package = tmp_path / "indexing"
    package.mkdir(parents=True)
    for name in native.MODULES:
        shutil.copy(PACKAGE / f"{name}.py", package / f"{name}.py")
    folder = package / native.BUILD / "indexing"
    folder.mkdir(parents=True)
    for name in native.MODULES:
        (folder / f"{name}{SUFFIX}").write_bytes(b"")
    (package / native.BUILD / native.STAMP).write_text(json.dumps(native.stamp_for(package)))
    return package


def test_a_current_build_is_used(tmp_path):
    package = fake_build(tmp_path)
    assert native.native_folder(package) == package / native.BUILD / "indexing"


def test_no_build_means_the_python_sources(tmp_path):
    package = fake_build(tmp_path)
    shutil.rmtree(package / native.BUILD)
    assert native.native_folder(package) is None


def test_a_source_edited_after_the_build_disables_the_whole_build(tmp_path):
    package = fake_build(tmp_path)
    source = package / "cleanup.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert native.native_folder(package) is None


def test_a_build_for_another_python_or_a_missing_module_is_not_used(tmp_path):
    package = fake_build(tmp_path)
    stamp = package / native.BUILD / native.STAMP
    other = {**json.loads(stamp.read_text()), "suffix": ".cpython-399-x86_64-linux-gnu.so"}
    stamp.write_text(json.dumps(other))
    assert native.native_folder(package) is None
    package = fake_build(tmp_path / "again")
    (package / native.BUILD / "indexing" / f"lines{SUFFIX}").unlink()
    assert native.native_folder(package) is None
    (package / native.BUILD / native.STAMP).write_text("{not json")
    assert native.native_folder(package) is None


def _built() -> bool:
    return native.native_folder(PACKAGE) is not None


# The set-up script builds it where a C compiler exists (CI's Linux); elsewhere it is optional.
needs_build = pytest.mark.skipif(
    not _built() and not (os.environ.get("CI") and sys.platform.startswith("linux")),
    reason="no compiled build here (optional: scripts/build_native.py)")


@needs_build
def test_the_worker_runs_the_compiled_analysis(tmp_path):
    pdf = make_pdf(tmp_path / "p.pdf", [Page([heading("Plan"), para(lorem(40))])])
    with PdfWorkerExtractor(timeout=60) as w:
        extraction = w.extract(pdf)
        mapped = {Path(m.path).name for m in psutil.Process(w.pid).memory_maps()}
    assert extraction.pages
    # the compiled code of all the modules lives in the group's library (each module's own
    # small extension only points at it, and is loaded only when imported from Python)
    assert f"page_analysis__mypyc{SUFFIX}" in mapped
    assert f"pdf_extract{SUFFIX}" in mapped

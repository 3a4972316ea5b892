"""The PDF worker process: bad files, limits, crashes, cancellation, recycling, rendering.

One extractor is shared by the module (a spawn costs ~0.5 s); tests that kill the child use
their own, so the limits are exercised without slowing the rest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from indexing.worker import PdfRenderWorker, PdfWorkerExtractor
from tests.pdfgen import (
    Page,
    blank_pages_pdf,
    encrypted_pdf,
    heading,
    image_only_pdf,
    lorem,
    make_pdf,
    para,
    truncated_copy,
)
from workbench.errors import ExtractError, ExtractFailure
from workbench.tasks import TaskState

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "sample"
F = ExtractFailure


@pytest.fixture(scope="module")
def worker():
    with PdfWorkerExtractor(timeout=60) as w:
        yield w


def small_pdf(path: Path) -> Path:
    return make_pdf(path, [Page([heading("A plan"), para("We will mend roads."),
                                 para(lorem(200))]) for _ in range(3)])


def refused(worker, path, **kw) -> ExtractError:
    with pytest.raises(ExtractError) as info:
        worker.extract(path, **kw)
    return info.value


def run_script(script: Path, source: str, timeout: float = 60):
    """Run ``source`` as a script of its own from the checkout root, as a user's process."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    script.write_text(source, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=timeout, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})


def test_parent_never_loads_pymupdf():
    import subprocess

    code = ("import sys; from indexing.worker import PdfWorkerExtractor; "
            f"w = PdfWorkerExtractor(); e = w.extract(__import__('pathlib').Path({str(SAMPLES / 'reforming-kent-2025.pdf')!r})); "
            "w.close(); print(len(e.pages), 'pymupdf' in sys.modules, 'fitz' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2], check=True)
    assert out.stdout.split() == ["17", "False", "False"]


def test_worker_child_does_not_import_the_main_script(tmp_path):
    """spawn re-imports the parent's main script in a child unless told not to; the worker
    must not pay for the application's imports (issue 12, Speed)."""
    marker = tmp_path / "imported-as-mp-main"
    out = run_script(
        tmp_path / "main_script.py",
        "import sys\n"
        "from pathlib import Path\n"
        f"if __name__ != '__main__': Path({str(marker)!r}).write_text(__name__)\n"
        "from indexing.worker import PdfWorkerExtractor\n"
        "if __name__ == '__main__':\n"
        "    w = PdfWorkerExtractor()\n"
        f"    print(w.extract(Path({str(small_pdf(tmp_path / 'a.pdf'))!r})).page_count)\n"
        "    w.close()\n", timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3"]
    assert not marker.exists()  # the child never ran the main script


def test_a_stopped_child_skips_interpreter_teardown(tmp_path):
    """Told to stop, the child ends at once (``_leave``: streams flushed, no teardown of the
    interpreter and MuPDF, which cost ~0.1 s at the end of every import; issue 12, Speed)."""
    out = run_script(
        tmp_path / "stop.py",
        "import atexit, sys\n"
        "from indexing import worker_child\n"
        "atexit.register(lambda: print('teardown', file=sys.stderr))\n"
        "class Conn:\n"
        "    def recv(self): return None\n"
        "left = worker_child._leave\n"
        "def leave():\n"
        "    print('leaving', file=sys.stderr)\n"
        "    left()\n"
        "worker_child._leave = leave\n"
        "worker_child.child_main(Conn(), 0, use_rlimit=False)\n"
        "print('returned', file=sys.stderr)\n")
    assert out.returncode == 0, out.stderr
    assert "leaving" in out.stderr
    assert "teardown" not in out.stderr and "returned" not in out.stderr
    with PdfWorkerExtractor() as w:  # and a real child, stopped by close(), exits cleanly
        assert w.extract(small_pdf(tmp_path / "a.pdf")).page_count == 3
        child = w._child
        assert child is not None
        w.close()
        assert child.process.exitcode == 0


def test_a_child_whose_parent_died_leaves_without_a_traceback(tmp_path):
    """``kill -9`` on the CLI during an import: the child's next progress or reply finds the
    pipe broken. It must end quietly, not print "Process pdf-worker: Traceback ...
    BrokenPipeError" on the officer's terminal (qa13c, round 13)."""
    pdf = small_pdf(tmp_path / "a.pdf")
    out = run_script(
        tmp_path / "orphan.py",
        "import sys\n"
        "from indexing import worker_child\n"
        "from indexing.worker_protocol import ExtractRequest\n"
        "class Conn:\n"
        "    calls = 0\n"
        "    def recv(self):\n"
        "        Conn.calls += 1\n"
        f"        return ExtractRequest({str(pdf)!r}) if Conn.calls == 1 else None\n"
        "    def send(self, obj): raise BrokenPipeError(32, 'Broken pipe')\n"
        "worker_child.child_main(Conn(), 0, use_rlimit=False)\n")
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 0, out.stderr


def test_child_keeps_its_loaded_modules_out_of_the_collector(tmp_path):
    """Once PyMuPDF and the analysis are loaded, the child freezes them out of the cyclic
    collector's walks and collects the young generation less often, but still automatically
    (issue 12, Speed)."""
    out = run_script(
        tmp_path / "collector.py",
        "import gc, sys\n"
        "from indexing import worker_child\n"
        "class Conn:\n"
        "    def recv(self):\n"
        "        runs = []\n"
        "        gc.callbacks.append(lambda phase, info: phase == 'start'\n"
        "                            and info['generation'] == 0 and runs.append(1))\n"
        "        kept = [[] for _ in range(25_000)]\n"  # containers: the young generation fills
        "        print('GC:', gc.get_freeze_count(), gc.get_threshold()[0], gc.isenabled(),\n"
        "              len(runs), file=sys.stderr)\n"
        "        return None\n"
        "worker_child.child_main(Conn(), 0, use_rlimit=False)\n")
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stderr.splitlines() if ln.startswith("GC:"))
    frozen, threshold, enabled, young_runs = line.split()[1:]
    assert int(frozen) > 10_000  # PyMuPDF's bindings and our modules
    assert (int(threshold), enabled) == (10_000, "True")
    assert 1 <= int(young_runs) <= 3  # still collected automatically, every 10,000 allocations


def test_sample_through_worker_with_progress(worker):
    state = TaskState()
    e = worker.extract(SAMPLES / "framing-kents-future-2022.pdf", state=state)
    assert e.page_count == 25 and state.progress == 1.0
    assert any(s.heading == "Priority 1: Levelling up Kent" for s in e.sections)


@pytest.mark.parametrize("content, reason, words", [
    (b"", F.EMPTY, "is empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, F.NOT_PDF, "is not a PDF"),
    (b"<!doctype html><html><body><h1>Plan</h1><p>We will.</p></body></html>", F.NOT_PDF,
     "is not a PDF"),
    (b"PK\x03\x04" + os.urandom(200), F.NOT_PDF, "is not a PDF"),
    (b"%PDF-1.7\n" + b"garbage " * 20, F.DAMAGED, "is damaged"),
], ids=["empty", "png", "html", "zip", "pdf-header-garbage"])
def test_bad_bytes(worker, tmp_path, content, reason, words):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    err = refused(worker, path)
    assert err.reason == reason and words in err.message and "bad.pdf" in err.message


def test_real_png_renamed(worker, tmp_path):
    import pymupdf  # test side only: make a genuine PNG

    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    path = tmp_path / "photo.pdf"
    path.write_bytes(pix.tobytes("png"))
    assert refused(worker, path).reason == F.NOT_PDF


def test_missing_directory_unreadable(worker, tmp_path):
    assert refused(worker, tmp_path / "nope.pdf").reason == F.MISSING
    (tmp_path / "dir.pdf").mkdir()
    assert refused(worker, tmp_path / "dir.pdf").reason == F.NOT_A_FILE
    if os.name == "posix" and os.geteuid() != 0:
        locked = small_pdf(tmp_path / "locked.pdf")
        locked.chmod(0)
        assert refused(worker, locked).reason == F.UNREADABLE


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_pdf_is_repaired_or_damaged(worker, tmp_path, fraction):
    src = small_pdf(tmp_path / "full.pdf")
    cut = truncated_copy(src, tmp_path / "cut.pdf", fraction)
    try:
        e = worker.extract(cut)
    except ExtractError as err:
        assert err.reason == F.DAMAGED and "is damaged" in err.message
    else:
        assert e.repaired and e.warnings  # imported, with a "repaired" notice


def test_encrypted_with_user_password(worker, tmp_path):
    path = encrypted_pdf(tmp_path / "secret.pdf", "pw123")
    err = refused(worker, path)
    assert err.reason == F.NEEDS_PASSWORD and "password-protected" in err.message
    err = refused(worker, path, password="wrong")
    assert err.reason == F.WRONG_PASSWORD and "secret.pdf" in err.message
    e = worker.extract(path, password="pw123")
    assert "Secret plan" in e.pages[0].text
    assert "pw123" not in repr(e)


def test_owner_password_only_records_copy_restriction(worker, tmp_path):
    import pymupdf

    path = make_pdf(tmp_path / "owner.pdf", [Page([heading("Plan"), para("Text.")])],
                    owner_password="owner", permissions=pymupdf.PDF_PERM_PRINT)
    e = worker.extract(path)
    assert e.copy_restricted


def test_image_only_pages_flagged(worker, tmp_path):
    path = image_only_pdf(tmp_path / "scan.pdf", 3, text_pages=[1])
    e = worker.extract(path)
    assert e.needs_ocr_pages == (0, 2)


def test_blank_pages_and_awkward_names(worker, tmp_path):
    path = blank_pages_pdf(tmp_path / "-leading dash ünïcode plan.pdf", 2000)
    e = worker.extract(path)
    assert e.page_count == 2000 and not e.needs_ocr_pages and not e.commitments
    named = tmp_path / "- Kent plan (final) – v2 ✓.pdf"
    shutil.copy(SAMPLES / "reforming-kent-2025.pdf", named)
    assert worker.extract(named).page_count == 17


def test_recycling_by_pages_served_replaces_the_child_ahead_of_need(tmp_path):
    path = small_pdf(tmp_path / "a.pdf")  # 3 pages
    with PdfWorkerExtractor(recycle_after=6, recycle_rss=0) as w:
        w.extract(path)
        first = w.pid
        w.extract(path)  # 6 pages served: worn out
        second = w.pid
        assert second != first
        # the successor was started with the reply, before any document asked for it
        assert w._child is not None and w._child.process.is_alive()
        assert w.extract(path).page_count == 3
        assert w.pid == second
    with PdfWorkerExtractor(recycle_after=7, recycle_rss=0) as w:
        w.extract(path)
        first = w.pid
        w.extract(path)  # 6 of 7 pages: the same child serves on
        assert w.pid == first


def test_warm_up_starts_the_child_that_serves_the_first_request(tmp_path):
    path = small_pdf(tmp_path / "a.pdf")
    with PdfWorkerExtractor() as w:
        assert w.pid is None  # nothing runs until asked
        w.warm_up()
        started = w.pid
        assert started is not None and w._child is not None and w._child.process.is_alive()
        w.warm_up()  # a running child is kept
        assert w.pid == started
        assert w.extract(path).page_count == 3
        assert w.pid == started  # the first document did not wait for another spawn


def test_recycling_by_resident_memory(tmp_path):
    path = small_pdf(tmp_path / "a.pdf")
    with PdfWorkerExtractor(recycle_rss=10**12) as w:  # far above any real child
        w.extract(path)
        first = w.pid
        w.extract(path)
        assert w.pid == first
    with PdfWorkerExtractor(recycle_rss=1) as w:  # every child is over one byte
        w.extract(path)
        first = w.pid
        w.extract(path)
        assert w.pid != first


def test_a_refusal_counts_towards_recycling(tmp_path):
    missing = tmp_path / "missing.pdf"
    with PdfWorkerExtractor(recycle_after=2, recycle_rss=0) as w:
        refused(w, missing)
        first = w.pid
        refused(w, missing)
        assert w.pid != first


def test_timeout_on_hang(tmp_path):
    path = small_pdf(tmp_path / "a.pdf")
    with PdfWorkerExtractor(stall=0.5, timeout=30, test_hook="sleep") as w:
        err = refused(w, path)
    assert err.reason == F.TIMEOUT and "a.pdf" in err.message


def test_wall_clock_timeout_despite_progress(tmp_path):
    path = small_pdf(tmp_path / "a.pdf")
    with PdfWorkerExtractor(stall=5, timeout=1.0, test_hook="busy") as w:
        err = refused(w, path)
    assert err.reason == F.TIMEOUT


@pytest.mark.parametrize("hook", ["exit", "abort", "segv"])
def test_crash_is_reported_and_worker_recovers(tmp_path, hook):
    path = small_pdf(tmp_path / "boom.pdf")
    with PdfWorkerExtractor(test_hook=hook) as w:
        err = refused(w, path)
        assert err.reason == F.CRASHED
        assert err.message == "boom.pdf crashed the PDF reader and was not imported"
        w.test_hook = ""
        assert w.extract(path).page_count == 3  # a fresh child serves the next file


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_AS is POSIX only")
def test_memory_limit(tmp_path):
    path = small_pdf(tmp_path / "big.pdf")
    with PdfWorkerExtractor(memory_limit=512 * 1024 * 1024, test_hook="memory") as w:
        err = refused(w, path)
    assert err.reason == F.TOO_BIG and "needs more memory than allowed" in err.message


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_memory_watchdog_holds_the_limit_without_rlimit(tmp_path, monkeypatch, how):
    """Issue 15: Windows has no RLIMIT_AS; the parent's RSS watchdog ends a child over the
    limit with the same one-line refusal. Tested here with RLIMIT_AS switched off."""
    path = small_pdf(tmp_path / "big.pdf")
    kw: dict = {"use_rlimit": False} if how == "argument" else {}
    if how == "environment":
        monkeypatch.setenv("WORKBENCH_NO_RLIMIT", "1")
    limit = 300 * 1024 * 1024
    with PdfWorkerExtractor(memory_limit=limit, test_hook="memory_slow", timeout=30, stall=30,
                            **kw) as w:
        assert not w.use_rlimit
        started = time.monotonic()
        err = refused(w, path)
        assert err.reason == F.TOO_BIG, err.message
        assert err.message == "big.pdf needs more memory than allowed and was not imported"
        assert time.monotonic() - started < 20  # ended by the watchdog, not by the clock
        assert limit < w.last_peak_rss < limit + 200 * 1024 * 1024
        assert w.pid is None  # the child was ended
        w.test_hook = ""
        assert w.extract(path).page_count == 3  # and a fresh one serves the next file


def test_cancel_kills_child_promptly(tmp_path):
    path = small_pdf(tmp_path / "a.pdf")
    state = TaskState()
    with PdfWorkerExtractor(stall=60, timeout=60, test_hook="sleep") as w:
        threading.Timer(0.3, state.request_cancel).start()
        t0 = time.monotonic()
        err = refused(w, path, state=state)
        assert err.reason == F.CANCELLED
        assert time.monotonic() - t0 < 2.0 + 0.3 + 5.0  # generous hang guard incl. spawn
        assert w.pid is None


def test_render_worker_clamps_pixels(tmp_path):
    path = SAMPLES / "reforming-kent-2025.pdf"
    with PdfRenderWorker() as r:
        png, w, h = r.render(path, 0, 2.0)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and (w, h) == (1190, 1684)
        png, w, h = r.render(path, 0, 50.0, max_pixels=1_000_000)
        assert w * h <= 1_000_000 and w > 500
        with pytest.raises(IndexError):
            r.render(path, 99, 1.0)
        with pytest.raises(ExtractError) as info:
            r.render(tmp_path / "missing.pdf", 0, 1.0)
        assert info.value.reason == F.MISSING


def test_in_memory_read_gives_the_same_extraction_as_reading_from_disk(tmp_path, monkeypatch):
    # issue 12, Speed: a small PDF is read once, hashed and parsed from memory; the result
    # (text, units, sha256, repair notes) is the one parsing the file from disk gives
    from indexing import pdf_extract

    sample = sorted(SAMPLES.glob("*.pdf"))[0]
    broken = truncated_copy(sample, tmp_path / "broken.pdf", 0.6)
    import pymupdf

    for path in (sample, broken):
        # seen where MuPDF is given the file: a compiled pdf_extract (indexing.native) calls
        # its own functions directly, so a patched _read_small would not be seen
        from_bytes: list[bool] = []
        real = pymupdf.open
        monkeypatch.setattr(pymupdf, "open", lambda *a, real=real, seen=from_bytes, **k:
                            seen.append("stream" in k) or real(*a, **k))
        in_memory = pdf_extract.extract_file(path)
        assert from_bytes == [True]
        monkeypatch.setattr(pdf_extract, "IN_MEMORY_BYTES", 0)
        from_disk = pdf_extract.extract_file(path)
        assert from_bytes == [True, False]
        monkeypatch.undo()
        assert in_memory == from_disk
        assert in_memory.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()



def test_drawings_are_listed_only_for_pages_whose_text_pass_saw_vector_paths(tmp_path,
                                                                             monkeypatch):
    # issue 12, Speed: the text pass collects vector paths (TEXT_COLLECT_VECTORS); a page
    # without any skips get_cdrawings(), a page with a ruled table still gets its grid
    import pymupdf

    from indexing import pdf_extract
    from tests.pdfgen import Table

    rows = [["Action", "Owner", "Date"], ["Build homes", "Housing", "2026"],
            ["Fix roads", "Highways", "2027"]]
    pdf = make_pdf(tmp_path / "t.pdf", [Page([heading("Plan"), para(lorem(40))]),
                                        Page([heading("Actions"), Table(rows)])])
    listed: list[int] = []
    real = pymupdf.Page.get_cdrawings
    monkeypatch.setattr(pymupdf.Page, "get_cdrawings",
                        lambda page, *a, **k: listed.append(page.number) or real(page, *a, **k))
    pdf_extract.extract_file(pdf)
    assert listed == [1]
    doc, _sha = pdf_extract.open_document(pdf, None)
    gate = pdf_extract.pdf_regions.DrawingsGate()
    try:
        pages = [pdf_extract._read_page(doc, i, gate) for i in range(2)]
    finally:
        doc.close()
    assert not any(ln.kind for ln in pages[0].lines)
    assert {ln.text for ln in pages[1].lines if ln.kind == "table"} >= {"Build homes", "2027"}

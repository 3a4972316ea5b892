"""OCR benchmark (issue 15; not a test). Prints a small markdown table.

* A 20-page scanned plan is generated: 20 pages of a sample plan rendered at 150 dpi (grey)
  into an image-only PDF.
* Baseline: a plain script running Tesseract through PyMuPDF on the same pages
  (``page.get_textpage_ocr(dpi=150, full=True)`` then the page's text), timed inside its own
  process around the page loop only (interpreter start and imports excluded).
* Ours: ``Workbench.ocr_plan`` on the imported scan, wall clock from the call to its return:
  worker start, the whole extraction, OCR, clean-up/segmentation/commitments, the new
  version's transaction, re-anchoring and the index update.
* Window: the "OCR the scanned pages" action on the same plan in the real window, with a 10 ms
  ``QTimer`` probe recording how late each tick fires (event-loop lateness).

Baseline and ours alternate (``--rounds``, default 1) in one run, so they share the machine's
load. The GUI process never imports PyMuPDF: the generator and the baseline run as children.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ocr.py [--pages 20] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qt_probe import lateness_probe  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SOURCE = REPO / "resources" / "sample" / "framing-kents-future-2022.pdf"
DPI = 150

GENERATE = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.reliability.hostile_files import scan_of
scan_of(Path({src!r}), Path({out!r}), list(range({pages})), dpi={dpi})
"""

BASELINE = """
import json, sys, time
import pymupdf
doc = pymupdf.open({path!r})
chars = 0
t0 = time.perf_counter()
for page in doc:
    tp = page.get_textpage_ocr(dpi={dpi}, full=True, language="eng")
    chars += len(page.get_text(textpage=tp))
print(json.dumps({{"seconds": time.perf_counter() - t0, "chars": chars}}))
"""


def baseline(scan: Path) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", BASELINE.format(path=str(scan), dpi=DPI)],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["seconds"], data["chars"]


def ours(library: Path, slug: str) -> tuple[float, str]:
    from ui import compose
    from workbench.model import OcrSettings

    wb = compose.open_workbench(library)
    try:
        t0 = time.perf_counter()
        outcome = wb.ocr_plan(slug, OcrSettings("eng", DPI))
        seconds = time.perf_counter() - t0
    finally:
        compose.close_workbench(wb)
    assert outcome.status == "imported", outcome
    return seconds, outcome.message


def window_lateness(library: Path, slug: str, tmp: Path) -> tuple[float, list[float]]:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("PlanWorkbenchBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "s"))
    from ui.main_window import MainWindow

    def wait_until(predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline)
                              and loop.quit())
        timer.start(5)
        loop.exec()
        timer.stop()

    window = MainWindow(library, settings=QSettings())
    window.resize(1400, 900)
    window.show()
    panel = window.library_panel
    wait_until(lambda: panel.model.row_of(slug) >= 0, 60)
    panel.select_slug(slug)
    ocr = window.ocr
    ocr.show_messages = False
    probe, lateness = lateness_probe(10)
    t0 = time.perf_counter()
    probe.start()
    ocr.action.trigger()
    wait_until(lambda: ocr.last_outcome is not None, 1800)
    probe.stop()
    seconds = time.perf_counter() - t0
    assert ocr.last_outcome is not None and ocr.last_outcome.status == "imported"
    window.close()
    app.processEvents()
    return seconds, lateness


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-window", action="store_true", help="skip the lateness probe")
    args = parser.parse_args()
    from indexing.ocr_data import ocr_unavailable_reason

    if reason := ocr_unavailable_reason():
        print(reason)
        return 1
    from ui.cli import main as cli

    tmp = Path(tempfile.mkdtemp(prefix="workbench-bench-ocr-"))
    scan = tmp / "scanned-plan.pdf"
    subprocess.run([sys.executable, "-c", GENERATE.format(
        repo=str(REPO), src=str(SOURCE), out=str(scan), pages=args.pages, dpi=DPI)], check=True)
    master = tmp / "master"
    assert cli(["import", str(scan), "--library", str(master)]) == 0
    base_times, our_times = [], []
    message = ""
    chars = 0
    for n in range(args.rounds):
        seconds, chars = baseline(scan)
        base_times.append(seconds)
        library = tmp / f"library-{n}"
        shutil.copytree(master, library)
        seconds, message = ours(library, "scanned-plan")
        our_times.append(seconds)
    base, us = statistics.median(base_times), statistics.median(our_times)
    rows = [
        (f"Plain script: PyMuPDF + Tesseract, {args.pages} pages at {DPI} dpi",
         f"{base:.1f} s ({base / args.pages:.2f} s/page, {chars} characters)", "—"),
        ("Workbench OCR of the same plan (worker, pipeline, new version, index)",
         f"{us:.1f} s ({us / base:.2f}× the plain script)", "≤ 1.2×"),
    ]
    if not args.no_window:
        library = tmp / "library-window"
        shutil.copytree(master, library)
        seconds, lateness = window_lateness(library, "scanned-plan", tmp)
        rows.append(("Window OCR action, same plan", f"{seconds:.1f} s", "—"))
        rows.append(("Event-loop lateness during the window's OCR (10 ms probe)",
                     f"p99 {percentile(lateness, 0.99):.1f} ms, max {max(lateness):.1f} ms "
                     f"({len(lateness)} ticks)", "p99 ≤ 100 ms"))
    print(f"\n{message}\n")
    print("| Measure | Result | Target |")
    print("|---|---|---|")
    for measure, result, target in rows:
        print(f"| {measure} | {result} | {target} |")
    print(f"\nrounds={args.rounds}; baseline runs {[round(t, 1) for t in base_times]} s, "
          f"ours {[round(t, 1) for t in our_times]} s; cpus={os.cpu_count()}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""UI responsiveness benchmark (not a test). Prints a small markdown table.

* Event-loop lateness: a 10 ms ``QTimer`` records how late each tick fires while the window
  imports ~200 generated pages (the import runs on the DB thread and the PDF worker process).
* Cold start: a fresh process, to an interactive window with the sample library's plans listed.
* Compare: from asking for Framing Kent's Future vs Reforming Kent to the pairs being shown.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui.py

PyMuPDF is imported only in child processes (the generator below and the app's own workers).
"""

from __future__ import annotations

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

GENERATE = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.pdfgen import Page, heading, lorem, make_pdf
out = Path({out!r})
for d in range({docs}):
    pages = [Page(paras=[heading(f"Priority {{p + 1}}: theme {{d}}-{{p}}"),
                         *[lorem(60, seed=d * 1000 + p * 10 + k) for k in range(6)]])
             for p in range({pages})]
    make_pdf(out / f"generated-{{d}}.pdf", pages, title=f"Generated plan {{d}}")
"""

COLD_START = """
import os, sys, time
sys.path.insert(0, {repo!r})
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
app.setOrganizationName("PlanWorkbenchBench")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})
from ui.main_window import MainWindow
from pathlib import Path
w = MainWindow(Path({library!r}), settings=QSettings())
w.show()
def check():
    if w.library_panel.model.rowCount() > 0:
        print("READY", flush=True)
        w.close()
        app.quit()
t = QTimer(); t.timeout.connect(check); t.start(5)
app.exec()
"""


def wait_until(predicate, timeout: float = 120.0) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())
    timer.start(5)
    loop.exec()
    timer.stop()
    if not predicate():
        raise TimeoutError


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    from ui import compose

    tmp = Path(tempfile.mkdtemp(prefix="workbench-bench-ui-"))
    master = compose.ensure_sample_library(tmp / "sample")
    generated = tmp / "generated"
    generated.mkdir()
    docs, pages = 4, 50
    subprocess.run(
        [sys.executable, "-c", GENERATE.format(repo=str(REPO), out=str(generated), docs=docs,
                                               pages=pages)],
        check=True,
    )
    rows: list[tuple[str, str, str]] = []

    # Cold start, three runs in fresh processes.
    starts = []
    for run in range(3):
        code = COLD_START.format(repo=str(REPO), settings=str(tmp / f"settings-{run}"),
                                 library=str(master))
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("READY"):
                starts.append(time.perf_counter() - t0)
                break
        proc.wait(timeout=60)
    rows.append(("Cold start to interactive window (sample library)",
                 f"median {statistics.median(starts):.2f} s, max {max(starts):.2f} s",
                 "≤ 2 s"))

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    app.setOrganizationName("PlanWorkbenchBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "s"))
    from ui.main_window import MainWindow

    library = tmp / "library"
    shutil.copytree(master, library)
    window = MainWindow(library, settings=QSettings())
    window.resize(1400, 900)
    window.show()
    wait_until(lambda: window.library_panel.model.rowCount() == 5)

    # Event-loop lateness while importing the generated pages.
    probe, lateness = lateness_probe(10)
    panel = window.library_panel
    panel.show_reports = False
    done: list[object] = []
    panel.import_finished.connect(done.append)
    t0 = time.perf_counter()
    probe.start()
    panel.import_paths([generated])
    wait_until(lambda: bool(done), timeout=600)
    probe.stop()
    seconds = time.perf_counter() - t0
    report = done[0]
    imported = report.count("imported")  # type: ignore[attr-defined]
    rows.append((f"Import {docs * pages} generated pages ({imported} PDFs)", f"{seconds:.1f} s",
                 "—"))
    rows.append(("Event-loop lateness during import (10 ms probe)",
                 f"p99 {percentile(lateness, 0.99):.1f} ms, max {max(lateness):.1f} ms "
                 f"({len(lateness)} ticks)", "p99 < 50 ms"))

    # Compare: request to pairs shown.
    times = []
    compare = window.compare_panel
    for _ in range(5):
        shown: list[object] = []
        compare.compared.connect(shown.append)
        t0 = time.perf_counter()
        window.compare_panel.compare("framing-kents-future-2022", "reforming-kent-2025")
        wait_until(lambda: bool(shown), timeout=60)  # noqa: B023 - waited on at once
        times.append((time.perf_counter() - t0) * 1000)
        compare.compared.disconnect(shown.append)
    rows.append(("Open a compare pair (Framing Kent's Future vs Reforming Kent)",
                 f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms", "≤ 200 ms"))
    window.close()
    app.processEvents()

    print("| Measure | Result | Target |")
    print("|---|---|---|")
    for measure, result, target in rows:
        print(f"| {measure} | {result} | {target} |")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Render the main views into docs/screenshots/ with the sample library, at two sizes.

``docs/screenshots/*.png`` are taken at 1600×1000 and ``docs/screenshots/1024x700/*.png`` at
1024×700 (a small laptop screen; the window must fit and stay usable there). Run under a
virtual X server (a real xcb window, so fonts and styles are the real ones)::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py

Settings and the library live in a temporary folder; the user's are never touched. The
library's sentence vectors are prepared first (``workbench prepare``), as the window's own
background warm-up would have done by the time a person opens Compare or Review: without them
the first comparison embeds both plans on the spot (30 to 70 s on a busy two-core machine,
measured in round 9), and the pictures would wait on that instead of showing the views. Waits
that still run long fail naming what they waited for. With a folder argument only the 1024×700
set is written there (to check scaling, e.g. with ``QT_SCALE_FACTOR=1.5`` on a 1536×1050
screen)::

    QT_SCALE_FACTOR=1.5 xvfb-run -a -s "-screen 0 1536x1050x24" .venv/bin/python \
        tools/screenshots.py /tmp/shots-150
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

OUT = REPO / "docs" / "screenshots"
SIZES = {(1600, 1000): OUT, (1024, 700): OUT / "1024x700"}


def wait_until(predicate: Callable[[], bool], timeout: float = 60.0,
               what: Callable[[], str] | str = "") -> None:
    """Run the event loop until ``predicate()`` holds (a tool script, not app code).

    The default allows for a loaded machine; ``what`` (or what it returns, read at the time
    out) names the wait in the error."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)

    def check() -> None:
        if predicate() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not predicate():
        said = what() if callable(what) else what
        raise TimeoutError(f"the window did not get there in {timeout:.0f} s"
                           + (f": {said}" if said else ""))


def settle(ms: int = 400) -> None:
    end = time.monotonic() + ms / 1000
    wait_until(lambda: time.monotonic() >= end, timeout=ms / 1000 + 5)


def prepare(library: Path) -> tuple[int, int]:
    """Links, statuses and a highlight in the library, as a person would have made them.
    Returns (the linked commitment's id, its page index)."""
    from ui import compose

    wb = compose.open_workbench(library)
    try:
        records = compose.records_for(wb, "A. Officer")
        hits = wb.search('"Net Zero by 2050"', None).hits
        source = next(h for h in hits if h.plan == "framing-kents-future-2022"
                      and h.kind == "commitment")
        earlier = next(h for h in wb.search("net zero carbon", None, limit=50).hits
                       if h.plan == "kent-five-year-plan-2020-draft" and h.kind == "commitment")
        later = next(h for h in wb.search('"Net Zero 2030"', None).hits
                     if h.plan == "reforming-kent-2025" and h.kind == "commitment")
        records.link(earlier.item_id, [source.item_id], relation="strengthened", confirm=True,
                     rationale="From supporting national action to a county target.")
        records.link(source.item_id, [later.item_id], relation="reversed", confirm=True,
                     rationale="Reforming Kent scraps Net Zero 2030 and rescinds the 2019 "
                               "climate emergency.")
        records.assess(source.item_id, "on_track", "2024-03",
                       rationale="Annual report: emissions down 9 %.")
        records.assess(source.item_id, "superseded", "2025-09-30",
                       rationale="Reversed by Reforming Kent 2025-2028.")
        care = next(c for c in records.effective_commitments("framing-kents-future-2022")
                    if "adult social care" in c.text.casefold())
        records.annotate("framing-kents-future-2022", care.page_index, care.start,
                         min(care.end, care.start + 160), note="Ask for the 2024 figures",
                         colour="#a5d6a7")
        prepare_vectors(records, wb)
        return source.item_id, source.page_index
    finally:
        compose.close_workbench(wb)


def prepare_vectors(records, wb) -> None:
    """Embed every plan's passages now, as ``workbench prepare`` does (see the docstring)."""
    from workbench.matching.service import vector_folder
    from workbench.matching.warmup import plan_texts, warm, warmable
    from workbench.tasks import TaskState

    if warmable():
        started = time.monotonic()
        n = warm(plan_texts(records), vector_folder(wb.store), TaskState())
        print(f"prepared {n} passage vectors ({time.monotonic() - started:.0f} s)")


def take_all(window, out: Path, source: tuple[int, int]) -> None:
    """Every view of the window, into ``out`` (a linear script)."""
    out.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        settle()
        path = out / f"{name}.png"
        window.grab().save(str(path))
        print(f"wrote {path} ({window.width()}×{window.height()})")

    def side_docks(visible: bool) -> None:
        for dock in (window.search_dock, window.annotations_dock):
            dock.setVisible(visible)
        window.search_dock.raise_()

    window.lineage_dock.hide()
    side_docks(False)
    window.show_tab(0)
    window.library_panel.select_slug("framing-kents-future-2022")
    shot("library")

    # Reader: a commitment about adult social care, its box and the user's highlight drawn.
    reader = window.reader_panel
    window.open_plan("framing-kents-future-2022")
    wait_until(lambda: reader.doc is not None)
    target = next(
        c for c in reader.doc.commitments if "adult social care" in c.text.casefold()
    )
    window.open_item("framing-kents-future-2022", "commitment", int(target.id))
    side_docks(True)
    window.annotations_dock.raise_()
    wait_until(lambda: bool(reader.page_view.highlight_rects)
               and not reader.page_view.image.isNull() and bool(reader.page_view.note_rects))
    shot("reader")

    # Search: results as typed, top hit opened with the terms highlighted.
    side_docks(True)
    window.search_panel.set_query("climate emergency")
    wait_until(lambda: window.search_panel.model.rowCount() > 0
               and not window.search_panel.is_searching())
    window.search_panel.open_row(0)
    wait_until(lambda: reader.doc is not None and not reader.page_view.image.isNull()
               and bool(reader.page_view.term_rects))
    shot("search")
    shot("main")  # the README's picture: the reader, search dock open, terms on the page

    # Compare: Reforming Kent against the plan it supersedes, a care pair selected.
    side_docks(False)
    window.compare_plan("reforming-kent-2025")
    panel = window.compare_panel
    wait_until(lambda: panel.alignment is not None and not panel.is_busy(), timeout=180,
               what=lambda: f"the compare view ({panel.summary_label.text()})")
    pairs = panel.alignment.pairs
    care = next(
        (i for i, p in enumerate(pairs) if "adult social care" in p.left.text.casefold()), 0
    )
    panel.pairs_view.selectRow(care)
    shot("compare")

    # Review: Framing Kent's Future against Reforming Kent, suggestions with their reasons.
    review = window.review_panel
    window.lineage_ui.show_review()
    review.set_pair("framing-kents-future-2022", "reforming-kent-2025")
    wait_until(lambda: review.state is not None and review.suggestion_model.rowCount() > 0
               and not review.is_busy(), timeout=180, what="the review's suggestions")
    shot("review")

    # Lineage: the thread of a commitment linked across editions, with who, when and why.
    item_id, page_index = source
    window.lineage_ui.show_commitment("framing-kents-future-2022", f"c:{item_id}", page_index)
    wait_until(lambda: reader.doc is not None and not reader.page_view.image.isNull())
    window.lineage_ui.show_thread(f"c:{item_id}")
    wait_until(lambda: window.lineage_panel.model.rowCount() > 0, timeout=15)
    settle(1000)
    shot("lineage")


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    tmp = Path(tempfile.mkdtemp(prefix="workbench-shots-"))
    app = QApplication(sys.argv)
    app.setOrganizationName("PlanWorkbenchScreenshots")
    app.setApplicationName("Plan Workbench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))

    from ui import compose
    from ui.dialogs.user_name import SETTINGS_KEY
    from ui.main_window import MainWindow, load_stylesheet

    QSettings().setValue(SETTINGS_KEY, "A. Officer")  # no first-run name prompt in pictures
    library = compose.ensure_sample_library(tmp / "library")
    source = prepare(library)
    app.setStyleSheet(load_stylesheet())
    sizes = {(1024, 700): Path(sys.argv[1])} if len(sys.argv) > 1 else SIZES
    for (width, height), out in sizes.items():
        window = MainWindow(library, settings=QSettings())
        window.resize(width, height)
        window.show()
        wait_until(lambda w=window: w.library_panel.model.rowCount() == 5)
        take_all(window, out, source)
        window.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # The pictures are written; skip interpreter teardown, where PySide6 can abort while
    # garbage-collecting wrappers of already-destroyed Qt objects ("deallocating None").
    # The app itself closes through its own shutdown path; this is only the tool script.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())

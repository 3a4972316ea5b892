"""The real window, offscreen, on a copy of the sample library (real DB thread and workers)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import QProgressDialog

from ui.dialogs.import_report import ImportReportDialog
from ui.dialogs.user_name import UserNameDialog
from ui.main_window import TAB_COMPARE, TAB_READER
from ui.ops import library as library_ops
from ui.panels.library import dropped_paths
from ui.richtext import snippet_terms

FRAMING = "framing-kents-future-2022"
REFORMING = "reforming-kent-2025"


def test_search_then_open_the_top_hit_in_the_reader(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    panel = window.search_panel
    with qtbot.waitSignal(panel.search_finished, timeout=15000) as blocker:
        panel.set_query("climate emergency")  # as typed: debounced, then searched
    result = blocker.args[0]
    assert result.hits, "the sample plans mention the climate emergency"
    top = result.hits[0]
    assert panel.model.rowCount() == len(result.hits)
    assert panel.results.currentIndex().row() == 0  # ready for Enter
    panel.open_row(0)
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == top.plan,
                    timeout=15000)
    assert window.tabs.currentIndex() == TAB_READER
    assert reader.page_label() == top.page_label
    assert reader.page_edit.text() == top.page_label
    highlighted = {t.casefold() for t in reader.highlighted_terms()}
    wanted = {t.casefold() for t in snippet_terms(top.snippet)}
    assert wanted and wanted <= {h for h in highlighted} | {
        h for h in highlighted for w in wanted if h.startswith(w)}
    assert "climate" in highlighted
    qtbot.waitUntil(lambda: not reader.page_view.image.isNull(), timeout=20000)
    if top.kind == "commitment":
        qtbot.waitUntil(lambda: bool(reader.page_view.highlight_rects), timeout=5000)
    citation = reader.citation()
    assert citation.startswith(top.plan_title) and f"p. {top.page_label}" in citation
    assert "climate" in panel.recent_searches()[0]


def test_compare_aligns_adult_social_care_and_marks_words(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    panel = window.compare_panel
    with qtbot.waitSignal(panel.compared, timeout=15000):
        window.compare_plan(REFORMING)  # defaults to the plan it supersedes on the left
    alignment = panel.alignment
    assert window.tabs.currentIndex() == TAB_COMPARE
    assert (alignment.left_plan.slug, alignment.right_plan.slug) == (FRAMING, REFORMING)
    care = [p for p in alignment.pairs
            if "adult social care" in (p.left.text + " " + p.right.text).casefold()]
    assert care, "an aligned pair about adult social care"
    assert any("line-through" in p.diff_html and "#d7f5dd" in p.diff_html for p in care)
    assert alignment.only_left and alignment.only_right
    assert "Only in 2022" in panel.only_left_label.text()
    assert "Only in 2025" in panel.only_right_label.text()
    row = alignment.pairs.index(care[0])
    panel.pairs_view.selectRow(row)
    html = panel.diff_html()
    assert "line-through" in html
    panel._open_item("right", care[0].right)
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == REFORMING,
                    timeout=15000)
    assert reader.current_item == (care[0].right.kind, care[0].right.item_id)


def test_importing_a_bad_file_lists_the_failure(qtbot, open_window, sample_library, tmp_path):
    window = open_window(sample_library)
    bad = tmp_path / "not-really.pdf"
    bad.write_text("this is not a PDF", encoding="utf-8")
    panel = window.library_panel
    panel.show_reports = False
    with qtbot.waitSignal(panel.import_finished, timeout=30000) as blocker:
        panel.import_paths([bad])
    report = blocker.args[0]
    assert [o.status for o in report.outcomes] == ["refused"]
    dialog = ImportReportDialog(report)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert rows[0][0] == "Refused" and rows[0][1] == "not-really.pdf"
    assert rows[0][2]  # the reason, in words
    assert panel.model.rowCount() == 5  # nothing was added


def test_drop_accepts_pdfs_and_folders_only(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    urls = [QUrl.fromLocalFile(str(p)) for p in (pdf, tmp_path / "notes.txt", tmp_path)]
    urls.append(QUrl("https://example.org/plan.pdf"))
    assert dropped_paths(urls) == [pdf, tmp_path]


def test_settings_are_restored_on_reopen(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    window.resize(900, 530)
    qtbot.waitUntil(lambda: window.height() == 530)
    size = (window.width(), window.height())  # the window's minimum width may win
    window.reader_panel.ensure_built()
    window.reader_panel.splitter.setSizes([300, 500, 400])
    sizes = window.reader_panel.splitter.sizes()
    window.reader_panel.set_zoom(1.5)
    window.reader_panel.fit_width = False
    window.reader_panel.set_document_font_size(15)
    window.close()
    assert Path(QSettings().fileName()).is_file()
    again = open_window(sample_library)
    # restoreGeometry() keeps a window on its screen; the offscreen screen is only 800 px wide
    # and the window's minimum width is a little more, so the width may be nudged.
    assert again.height() == size[1] and abs(again.width() - size[0]) <= 60
    assert again.reader_panel.splitter.sizes() == sizes
    assert again.reader_panel.zoom == 1.5 and not again.reader_panel.fit_width
    assert again.reader_panel.document_font_size == 15
    assert QSettings().value("library/last") == str(sample_library)


def test_first_run_opens_the_sample_library(qtbot, monkeypatch, tmp_path):
    from ui import app

    monkeypatch.delenv("WORKBENCH_LIBRARY", raising=False)
    window = app.open_main_window(None)
    qtbot.addWidget(window)
    try:
        assert window.ctx.root == tmp_path / "data" / "library"  # the one default library
        # the "Your name" prompt comes first; the import (and its progress box) waits for it
        qtbot.waitUntil(lambda: isinstance(window.dialog, UserNameDialog)
                        and window.dialog.isVisible(), timeout=10000)
        qtbot.wait(800)  # longer than the progress box's delay
        assert not library_ops.import_lane(window.ctx).running_titles()
        assert not [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
        window.dialog.name_edit.setText("First Runner")
        window.dialog.accept()
        qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 5, timeout=60000)
    finally:
        window.close()

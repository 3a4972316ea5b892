"""Journeys through the real window (offscreen, real DB thread, real render worker).

Why each exists (issue 14): a highlight a person makes must show where they look — on the page
image, in its colour, over the words they chose; a passage selected in the reader must be
linkable without first finding it in the outline; a lineage thread must say who decided each
step, when and why, and must not linger once another plan is opened.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor

from tests.ui.test_lineage_window import FRAMING, REFORMING, highlight, open_plan, select, stored
from ui import compose
from ui.dialogs.link import LinkDialog
from ui.dialogs.user_name import SETTINGS_KEY
from ui.page_overlay import _norm, span_rects


@pytest.fixture
def window(open_window, sample_library):
    QSettings().setValue(SETTINGS_KEY, "Tester")
    return open_window(sample_library)


def test_span_rects_follow_the_words_and_merge_lines():
    text = "Our plan.\nWe will plant 1,000 trees\nin every district by 2030."
    words = [(10, 10, 30, 20, "Our"), (32, 10, 50, 20, "plan."),
             (10, 30, 25, 40, "We"), (27, 30, 40, 40, "will"), (42, 30, 60, 40, "plant"),
             (62, 30, 80, 40, "1,000"), (82, 30, 99, 40, "trees"),
             (10, 50, 20, 60, "in"), (22, 50, 40, 60, "every"), (42, 50, 70, 60, "district"),
             (72, 50, 80, 60, "by"), (82, 50, 99, 60, "2030.")]
    start = text.index("plant")
    end = text.index("district") + len("district")
    rects = span_rects(text, words, start, end)
    assert rects == [(42, 30, 99, 40), (10, 50, 70, 60)]  # one box per line
    assert span_rects(text, words[:2], start, end) == []  # words not on the page: nothing
    assert span_rects(text, [], start, end) == []


def test_highlight_a_passage_and_see_it_on_the_page_image(qtbot, window):
    reader = open_plan(qtbot, window, FRAMING)
    reader.show_page(3)
    qtbot.waitUntil(lambda: not reader.page_view.image.isNull(), timeout=20000)
    text = reader.doc.pages[3][2]
    start = text.index(" ", 40) + 1
    end = text.index(" ", start + 60)
    select(reader, start, end)
    reader.text_view.setFocus()
    highlight(qtbot, window, note="on the page too")
    qtbot.waitUntil(lambda: len(window.annotations_panel.items()) == 1, timeout=10000)
    colour = QColor(window.annotations_panel.items()[0].colour)
    qtbot.waitUntil(lambda: bool(reader.page_view.note_rects), timeout=20000)
    boxes = reader.page_view.note_rects
    assert {c.name() for _r, c in boxes} == {colour.name()}  # in the highlight's colour
    words = reader.overlay._words or []
    inside = [w for w in words if any(x0 - 1 <= (w[0] + w[2]) / 2 <= x1 + 1
                                      and y0 - 1 <= (w[1] + w[3]) / 2 <= y1 + 1
                                      for (x0, y0, x1, y1), _c in boxes)]
    chosen = [_norm(t) for t in text[start:end].split()]
    got = [_norm(w[4]) for w in inside]
    assert got and all(g in chosen for g in got)  # only the chosen words are marked …
    assert len(got) >= len(chosen) * 0.8  # … and (nearly) all of them
    reader.show_page(4)  # another page: its own highlights only (none)
    assert reader.page_view.note_rects == []


def test_link_a_text_selection_in_the_reader(qtbot, window, sample_library):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    reader = open_plan(qtbot, window, FRAMING)
    c = reader.doc.commitments[3]
    reader.show_page(c.page_index)
    assert reader.current_item is None  # nothing chosen in the outline
    mid = (c.char_start + c.char_end) // 2
    select(reader, c.char_start + 2, min(mid, c.char_start + 40))
    reader.text_view.setFocus()
    qtbot.keyClick(reader.text_view, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: isinstance(window.lineage_ui.dialog, LinkDialog), timeout=10000)
    dialog = window.lineage_ui.dialog
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=15000)
    assert dialog.choices.source.key == f"c:{c.id}"  # the commitment the passage lies in
    assert dialog.choices.to_plan == REFORMING
    dialog.close()

    # a passage that is no commitment becomes one (marked), then the source of the link
    page = reader.doc.pages[c.page_index][2]
    taken = [(x.char_start, x.char_end) for x in reader.doc.commitments
             if x.page_index == c.page_index]
    free = next(i for i in range(0, len(page) - 30, 5)
                if all(e <= i or s >= i + 30 for s, e in taken) and page[i:i + 30].strip())
    select(reader, free, free + 30)
    window.lineage_ui.link_current()
    qtbot.waitUntil(lambda: window.lineage_ui.dialog is not dialog
                    and isinstance(window.lineage_ui.dialog, LinkDialog), timeout=15000)
    marked = window.lineage_ui.dialog
    qtbot.waitUntil(lambda: marked.choices is not None, timeout=15000)
    assert marked.choices.source.key.startswith("m:")
    assert marked.choices.source.text == page[free:free + 30]
    marked.close()


def test_follow_a_lineage_thread_with_rationale_who_and_when(qtbot, window, sample_library):
    wb = compose.open_workbench(sample_library)
    try:
        recs = compose.records_for(wb, "Alex Officer")
        source = recs.effective_commitments(FRAMING)[0]
        target = recs.effective_commitments(REFORMING)[0]
        recs.link(source.key, [target.key], relation="reversed", confirm=True,
                  rationale="Scrapped by the 2025 plan (p. 12).")
        recs.assess(target.key, "on_track", "2025-06", rationale="First report")
        recs.assess(target.key, "at_risk", "2026-03", rationale="Budget cut")
    finally:
        compose.close_workbench(wb)
    reader = open_plan(qtbot, window, FRAMING)
    window.lineage_ui.show_thread(source.key)
    panel = window.lineage_panel
    qtbot.waitUntil(lambda: panel.thread is not None and panel.model.columnCount() > 0,
                    timeout=15000)
    assert window.lineage_dock.isVisible()
    cells = [panel.model.index(r, c).data() or "" for r in range(panel.model.rowCount())
             for c in range(panel.model.columnCount())]
    step = next(cell for cell in cells if "Reversed" in cell)
    today = stored(sample_library, lambda r: r.links(FRAMING)[0].confirmed_at[:10])
    assert step.startswith("Reversed from Framing Kent's Future")
    assert f"Confirmed by Alex Officer on {today}" in step
    assert "Why: Scrapped by the 2025 plan (p. 12)." in step
    assert "←" not in step
    assert "Status On track as at 2025-06, Alex Officer: First report" in step
    assert step.endswith("Status At risk as at 2026-03, Alex Officer: Budget cut")

    # another plan that the thread does not run through: the panel clears
    window.open_plan("kent-five-year-plan-2020-draft")
    qtbot.waitUntil(lambda: reader.doc.plan.slug == "kent-five-year-plan-2020-draft",
                    timeout=15000)
    qtbot.waitUntil(lambda: panel.thread is None and panel.model.columnCount() == 0,
                    timeout=5000)
    assert panel.title_label.text().startswith("Choose a commitment")


def test_an_opened_item_shows_where_it_starts(qtbot, window):
    """A long passage is selected from its end back to its start, so its start is in view."""
    from workbench.anchoring import cp_to_utf16

    reader = open_plan(qtbot, window, FRAMING)
    longest = max(reader.doc.commitments, key=lambda c: c.char_end - c.char_start)
    reader.open_at(FRAMING, "commitment", int(longest.id))
    text = reader.doc.pages[longest.page_index][2]
    cursor = reader.text_view.textCursor()
    assert cursor.position() == cp_to_utf16(text, longest.char_start)
    assert cursor.anchor() == cp_to_utf16(text, min(longest.char_end, len(text)))
    top = reader.text_view.cursorRect().top()
    assert 0 <= top < reader.text_view.viewport().height()


def test_link_a_passage_selected_in_compare(qtbot, window):
    """A passage of the later plan selected in the difference pane becomes the successor."""
    from PySide6.QtGui import QTextCursor

    from ui.models.compare import PairRole

    window.compare_plan(REFORMING)
    panel = window.compare_panel
    qtbot.waitUntil(lambda: panel.alignment is not None and not panel.is_busy(), timeout=30000)
    row = next(i for i, p in enumerate(panel.alignment.pairs)
               if p.left.kind == p.right.kind == "commitment")
    panel.pairs_view.selectRow(row)
    pair = panel.pairs_view.currentIndex().siblingAtColumn(0).data(PairRole)
    shown = panel.diff_view.toPlainText()
    words = pair.right.text.split()
    passage = next(" ".join(words[i:i + 4]) for i in range(len(words) - 3)
                   if " ".join(words[i:i + 4]) in shown
                   and " ".join(words[i:i + 4]) not in " ".join(pair.left.text.split()))
    start = shown.index(passage)
    cursor = QTextCursor(panel.diff_view.document())
    cursor.setPosition(start)
    cursor.setPosition(start + len(passage), QTextCursor.MoveMode.KeepAnchor)
    panel.diff_view.setTextCursor(cursor)
    # the right side seen as a section: only the selected passage can name the successor
    as_section = replace(pair, right=replace(pair.right, kind="section"))
    assert window.lineage_ui._link_diff_passage(passage, as_section, panel.alignment)
    qtbot.waitUntil(lambda: isinstance(window.lineage_ui.dialog, LinkDialog), timeout=15000)
    dialog = window.lineage_ui.dialog
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=15000)
    assert dialog.choices.source.key == f"c:{pair.left.item_id}"
    assert dialog.choices.to_plan == REFORMING
    assert dialog.target_keys() == [f"c:{pair.right.item_id}"]  # the passage's commitment
    dialog.close()
    assert not window.lineage_ui._link_diff_passage("words in neither text zzz", pair,
                                                    panel.alignment)


def test_a_page_image_fits_the_pane_width_by_default(qtbot, window):
    reader = open_plan(qtbot, window, FRAMING)
    assert reader.fit_width  # the default, before anyone zoomed
    view = reader.page_view

    def fills() -> bool:
        width = view.image.deviceIndependentSize().width()
        return not view.image.isNull() and abs(width - (view.viewport().width() - 8)) < 24

    window.resize(1400, 880)  # a pane wide enough for more than the smallest zoom
    qtbot.waitUntil(fills, timeout=20000)
    assert reader.zoom > 0.5


def test_status_and_thread_act_on_the_commitment_under_a_selection(qtbot, window):
    from ui.dialogs.status import StatusDialog

    reader = open_plan(qtbot, window, FRAMING)
    c = reader.doc.commitments[2]
    reader.show_page(c.page_index)
    select(reader, c.char_start + 1, c.char_start + 20)
    window.lineage_ui.status_current()
    qtbot.waitUntil(lambda: isinstance(window.lineage_ui.dialog, StatusDialog), timeout=10000)
    window.lineage_ui.dialog.close()
    window.lineage_ui.thread_current()
    qtbot.waitUntil(lambda: window.lineage_panel.key == f"c:{c.id}", timeout=10000)
    qtbot.waitUntil(lambda: window.lineage_panel.thread is not None, timeout=10000)

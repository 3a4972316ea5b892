"""The window from the keyboard, and on a small screen.

Why each test exists: a key sequence registered on two actions (or twice on one, as Redo once
was) makes Qt call it ambiguous and do nothing, so every action is walked; every tab needs a
shortcut in the View menu (Ctrl+4 once did nothing); a table that takes Tab cell by cell traps
a keyboard user (54 stops) and changes the selected plan on the way; a label with a literal
"&" shows the ampersand; the window must open inside a 1024×700 screen and no tab may force it
wider; Help must list the shortcuts and explain the review loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QWidget

from tests.lineage.synth import add_plan
from ui import compose
from ui.dialogs.help import REVIEW_GUIDE, ReviewGuide, ShortcutSheet
from ui.main_window import (
    DEFAULT_SIZE,
    TAB_LIBRARY,
    TAB_REVIEW,
    MainWindow,
    fit_to_screen,
)


@pytest.fixture
def small_library(tmp_path) -> Path:
    root = tmp_path / "small-library"
    wb = compose.open_workbench(root)
    for i, year in enumerate(("2020", "2022", "2024")):
        add_plan(wb.store, f"plan-{year}", year,
                 [(f"Priority {n}", [f"We will do thing {n} in {year}."]) for n in range(3)],
                 salt=str(i))
    compose.close_workbench(wb)
    return root


def all_actions(window: MainWindow) -> list[QAction]:
    return [a for a in window.findChildren(QAction) if not a.isSeparator()]


def test_no_two_actions_share_a_shortcut_and_none_repeats_one(qtbot, open_window,
                                                              small_library):
    window = open_window(small_library)
    owners: dict[str, list[str]] = {}
    repeats = []
    for action in all_actions(window):
        keys = [k.toString() for k in action.shortcuts() if not k.isEmpty()]
        if len(keys) != len(set(keys)):
            repeats.append(f"{action.text()}: {keys}")
        for key in set(keys):
            owners.setdefault(key, []).append(action.text())
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared, f"shortcuts on more than one action: {shared}"
    assert not repeats, f"actions that repeat a sequence: {repeats}"
    redo = window.undo.redo_action
    assert QKeySequence("Ctrl+Shift+Z") in redo.shortcuts()


def test_every_tab_has_a_shortcut_in_the_view_menu(qtbot, open_window, small_library):
    window = open_window(small_library)
    view = window.view_menu.actions()
    for index in range(window.tabs.count()):
        action = window.show_tab_actions[index]
        assert action in view
        assert action.shortcut() == QKeySequence(f"Ctrl+{index + 1}")
        action.trigger()
        assert window.tabs.currentIndex() == index
    assert window.tabs.widget(TAB_REVIEW) is window.review_panel
    window.show_tab_actions[TAB_LIBRARY].trigger()


def test_library_table_is_one_tab_stop_with_arrows_inside(qtbot, open_window, small_library):
    window = open_window(small_library)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    panel = window.library_panel
    table = panel.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    first = panel.selected_slug()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()  # Tab leaves the table at once
    assert panel.selected_slug() == first  # … without changing the selected plan
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert panel.selected_slug() != first  # arrows move inside it


def _labels_with_ampersands(root: QWidget) -> list[str]:
    bad = []
    for label in root.findChildren(QLabel):
        text = label.text().replace("&&", "")
        if "&" in text and label.buddy() is None and label.textFormat() != Qt.TextFormat.RichText:
            bad.append(label.text())
    return bad


def test_no_label_shows_a_literal_ampersand(qtbot, open_window, small_library):
    from ui.dialogs.export import ExportDialog
    from ui.dialogs.status import StatusDialog

    window = open_window(small_library)
    for index in range(window.tabs.count()):
        window.show_tab(index)
    window.focus_search()
    export = ExportDialog(window.ctx, window, settings=window.settings)
    status = StatusDialog(window.ctx, "Tester", "c:1", "We will do thing 0.", window)
    qtbot.addWidget(export)
    qtbot.addWidget(status)
    for root in (window, export, status):
        assert not _labels_with_ampersands(root), type(root).__name__
        for form in root.findChildren(QFormLayout):
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = item.widget() if item is not None else None
                if isinstance(label, QLabel) and "&" in label.text().replace("&&", ""):
                    assert label.buddy() is not None, label.text()
    export.close()
    status.close()
    qtbot.waitUntil(lambda: window.ctx.executor.is_idle(), timeout=10000)


def test_window_opens_inside_a_small_screen_and_no_tab_forces_it_wider(
        qtbot, open_window, small_library):
    window = open_window(small_library)
    small = QSize(1024, 700)
    fit_to_screen(window, DEFAULT_SIZE, available=small)
    assert window.width() <= 1024 and window.height() <= 700  # not 1400×880
    for index in range(window.tabs.count()):
        window.show_tab(index)
        qtbot.wait(5)
        hint = window.minimumSizeHint()
        assert hint.width() <= 900 and hint.height() <= 620, (index, hint)  # room to spare


def test_help_lists_every_shortcut_and_explains_the_review_loop(qtbot, open_window,
                                                                small_library):
    window = open_window(small_library)
    help_texts = [a.text() for a in window.help_menu.actions()]
    assert "&Keyboard shortcuts" in help_texts
    sheet = window.show_shortcuts()
    assert isinstance(sheet, ShortcutSheet) and sheet.isVisible()
    rows = {sheet.table.item(r, 2).text(): sheet.table.item(r, 1).text()
            for r in range(sheet.table.rowCount())}
    assert rows["Redo"].startswith(QKeySequence("Ctrl+Shift+Z").toString(
        QKeySequence.SequenceFormat.NativeText))
    assert rows["Review"] == QKeySequence("Ctrl+4").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert any("Accept the highlighted candidate" in what for what in rows)
    assert any(keys == "Ctrl+Enter" and "rationale" in what for what, keys in rows.items())
    sheet.close()
    guide = window.show_review_guide()
    assert isinstance(guide, ReviewGuide) and guide.label.text() == REVIEW_GUIDE
    assert "always asks why" in REVIEW_GUIDE and "Ctrl+Enter saves it" in REVIEW_GUIDE
    guide.close()
    QApplication.processEvents()


def test_outline_labels_tell_siblings_apart_and_follow_the_page(qtbot, open_window, tmp_path):
    from ui.models.outline import distinct_labels

    assert distinct_labels(["Our commitment is to improve roads.",
                            "Our commitment is to build homes.", "We will plant trees."]) == [
        "to improve roads.", "to build homes.", "We will plant trees."]
    root = tmp_path / "outline-library"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "plan-a", "2020", [(f"Part {n}", [f"Our commitment is to item {n}.",
                                                         f"Our commitment is to more {n}."])
                                          for n in range(4)])
    compose.close_workbench(wb)
    window = open_window(root)
    window.open_plan("plan-a")
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None, timeout=15000)
    labels = [reader.outline_model.item(0).child(r).text() for r in range(2)]
    assert labels == ["• to item 0.", "• to more 0."]
    reader.next_page()
    reader.next_page()
    current = reader.outline.currentIndex()
    assert current.data() == "Part 2"  # the outline follows the page turned
    assert reader.current_item is None  # … without choosing anything for Link or Status


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_ctrl_enter_saves_a_rationale_from_the_text_box(qtbot, key):
    """A keyboard review asks for a rationale at every reversed, scaled-back or dropped
    verdict; Enter in its text box starts a new line, so Ctrl+Enter saves it (as in the
    highlight dialog) instead of Tab, Tab, Space; never while the text is empty."""
    from ui.dialogs.link import RationaleDialog

    dialog = RationaleDialog("Dropped", "Why?")
    qtbot.addWidget(dialog)
    given = []
    dialog.rationale_given.connect(given.append)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.text_edit.setFocus()
    qtbot.keyClick(dialog.text_edit, key, Qt.KeyboardModifier.ControlModifier)
    assert given == [] and dialog.isVisible()  # nothing typed: nothing saved
    qtbot.keyClicks(dialog.text_edit, "Gone from the 2025 plan (p. 12).")
    qtbot.keyClick(dialog.text_edit, key, Qt.KeyboardModifier.ControlModifier)
    assert given == ["Gone from the 2025 plan (p. 12)."]
    assert dialog.result() == dialog.DialogCode.Accepted and not dialog.isVisible()

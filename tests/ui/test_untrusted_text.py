"""Untrusted text is shown literally (RELIABILITY rule 13), and a full disk keeps the note.

A plan title, a note and a commitment text holding ``<img src="file:///etc/passwd"><b>x</b>``
go through the library table's tool tip, the reader's title label and outline, the
annotations list (and the highlight's tool tip on the page), the review panel and the error
boxes: every label shows it as plain text and every tool tip carries it escaped, so Qt's
rich-text detection never turns it into an image that reads a local file.

Then the save-failure paths: a ``Records`` write raising ``DiskFull`` opens the "Not saved"
dialog with the note kept and copyable; any other error keeps the one-line message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QLabel, QMessageBox

from tests.lineage.synth import add_plan
from ui import compose, richtext
from ui.dialogs.highlight import HighlightDialog
from ui.dialogs.save_error import DISK_FULL, SaveErrorDialog
from ui.dialogs.user_name import SETTINGS_KEY
from ui.models.plans import SlugRole
from ui.widgets.plain import plain_label, plain_message
from workbench.errors import DiskFull, InvalidInput, WorkbenchError
from workbench.review import Records

PAYLOAD = '<img src="file:///etc/passwd"><b>x</b>'
TITLE = f"Old plan {PAYLOAD}"
NOTE = f"check {PAYLOAD}"
PLAIN = Qt.TextFormat.PlainText


def shown_as(tip: str) -> str:
    """What Qt displays for a tool tip: rich text is parsed, plain text is literal."""
    if not QtGuiNamespace.mightBeRichText(tip):
        return tip
    doc = QTextDocument()
    doc.setHtml(tip)
    return doc.toPlainText()


def assert_literal_tip(tip: str, expected: str) -> None:
    assert "<img" not in tip and "<b>" not in tip, tip
    assert expected in shown_as(tip)


def assert_plain(label: QLabel, expected: str) -> None:
    assert label.textFormat() == PLAIN, label.objectName()
    assert expected in label.text()


@pytest.fixture
def hostile_library(tmp_path) -> Path:
    root = tmp_path / "hostile"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "old", "2020",
             [("Transport", [f"We will resurface the A28 {PAYLOAD} by 2026."])])
    add_plan(wb.store, "new", "2024",
             [("Transport", [f"We will resurface the A28 {PAYLOAD} by 2028."])])
    wb.edit_plan("old", title=TITLE)
    recs = compose.records_for(wb, "someone")
    recs.annotate_quote("old", "resurface the A28", note=NOTE)
    compose.close_workbench(wb)
    return root


@pytest.fixture
def hostile_window(open_window, hostile_library):
    QSettings().setValue(SETTINGS_KEY, "Tester")
    window = open_window(hostile_library)
    return window, window.lineage_ui


def test_helpers_are_plain():
    assert richtext.tooltip("") == ""
    assert richtext.tooltip(PAYLOAD) == f"<qt>{richtext.escape(PAYLOAD)}</qt>"
    assert shown_as(richtext.tooltip(f"a\n{PAYLOAD}")) == f"a\n{PAYLOAD}"
    label = plain_label(PAYLOAD)
    assert label.textFormat() == PLAIN and label.text() == PAYLOAD


def test_hostile_text_is_shown_literally_everywhere(qtbot, hostile_window):
    window, ui = hostile_window

    # the library table's tool tip (title, slug, status …)
    model = window.library_panel.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(SlugRole) == "old")
    assert_literal_tip(model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole), TITLE)

    # the reader's title label and the outline's tool tips
    window.open_plan("old")
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == "old",
                    timeout=15000)
    assert_plain(reader.title_label, TITLE)
    assert reader.title_label.text() == TITLE
    commitment = reader.doc.commitments[0]
    leaf = reader.outline_model.item_for("commitment", int(commitment.id))
    assert_literal_tip(leaf.toolTip(), PAYLOAD)

    # the annotations list: its title label, the item's text and tool tip
    panel = window.annotations_panel
    panel.ensure_built()
    qtbot.waitUntil(lambda: len(panel.items()) == 1, timeout=10000)
    assert_plain(panel.title_label, TITLE)
    texts = [panel.proxy.index(0, c).data() or "" for c in range(panel.proxy.columnCount())]
    assert any(NOTE in t for t in texts)
    assert_literal_tip(panel.proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole), NOTE)

    # the highlight drawn on the page carries the note as an escaped tool tip
    reader.show_page(commitment.page_index)
    qtbot.waitUntil(lambda: bool(window.bridge.highlighted_annotations()), timeout=5000)
    tips = [s.format.toolTip() for s in reader.text_view.extraSelections()
            if s.format.toolTip()]
    assert tips and all(shown_as(t) == NOTE and "<img" not in t for t in tips)

    # the review panel: coverage (plan title), the current commitment, suggestion tool tips
    review = ui.review_panel
    ui.show_review()
    review.set_pair("old", "new")
    qtbot.waitUntil(lambda: review.state is not None and not review.is_busy(), timeout=20000)
    assert_plain(review.coverage_label, TITLE)
    assert_plain(review.current_label, PAYLOAD)
    for label in (review.position_label, review.verdict_label, review.no_successor_label):
        assert label.textFormat() == PLAIN
    assert review.suggestion_model.rowCount() > 0
    tip = review.suggestion_model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert_literal_tip(tip, PAYLOAD)

    # the lineage panel's title (commitment text)
    ui.show_thread(review.state.current.key)
    qtbot.waitUntil(lambda: ui.lineage_panel.thread is not None, timeout=10000)
    assert_plain(ui.lineage_panel.title_label, PAYLOAD)


def test_error_boxes_show_messages_literally(qtbot, hostile_window):
    window, _ui = hostile_window
    window._show_error(WorkbenchError(PAYLOAD))
    assert window.error_box.textFormat() == PLAIN and window.error_box.text() == PAYLOAD
    window.error_box.close()
    window.library_panel._on_failed(WorkbenchError(PAYLOAD))
    box = window.library_panel.error_box
    assert box.textFormat() == PLAIN and box.text() == PAYLOAD
    box.close()
    box = plain_message(None, "t", PAYLOAD)
    qtbot.addWidget(box)
    assert box.textFormat() == PLAIN


# == a full disk keeps the note ===================================================================


def _highlight_with_note(qtbot, window, ui, note: str) -> HighlightDialog:
    window.open_plan("old")
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == "old",
                    timeout=15000)
    c = reader.doc.commitments[0]
    reader.show_page(c.page_index)
    from tests.ui.test_lineage_window import select  # shared helper

    select(reader, c.char_start, c.char_end)
    window.annotation_ui.highlight()
    dialog = window.annotation_ui.dialog
    assert isinstance(dialog, HighlightDialog)
    dialog.note_edit.setPlainText(note)
    dialog.submit()
    return dialog


def test_disk_full_on_annotate_opens_not_saved_with_the_note(qtbot, hostile_window,
                                                             monkeypatch):
    window, ui = hostile_window

    def full(self, *args, **kwargs):
        raise DiskFull()

    monkeypatch.setattr(Records, "annotate", full)
    note = "A long note about the bus strategy that must not be lost"
    dialog = _highlight_with_note(qtbot, window, ui, note)
    qtbot.waitUntil(lambda: dialog.findChild(SaveErrorDialog) is not None, timeout=10000)
    error = dialog.findChild(SaveErrorDialog)
    assert error.isVisible()
    assert error.message_label.text() == DISK_FULL
    assert error.message_label.text() == "Not saved: the disk is full. Your previous work is safe."
    assert error.text_view.toPlainText() == note and error.text_view.isReadOnly()
    error.copy_button.click()
    assert QGuiApplication.clipboard().text() == note
    # the highlight dialog stays open with everything typed, ready to save again
    assert dialog.isVisible() and dialog.note_edit.toPlainText() == note
    assert dialog.message_label.text() == DISK_FULL and dialog.buttons.isEnabled()
    assert window.statusBar().currentMessage() == DISK_FULL
    error.close()
    dialog.reject()


def test_other_save_errors_keep_the_one_line_message(qtbot, hostile_window, monkeypatch):
    window, ui = hostile_window

    def bad(self, *args, **kwargs):
        raise InvalidInput("That passage is already highlighted.")

    monkeypatch.setattr(Records, "annotate", bad)
    dialog = _highlight_with_note(qtbot, window, ui, "note")
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=10000)
    assert dialog.message_label.text() == "Not saved: That passage is already highlighted."
    assert dialog.findChild(SaveErrorDialog) is None
    dialog.reject()


def test_disk_full_on_a_correction_opens_not_saved_instead_of_a_message_box(
        qtbot, hostile_window, monkeypatch):
    window, ui = hostile_window

    def full(self, *args, **kwargs):
        raise DiskFull()

    monkeypatch.setattr(Records, "unmark", full)
    window.open_plan("old")
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None, timeout=15000)
    window.annotation_ui.unmark(f"c:{reader.doc.commitments[0].id}")
    qtbot.waitUntil(lambda: window.findChild(SaveErrorDialog) is not None, timeout=10000)
    error = window.findChild(SaveErrorDialog)
    assert error.message_label.text() == DISK_FULL
    assert not error.text_view.isVisibleTo(error)  # nothing typed, nothing to copy
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    error.close()

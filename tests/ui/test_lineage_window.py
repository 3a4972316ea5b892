"""Issue 5 in the real window (offscreen, real DB thread): annotate, link, review, undo.

Each test names the acting user first (the first-run prompt is covered separately). The
window declares its features (``window.annotation_ui``, ``window.lineage_ui``, ``window.undo``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor

from tests.lineage.synth import add_plan
from ui import compose
from ui.dialogs.highlight import HighlightDialog
from ui.dialogs.link import LinkDialog, RationaleDialog
from ui.dialogs.user_name import SETTINGS_KEY, UserNameDialog
from workbench.anchoring import cp_to_utf16

FRAMING = "framing-kents-future-2022"
REFORMING = "reforming-kent-2025"


@pytest.fixture
def lineage_window(open_window):
    def make(root: Path):
        QSettings().setValue(SETTINGS_KEY, "Tester")
        window = open_window(root)
        return window, window.lineage_ui

    return make


def open_plan(qtbot, window, slug: str):
    window.open_plan(slug)
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == slug,
                    timeout=15000)
    return reader


def select(reader, start_cp: int, end_cp: int) -> None:
    text = reader.doc.pages[reader.page_index][2]
    cursor = QTextCursor(reader.text_view.document())
    cursor.setPosition(cp_to_utf16(text, start_cp))
    cursor.setPosition(cp_to_utf16(text, end_cp), QTextCursor.MoveMode.KeepAnchor)
    reader.text_view.setTextCursor(cursor)


def highlight(qtbot, window, note: str = "", tag: str = "") -> None:
    window.annotation_ui.highlight()
    dialog = window.annotation_ui.dialog
    assert isinstance(dialog, HighlightDialog) and dialog.isVisible()
    dialog.note_edit.setPlainText(note)
    dialog.tag_combo.setCurrentText(tag)
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.message_label.text()


def stored(root: Path, fn):
    """Read the library through a fresh workbench on this thread, as another session would."""
    wb = compose.open_workbench(root)
    try:
        return fn(compose.records_for(wb, "checker"))
    finally:
        compose.close_workbench(wb)


def test_annotate_a_selection_with_a_note_lists_draws_and_persists(
        qtbot, lineage_window, sample_library):
    window, ui = lineage_window(sample_library)
    reader = open_plan(qtbot, window, FRAMING)
    reader.show_page(3)
    text = reader.doc.pages[3][2]
    start = text.index(" ", 20) + 1
    end = start + 40
    select(reader, start, end)
    highlight(qtbot, window, note="Check the 2030 target", tag="Climate / Net Zero")
    assert "Saved" in window.statusBar().currentMessage()
    panel = window.annotations_panel
    qtbot.waitUntil(lambda: len(panel.items()) == 1, timeout=10000)
    item = panel.items()[0]
    assert item.annotation.note == "Check the 2030 target"
    assert item.tags == ("Climate / Net Zero",)
    assert item.annotation.anchor.exact == text[start:end]
    qtbot.waitUntil(lambda: window.bridge.highlighted_annotations() == [text[start:end]], timeout=5000)
    assert reader.highlighted_terms() == []  # annotation highlights are not search terms

    anns = stored(sample_library, lambda r: [(a.note, a.created_by, a.anchor.exact,
                                              [r.tag_path(r.rs.get("tag", t)) for t in a.tags])
                                             for a in r.annotations(FRAMING)])
    assert anns == [("Check the 2030 target", "Tester", text[start:end], ["Climate / Net Zero"])]
    assert (sample_library / "sidecars" / f"{FRAMING}.json").is_file()

    reader.show_page(0)
    panel.ensure_built()
    panel.view.activated.emit(panel.proxy.index(0, 1))  # jump back from the list
    assert reader.page_index == 3
    assert reader.text_view.textCursor().selectedText().replace("\u2029", "\n") == text[start:end]


def test_astral_characters_before_the_selection_anchor_the_right_text(
        qtbot, lineage_window, tmp_path):
    root = tmp_path / "emoji-library"
    wb = compose.open_workbench(root)
    pledge = "We will plant 1,000 trees in every district."
    add_plan(wb.store, "green-plan", "2024",
             [("Priority 🌍 1: Climate 🌳🌳 and 𝔑𝔞𝔱𝔲𝔯𝔢", [pledge])])
    compose.close_workbench(wb)
    window, ui = lineage_window(root)
    reader = open_plan(qtbot, window, "green-plan")
    text = reader.doc.pages[0][2]
    start = text.index(pledge)
    assert cp_to_utf16(text, start) > start  # the emoji really are astral (two UTF-16 units)
    select(reader, start, start + len(pledge))
    (plan, page, s, e), quote = window.bridge.selection()
    assert (plan, page, s, e, quote) == ("green-plan", 0, start, start + len(pledge), pledge)
    highlight(qtbot, window, note="trees")
    exact = stored(root, lambda r: [a.anchor.exact for a in r.annotations("green-plan")])
    assert exact == [pledge]
    qtbot.waitUntil(lambda: window.bridge.highlighted_annotations() == [pledge], timeout=5000)


def test_link_dialog_refuses_reversed_without_rationale_then_thread_spans_plans(
        qtbot, lineage_window, sample_library):
    window, ui = lineage_window(sample_library)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    reader = open_plan(qtbot, window, FRAMING)
    source = reader.doc.commitments[0]
    reader.open_at(FRAMING, "commitment", int(source.id))  # as if clicked in the outline
    reader.outline.setFocus()
    qtbot.keyClick(reader.outline, Qt.Key.Key_L)  # L links the current commitment
    dialog = ui.dialog
    assert isinstance(dialog, LinkDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=15000)
    assert dialog.choices.to_plan == REFORMING
    assert dialog.model.rowCount() > 0 and dialog.target_keys()  # top suggestion preselected
    dialog.set_relation("reversed")
    dialog.rationale_edit.setPlainText("")
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert not save.isEnabled()
    assert "needs a rationale" in dialog.why_label.text()
    dialog.submit()  # refused: nothing is written
    assert dialog.isVisible()
    dialog.rationale_edit.setPlainText("The 2025 plan scraps this (p. 12).")
    assert save.isEnabled() and not dialog.why_label.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=10000) as blocker:
        dialog.submit()
    link = blocker.args[0].value
    assert (link.relation, link.state, link.confirmed_by) == ("reversed", "confirmed", "Tester")

    # L1: the confirmed verdict is not replaced by a proposal from the dialog either
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    again = ui.open_link_dialog(f"c:{source.id}")  # as L does
    qtbot.waitUntil(lambda: again.choices is not None and again.choices.existing is not None,
                    timeout=15000)
    again.set_relation("continued")
    again.confirm_check.setChecked(False)
    assert not again.buttons.button(again.buttons.StandardButton.Save).isEnabled()
    assert "confirmed by Tester" in again.why_label.text()
    again.submit()  # refused: nothing is written
    again.confirm_check.setChecked(True)
    assert again.buttons.button(again.buttons.StandardButton.Save).isEnabled()
    again.reject()
    kept = stored(sample_library, lambda r: [(k.relation, k.state) for k in r.links(FRAMING)])
    assert kept == [("reversed", "confirmed")]

    ui.show_thread(f"c:{source.id}")
    panel = ui.lineage_panel
    qtbot.waitUntil(lambda: panel.thread is not None, timeout=10000)
    assert len({n.plan for n in panel.thread.nodes}) >= 2
    assert panel.plan_columns()[0] == FRAMING and panel.plan_columns()[-1] == REFORMING
    assert any("Reversed" in (panel.model.index(0, c).data() or "")
               for c in range(panel.model.columnCount()))


def _answer_rationale(qtbot, panel, text: str) -> bool:
    """If the verdict asked why (a relation that needs a rationale), answer; True if it did."""
    dialog = panel.dialog
    if isinstance(dialog, RationaleDialog) and dialog.isVisible():
        dialog.text_edit.setPlainText(text)
        dialog.accept()
        return True
    return False


def test_review_a_plan_pair_from_the_keyboard(qtbot, lineage_window, sample_library):
    """Journey: accept the HIGHLIGHTED candidate, reject, drop with a rationale, undo, redo."""
    window, ui = lineage_window(sample_library)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # Review tab
    panel = ui.review_panel
    assert window.tabs.currentWidget() is panel
    panel.set_pair(FRAMING, REFORMING)
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.from_plan == FRAMING
                    and not panel.is_busy(), timeout=20000)
    total = panel.state.total
    assert panel.coverage_label.text() == (
        f"0 of {total} commitments of Framing Kent's Future have a confirmed verdict; "
        f"{total} unreviewed")
    assert panel.suggestion_model.rowCount() >= 2
    first = panel.state.current.key
    panel.suggestions.setFocus()

    # A accepts the highlighted candidate (the second one here) with its proposed relation
    qtbot.keyClick(panel.suggestions, Qt.Key.Key_Down)
    chosen = panel.suggestion_model.candidate(1)
    assert "candidate 2" in panel.verdict_label.text()
    qtbot.keyClick(panel.suggestions, Qt.Key.Key_A)
    asked = _answer_rationale(qtbot, panel, "Officer's reason for this verdict.")
    qtbot.waitUntil(lambda: panel.coverage_label.text().startswith("1 of") and
                    not panel.is_busy(), timeout=10000)
    links = stored(sample_library, lambda r: [
        (r.key_of(link.source), [r.key_of(t) for t in link.targets], link.relation,
         link.rationale, link.confirmed_by) for link in r.links(FRAMING)
        if link.state == "confirmed"])
    rationale = "Officer's reason for this verdict." if asked else ""
    want = chosen.commitment.key
    if want.startswith("p:"):  # a sentence the segmenter did not mark: it is marked, then linked
        (target,) = links[0][1]
        assert target.startswith("m:")
        assert stored(sample_library, lambda r: r.commitment(target).text) == \
            chosen.commitment.text
        want = target
    assert links == [(first, [want], chosen.relation, rationale, "Tester")]
    assert "Saved" in window.statusBar().currentMessage()
    second = panel.state.current.key
    assert second != first  # moved on to the next unreviewed commitment

    # R rejects the highlighted candidate; its reasons leave the "Proposed" line
    rejected = panel.suggestion_model.candidate(0)
    qtbot.keyClick(panel.suggestions, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: not panel.is_busy() and panel.suggestion_model.id_at(0)
                    != rejected.commitment.key, timeout=10000)
    assert panel.state.current.key == second
    top = panel.suggestion_model.candidate(0)
    assert "Proposed for candidate 1: " in panel.verdict_label.text()
    assert "; ".join(top.reasons) in panel.verdict_label.text()
    if rejected.reasons != top.reasons:
        assert "; ".join(rejected.reasons) not in panel.verdict_label.text()

    # D: dropped always asks why, and records the officer's words
    qtbot.keyClick(panel.suggestions, Qt.Key.Key_D)
    assert _answer_rationale(qtbot, panel, "Not in the 2025 plan; confirmed with the service.")
    qtbot.waitUntil(lambda: panel.coverage_label.text().startswith("2 of") and
                    not panel.is_busy(), timeout=10000)
    assert any(c.key == second for c in panel.state.no_successor)
    dropped = stored(sample_library, lambda r: [
        link.rationale for link in r.links(FRAMING) if link.relation == "dropped"])
    assert dropped == ["Not in the 2025 plan; confirmed with the service."]

    # undo (Ctrl+Z) and redo (Ctrl+Shift+Z) say what they did
    undo, redo = window.undo.undo_action, window.undo.redo_action
    qtbot.waitUntil(lambda: undo.isEnabled(), timeout=10000)
    window.activateWindow()  # the rationale dialog had the focus
    qtbot.waitUntil(lambda: window.isActiveWindow() and panel.suggestions.hasFocus())
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Undone")
                    and panel.coverage_label.text().startswith("1 of"), timeout=10000)
    qtbot.waitUntil(lambda: redo.isEnabled(), timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Redone")
                    and panel.coverage_label.text().startswith("2 of"), timeout=10000)
    cov = stored(sample_library, lambda r: r.coverage(FRAMING, REFORMING))
    assert cov.confirmed == 2


def test_accept_with_no_candidate_left_asks_for_a_dropped_rationale(
        qtbot, lineage_window, tmp_path):
    """A never records a machine-written "dropped": with nothing to link to it asks why."""
    root = tmp_path / "tiny"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "old-plan", "2020", [("Parks", ["We will open a lido in Ashford."])])
    add_plan(wb.store, "new-plan", "2024", [("Roads", ["We will resurface the A28."])])
    compose.close_workbench(wb)
    window, ui = lineage_window(root)
    panel = ui.review_panel
    window.show_tab(3)
    panel.set_pair("old-plan", "new-plan")
    qtbot.waitUntil(lambda: panel.state is not None and not panel.is_busy(), timeout=20000)
    while panel.suggestion_model.rowCount():  # reject every candidate
        rows = panel.suggestion_model.rowCount()
        panel.reject_top()
        qtbot.waitUntil(lambda r=rows: not panel.is_busy()
                        and panel.suggestion_model.rowCount() < r, timeout=10000)
    assert "Proposed: Dropped" in panel.verdict_label.text()
    panel.accept_top()
    assert isinstance(panel.dialog, RationaleDialog) and panel.dialog.isVisible()
    panel.dialog.reject()  # cancelled: nothing is written
    qtbot.wait(50)
    assert stored(root, lambda r: [link.relation for link in r.links("old-plan")
                                   if link.state == "confirmed"]) == []


def test_undo_and_redo_through_the_edit_actions(qtbot, lineage_window, sample_library):
    window, ui = lineage_window(sample_library)
    reader = open_plan(qtbot, window, FRAMING)
    select(reader, 0, 25)
    highlight(qtbot, window, note="undo me")
    undo, redo = window.undo.undo_action, window.undo.redo_action
    qtbot.waitUntil(lambda: undo.text() == "&Undo add annotation" and undo.isEnabled(),
                    timeout=10000)
    assert undo in window.menuBar().actions()[1].menu().actions()  # in the Edit menu
    undo.trigger()
    qtbot.waitUntil(lambda: redo.text() == "&Redo add annotation" and redo.isEnabled()
                    and not window.annotations_panel.items(), timeout=10000)
    assert stored(sample_library, lambda r: r.annotations(FRAMING)) == []
    redo.trigger()
    qtbot.waitUntil(lambda: len(window.annotations_panel.items()) == 1 and undo.isEnabled(),
                    timeout=10000)
    assert [a.note for a in stored(sample_library, lambda r: r.annotations(FRAMING))] == [
        "undo me"]
    audit = window.annotation_ui.show_audit()
    qtbot.waitUntil(lambda: audit.model.rowCount() >= 3, timeout=10000)
    whats = [audit.model.index(r, 2).data() for r in range(audit.model.rowCount())]
    assert whats[:3] == ["Redo add annotation", "Undo add annotation", "Add annotation"]


def test_first_run_asks_for_the_user_name(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    qtbot.waitUntil(lambda: isinstance(window.dialog, UserNameDialog)
                    and window.dialog.isVisible())
    assert window.dialog.name_edit.text() == compose.default_actor()
    window.dialog.name_edit.setText("Alex Officer")
    window.dialog.accept()
    assert QSettings().value(SETTINGS_KEY) == "Alex Officer" and window.actor() == "Alex Officer"


def test_corrections_refresh_the_outline_and_the_trash_restores(
        qtbot, lineage_window, sample_library):
    window, ui = lineage_window(sample_library)
    reader = open_plan(qtbot, window, FRAMING)
    c = reader.doc.commitments[0]
    window.annotation_ui.unmark(f"c:{c.id}")
    qtbot.waitUntil(lambda: reader.doc is not None and all(
        x.id != c.id for x in reader.doc.commitments), timeout=10000)
    qtbot.waitUntil(lambda: reader.outline_model.item_for("commitment", int(c.id)) is None,
                    timeout=10000)
    reader.show_page(c.page_index)
    select(reader, c.char_start, c.char_end)
    window.annotation_ui.mark_selection()  # "this passage is a commitment" again, by hand
    qtbot.waitUntil(lambda: reader.doc is not None and any(
        x.id < 0 and x.text == c.text for x in reader.doc.commitments), timeout=10000)
    marked = next(x for x in reader.doc.commitments if x.id < 0)
    assert reader.outline_model.item_for("commitment", int(marked.id)) is not None
    keys = []
    window.bridge.with_key(int(marked.id), keys.append)
    qtbot.waitUntil(lambda: bool(keys), timeout=5000)
    assert keys[0].startswith("m:")

    window.annotation_ui.unmark(keys[0])  # a hand mark goes to the trash …
    qtbot.waitUntil(lambda: reader.doc is not None and all(
        x.id >= 0 for x in reader.doc.commitments), timeout=10000)
    dialog = window.annotation_ui.show_trash()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10000)
    with qtbot.waitSignal(dialog.restored, timeout=10000):
        dialog.restore_selected()  # … and comes back from it
    qtbot.waitUntil(lambda: reader.doc is not None and any(
        x.id < 0 for x in reader.doc.commitments), timeout=10000)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10000)


def test_a_note_search_hit_opens_its_annotation(qtbot, lineage_window, sample_library):
    window, ui = lineage_window(sample_library)
    reader = open_plan(qtbot, window, FRAMING)
    reader.show_page(5)
    text = reader.doc.pages[5][2]
    select(reader, 10, 50)
    highlight(qtbot, window, note="zebracrossing follow-up with highways")
    window.show_tab(0)
    reader.show_page(0)
    panel = window.search_panel
    with qtbot.waitSignal(panel.search_finished, timeout=15000) as blocker:
        panel.set_query("zebracrossing")
    hits = blocker.args[0].hits
    assert [h.kind for h in hits] == ["note"]
    panel.open_row(0)
    qtbot.waitUntil(lambda: reader.page_index == 5 and reader.text_view.textCursor()
                    .selectedText().replace("\u2029", "\n") == text[10:50], timeout=10000)
    view = window.annotations_panel.view
    assert view.currentIndex().isValid()


def test_an_orphan_is_listed_and_reattached_to_a_new_selection(
        qtbot, lineage_window, tmp_path):
    root = tmp_path / "orphan-library"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "roads", "2024", [("Highways", ["We will resurface the A28 by 2026."])])
    recs = compose.records_for(wb, "someone")
    recs.annotate_quote("roads", "resurface the A28", note="check the budget")
    add_plan(wb.store, "roads", "2024", [("Transport", ["We will build a new bridge at Sturry."])],
             replaces="roads", salt="v2")
    assert recs.reanchor_plan("roads").orphaned == 1
    compose.close_workbench(wb)

    window, ui = lineage_window(root)
    reader = open_plan(qtbot, window, "roads")
    panel = window.annotations_panel
    panel.ensure_built()
    qtbot.waitUntil(lambda: panel.orphan_model.rowCount() == 1, timeout=10000)
    assert panel.orphans_label.text() == "1 orphaned after re-import"
    assert panel.model.rowCount() == 0
    text = reader.doc.pages[0][2]
    start = text.index("build a new bridge")
    select(reader, start, start + len("build a new bridge"))
    panel.reattach_selected()
    qtbot.waitUntil(lambda: panel.orphan_model.rowCount() == 0 and panel.model.rowCount() == 1,
                    timeout=10000)
    item = panel.items()[0]
    assert (item.annotation.note, item.annotation.anchor.exact) == (
        "check the budget", "build a new bridge")


def test_the_new_panels_are_named_for_screen_readers(qtbot, lineage_window, sample_library):
    from PySide6.QtWidgets import QApplication

    from tests.ui.test_window_actions import _interactive

    window, ui = lineage_window(sample_library)
    ui.show_review()
    qtbot.waitUntil(lambda: ui.review_panel.state is not None, timeout=20000)
    for dock in (window.annotations_dock, window.lineage_dock):
        dock.show()
        dock.raise_()
    qtbot.wait(10)
    missing = sorted({f"{type(w).__name__} {w.objectName()!r}" for w in QApplication.allWidgets()
                      if w.window() is window and _interactive(w)
                      and not w.accessibleName().strip()})
    assert not missing, missing
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus[:2] == ["File", "Edit"] and "Annotate" in menus


def test_the_thread_shows_a_changed_verdicts_earlier_verdict(
        qtbot, lineage_window, sample_library):
    """Round 10 put a link's earlier verdicts in `workbench lineage`; the window's thread says
    them too, so a verdict changed by another officer is never silent there."""
    def first_and_second(r):
        source = r.effective_commitments(FRAMING)[0]
        target = r.effective_commitments(REFORMING)[0]
        r.link(source.key, [target.key], relation="scaled_back", rationale="first look",
               confirm=True)
        r.link(source.key, [target.key], relation="reversed", rationale="second look",
               confirm=True)
        return source.key

    key = stored(sample_library, first_and_second)
    window, ui = lineage_window(sample_library)
    ui.show_thread(key)
    panel = ui.lineage_panel
    qtbot.waitUntil(lambda: panel.thread is not None, timeout=10000)
    cells = [panel.model.index(r, c).data() or "" for r in range(panel.model.rowCount())
             for c in range(panel.model.columnCount())]
    into = next(c for c in cells if c.startswith("Reversed from"))
    assert "Why: second look\nEarlier verdict: Scaled back (confirmed, by checker, " in into
    assert into.split("Earlier verdict: ")[1].split("\n")[0].endswith("): first look")


def test_review_opens_on_dated_plans_and_on_the_pair_of_the_last_session(
        qtbot, lineage_window, tmp_path):
    """An undated plan (a scan not yet read, details not entered) sorts last in the plan
    list; the Review tab's first pair is the two latest dated plans, not that plan, and a
    pair the officer chose is the one the next session opens on."""
    root = tmp_path / "three"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "old-plan", "2020", [("Parks", ["We will open a lido in Ashford."])])
    add_plan(wb.store, "mid-plan", "2022", [("Parks", ["We will run the lido in Ashford."])])
    add_plan(wb.store, "new-plan", "2024", [("Roads", ["We will resurface the A28."])])
    add_plan(wb.store, "scanned", "", [("Untitled", ["Illegible."])])
    compose.close_workbench(wb)

    def review_pair(window):
        panel = window.lineage_ui.review_panel
        window.show_tab(3)
        qtbot.waitUntil(lambda: panel.state is not None and not panel.is_busy(), timeout=20000)
        return panel, panel.pair()

    window, _ui = lineage_window(root)
    panel, pair = review_pair(window)
    assert pair == ("mid-plan", "new-plan")
    panel.set_pair("old-plan", "mid-plan")
    qtbot.waitUntil(lambda: panel.pair() == ("old-plan", "mid-plan") and not panel.is_busy(),
                    timeout=20000)
    window.show_tab(0)  # ends on the reader: the next session opens there
    window.close()  # saves the settings, as quitting does
    elsewhere, _ui = lineage_window(root)  # a session that never opens the Review tab
    elsewhere.close()
    again, _ui = lineage_window(root)
    assert review_pair(again)[1] == ("old-plan", "mid-plan")


def test_undo_says_which_verdict_it_undid(qtbot, lineage_window, tmp_path):
    """After ten verdicts in a row, "Undone: add link" did not say which one went; the
    status bar now names it as `workbench undo` does (page and plans)."""
    root = tmp_path / "tiny"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "old-plan", "2020", [("Parks", ["We will open a lido in Ashford."])])
    add_plan(wb.store, "new-plan", "2024", [("Parks", ["We will run a lido in Ashford."])])
    compose.close_workbench(wb)

    def link(r):
        source = r.effective_commitments("old-plan")[0]
        target = r.effective_commitments("new-plan")[0]
        r.link(source.key, [target.key], relation="continued", confirm=True)

    stored(root, link)
    window, _ui = lineage_window(root)
    undo, redo = window.undo.undo_action, window.undo.redo_action
    qtbot.waitUntil(lambda: undo.isEnabled(), timeout=10000)
    undo.trigger()
    said = re.compile(r"add link from p\. \d+ of old-plan to new-plan")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Undone"),
                    timeout=10000)
    assert said.fullmatch(window.statusBar().currentMessage().removeprefix("Undone: "))
    qtbot.waitUntil(lambda: redo.isEnabled(), timeout=10000)
    redo.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Redone"),
                    timeout=10000)
    assert said.fullmatch(window.statusBar().currentMessage().removeprefix("Redone: "))

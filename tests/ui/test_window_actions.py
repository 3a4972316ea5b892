"""The window as a keyboard and screen-reader user meets it, and its library-wide actions.

Why each test exists: search results must be usable without a mouse (Down/Up/Enter from the
query box); Reindex and Check database are reached from the File menu and must end with a visible
result, including a real problem (a deleted PDF copy); every focusable control needs a name a
screen reader can speak; the status bar says which library is open and how big it is; icons
load from the package data (a wheel without them would show blank buttons).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTabBar,
    QToolBar,
    QWidget,
)

from ui import icons, richtext
from ui.main_window import TAB_COMPARE, TAB_LIBRARY, TAB_READER
from workbench.model import SearchFilters, SearchResult


def _menu_action(window, menu_title: str, text: str):
    menu = next(a.menu() for a in window.menuBar().actions()
                if a.text().replace("&", "") == menu_title)
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_keyboard_moves_through_results_and_enter_opens_the_hit(qtbot, open_window,
                                                                sample_library):
    window = open_window(sample_library)
    window.focus_search()
    panel = window.search_panel
    with qtbot.waitSignal(panel.search_finished, timeout=15000) as blocker:
        qtbot.keyClicks(panel.query_edit, "adult social care")
    hits = blocker.args[0].hits
    assert len(hits) >= 3
    assert panel.results.currentIndex().row() == 0
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Down)
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 2
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Up)
    assert panel.results.currentIndex().row() == 1
    assert panel.query_edit.text() == "adult social care"  # the arrows never edit the query
    with qtbot.waitSignal(panel.hit_activated, timeout=5000) as opened:
        qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    assert opened.args[0] == hits[1]
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == hits[1].plan,
                    timeout=15000)
    assert window.tabs.currentIndex() == TAB_READER
    assert reader.page_label() == hits[1].page_label


def test_reindex_from_the_file_menu_then_search_still_works(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    action = _menu_action(window, "File", "Reindex")
    with qtbot.waitSignal(window.ctx.runner.busy_changed, timeout=5000) as started:
        action.trigger()
    assert started.args == [True]
    assert window.index_label.isVisible() and "Rebuilding" in window.index_label.text()
    qtbot.waitUntil(lambda: window.ctx.runner.is_idle(), timeout=60000)
    assert not window.index_label.isVisible()
    assert "Search index rebuilt" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.search_panel.search_finished, timeout=15000) as blocker:
        window.search_panel.set_query("climate emergency", immediately=True)
    assert blocker.args[0].hits


def test_check_database_reports_health_and_a_deleted_pdf_copy(qtbot, open_window,
                                                             sample_library):
    window = open_window(sample_library)
    action = _menu_action(window, "File", "Check database")
    action.trigger()
    qtbot.waitUntil(lambda: window.library_actions.check_dialog is not None and window.library_actions.check_dialog.isVisible(),
                    timeout=60000)
    assert "healthy" in window.library_actions.check_dialog.text()
    window.library_actions.check_dialog.close()
    victim = sorted((sample_library / "files").rglob("*.pdf"))[0]
    victim.unlink()
    action.trigger()
    qtbot.waitUntil(lambda: window.library_actions.check_dialog is not None and window.library_actions.check_dialog.isVisible()
                    and "problem" in window.library_actions.check_dialog.text(), timeout=60000)
    assert "missing PDF copy" in window.library_actions.check_dialog.informativeText()
    assert victim.name in window.library_actions.check_dialog.detailedText()
    window.library_actions.check_dialog.close()


def test_document_text_size_and_zoom_are_remembered_apart_from_the_ui_font(
        qtbot, open_window, sample_library):
    window = open_window(sample_library)
    ui_size = QApplication.font().pointSizeF()
    table_size = window.library_panel.table.font().pointSizeF()
    reader = window.reader_panel
    reader.ensure_built()
    window.larger_text_action.trigger()
    window.larger_text_action.trigger()
    assert reader.document_font_size == 13
    assert reader.text_view.font().pointSize() == 13
    assert QApplication.font().pointSizeF() == ui_size  # the UI font is untouched
    assert window.library_panel.table.font().pointSizeF() == table_size
    window.zoom_in_action.trigger()
    zoom = reader.zoom
    window.show_tab(TAB_COMPARE)
    window.search_dock.hide()
    window.close()
    again = open_window(sample_library)
    assert again.reader_panel.document_font_size == 13
    assert again.reader_panel.zoom == zoom and not again.reader_panel.fit_width
    assert again.tabs.currentIndex() == TAB_COMPARE
    assert again.search_dock.isHidden()


def _interactive(widget: QWidget) -> bool:
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox,
             QTabBar, QAbstractScrollArea)
    return (isinstance(widget, kinds)
            and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
            and widget.isVisibleTo(widget.window()))


def test_every_focusable_widget_has_an_accessible_name(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    window.focus_search()  # builds the search dock
    for tab in (TAB_READER, TAB_COMPARE, TAB_LIBRARY):  # builds every lazy panel
        window.show_tab(tab)
        qtbot.wait(10)
    qtbot.waitUntil(lambda: window.compare_panel.is_built, timeout=5000)
    missing = []
    for widget in QApplication.allWidgets():
        if widget.window() is not window or not _interactive(widget):
            continue
        if not widget.accessibleName().strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} "
                           f"(parent {type(widget.parent()).__name__})")
    assert not missing, "no accessible name:\n" + "\n".join(sorted(set(missing)))


def test_status_bar_shows_library_plans_and_index_notice(qtbot, open_window, sample_library):
    window = open_window(sample_library)
    qtbot.waitUntil(lambda: window.plan_count_label.text() == "5 plans", timeout=5000)
    assert sample_library.name in window.library_label.text()
    assert window.library_label.toolTip() == richtext.tooltip(str(sample_library))
    assert not window.index_label.isVisible()
    window.search_panel.search_finished.emit(
        SearchResult((), 0, "climate", "Rebuilding the search index…"))
    assert window.index_label.isVisible()
    assert window.index_label.text() == "Rebuilding search index…"
    window.search_panel.search_finished.emit(SearchResult((), 0, "climate", ""))
    assert not window.index_label.isVisible()


def test_icons_load_and_the_toolbar_shows_icon_and_text(qtbot, open_window, sample_library):
    for name in icons.NAMES:
        assert icons.svg_bytes(name).startswith(b"<svg"), name
        assert not icons.icon(name).isNull(), name
        assert not icons.icon(name).pixmap(48, 48).isNull(), name
    window = open_window(sample_library)
    assert not window.windowIcon().isNull()
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    for action in (window.import_action, window.find_action, window.show_compare_action,
                   window.copy_citation_action, window.zoom_in_action, window.zoom_out_action,
                   window.fit_width_action, window.prev_page_action, window.next_page_action):
        assert not action.icon().isNull(), action.text()
        assert action in toolbar.actions()
    assert icons.icon_from_svg(b"not svg").isNull()


def test_library_badges_for_ocr_repaired_and_restricted_plans(qtbot):
    from PySide6.QtWidgets import QTableView

    from tests.ui.test_models import make_plan
    from ui.models.plans import NOTICES_COLUMN, BadgesRole, PlanTableModel
    from ui.widgets.badges import BadgeDelegate

    base = make_plan(1)
    flagged = type(base)(**{**{f: getattr(base, f) for f in base.__slots__},
                            "slug": "flagged", "needs_ocr_pages": (2, 3), "repaired": True,
                            "copy_restricted": True})
    model = PlanTableModel()
    model.set_plans([base, flagged])
    assert model.index(0, NOTICES_COLUMN).data(BadgesRole) == []
    assert model.index(1, NOTICES_COLUMN).data(BadgesRole) == [
        "needs OCR", "repaired", "copy restricted"]
    assert model.index(1, NOTICES_COLUMN).data() == "needs OCR, repaired, copy restricted"
    assert "copying" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(NOTICES_COLUMN, BadgeDelegate(BadgesRole, view))
    view.resizeColumnsToContents()
    view.show()
    assert view.columnWidth(NOTICES_COLUMN) > 150  # room for three pills
    assert not view.grab().isNull()  # paints without error
    assert QFont().pointSizeF() > 0


def test_search_filters_by_lineage_relation_and_status(qtbot, open_window, sample_library):
    from ui import compose

    wb = compose.open_workbench(sample_library)
    try:
        records = compose.records_for(wb, "Tester")
        hits = wb.search('"Net Zero by 2050"', SearchFilters(plans=("framing-kents-future-2022",),
                                                            kinds=("commitment",))).hits
        source = hits[0].item_id
        records.link(source, [], relation="dropped", rationale="not in Reforming Kent",
                     to_plan="reforming-kent-2025", confirm=True)
        records.assess(source, "stalled", "2025-06-01", rationale="no pathway published")
        wb.sync_index()
    finally:
        compose.close_workbench(wb)
    window = open_window(sample_library)
    window.focus_search()
    panel = window.search_panel
    panel.relation_combo.setCurrentIndex(panel.relation_combo.findData("dropped"))
    with qtbot.waitSignal(panel.search_finished, timeout=15000) as blocker:
        qtbot.keyClicks(panel.query_edit, "net zero")
    result = blocker.args[0]
    assert result.hits and all("dropped" in h.relation for h in result.hits)
    assert source in {h.item_id for h in result.hits if h.kind == "commitment"}
    panel.relation_combo.setCurrentIndex(0)
    with qtbot.waitSignal(panel.search_finished, timeout=15000) as blocker:
        panel.status_combo.setCurrentIndex(panel.status_combo.findData("stalled"))
    assert {h.status for h in blocker.args[0].hits} == {"stalled"}

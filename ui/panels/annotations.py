"""The Annotations dock: the current plan's highlights and notes, and its orphans.

Rows show page, passage, note and tags (the page cell in the highlight's colour); activating
one asks the reader to go there. The Orphans section lists annotations a re-import could not
place ("K orphaned after re-import"): select one, select the right passage in the reader's page
text, and press "Re-attach to selection". Nothing here touches the database: the list arrives
through ``set_list`` (loaded by ``ui.lineage_ui``), edits go through ``ui.ops.records``.

Signals:
    open_requested(str, int, int, int): (plan, page index, start, end) to show and select.
    reattach_requested(str): the uuid of the orphan to re-attach to the reader's selection.
    edit_requested(str): the uuid of the annotation whose note/tag/colour to edit.
    delete_requested(str): the uuid of the annotation to move to the trash.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.records import AnnotationListModel, IdRole, ValueRole
from ui.ops.records import AnnotationItem, AnnotationList
from ui.panels import LazyPanel
from ui.widgets.plain import make_plain


def _table(model: QSortFilterProxyModel | AnnotationListModel, name: str) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # one Tab stop; arrow keys move inside
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    return view


class AnnotationsPanel(LazyPanel):
    """Highlights of the plan open in the reader, and the ones waiting to be re-attached."""

    open_requested = Signal(str, int, int, int)
    reattach_requested = Signal(str)
    edit_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Annotations")
        self.model = AnnotationListModel(self)
        self.orphan_model = AnnotationListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.current: AnnotationList | None = None

    def build(self, layout: QVBoxLayout) -> None:
        layout.setContentsMargins(6, 6, 6, 6)
        self.title_label = QLabel("Open a plan to see its annotations.")
        make_plain(self.title_label)  # shows data: never rich text
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleName("Annotations of")
        layout.addWidget(self.title_label)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter notes, passages and tags…")
        self.filter_edit.setAccessibleName("Filter annotations")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        layout.addWidget(self.filter_edit)
        self.view = _table(self.proxy, "Annotations")
        self.view.activated.connect(self._on_view_activated)
        self.view.clicked.connect(self._on_view_activated)
        self.view.customContextMenuRequested.connect(
            lambda pos: self._context_menu(self.view, pos))
        layout.addWidget(self.view, 3)
        self.orphans_label = QLabel("")
        make_plain(self.orphans_label)  # shows data: never rich text
        self.orphans_label.setAccessibleName("Orphaned annotations")
        layout.addWidget(self.orphans_label)
        self.orphan_view = _table(self.orphan_model, "Orphaned annotations")
        self.orphan_view.customContextMenuRequested.connect(
            lambda pos: self._context_menu(self.orphan_view, pos))
        layout.addWidget(self.orphan_view, 1)
        row = QHBoxLayout()
        self.reattach_button = QPushButton("&Re-attach to selection")
        self.reattach_button.setToolTip("Select the passage in the reader's page text first")
        self.reattach_button.setAccessibleName("Re-attach the orphan to the selected text")
        self.reattach_button.clicked.connect(self.reattach_selected)
        row.addWidget(self.reattach_button)
        row.addStretch(1)
        layout.addLayout(row)
        self._update_orphans()

    # -- data ----------------------------------------------------------------------------

    def set_list(self, annotations: AnnotationList | None, plan_title: str = "") -> None:
        self.current = annotations
        self.model.set_items(annotations.items if annotations else ())
        self.orphan_model.set_items(annotations.orphans if annotations else ())
        if self.is_built:
            count = len(annotations.items) if annotations else 0
            self.title_label.setText(f"{count} annotation(s) in {plan_title}" if annotations
                                     else "Open a plan to see its annotations.")
            self._update_orphans()

    def _update_orphans(self) -> None:
        count = self.orphan_model.rowCount()
        self.orphans_label.setText(f"{count} orphaned after re-import" if count
                                   else "No orphaned annotations.")
        for w in (self.orphan_view, self.reattach_button):
            w.setVisible(bool(count))

    def items(self) -> list[AnnotationItem]:
        return [self.model.value(r) for r in range(self.model.rowCount())]

    def select_uuid(self, uuid: str) -> None:
        self.ensure_built()
        row = self.model.row_of(uuid)
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    # -- actions --------------------------------------------------------------------------

    def _on_view_activated(self, index: QModelIndex) -> None:
        item: AnnotationItem | None = index.siblingAtColumn(0).data(ValueRole)
        if item is not None:
            a = item.annotation.anchor
            self.open_requested.emit(item.annotation.plan, a.page_index, a.start, a.end)

    def selected_orphan(self) -> str | None:
        index = self.orphan_view.currentIndex() if self.is_built else QModelIndex()
        if not index.isValid() and self.orphan_model.rowCount():
            return self.orphan_model.id_at(0)
        return index.siblingAtColumn(0).data(IdRole) if index.isValid() else None

    def reattach_selected(self) -> None:
        uuid = self.selected_orphan()
        if uuid:
            self.reattach_requested.emit(uuid)

    def _context_menu(self, view: QTableView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        uuid = index.siblingAtColumn(0).data(IdRole) if index.isValid() else None
        if not uuid:
            return
        menu = QMenu(view)
        menu.addAction("&Edit note, tag or colour…", lambda: self.edit_requested.emit(uuid))
        if view is self.orphan_view:
            menu.addAction("&Re-attach to the reader's selection",
                           lambda: self.reattach_requested.emit(uuid))
        menu.addSeparator()
        menu.addAction("Move to &trash", lambda: self.delete_requested.emit(uuid))
        menu.popup(view.viewport().mapToGlobal(pos))

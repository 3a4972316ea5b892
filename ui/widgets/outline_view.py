"""The reader's outline: sections and their commitments, following the page shown.

``follow_page`` moves the current row to what is on the page the reader shows (the first
section or commitment that starts there, else the section the page belongs to) when the page
is turned by other means than the outline (next/previous page, Go to page, a search hit), so
the outline never points at a page the reader left. It moves the current row only: nothing is
opened, and the reader's current item (what Link and Status act on) stays as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHeaderView, QTreeView

from ui.models.outline import KindRole, OutlineModel, PageIndexRole


class OutlineView(QTreeView):
    """A tree of the plan's outline (model: ``OutlineModel``)."""

    def __init__(self, model: OutlineModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setAccessibleName("Outline: sections and commitments")
        self.setHeaderHidden(False)
        self.setUniformRowHeights(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

    def _rows(self, parent: QModelIndex = QModelIndex()):  # noqa: B008 - a generator
        model = self.model()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            yield index
            yield from self._rows(index)

    def follow_page(self, page_index: int) -> None:
        current = self.currentIndex()
        if current.isValid() and current.siblingAtColumn(0).data(PageIndexRole) == page_index:
            return
        best: QModelIndex | None = None
        for index in self._rows():
            page = index.data(PageIndexRole)
            if page == page_index:
                best = index
                break
            if page is not None and page < page_index and index.data(KindRole) == "section":
                best = index  # the last section that starts before the page
        if best is not None:
            self.setCurrentIndex(best)
            self.scrollTo(best)

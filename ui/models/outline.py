"""A plan's outline: sections nested by level, with their commitments under them.

Built in one go from the ``Section`` and ``Commitment`` values loaded on the DB thread (a plan
has at most a few hundred of each). Read-only. Sibling commitments that open with the same
words are labelled by the words that differ (``distinct_labels``); the tool tip has the text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from ui import richtext
from workbench.model import Commitment, Section

KindRole = Qt.ItemDataRole.UserRole + 1  # "section" | "commitment"
ItemIdRole = Qt.ItemDataRole.UserRole + 2
PageIndexRole = Qt.ItemDataRole.UserRole + 3

_PREVIEW = 90


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def distinct_labels(texts: list[str], keep: int = 1) -> list[str]:
    """Labels that tell sibling commitments apart in a narrow column: when several start with
    the same words ("Our commitment is to …"), those shared words are left out so the words
    that differ come first (the tool tip has the whole text). A label keeps ``keep`` shared
    words for context."""
    words = [" ".join(t.split()).split(" ") for t in texts]
    out = []
    for i, w in enumerate(words):
        shared = 0
        for j, other in enumerate(words):
            if j != i:
                n = 0
                while n < min(len(w), len(other)) - 1 and w[n].casefold() == other[n].casefold():
                    n += 1
                shared = max(shared, n)
        cut = shared - keep
        text = " ".join(w[cut:]) if cut >= 2 else " ".join(w)
        out.append(_preview(text))
    return out

# The outline's bullet and name for each kind of commitment unit (issue 12): asks of others and
# measures of success are not the council's own promise, targets carry a date or figure.
KIND_BULLETS = {"commitment": ("•", "Commitment"), "target": ("◆", "Target"),
                "ask": ("↗", "Ask of others"), "measure": ("▹", "Measure of success")}


class OutlineModel(QStandardItemModel):
    """Sections by level, commitments as leaves under their section."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Outline", "Page"])
        self._items: dict[tuple[str, int], QStandardItem] = {}

    def set_outline(self, sections: list[Section], commitments: list[Commitment]) -> None:
        self.beginResetModel()
        self.blockSignals(True)
        try:
            self.removeRows(0, self.rowCount())
            self._items.clear()
            root = self.invisibleRootItem()
            stack: list[tuple[int, QStandardItem]] = []
            by_section: dict[int, list[Commitment]] = {}
            for c in commitments:
                by_section.setdefault(int(c.section_id), []).append(c)
            for s in sections:
                while stack and stack[-1][0] >= s.level:
                    stack.pop()
                parent = stack[-1][1] if stack else root
                item = self._make(
                    s.heading or "(untitled section)", "section", int(s.id), s.page_start,
                    s.label_start,
                )
                item.setToolTip(richtext.tooltip(" › ".join(s.path) or s.heading))
                parent.appendRow([item, self._page_item(s.label_start)])
                stack.append((s.level, item))
                mine = by_section.get(int(s.id), [])
                for c, label in zip(mine, distinct_labels([c.text for c in mine]), strict=True):
                    # asks, targets and measures get their own bullet (narrow panes cut the
                    # label's end) and say their kind in the tool tip
                    bullet, kind_name = KIND_BULLETS.get(c.kind, KIND_BULLETS["commitment"])
                    leaf = self._make(f"{bullet} {label}", "commitment", int(c.id),
                                      c.page_index, c.page_label)
                    leaf.setToolTip(richtext.tooltip(f"{kind_name}: {c.text}"))
                    item.appendRow([leaf, self._page_item(c.page_label)])
        finally:
            self.blockSignals(False)
            self.endResetModel()

    def _make(self, text: str, kind: str, item_id: int, page: int, label: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(kind, KindRole)
        item.setData(item_id, ItemIdRole)
        item.setData(page, PageIndexRole)
        item.setData(f"{kind} {text}, page {label}", Qt.ItemDataRole.AccessibleTextRole)
        self._items[(kind, item_id)] = item
        return item

    @staticmethod
    def _page_item(label: str) -> QStandardItem:
        item = QStandardItem(label)
        item.setEditable(False)
        return item

    def item_for(self, kind: str, item_id: int) -> QStandardItem | None:
        return self._items.get((kind, item_id))

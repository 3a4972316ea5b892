"""The rows of a plan comparison: aligned pairs as a table, unmatched items as a list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from ui import richtext
from ui.ops.compare import AlignedPair, AlignItem, Alignment
from workbench.lineage import RELATIONS

PairRole = Qt.ItemDataRole.UserRole + 1
ItemRole = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


def year_of(text: str, fallback: str) -> str:
    return text[:4] if text[:4].isdigit() else fallback


def pair_why(pair: AlignedPair) -> str:
    """Why the pair is shown, in words: the engine's proposed relation (or the confirmed link)
    and its reasons for a passage pair, why two sections sit side by side for a section pair.
    Said in the Match column's tooltip and above the word differences of the selected pair."""
    if not pair.relation:
        return ""
    if pair.left.kind == "section":
        return "Side by side: " + "; ".join(pair.reasons or (pair.relation,))
    if pair.confirmed is None:  # qa13: a confirmed "unreviewed" link read "Confirmed link"
        return " · ".join(("Linked, no verdict", *pair.reasons))
    label = RELATIONS.get(pair.relation, pair.relation).lower()
    if pair.confirmed:  # its one reason is "confirmed link": not said twice (qa13)
        return f"Confirmed link: {label}"
    return " · ".join((f"Proposed: {label}", *pair.reasons))


def match_text(pair: AlignedPair, *, spelled: bool = False) -> str:
    """The Match column: the engine's similarity ("62%"; ``spelled``: "match 62%"), or for a
    pair an officer linked, which the engine did not score, "linked ✓" (a verdict) or
    "linked" (no verdict). qa13: such a pair read "100%" however different its wording."""
    if pair.left.kind != "section" and pair.confirmed is not False:
        return "linked ✓" if pair.confirmed else "linked"
    return f"match {pair.score:.0f}%" if spelled else f"{pair.score:.0f}%"


def _kind_mark(item: AlignItem) -> str:
    return "§ " if item.kind == "section" else "• "


class ComparePairModel(QAbstractTableModel):
    """Aligned pairs: left item, right item, similarity, words changed."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._pairs: list[AlignedPair] = []
        self._headers = ["Earlier plan", "Later plan", "Match", "Changes"]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._pairs)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._pairs):
            return None
        pair = self._pairs[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return f"{_kind_mark(pair.left)}{pair.left.title}  (p. {pair.left.page_label})"
            if column == 1:
                return f"{_kind_mark(pair.right)}{pair.right.title}  (p. {pair.right.page_label})"
            if column == 2:
                return match_text(pair)
            if pair.inserted == pair.deleted == 0:
                return "unchanged"
            return f"+{pair.inserted} / −{pair.deleted} words"
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 1):
            item = pair.left if column == 0 else pair.right
            return richtext.tooltip(item.text[:600])
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and pair.relation:
            return richtext.tooltip(pair_why(pair))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PairRole:
            return pair
        if role == ItemRole and column in (0, 1):
            return pair.left if column == 0 else pair.right
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self._headers):
                return self._headers[section]
        return None

    def set_alignment(self, alignment: Alignment | None) -> None:
        self.beginResetModel()
        if alignment is None:
            self._pairs = []
            self._headers[0:2] = ["Earlier plan", "Later plan"]
        else:
            self._pairs = list(alignment.pairs)
            self._headers[0] = alignment.left_plan.title
            self._headers[1] = alignment.right_plan.title
        self.endResetModel()

    def pair(self, row: int) -> AlignedPair | None:
        return self._pairs[row] if 0 <= row < len(self._pairs) else None

    def pairs(self) -> list[AlignedPair]:
        return list(self._pairs)


class UnmatchedListModel(QAbstractListModel):
    """Items of one side that found no partner on the other."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[AlignItem] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{_kind_mark(item)}{item.title}  (p. {item.page_label})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return richtext.tooltip(item.text[:600])
        if role == ItemRole:
            return item
        return None

    def set_items(self, items: tuple[AlignItem, ...] | list[AlignItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> AlignItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

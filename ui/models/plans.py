"""The library's plans as a table, and its filter proxy.

``PlanTableModel`` holds slugs plus a row cache of ``Plan`` values, loaded by
``ui.ops.library.load_plans`` on the DB thread (the GUI thread never opens the database, see
``ui/executor.py``). Rows change only inside ``begin…``/``end…`` pairs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from ui import richtext
from workbench.model import Plan

SlugRole = Qt.ItemDataRole.UserRole + 1
PlanRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
BadgesRole = Qt.ItemDataRole.UserRole + 4  # list[str] for the "Notices" column

COLUMNS = (
    "Title",
    "Organisation",
    "Period",
    "Stage",
    "Published",
    "Pages",
    "Sections",
    "Commitments",
    "Notices",
)
NOTICES_COLUMN = 8
_NUMERIC = {5, 6, 7}
AnyIndex = QModelIndex | QPersistentModelIndex


def _period(plan: Plan) -> str:
    m = plan.meta
    if m.period_start and m.period_end:
        return f"{m.period_start}–{m.period_end}"
    return m.period_start or m.period_end


def badges(plan: Plan) -> list[str]:
    """Short notices a reader should see before trusting the text."""
    out = []
    if plan.needs_ocr_pages:
        out.append("needs OCR")
    if plan.repaired:
        out.append("repaired")
    if plan.copy_restricted:
        out.append("copy restricted")
    return out


def _cell(plan: Plan, column: int) -> Any:
    if column == NOTICES_COLUMN:
        return ", ".join(badges(plan))
    m = plan.meta
    return (
        m.title,
        m.organisation,
        _period(plan),
        m.stage.capitalize(),
        m.published,
        plan.pages,
        plan.sections,
        plan.commitments,
    )[column]


class PlanTableModel(QAbstractTableModel):
    """One row per plan in the library (not in the trash unless ``show_removed``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._slugs: list[str] = []
        self._rows: dict[str, Plan] = {}
        self._removed: set[str] = set()

    # -- Qt overrides ----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._slugs)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._slugs):
            return None
        plan = self._rows[self._slugs[index.row()]]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = _cell(plan, column)
            if column == 0 and plan.slug in self._removed:
                return f"{value} (in trash)"
            return str(value) if column in _NUMERIC else value
        if role == SortRole:
            return _cell(plan, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = [plan.meta.title, plan.slug, f"{plan.pages} pages, {plan.sections} "
                     f"sections, {plan.commitments} commitments"]
            if plan.meta.status:
                notes.append(plan.meta.status)
            if plan.needs_ocr_pages:
                notes.append(f"{len(plan.needs_ocr_pages)} page(s) need OCR")
            if plan.repaired:
                notes.append("repaired on import")
            if plan.copy_restricted:
                notes.append("its permissions forbid copying text")
            return richtext.tooltip("\n".join(notes))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SlugRole:
            return plan.slug
        if role == PlanRole:
            return plan
        if role == BadgesRole and column == NOTICES_COLUMN:
            return badges(plan)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    # -- updates ---------------------------------------------------------------------------

    def set_plans(self, plans: list[Plan], removed: set[str] | None = None) -> None:
        """Replace every row (a library holds tens of plans, so a reset is cheap)."""
        self.beginResetModel()
        self._slugs = [p.slug for p in plans]
        self._rows = {p.slug: p for p in plans}
        self._removed = set(removed or ())
        self.endResetModel()

    def update_plan(self, plan: Plan) -> None:
        """Refresh one row in place, or append it if it is new."""
        if plan.slug in self._rows:
            row = self._slugs.index(plan.slug)
            self._rows[plan.slug] = plan
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        row = len(self._slugs)
        self.beginInsertRows(QModelIndex(), row, row)
        self._slugs.append(plan.slug)
        self._rows[plan.slug] = plan
        self.endInsertRows()

    def remove_slug(self, slug: str) -> None:
        if slug not in self._rows:
            return
        row = self._slugs.index(slug)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._slugs[row]
        del self._rows[slug]
        self._removed.discard(slug)
        self.endRemoveRows()

    def plan(self, slug: str) -> Plan | None:
        return self._rows.get(slug)

    def plans(self) -> list[Plan]:
        return [self._rows[s] for s in self._slugs]

    def row_of(self, slug: str) -> int:
        return self._slugs.index(slug) if slug in self._rows else -1

    def is_removed(self, slug: str) -> bool:
        return slug in self._removed


class PlanFilterProxy(QSortFilterProxyModel):
    """Filters plans by a needle found in any column; sorts numbers as numbers."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setSortRole(SortRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.casefold().strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def needle(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        plan = model.index(source_row, 0, source_parent).data(PlanRole)
        if plan is None:
            return False
        haystack = " ".join(
            str(_cell(plan, c)) for c in range(len(COLUMNS))
        ) + f" {plan.slug} {plan.meta.status}"
        return all(word in haystack.casefold() for word in self._needle.split())

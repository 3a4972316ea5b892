"""Tables of user records: annotations and orphans, suggestions, commitments to link
to, the trash, the audit log and a commitment's lineage thread.

Each model holds record ids plus a row cache of frozen values loaded by ``ui.ops.records`` on
the DB thread; rows change only inside ``beginResetModel``/``endResetModel``. Filtering is a
``QSortFilterProxyModel`` bracketed with ``beginFilterChange``/``endFilterChange``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from ui import richtext
from ui.ops.records import AnnotationItem
from workbench.lineage import Candidate, Suggestion
from workbench.records import (
    Annotation,
    AuditEntry,
    Correction,
    EffectiveCommitment,
    Link,
    StatusAssessment,
    Tag,
)

IdRole = Qt.ItemDataRole.UserRole + 1  # uuid / commitment key
ValueRole = Qt.ItemDataRole.UserRole + 2  # the frozen value behind the row
AnyIndex = QModelIndex | QPersistentModelIndex

COLOURS: dict[str, str] = {  # highlight colours offered in the window (name -> #rrggbb)
    "Yellow": "#fff59d",
    "Green": "#c5e1a5",
    "Blue": "#b3e5fc",
    "Pink": "#f8bbd0",
    "Orange": "#ffcc80",
}
DEFAULT_COLOUR = COLOURS["Yellow"]


def one_line(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(record: Any) -> str:
    """A record in a few words, for the trash and the audit log."""
    if isinstance(record, Annotation):
        return f"Annotation on {record.plan}, p. {record.anchor.page_label}: " \
               f"“{one_line(record.anchor.exact, 60)}”"
    if isinstance(record, Link):
        return f"Link ({record.relation}) from {record.source.plan}: " \
               f"“{one_line(record.source.anchor.exact, 60)}”"
    if isinstance(record, StatusAssessment):
        return f"Status {record.status} as at {record.as_at}"
    if isinstance(record, Correction):
        return f"Correction ({record.kind}) on {record.plan}: " \
               f"“{one_line(record.anchor.exact, 60)}”"
    if isinstance(record, Tag):
        return f"Tag {record.name}"
    return str(getattr(record, "KIND", record))


class _RowModel(QAbstractTableModel):
    """A flat table: ``HEADERS`` columns over a list of values, each with an id."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._ids: list[str] = []
        self._rows: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        value = self._rows[index.row()]
        if role == IdRole:
            return self._ids[index.row()]
        if role == ValueRole:
            return value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell(value, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return richtext.tooltip(self.tip(value, index.column())) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(value, index.column())
        return None

    def cell(self, value: Any, column: int) -> str:
        raise NotImplementedError

    def tip(self, value: Any, column: int) -> str | None:
        return None

    def background(self, value: Any, column: int) -> QColor | None:
        return None

    def set_rows(self, ids: Sequence[str], rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._ids, self._rows = list(ids), list(rows)
        self.endResetModel()

    def value(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, ident: str) -> int:
        return self._ids.index(ident) if ident in self._ids else -1


class AnnotationListModel(_RowModel):
    """A plan's annotations (or its orphans): page, passage, note, tags."""

    HEADERS = ("Page", "Passage", "Note", "Tags")

    def set_items(self, items: Sequence[AnnotationItem]) -> None:
        self.set_rows([i.annotation.uuid for i in items], items)

    def cell(self, value: AnnotationItem, column: int) -> str:
        a = value.annotation
        return (a.anchor.page_label, one_line(a.anchor.exact, 90), one_line(a.note, 90),
                ", ".join(value.tags))[column]

    def tip(self, value: AnnotationItem, column: int) -> str | None:
        a = value.annotation
        return f"“{a.anchor.exact}”\n\n{a.note}\n\n{a.created_by}, {a.created_at}".strip()

    def background(self, value: AnnotationItem, column: int) -> QColor | None:
        return QColor(value.colour or DEFAULT_COLOUR) if column == 0 else None


class SuggestionModel(_RowModel):
    """The ranked successor candidates of one commitment: press 1–9 to accept one."""

    HEADERS = ("#", "Candidate", "Page", "Score", "Relation", "Why")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, str] = {}

    def set_suggestion(self, suggestion: Suggestion | None, labels: dict[str, str]) -> None:
        self.labels = dict(labels)
        cands = list(suggestion.candidates) if suggestion is not None else []
        self.set_rows([c.commitment.key for c in cands], list(enumerate(cands, start=1)))

    def candidate(self, row: int) -> Candidate | None:
        value = self.value(row)
        return value[1] if value is not None else None

    def cell(self, value: tuple[int, Candidate], column: int) -> str:
        n, c = value
        return (str(n), one_line(c.commitment.text, 160), c.commitment.page_label,
                f"{c.score:.2f}", self.labels.get(c.relation, c.relation),
                "; ".join(c.reasons))[column]

    def tip(self, value: tuple[int, Candidate], column: int) -> str | None:
        c = value[1]
        signals = ", ".join(f"{k} {v:.2f}" for k, v in c.signals.items())
        return f"{c.commitment.text}\n\n{signals}"


class CommitmentChoiceModel(_RowModel):
    """Commitments of the later plan to choose as successors; suggested ones first, starred."""

    HEADERS = ("Commitment",)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.scores: dict[str, tuple[float, str, tuple[str, ...]]] = {}

    def set_commitments(self, commitments: Sequence[EffectiveCommitment],
                        scores: dict[str, tuple[float, str, tuple[str, ...]]]) -> None:
        self.scores = dict(scores)
        self.set_rows([c.key for c in commitments], commitments)

    def cell(self, value: EffectiveCommitment, column: int) -> str:
        score = self.scores.get(value.key)
        mark = f"★ {score[0]:.2f} " if score else ""
        return f"{mark}p. {value.page_label} · {one_line(value.text, 150)}"

    def tip(self, value: EffectiveCommitment, column: int) -> str | None:
        score = self.scores.get(value.key)
        why = f"\n\nSuggested ({score[1]}): {'; '.join(score[2])}" if score else ""
        return f"{' › '.join(value.path) or value.heading}\n{value.text}{why}"


class CommitmentFilterProxy(QSortFilterProxyModel):
    """Keeps the commitments whose text, heading or page label holds every typed word."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle: list[str] = []

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._needle:
            return True
        value = self.sourceModel().index(source_row, 0, source_parent).data(ValueRole)
        if value is None:
            return False
        hay = f"{value.text} {value.heading} p. {value.page_label}".casefold()
        return all(w in hay for w in self._needle)


class TrashModel(_RowModel):
    HEADERS = ("Deleted", "Kind", "What")

    def set_records(self, records: Sequence[Any]) -> None:
        self.set_rows([r.uuid for r in records], records)

    def cell(self, value: Any, column: int) -> str:
        return ((value.deleted_at or "").replace("T", " ")[:16], value.KIND.capitalize(),
                describe(value))[column]


class AuditModel(_RowModel):
    HEADERS = ("When", "Who", "What", "Record")

    def set_entries(self, entries: Sequence[AuditEntry]) -> None:
        self.set_rows([str(e.id) for e in entries], entries)

    def cell(self, value: AuditEntry, column: int) -> str:
        what = value.detail.get("label") or value.action.replace("_", " ").capitalize()
        if value.action in ("undo", "redo"):
            what = f"{value.action.capitalize()} {str(value.detail.get('label', '')).lower()}"
        return (value.at.replace("T", " ")[:19], value.actor, what, value.target)[column]

    def tip(self, value: AuditEntry, column: int) -> str | None:
        return "\n".join(f"{k}: {v}" for k, v in value.detail.items())

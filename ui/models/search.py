"""Search hits as a list model; the rich-text snippet is built (escaped) on demand.

Roles give the delegate the pieces it paints: ``HtmlRole`` is the snippet with ``[[ ]]`` markers
turned into highlights *after* escaping the untrusted text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ui import richtext
from workbench.lineage import RELATIONS, STATUSES
from workbench.links import hit_relation_words
from workbench.model import SearchHit

HitRole = Qt.ItemDataRole.UserRole + 1
HtmlRole = Qt.ItemDataRole.UserRole + 2
HeaderRole = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex


def _kind_label(hit: SearchHit) -> str:
    """What the hit is, in words. A note hit is an officer's own text (issue 5): an annotation's
    note, a link's rationale or a status's rationale, told apart by the link relation or the
    status the index stores on it; never labelled "Section", which would pass the officer's
    words off as the plan's."""
    if hit.kind == "commitment":
        return "Commitment"
    if hit.kind != "note":
        return "Section"
    if hit.relation:
        return f"Rationale of a link ({RELATIONS.get(hit.relation, hit.relation).lower()})"
    if hit.status:
        return f"Rationale of a delivery status ({STATUSES.get(hit.status, hit.status).lower()})"
    return "Annotation note"


def hit_header(hit: SearchHit) -> str:
    # unambiguous within the plan; a note's path is only its own label, said by the kind
    where = "" if hit.kind == "note" else (
        hit.citation or (" › ".join(hit.path[-2:]) if hit.path else ""))
    parts = [hit.plan_title, f"p. {hit.page_label}", _kind_label(hit)]
    if hit.kind == "commitment" and hit.relations:  # qa13: a verdict or only a proposal
        parts.append(hit_relation_words(hit))
    if hit.ocr_confidence is not None:  # issue 15: OCR text is marked as such
        parts.append(f"OCR text ({hit.ocr_confidence:.0f}/100)")
    if where:
        parts.append(where)
    return " · ".join(parts)


class SearchResultModel(QAbstractListModel):
    """The hits of the latest search, in the order the index ranked them."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._html: dict[int, str] = {}

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit_header(hit)}\n{richtext.strip_markers(hit.snippet)}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit_header(hit)}. {richtext.strip_markers(hit.snippet)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return richtext.tooltip(" › ".join(hit.path))
        if role == HitRole:
            return hit
        if role == HeaderRole:
            return hit_header(hit)
        if role == HtmlRole:
            row = index.row()
            if row not in self._html:
                self._html[row] = richtext.snippet_html(hit.snippet)
            return self._html[row]
        return None

    def set_hits(self, hits: list[SearchHit] | tuple[SearchHit, ...]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self._html.clear()
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

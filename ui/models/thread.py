"""A lineage thread as a table: one column per plan (oldest first), its commitment(s) below.

Each cell says, in words, how the commitment got there: the relation of the link into it
("Continued from Plan A (2020)"), who confirmed it and when (or that it is only a proposal, the
machine's or a person's), the rationale, the link's earlier verdicts when it was changed (oldest
first, so a changed verdict is never silent), then the commitment's text and page, and its
delivery status history (every dated assessment, oldest first, with who made it). A link with no
successor shows as its own cell ("No successor: Dropped") with its rationale and who confirmed
it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ui import richtext
from ui.ops.records import PlanChoice
from workbench.lineage import STATUSES
from workbench.links import earlier_verdicts, link_standing
from workbench.records import Link, StatusAssessment
from workbench.review import Thread, ThreadNode

IdRole = Qt.ItemDataRole.UserRole + 1  # the same roles as ui.models.records
ValueRole = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex


def _day(stamp: str) -> str:
    return stamp[:10] if stamp else ""


def verdict_lines(link: Link, relation: str, earlier: str = "",
                  labels: Mapping[str, str] | None = None) -> list[str]:
    """"Continued from Plan A (2020)", "Confirmed by Alex on 2026-05-01", "Why: …", then one
    "Earlier verdict: …" line per value the link held before (the CLI's lineage says the same)."""
    head = f"{relation} from {earlier}" if earlier else relation
    lines = [head, link_standing(link)]  # the one wording (qa13: "Confirmed by" an unreviewed)
    if link.rationale:
        lines.append(f"Why: {link.rationale}")
    lines.extend(f"Earlier verdict: {line}"
                 for line in earlier_verdicts(link, dict(labels or {}), day=_day))
    return lines


def status_lines(history: Sequence[StatusAssessment]) -> list[str]:
    out = []
    for s in history:
        who = f", {s.created_by}" if s.created_by else ""
        why = f": {s.rationale}" if s.rationale else ""
        out.append(f"Status {STATUSES.get(s.status, s.status)} as at {s.as_at}{who}{why}")
    return out


class ThreadModel(QAbstractTableModel):
    """A lineage thread: one column per plan, the commitment(s) of each below."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._plans: list[PlanChoice] = []
        self._cells: dict[tuple[int, int], tuple[str, ThreadNode | None]] = {}
        self._rows = 0
        self.origin: str | None = None

    def set_thread(self, thread: Thread | None, plans: Sequence[PlanChoice],
                   labels: dict[str, str],
                   histories: Mapping[str, Sequence[StatusAssessment]] | None = None) -> None:
        self.beginResetModel()
        self._cells.clear()
        self._plans, self._rows, self.origin = [], 0, None
        if thread is not None:
            self.origin = thread.origin
            self._fill(thread, list(plans), labels, histories or {})
        self.endResetModel()

    def _fill(self, thread: Thread, plans: list[PlanChoice], labels: dict[str, str],
              histories: Mapping[str, Sequence[StatusAssessment]]) -> None:
        used = {n.plan for n in thread.nodes} | {e.link.to_plan for e in thread.edges}
        known = {p.slug for p in plans}
        plans += [PlanChoice(n.plan, n.plan_title, n.published, n.not_adopted)
                  for n in thread.nodes if n.plan not in known]
        first = min((i for i, p in enumerate(plans) if p.slug in used), default=0)
        last = max((i for i, p in enumerate(plans) if p.slug in used), default=-1)
        self._plans = plans[first : last + 1]
        column = {p.slug: i for i, p in enumerate(self._plans)}
        titles = {p.slug: p.label for p in plans}
        # every link into a step, the origin's own first (qa13b: only the last was kept, so
        # another commitment's officer and rationale were credited)
        into = {k: [line for e in edges for line in verdict_lines(
                    e.link, labels.get(e.link.relation, e.link.relation),
                    titles.get(e.link.source.plan, ""), labels)]
                for k, edges in thread.into().items()}
        counts: dict[int, int] = {}
        for n in thread.nodes:
            c = column[n.plan]
            row = counts.get(c, 0)
            counts[c] = row + 1
            history = list(histories.get(n.key or "", ()))
            if not history and n.status is not None:
                history = [n.status]
            lines = [*into.get(n.key or "", []), n.text, f"p. {n.page_label}",
                     *status_lines(history)]
            self._cells[(row, c)] = ("\n".join(lines), n)
        own = thread.own_line()
        texts = {n.key: n.text for n in thread.nodes if n.key}
        for e in thread.edges:
            if not e.link.targets and e.link.to_plan in column:
                c = column[e.link.to_plan]
                row = counts.get(c, 0)
                counts[c] = row + 1
                label = labels.get(e.link.relation, e.link.relation)
                head = f"No successor: {label}"
                if e.source_key not in own:  # another commitment's, named (qa13b review)
                    text = " ".join(texts.get(e.source_key or "", "").split())
                    head += (f" (of “{text[:60]}{'…' if len(text) > 60 else ''}”)" if text
                             else " (of another commitment)")
                lines = verdict_lines(e.link, head, labels=labels)
                self._cells[(row, c)] = ("\n".join(lines), None)
        self._rows = max(counts.values(), default=0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self._plans)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._plans):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            plan = self._plans[section]
            text = f"{plan.title} ({plan.published[:4]})" if plan.published else plan.title
            return text + ("\ndraft, never adopted" if plan.not_adopted else "")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self._cells.get((index.row(), index.column()))
        if cell is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell[0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return richtext.tooltip(cell[0])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        if role == ValueRole:
            return cell[1]
        if role == IdRole:
            return cell[1].key if cell[1] is not None else None
        if role == Qt.ItemDataRole.BackgroundRole and cell[1] is not None \
                and cell[1].key == self.origin:
            return QColor(255, 236, 179)
        return None

    def plans(self) -> list[PlanChoice]:
        return list(self._plans)

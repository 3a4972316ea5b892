"""Lists what happened to each file of an import, failures first, with their reasons."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import richtext
from workbench.services import ImportReport

_ORDER = {"refused": 0, "cancelled": 1, "duplicate": 2, "imported": 3}
_LABEL = {"refused": "Refused", "cancelled": "Cancelled", "duplicate": "Already there",
          "imported": "Imported"}


def summary(report: ImportReport) -> str:
    parts = []
    for status in ("imported", "duplicate", "refused", "cancelled"):
        n = report.count(status)
        if n:
            parts.append(f"{n} {_LABEL[status].lower()}")
    return ", ".join(parts) or "nothing to import"


class ImportReportDialog(QDialog):
    """One row per file: outcome, file name, message (and notices as child rows)."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished")
        self.setAccessibleName("Import report")
        layout = QVBoxLayout(self)
        failed = len(report.failed)
        head = QLabel(
            f"<b>{failed} file(s) could not be imported.</b> " if failed else ""
        )
        head.setText(head.text() + summary(report).capitalize() + ".")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Files and outcomes")
        self.tree.setHeaderLabels(["Outcome", "File", "Reason"])
        self.tree.setRootIsDecorated(True)
        for outcome in sorted(report.outcomes, key=lambda o: _ORDER.get(o.status, 9)):
            item = QTreeWidgetItem([_LABEL.get(outcome.status, outcome.status),
                                    outcome.path.name, outcome.message])
            item.setToolTip(2, richtext.tooltip(outcome.message))
            for notice in outcome.notices:
                item.addChild(QTreeWidgetItem(["Notice", "", notice]))
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()
        for col in (0, 1):
            self.tree.resizeColumnToContents(col)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(720, 320)

    def rows(self) -> list[tuple[str, str, str]]:
        return [
            (self.tree.topLevelItem(i).text(0), self.tree.topLevelItem(i).text(1),
             self.tree.topLevelItem(i).text(2))
            for i in range(self.tree.topLevelItemCount())
        ]

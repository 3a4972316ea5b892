"""Edit a plan's metadata: title, organisation, period, stage, published, supersedes."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ui.widgets.plain import make_plain
from workbench.model import Plan, Stage

_DATE = QRegularExpression(r"^(\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?)?$")


class PlanEditDialog(QDialog):
    """Collects new metadata; the caller runs ``ui.ops.library.edit_plan`` with ``fields()``."""

    def __init__(self, plan: Plan, others: list[Plan], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit plan – {plan.title}")
        self.setAccessibleName("Edit plan metadata")
        self._plan = plan
        m = plan.meta
        form = QFormLayout(self)
        self.title_edit = self._line(m.title, "Title")
        self.organisation_edit = self._line(m.organisation, "Organisation")
        self.period_start_edit = self._date(m.period_start, "Period start")
        self.period_end_edit = self._date(m.period_end, "Period end")
        period = QWidget()
        row = QHBoxLayout(period)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.period_start_edit)
        row.addWidget(QLabel("to"))
        row.addWidget(self.period_end_edit)
        self.stage_combo = QComboBox()
        self.stage_combo.setAccessibleName("Stage")
        self.stage_combo.addItem("(unknown)", "")
        for stage in Stage:
            self.stage_combo.addItem(stage.value.capitalize(), stage.value)
        self.stage_combo.setCurrentIndex(max(0, self.stage_combo.findData(m.stage)))
        self.published_edit = self._date(m.published, "Published")
        self.supersedes_combo = QComboBox()
        self.supersedes_combo.setAccessibleName("Supersedes")
        self.supersedes_combo.addItem("(none)", "")
        for other in others:
            if other.slug != plan.slug:
                self.supersedes_combo.addItem(other.title, other.slug)
        self.supersedes_combo.setCurrentIndex(max(0, self.supersedes_combo.findData(m.supersedes)))
        form.addRow("&Title:", self.title_edit)
        form.addRow("&Organisation:", self.organisation_edit)
        form.addRow("&Period:", period)
        form.labelForField(period).setBuddy(self.period_start_edit)
        form.addRow("&Stage:", self.stage_combo)
        form.addRow("P&ublished:", self.published_edit)
        form.addRow("Supersedes:", self.supersedes_combo)
        self.error_label = QLabel("")
        make_plain(self.error_label)  # shows data: never rich text
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        form.addRow(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.setMinimumWidth(460)

    def _line(self, value: str, name: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setAccessibleName(name)
        return edit

    def _date(self, value: str, name: str) -> QLineEdit:
        edit = self._line(value, name)
        edit.setPlaceholderText("YYYY[-MM[-DD]]")
        edit.setValidator(QRegularExpressionValidator(_DATE, edit))
        return edit

    def fields(self) -> dict[str, str]:
        """Only the fields that changed."""
        new = {
            "title": self.title_edit.text().strip(),
            "organisation": self.organisation_edit.text().strip(),
            "period_start": self.period_start_edit.text().strip(),
            "period_end": self.period_end_edit.text().strip(),
            "stage": self.stage_combo.currentData() or "",
            "published": self.published_edit.text().strip(),
            "supersedes": self.supersedes_combo.currentData() or "",
        }
        return {k: v for k, v in new.items() if getattr(self._plan.meta, k) != v}

    def _on_buttons_accepted(self) -> None:
        if not self.title_edit.text().strip():
            self.error_label.setText("A plan needs a title.")
            self.title_edit.setFocus()
            return
        self.accept()

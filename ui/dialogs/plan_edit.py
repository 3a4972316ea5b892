"""Edit a plan's metadata: title, organisation, period, stage, published, supersedes.

Dates are partial ISO dates in the library ("2026", "2026-03", "2026-03-31"). People type them
as they read them on a cover: "March 2026", "Mar 2026", "31 March 2026", "March 31, 2026",
"03/2026", "31/03/2026" (day first, as in the UK). ``parse_partial_date`` turns each into the
stored form; under each date field a hint says what will be stored ("Stored as 2026-03"), and
a date it cannot read stops Save with a message instead of being cut short. (Not
``dateutil.parser``: it fills a missing day or month from a default, so "March 2026" could not
be told from "2026-03-06", and partial dates are the point here.)
"""

from __future__ import annotations

import re
from datetime import date

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
from workbench.model import Plan, Stage, is_partial_iso_date

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_WORDS = re.compile(r"[a-z]+|\d+")


def _month(word: str) -> int | None:
    if len(word) >= 3:
        for number, name in enumerate(MONTHS, start=1):
            if name.startswith(word):
                return number
    return None


def parse_partial_date(text: str) -> str | None:
    """The partial ISO date ("2026", "2026-03", "2026-03-31") a typed date means; "" for
    nothing typed; None when it cannot be read."""
    text = text.strip()
    if not text or is_partial_iso_date(text):
        return text
    parts = _WORDS.findall(text.casefold())
    numbers = [p for p in parts if p.isdigit()]
    months = [m for m in (_month(p) for p in parts if not p.isdigit()) if m]
    words = [p for p in parts if not p.isdigit()]
    years = [n for n in numbers if len(n) == 4]
    if len(years) != 1 or len(months) > 1 or len(words) != len(months):
        return None  # no year, two months, or a word that is no month ("Spring")
    year = int(years[0])
    rest = [int(n) for n in numbers if n != years[0]]
    if months:
        month, day = months[0], (rest[0] if len(rest) == 1 else None)
        if len(rest) > 1:
            return None
    elif len(rest) == 1:
        month, day = rest[0], None  # "03/2026"
    elif len(rest) == 2:
        day, month = rest  # "31/03/2026": day first
    else:
        return None
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


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
        self.date_hint = QLabel("")
        make_plain(self.date_hint)  # echoes what was typed: never rich text
        self.date_hint.setAccessibleName("How the dates will be stored")
        self.date_hint.setWordWrap(True)
        form.addRow("", self.date_hint)
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
        edit.setPlaceholderText("2026, March 2026 or 2026-03-31")
        edit.textChanged.connect(self._update_date_hint)
        return edit

    def _dates(self) -> dict[str, QLineEdit]:
        return {"Period start": self.period_start_edit, "Period end": self.period_end_edit,
                "Published": self.published_edit}

    def _update_date_hint(self) -> None:
        hints = []
        for name, edit in self._dates().items():
            typed = edit.text().strip()
            stored = parse_partial_date(typed)
            if stored is None:
                hints.append(f"{name}: “{typed}” is not a date I can read")
            elif stored != typed:
                hints.append(f"{name}: stored as {stored}")
        self.date_hint.setText("; ".join(hints))

    def fields(self) -> dict[str, str]:
        """Only the fields that changed."""
        new = {
            "title": self.title_edit.text().strip(),
            "organisation": self.organisation_edit.text().strip(),
            "period_start": parse_partial_date(self.period_start_edit.text()) or "",
            "period_end": parse_partial_date(self.period_end_edit.text()) or "",
            "stage": self.stage_combo.currentData() or "",
            "published": parse_partial_date(self.published_edit.text()) or "",
            "supersedes": self.supersedes_combo.currentData() or "",
        }
        return {k: v for k, v in new.items() if getattr(self._plan.meta, k) != v}

    def _on_buttons_accepted(self) -> None:
        if not self.title_edit.text().strip():
            self.error_label.setText("A plan needs a title.")
            self.title_edit.setFocus()
            return
        for name, edit in self._dates().items():
            if parse_partial_date(edit.text()) is None:
                self.error_label.setText(f"{name}: “{edit.text().strip()}” is not a date. Write "
                                         "it as 2026, March 2026 or 2026-03-31.")
                edit.setFocus()
                return
        self.accept()

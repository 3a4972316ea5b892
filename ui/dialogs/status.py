"""The Status dialog: a dated delivery verdict on one commitment (assessments append).

Status from the vocabulary, an as-at date (``QDateEdit``) at the precision you know (day,
month or year), a rationale and optional evidence (the text selected in the reader). The
earlier assessments are listed, oldest first. Saving is one op; the dialog closes after the
commit.

Signals:
    saved(object): the ``Change`` written.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.save_error import DISK_FULL, handle_save_error
from ui.models.records import one_line
from ui.ops import OpContext
from ui.ops import records as records_ops
from ui.widgets.buttons import dialog_buttons
from ui.widgets.plain import make_plain
from workbench.lineage import STATUSES
from workbench.records import Change

PRECISIONS = (("Day", "yyyy-MM-dd"), ("Month", "yyyy-MM"), ("Year", "yyyy"))


class StatusDialog(QDialog):
    """Add a dated delivery status to a commitment."""

    saved = Signal(object)

    def __init__(self, ctx: OpContext, actor: str, key: str, description: str,
                 parent: QWidget | None = None, *, evidence: records_ops.Span | None = None,
                 evidence_text: str = "") -> None:
        super().__init__(parent)
        self._ctx, self._actor, self._key, self._evidence = ctx, actor, key, evidence
        self.setWindowTitle("Delivery status")
        self.setAccessibleName("Delivery status")
        layout = QVBoxLayout(self)
        label = QLabel(one_line(description, 400))
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(label)
        self.history = QListWidget()
        self.history.setAccessibleName("Earlier assessments")
        self.history.setMaximumHeight(110)
        layout.addWidget(QLabel("Earlier assessments:"))
        layout.addWidget(self.history)
        form = QFormLayout()
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Status")
        for code, text in STATUSES.items():
            self.status_combo.addItem(text, code)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setAccessibleName("As at")
        self.precision_combo = QComboBox()
        self.precision_combo.setAccessibleName("Date precision")
        for name, fmt in PRECISIONS:
            self.precision_combo.addItem(name, fmt)
        self.precision_combo.currentIndexChanged.connect(
            lambda _i: self.date_edit.setDisplayFormat(self.precision_combo.currentData()))
        when = QHBoxLayout()
        when.addWidget(self.date_edit, 1)
        when.addWidget(self.precision_combo)
        self.rationale_edit = QPlainTextEdit()
        self.rationale_edit.setAccessibleName("Rationale")
        self.rationale_edit.setTabChangesFocus(True)
        self.rationale_edit.setMaximumHeight(90)
        self.evidence_check = QCheckBox(
            f"Cite the selected text: “{one_line(evidence_text, 80)}”" if evidence
            else "No text selected in the reader to cite as evidence")
        self.evidence_check.setAccessibleName("Cite the selected text as evidence")
        self.evidence_check.setEnabled(evidence is not None)
        self.evidence_check.setChecked(evidence is not None)
        form.addRow("&Status", self.status_combo)
        form.addRow("&As at", when)
        form.labelForField(when).setBuddy(self.date_edit)  # a layout row gets no buddy itself
        form.addRow("&Rationale", self.rationale_edit)
        form.addRow("Evidence", self.evidence_check)
        layout.addLayout(form)
        self.message_label = QLabel("")
        make_plain(self.message_label)  # shows data: never rich text
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.buttons = dialog_buttons(layout, QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                      self.submit, self.reject)
        records_ops.load_status_history(ctx, key, on_done=self._on_history_loaded,
                                        on_error=lambda exc: self.message_label.setText(str(exc)))

    def _on_history_loaded(self, history: list) -> None:
        self.history.clear()
        for s in history:
            why = f" — {s.rationale}" if s.rationale else ""
            self.history.addItem(f"{s.as_at}: {STATUSES.get(s.status, s.status)} "
                                 f"({s.created_by}){why}")
        if not history:
            self.history.addItem("None yet.")

    def as_at(self) -> str:
        return self.date_edit.date().toString(self.precision_combo.currentData())

    def submit(self) -> None:
        self.buttons.setEnabled(False)
        evidence = [self._evidence] if self._evidence and self.evidence_check.isChecked() else []
        records_ops.assess(self._ctx, self._actor, self._key, self.status_combo.currentData(),
                           self.as_at(), rationale=self.rationale_edit.toPlainText().strip(),
                           evidence=evidence, on_done=self._on_saved,
                           on_error=self._on_save_failed)

    def _on_saved(self, change: Change) -> None:
        self.saved.emit(change)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if handle_save_error(self, exc, self.rationale_edit.toPlainText()) is not None:
            self.message_label.setText(DISK_FULL)
            return
        self.message_label.setText(f"Not saved: {exc}")

"""The "Highlight" popup: colour, tag and an optional note for a selected passage.

The dialog only collects values; the caller saves them (``ui.ops.records.annotate``) and calls
``saved()`` after the commit, or ``failed(message)``, which keeps the dialog open with the
typed note so nothing is lost (RELIABILITY T-IO-01).

Signals:
    submitted(dict): {"note": str, "colour": str, "tags": [tag path, ...]}.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.save_error import DISK_FULL, SaveErrorDialog, handle_save_error
from ui.models.records import COLOURS, one_line
from ui.widgets.buttons import dialog_buttons
from ui.widgets.plain import make_plain


def swatch(colour: str) -> QPixmap:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return pixmap


class HighlightDialog(QDialog):
    """Quote, colour, tag (hierarchical, "Climate / Net Zero"; new paths are created), note."""

    submitted = Signal(dict)

    def __init__(self, quote: str, where: str, tag_paths: list[str],
                 parent: QWidget | None = None, *, note: str = "", colour: str = "",
                 tag: str = "", title: str = "Highlight") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.quote_label = QLabel(f"“{one_line(quote, 300)}”\n{where}")
        self.quote_label.setWordWrap(True)
        self.quote_label.setTextFormat(Qt.TextFormat.PlainText)
        self.quote_label.setAccessibleName("Selected passage")
        layout.addWidget(self.quote_label)
        form = QFormLayout()
        self.colour_combo = QComboBox()
        self.colour_combo.setAccessibleName("Colour")
        for name, value in COLOURS.items():
            self.colour_combo.addItem(swatch(value), name, value)
        if colour:
            index = self.colour_combo.findData(colour)
            if index < 0:
                self.colour_combo.addItem(swatch(colour), colour, colour)
                index = self.colour_combo.count() - 1
            self.colour_combo.setCurrentIndex(index)
        self.tag_combo = QComboBox()
        self.tag_combo.setEditable(True)
        self.tag_combo.setAccessibleName("Tag")
        self.tag_combo.addItem("")
        self.tag_combo.addItems(tag_paths)
        self.tag_combo.setCurrentText(tag)
        self.tag_combo.lineEdit().setPlaceholderText("e.g. Climate / Net Zero (optional)")
        self.note_edit = QPlainTextEdit(note)
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("A note (optional; searchable)")
        self.note_edit.setTabChangesFocus(True)
        form.addRow("&Colour", self.colour_combo)
        form.addRow("&Tag", self.tag_combo)
        form.addRow("&Note", self.note_edit)
        layout.addLayout(form)
        self.message_label = QLabel("")
        make_plain(self.message_label)  # shows data: never rich text
        self.message_label.setObjectName("dialogMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        self.buttons = dialog_buttons(layout, QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                      self.submit, self.reject)
        self.note_edit.setFocus()

    def values(self) -> dict:
        tag = self.tag_combo.currentText().strip()
        return {"note": self.note_edit.toPlainText().strip(),
                "colour": self.colour_combo.currentData() or "",
                "tags": [tag] if tag else []}

    def submit(self) -> None:
        self.buttons.setEnabled(False)
        self.message_label.setText("Saving…")
        self.message_label.show()
        self.submitted.emit(self.values())

    def saved(self) -> None:
        self.accept()

    def failed(self, error: BaseException | str) -> SaveErrorDialog | None:
        """Not saved: say why and keep everything typed, for a retry. On a full disk the
        "Not saved" dialog also opens, with the note ready to copy (returned)."""
        self.buttons.setEnabled(True)
        dialog = None
        if isinstance(error, BaseException):
            dialog = handle_save_error(self, error, self.note_edit.toPlainText())
        self.message_label.setText(DISK_FULL if dialog is not None else f"Not saved: {error}")
        self.message_label.show()
        return dialog

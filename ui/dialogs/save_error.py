"""The "Not saved" dialog that keeps what the person typed (RELIABILITY T-IO-01).

``report_save_error(parent, exc, unsaved_text)`` opens it (window-modal, not blocking): the
one-line reason ("Not saved: the disk is full. Your previous work is safe." for ``DiskFull``)
and, when there is any, the unsaved text, read-only, selectable and with a Copy button.

``handle_save_error(parent, exc, unsaved_text)`` is what the save-failure paths call: for a
``DiskFull`` it opens the dialog and returns it; for any other error it returns None and the
caller shows its usual one-line message.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.errors import DiskFull, WorkbenchError

log = logging.getLogger(__name__)

DISK_FULL = "Not saved: the disk is full. Your previous work is safe."


def save_error_message(exc: BaseException) -> str:
    if isinstance(exc, DiskFull):
        return DISK_FULL
    if isinstance(exc, WorkbenchError):
        return str(exc)
    return f"Not saved: an unexpected error ({type(exc).__name__}). Your previous work is safe."


def not_saved_text(exc: BaseException | str) -> str:
    """The one-line "Not saved: …" for a status bar or a dialog's message line."""
    return DISK_FULL if isinstance(exc, DiskFull) else f"Not saved: {exc}"


class SaveErrorDialog(QDialog):
    """A failed save: what happened, and the unsaved text (if any), kept and copyable."""

    def __init__(self, exc: BaseException, unsaved_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Not saved")
        self.setAccessibleName("Not saved")
        self.setObjectName("saveErrorDialog")
        layout = QVBoxLayout(self)
        self.message_label = QLabel()
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setText(save_error_message(exc))
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        if not unsaved_text:
            hint = ("Free some space on the disk, then try again." if isinstance(exc, DiskFull)
                    else "Try again; if it keeps failing, restart Plan Workbench.")
        elif isinstance(exc, DiskFull):
            hint = ("Free some space on the disk, then save again; your text is still in the "
                    "editor. You can also copy it from here.")
        else:
            hint = "Your text is still in the editor. You can also copy it from here."
        self.hint_label = QLabel(hint)
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        self.text_view = QPlainTextEdit(unsaved_text)
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Unsaved text")
        self.text_view.setVisible(bool(unsaved_text))
        layout.addWidget(self.text_view, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = self.buttons.addButton("&Copy unsaved text",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_text)
        self.copy_button.setVisible(bool(unsaved_text))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if unsaved_text:
            self.copy_button.setDefault(True)

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.text_view.toPlainText())
        self.copy_button.setText("Copied")


def report_save_error(parent: QWidget | None, exc: BaseException,
                      unsaved_text: str) -> SaveErrorDialog:
    """Tell the user a save failed and keep what they typed (window-modal, not blocking)."""
    log.warning("save failed: %s", exc)
    dialog = SaveErrorDialog(exc, unsaved_text, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog


def handle_save_error(parent: QWidget | None, exc: BaseException,
                      unsaved_text: str = "") -> SaveErrorDialog | None:
    """The save-error dialog for a full disk (returned), else None: the caller keeps its
    one-line message for other errors."""
    if isinstance(exc, DiskFull):
        return report_save_error(parent, exc, unsaved_text)
    return None

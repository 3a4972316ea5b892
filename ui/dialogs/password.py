"""Asks for the password of an encrypted PDF during an import.

The password is typed into a masked field (echo mode ``Password``), handed straight to the
import and then dropped: it is never stored, put in settings or written to a log or a message.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from ui.widgets.plain import make_plain

MAX_ATTEMPTS = 3


def ask_password(parent: QWidget | None, file_name: str, attempt: int) -> str | None:
    """The password the person typed, or ``None`` if they chose to skip the file."""
    dialog = password_dialog(parent, file_name, attempt)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    password = dialog.textValue() if accepted else ""
    dialog.setTextValue("")
    dialog.deleteLater()
    return password or None


def password_dialog(parent: QWidget | None, file_name: str, attempt: int) -> QInputDialog:
    """The masked prompt itself (not shown yet)."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Password needed")
    dialog.setAccessibleName("Password for an encrypted PDF")
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    if attempt <= 1:
        label = f"{file_name} is protected by a password.\nPassword (Cancel skips this file):"
    else:
        label = (f"That password did not open {file_name} "
                 f"(attempt {attempt} of {MAX_ATTEMPTS}).\nPassword (Cancel skips this file):")
    dialog.setLabelText(label)
    make_plain(*dialog.findChildren(QLabel))  # the file name is shown as given, never as HTML
    dialog.setOkButtonText("Open")
    dialog.setCancelButtonText("Skip file")
    return dialog

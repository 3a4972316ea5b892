"""The button row every small dialog ends with.

Ctrl+Enter (either Enter key) presses the row's accept button when it is enabled, from
anywhere in the dialog, including a multi-line text box where Enter starts a new line: an
officer writing a rationale during a keyboard review saves it without Tab, Tab, Space."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QDialogButtonBox

__all__ = ["ACCEPT_KEYS", "dialog_buttons"]

ACCEPT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def dialog_buttons(
    layout: QBoxLayout,
    buttons: QDialogButtonBox.StandardButton,
    on_accept: Callable[[], object],
    on_reject: Callable[[], object],
) -> QDialogButtonBox:
    """Add a ``QDialogButtonBox`` with ``buttons`` to ``layout``, wired to the two callbacks."""
    box = QDialogButtonBox(buttons)
    box.accepted.connect(on_accept)
    box.rejected.connect(on_reject)
    layout.addWidget(box)

    def press_accept() -> None:
        for button in box.buttons():
            if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole \
                    and button.isEnabled():
                button.click()
                return

    for key in ACCEPT_KEYS:  # WindowShortcut: anywhere in the dialog holding the box
        QShortcut(QKeySequence(key), box, activated=press_accept)
    return box

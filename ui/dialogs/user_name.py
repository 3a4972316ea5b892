"""Who is acting: the name stamped on every annotation, link and status (and in the audit log).

Asked once, on first run; kept in the preferences the CLI reads too (``ui.preferences``), so
links made from ``workbench`` carry the same name; defaults to ``ui.compose.default_actor()``
(``$WORKBENCH_USER`` or the login name). A name kept in QSettings (``user/name``) by an earlier
version is adopted, and the name is still copied there for that version.

Signals (``UserNameDialog``):
    name_chosen(str): the name confirmed.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui import preferences
from ui.compose import default_actor

SETTINGS_KEY = "user/name"


def current_user(settings: QSettings) -> str:
    """The saved name, else the default actor."""
    _adopt(settings)
    return preferences.user_name() or default_actor()


def has_user(settings: QSettings) -> bool:
    _adopt(settings)
    return bool(preferences.user_name())


def _adopt(settings: QSettings) -> None:
    preferences.adopt_window_settings(user=settings.value(SETTINGS_KEY, ""), library=None)


class UserNameDialog(QDialog):
    """Asks for the name to record as the author of the user's work."""

    name_chosen = Signal(str)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle("Your name")
        self.setAccessibleName("Your name")
        layout = QVBoxLayout(self)
        intro = QLabel("Your name is recorded with every annotation, link and status you add, "
                       "and in the audit log, so colleagues can see who decided what.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.name_edit = QLineEdit(current_user(settings))
        self.name_edit.setAccessibleName("Name")
        self.name_edit.selectAll()
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        layout.addWidget(self.name_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _on_name_edit_text_changed(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            return
        preferences.set_user_name(name)
        self._settings.setValue(SETTINGS_KEY, name)  # for an earlier version of the app
        self._settings.sync()
        self.name_chosen.emit(name)
        super().accept()

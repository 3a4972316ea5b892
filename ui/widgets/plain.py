"""Widgets and strings that show untrusted text literally (RELIABILITY rule 13).

Plan titles, page text, notes, commitment texts, file names and exception messages come from
PDFs, other people's packages or the file system. ``QLabel`` defaults to ``Qt.AutoText`` and
``QMessageBox`` to ``Qt.AutoText`` as well, so text that ``Qt.mightBeRichText()`` takes for HTML
(``<img src="file:…">``) would be rendered and its resources loaded. Everything here fixes the
format to ``Qt.PlainText``; tool tips (always rich-text-detected by Qt) go through
``ui.richtext.tooltip``, which escapes them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from ui.richtext import tooltip

__all__ = ["make_plain", "plain_label", "plain_message", "tooltip"]

_SELECTABLE = (Qt.TextInteractionFlag.TextSelectableByMouse
               | Qt.TextInteractionFlag.TextSelectableByKeyboard)


def make_plain(*labels: QLabel) -> None:
    """Make existing labels show their text literally, whatever it is set to later."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def plain_label(text: str = "", *, name: str = "", wrap: bool = True,
                selectable: bool = True) -> QLabel:
    """A label that shows ``text`` literally (never as HTML); selectable and copyable unless
    ``selectable`` is False."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(_SELECTABLE)
    if name:
        label.setObjectName(name)
    return label


def plain_message(parent: QWidget | None, title: str, text: str, *,
                  icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """A non-blocking message box (``open()``, window-modal) that shows ``text`` literally."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Close, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setAccessibleName(title)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box

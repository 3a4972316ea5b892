"""The button row every small dialog ends with."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QBoxLayout, QDialogButtonBox

__all__ = ["dialog_buttons"]


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
    return box

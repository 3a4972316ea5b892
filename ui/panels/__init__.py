"""The window's panels. Each builds its content on first show (``LazyPanel``)."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPanel(QWidget):
    """A panel whose widgets are created the first time it is shown (or first used)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._built = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> None:
        if not self._built:
            self._built = True
            self.build(self._layout)

    def build(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    @property
    def is_built(self) -> bool:
        return self._built

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_built()
        super().showEvent(event)

"""A ``QTextBrowser`` that never loads anything: no links, no images, no ``file:`` URLs.

RELIABILITY rule 13: a default ``QTextBrowser`` reads local files named in ``<img src>`` and
follows ``file:`` sources. Callers still escape untrusted text before building HTML.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget


class SafeTextBrowser(QTextBrowser):
    """Displays escaped rich text only; every resource request returns nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setUndoRedoEnabled(False)
        self.setReadOnly(True)

    def loadResource(self, type: int, name: QUrl) -> Any:  # Qt signature
        return None

    def setSource(self, *args: Any, **kwargs: Any) -> None:  # noqa: N802 - Qt override
        """Navigation is disabled: nothing from a URL is ever displayed."""
        return None

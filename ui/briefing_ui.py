"""Briefing packs in the window: File → "Export briefing pack…" and "Add to basket".

``BriefingUi`` holds the two actions; the main window builds it and places them in its File
menu. The Export dialog is ``ui.dialogs.export.ExportDialog``; the basket is an
``ui.ops.export`` op (owned by the pack code: called, never edited here).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ui.dialogs.export import ExportDialog
from ui.ops import OpContext
from ui.ops import export as export_ops

EXPORT_SHORTCUT = "Ctrl+Shift+E"  # Ctrl+E is "Edit plan details…"
BASKET_SHORTCUT = "Ctrl+B"


class BriefingUi(QObject):
    """The export and basket actions of the main window."""

    def __init__(self, parent: QWidget, ctx: OpContext, settings: QSettings,
                 show_status: Callable[[str], None],
                 reader_key: Callable[[Callable[[str], None]], None]) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.ctx = ctx
        self.settings = settings
        self._tell = show_status
        self._reader_key = reader_key
        self.dialog: ExportDialog | None = None
        self.export_action = self._action("E&xport briefing pack…", self.open_dialog,
                                          EXPORT_SHORTCUT)
        self.basket_action = self._action("Add to &basket", self.add_current_to_basket,
                                          BASKET_SHORTCUT)

    def _action(self, text: str, slot: Callable[[], object], shortcut: str) -> QAction:
        action = QAction(text, self.parent_widget)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
        self.parent_widget.addAction(action)
        return action

    def open_dialog(self) -> ExportDialog:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        self.dialog = ExportDialog(self.ctx, self.parent_widget, settings=self.settings)
        self.dialog.open()
        return self.dialog

    def add_current_to_basket(self) -> None:
        """Ctrl+B: the reader's current commitment."""
        self._reader_key(self.add_key)

    def add_key(self, key: str) -> None:
        """Add a commitment key ("c:12", "m:<uuid>") or annotation uuid to the basket."""
        export_ops.basket_add(self.ctx, key, on_done=self._on_added,
                              on_error=lambda exc: self._tell(f"Not added: {exc}"))

    def _on_added(self, result: tuple[bool, str]) -> None:
        added, label = result
        self._tell(f"Added to the basket: {label}" if added else
                   f"Already in the basket: {label}")

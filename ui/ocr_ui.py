"""The window's "OCR the scanned pages" action (issue 15).

One ``QAction`` owned by ``OcrController``: in the Edit menu and the library table's context
menu, enabled when the selected plan is flagged needs-OCR. It runs ``ui.ops.library.ocr_plan``
(the import lane: worker limits, progress after ~600 ms, Cancel) and then says what happened
(the outcome and its notices: pages OCR'd, confidence, the re-anchoring report). Without
Tesseract's data it says OCR is unavailable and how to install it, without starting anything.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.ops import OpContext
from ui.ops import library as ops
from workbench.services import ImportOutcome

__all__ = ["OcrController"]

TITLE = "OCR the scanned pages"


class OcrController(QObject):
    """Owns the OCR action for one library panel (``panel.table``, ``panel.model``,
    ``panel.selected_slug()``) and shows results in ``parent``'s message boxes.

    Attributes:
        action: the ``QAction`` to put in menus.
        last_outcome: the outcome of the last OCR run (tests read it).
    """

    def __init__(self, ctx: OpContext, panel: QWidget, parent: QWidget,
                 status=None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._panel = panel
        self._parent = parent
        self._status = status
        self.show_messages = True  # tests turn the modal boxes off
        self.last_outcome: ImportOutcome | None = None
        self.action = QAction("O&CR the scanned pages…", parent)
        self.action.setStatusTip("Read the pages without a text layer with Tesseract; "
                                 "stored as a new version of the plan")
        self.action.triggered.connect(self.run_selected)
        table = panel.table  # type: ignore[attr-defined]
        if table.contextMenuPolicy() == Qt.ContextMenuPolicy.DefaultContextMenu:
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addAction(self.action)
        table.selectionModel().currentChanged.connect(self.update_enabled)
        panel.model.modelReset.connect(self.update_enabled)  # type: ignore[attr-defined]
        panel.model.dataChanged.connect(self.update_enabled)  # type: ignore[attr-defined]
        self.update_enabled()

    def _selected_plan(self):
        slug = self._panel.selected_slug()  # type: ignore[attr-defined]
        return self._panel.model.plan(slug) if slug else None  # type: ignore[attr-defined]

    def update_enabled(self, *_args: object) -> None:
        plan = self._selected_plan()
        flagged = bool(plan is not None and plan.needs_ocr_pages)
        self.action.setEnabled(flagged)
        if flagged:
            self.action.setToolTip(f"OCR {len(plan.needs_ocr_pages)} scanned page(s) of "
                                   f"{plan.slug}")
        else:
            self.action.setToolTip("Select a plan flagged \u201cneeds OCR\u201d")

    def run_selected(self) -> None:
        plan = self._selected_plan()
        if plan is None or not plan.needs_ocr_pages:
            return
        reason = ops.ocr_unavailable_reason()
        if reason:
            self._say(QMessageBox.Icon.Information, reason)
            return
        self._tell(f"OCR of {plan.slug} started ({len(plan.needs_ocr_pages)} page(s))…")
        ops.ocr_plan(self._ctx, plan.slug, on_done=self._on_done, on_error=self._on_error,
                     initiator=self)

    def _on_done(self, outcome: ImportOutcome) -> None:
        self.last_outcome = outcome
        self._tell(outcome.message)
        icon = (QMessageBox.Icon.Information if outcome.status == "imported"
                else QMessageBox.Icon.Warning)
        self._say(icon, "\n\n".join([outcome.message, *outcome.notices]))

    def _on_error(self, exc: BaseException) -> None:
        self._tell(f"OCR failed: {exc}")
        self._say(QMessageBox.Icon.Warning, f"OCR failed: {exc}")

    def _tell(self, text: str) -> None:
        if self._status is not None:
            self._status(text)

    def _say(self, icon: QMessageBox.Icon, text: str) -> None:
        if not self.show_messages:
            return
        box = QMessageBox(icon, TITLE, "", QMessageBox.StandardButton.Ok, self._parent)
        box.setTextFormat(Qt.TextFormat.PlainText)  # file names and PDF text, shown as given
        box.setText(text)
        box.open()  # window-modal, does not block the event loop

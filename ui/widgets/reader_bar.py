"""The reader's top bar: the plan's title, page navigation and zoom buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ui.icons import icon
from ui.widgets.plain import make_plain


class ReaderBar(QWidget):
    """Title | ◀ [page] of N ▶ | − 100% + ⇔ (the slots are the reader's)."""

    def __init__(self, previous_page: Callable[[], None], next_page: Callable[[], None],
                 step_zoom: Callable[[int], None], fit_width: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(6, 4, 6, 2)
        self.title_label = QLabel("No plan open")
        make_plain(self.title_label)  # shows data: never rich text
        self.title_label.setObjectName("readerTitle")
        self.title_label.setAccessibleName("Open plan")
        self.title_label.setMinimumWidth(60)  # elided by the layout, never widens the window
        bar.addWidget(self.title_label, 1)
        self.prev_button = self._tool("◀", "Previous page (Ctrl+PgUp)", previous_page,
                                      "previous-page")
        self.page_edit = QLineEdit()
        self.page_edit.setFixedWidth(64)
        self.page_edit.setAccessibleName("Printed page label")
        self.page_edit.setToolTip("Type a printed page label and press Enter (Ctrl+G)")
        self.page_count_label = QLabel("")
        make_plain(self.page_count_label)  # shows data: never rich text
        self.next_button = self._tool("▶", "Next page (Ctrl+PgDown)", next_page, "next-page")
        self.zoom_out_button = self._tool("−", "Zoom out (Ctrl+-)", lambda: step_zoom(-1),
                                          "zoom-out")
        self.zoom_label = QLabel("100%")
        make_plain(self.zoom_label)  # shows data: never rich text
        self.zoom_label.setMinimumWidth(44)
        self.zoom_in_button = self._tool("+", "Zoom in (Ctrl++)", lambda: step_zoom(1),
                                         "zoom-in")
        self.fit_button = self._tool("⇔", "Fit width (Ctrl+0)", fit_width, "fit-width")
        for w in (self.prev_button, self.page_edit, self.page_count_label, self.next_button,
                  self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)

    def _tool(self, text: str, tip: str, slot: Callable[[], None],
              icon_name: str = "") -> QToolButton:
        button = QToolButton()
        button.setText(text)
        if icon_name:
            button.setIcon(icon(icon_name))
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.clicked.connect(slot)
        return button

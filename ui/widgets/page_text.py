"""The reader's page text: read-only plain text with search terms and the current item marked.

``PageTextView`` is a ``QPlainTextEdit`` (no HTML at all). ``show_highlights`` paints the
search terms (bold, yellow) and the current item (amber) as extra selections, and selects the
item *backwards* (the cursor at its start) so that scrolling shows where the item or hit
begins, not where a long passage ends. Offsets are code points of the stored page text,
converted to Qt's UTF-16 positions with ``richtext.utf16_offset``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ui import richtext

TERM_BG = QColor(richtext.HIGHLIGHT_BG)
ITEM_BG = QColor(255, 236, 179)


class PageTextView(QPlainTextEdit):
    """Read-only, selectable page text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Extracted page text")
        self.setObjectName("pageText")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)

    def _cursor(self, text: str, start: int, end: int | None = None) -> QTextCursor:
        """A cursor over ``[start, end)`` (code points) whose position is at ``start``."""
        cursor = QTextCursor(self.document())
        if end is not None:
            cursor.setPosition(richtext.utf16_offset(text, end))
        cursor.setPosition(richtext.utf16_offset(text, start),
                           QTextCursor.MoveMode.KeepAnchor if end is not None
                           else QTextCursor.MoveMode.MoveAnchor)
        return cursor

    def show_highlights(self, text: str, terms: list[str],
                        item: tuple[int, int] | None) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        first_term: int | None = None
        for start, end in richtext.find_terms(text, terms):
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(TERM_BG)
            fmt.setFontWeight(QFont.Weight.Bold)
            sel.format = fmt
            sel.cursor = self._cursor(text, start, end)
            selections.append(sel)
            if first_term is None:
                first_term = start
        if item is not None:
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(ITEM_BG)
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
            sel.format = fmt
            sel.cursor = self._cursor(text, *item)
            selections.insert(0, sel)
            self.setTextCursor(sel.cursor)
        elif first_term is not None:
            self.setTextCursor(self._cursor(text, first_term))
        self.setExtraSelections(selections)
        self.centerCursor()  # the cursor is at the item's (or first term's) start


    def highlighted_terms(self) -> list[str]:
        """The text currently highlighted as search terms (for tests and screen readers)."""
        return [s.cursor.selectedText() for s in self.extraSelections()
                if s.format.fontWeight() == QFont.Weight.Bold]

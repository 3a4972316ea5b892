"""Paints an item's escaped HTML (``HtmlRole``) under a one-line header (``HeaderRole``).

The ``QTextDocument`` used for painting has ``loadResource`` disabled too, so even a mistake
upstream cannot make it read a file.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, QUrl
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui import richtext

AnyIndex = QModelIndex | QPersistentModelIndex


class _InertDocument(QTextDocument):
    def loadResource(self, type: int, name: QUrl) -> Any:  # Qt signature
        return None


class RichTextDelegate(QStyledItemDelegate):
    """Header line in the palette's mid-tone, then the highlighted snippet, wrapped."""

    def __init__(self, html_role: int, header_role: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._html_role = html_role
        self._header_role = header_role
        self._doc = _InertDocument(self)
        self._doc.setDocumentMargin(6)

    def _prepare(self, option: QStyleOptionViewItem, index: AnyIndex, width: int) -> None:
        header = index.data(self._header_role) or ""
        body = index.data(self._html_role) or ""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        muted = "inherit" if selected else option.palette.color(QPalette.ColorRole.PlaceholderText).name()
        self._doc.setDefaultFont(option.font)
        self._doc.setHtml(
            f'<div style="color:{muted};font-size:small;">{richtext.escape(header)}</div>'
            f"<div>{body}</div>"
        )
        self._doc.setTextWidth(max(50, width))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        self._prepare(option, index, option.rect.width())
        painter.save()
        painter.translate(option.rect.topLeft())
        ctx = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            ctx.palette.setColor(
                QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText)
            )
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        self._doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = option.rect.width() if option.rect.width() > 0 else 400
        if option.widget is not None:
            width = option.widget.width() - 24
        self._prepare(option, index, width)
        return QSize(int(self._doc.idealWidth()), int(self._doc.size().height()) + 2)


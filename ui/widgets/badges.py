"""Paints a cell's short notices ("needs OCR", "repaired", "copy restricted") as small pills.

The texts come from a list-valued role; the display text (the same words, comma-separated) stays
in ``DisplayRole`` for sorting, filtering and screen readers. Plain text only, no markup.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

AnyIndex = QModelIndex | QPersistentModelIndex

COLOURS = {  # background, text
    "needs OCR": (QColor("#fde2b8"), QColor("#7a4a00")),
    "repaired": (QColor("#dbe7f7"), QColor("#1d4f8f")),
    "copy restricted": (QColor("#f3d9d9"), QColor("#8a1111")),
}
DEFAULT = (QColor("#e4e6e9"), QColor("#37474f"))
PAD_X, GAP = 6, 4


class BadgeDelegate(QStyledItemDelegate):
    """Rounded pills, one per notice, left to right."""

    def __init__(self, badges_role: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._role = badges_role

    def _badges(self, index: AnyIndex) -> list[str]:
        value = index.data(self._role)
        return [str(v) for v in value] if isinstance(value, list | tuple) else []

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        badges = self._badges(index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not badges:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = opt.font
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        metrics = QFontMetrics(font)
        height = min(opt.rect.height() - 4, metrics.height() + 4)
        x = opt.rect.left() + 4
        y = opt.rect.top() + (opt.rect.height() - height) / 2
        for text in badges:
            width = metrics.horizontalAdvance(text) + 2 * PAD_X
            if x + width > opt.rect.right():
                break
            background, foreground = COLOURS.get(text, DEFAULT)
            rect = QRectF(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(foreground)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x += width + GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        base = super().sizeHint(option, index)
        badges = self._badges(index)
        if not badges:
            return QSize(60, base.height())
        font = option.font
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        metrics = QFontMetrics(font)
        width = sum(metrics.horizontalAdvance(t) + 2 * PAD_X + GAP for t in badges) + 8
        return QSize(width, max(base.height(), metrics.height() + 6))

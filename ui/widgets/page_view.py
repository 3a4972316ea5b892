"""The page image with highlight rectangles drawn over it, in a scroll area.

Rectangles are given in PDF points (origin top-left); the image was rendered at ``zoom`` pixels
per point, so they are scaled by the same factor.

Signals:
    zoom_requested(int): +1 / -1 from Ctrl+wheel.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QWidget

HIGHLIGHT_FILL = QColor(255, 214, 10, 90)
HIGHLIGHT_EDGE = QColor(214, 120, 0, 220)


class _PageCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.zoom = 1.0
        self.rects: list[tuple[float, float, float, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return self.image.size() if not self.image.isNull() else QSize(200, 280)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.image.isNull():
            painter.drawImage(QPointF(0, 0), self.image)
        pen = QPen(HIGHLIGHT_EDGE)
        pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.setBrush(HIGHLIGHT_FILL)
        for x0, y0, x1, y1 in self.rects:
            z = self.zoom
            painter.drawRect(QRectF(x0 * z - 2, y0 * z - 2, (x1 - x0) * z + 4, (y1 - y0) * z + 4))
        painter.end()


class PageView(QScrollArea):
    """Shows one rendered page; scrolls to highlighted rectangles."""

    zoom_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = _PageCanvas()
        self._message = QLabel("No page", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self.setWidget(self._canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setBackgroundRole(self.backgroundRole())
        self.setObjectName("pageView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    @property
    def image(self) -> QImage:
        return self._canvas.image

    @property
    def highlight_rects(self) -> list[tuple[float, float, float, float]]:
        return list(self._canvas.rects)

    def set_image(self, image: QImage, zoom: float) -> None:
        self._canvas.image = image
        self._canvas.zoom = zoom
        self._canvas.resize(image.size())
        self._canvas.update()
        self._message.hide()

    def set_message(self, text: str) -> None:
        self._canvas.image = QImage()
        self._canvas.rects = []
        self._canvas.resize(QSize(0, 0))
        self._message.setText(text)
        self._message.resize(self.viewport().size())
        self._message.show()

    def set_highlights(self, rects: list[tuple[float, float, float, float]]) -> None:
        self._canvas.rects = list(rects)
        self._canvas.update()

    def scroll_to_highlights(self) -> None:
        if not self._canvas.rects:
            return
        z = self._canvas.zoom
        top = min(r[1] for r in self._canvas.rects) * z
        left = min(r[0] for r in self._canvas.rects) * z
        self.ensureVisible(int(left), int(top), 40, int(self.viewport().height() * 0.3))
        self.verticalScrollBar().setValue(max(0, int(top - self.viewport().height() * 0.2)))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_requested.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

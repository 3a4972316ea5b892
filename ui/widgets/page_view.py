"""The page image with highlight rectangles drawn over it, in a scroll area.

Rectangles are given in PDF points (origin top-left); the image is shown at ``zoom`` logical
pixels per point, so they are scaled by the same factor. Three kinds: the user's own
highlights in their colours (multiplied over the text, like a highlighter pen); search terms
get translucent yellow boxes; the current item (commitment) gets an outlined amber box. The image
may carry a device pixel ratio (high-DPI screens): it is drawn at its logical size, crisp.

Signals:
    zoom_requested(int): +1 / -1 from Ctrl+wheel.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QWidget

from ui.widgets.plain import make_plain

HIGHLIGHT_FILL = QColor(255, 214, 10, 90)
HIGHLIGHT_EDGE = QColor(214, 120, 0, 220)
TERM_FILL = QColor(255, 200, 0, 110)
NOTE_ALPHA = 150

Rect = tuple[float, float, float, float]


class _PageCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.zoom = 1.0
        self.rects: list[Rect] = []
        self.term_rects: list[Rect] = []
        self.note_rects: list[tuple[Rect, QColor]] = []
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def logical_size(self) -> QSize:
        return self.image.deviceIndependentSize().toSize()

    def sizeHint(self) -> QSize:
        return self.logical_size() if not self.image.isNull() else QSize(200, 280)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.image.isNull():
            painter.drawImage(QPointF(0, 0), self.image)  # honours devicePixelRatio
        z = self.zoom
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        for (x0, y0, x1, y1), colour in self.note_rects:
            fill = QColor(colour)
            fill.setAlpha(NOTE_ALPHA)
            painter.setBrush(fill)
            painter.drawRect(QRectF(x0 * z - 1, y0 * z - 1, (x1 - x0) * z + 2, (y1 - y0) * z + 2))
        painter.setBrush(TERM_FILL)
        for x0, y0, x1, y1 in self.term_rects:
            painter.drawRect(QRectF(x0 * z - 1, y0 * z - 1, (x1 - x0) * z + 2, (y1 - y0) * z + 2))
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        pen = QPen(HIGHLIGHT_EDGE)
        pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.setBrush(HIGHLIGHT_FILL)
        for x0, y0, x1, y1 in self.rects:
            painter.drawRect(QRectF(x0 * z - 2, y0 * z - 2, (x1 - x0) * z + 4, (y1 - y0) * z + 4))
        painter.end()


class PageView(QScrollArea):
    """Shows one rendered page; scrolls to highlighted rectangles."""

    zoom_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = _PageCanvas()
        self._message = QLabel("No page", self)
        make_plain(self._message)  # shows data: never rich text
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
    def highlight_rects(self) -> list[Rect]:
        """The current item's rectangles (points)."""
        return list(self._canvas.rects)

    @property
    def term_rects(self) -> list[Rect]:
        """The search terms' word boxes (points)."""
        return list(self._canvas.term_rects)

    @property
    def note_rects(self) -> list[tuple[Rect, QColor]]:
        """The user's highlights: (box in points, colour), one box per line."""
        return list(self._canvas.note_rects)

    @property
    def zoom(self) -> float:
        """Logical pixels per point of the image shown."""
        return self._canvas.zoom

    def set_image(self, image: QImage, zoom: float) -> None:
        self._canvas.image = image
        self._canvas.zoom = zoom
        self._canvas.resize(self._canvas.logical_size())
        self._canvas.update()
        self._message.hide()

    def set_message(self, text: str) -> None:
        self._canvas.image = QImage()
        self._canvas.rects = []
        self._canvas.term_rects = []
        self._canvas.note_rects = []
        self._canvas.resize(QSize(0, 0))
        self._message.setText(text)
        self._message.resize(self.viewport().size())
        self._message.show()

    def set_highlights(self, rects: list[Rect]) -> None:
        self._canvas.rects = list(rects)
        self._canvas.update()

    def set_term_highlights(self, rects: list[Rect]) -> None:
        self._canvas.term_rects = list(rects)
        self._canvas.update()

    def set_note_highlights(self, boxes: list[tuple[Rect, QColor]]) -> None:
        self._canvas.note_rects = list(boxes)
        self._canvas.update()

    def scroll_to_highlights(self) -> None:
        rects = self._canvas.rects or self._canvas.term_rects
        if not rects:
            return
        z = self._canvas.zoom
        top = min(r[1] for r in rects) * z
        left = min(r[0] for r in rects) * z
        self.ensureVisible(int(left), int(top), 40, int(self.viewport().height() * 0.3))
        self.verticalScrollBar().setValue(max(0, int(top - self.viewport().height() * 0.2)))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_requested.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

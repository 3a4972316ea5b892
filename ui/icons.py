"""The window's icons: small SVGs in ``resources/icons``, read through ``importlib.resources``.

Each icon is drawn with ``QSvgRenderer`` into pixmaps from 16 to 128 pixels (``QIcon`` picks the
nearest one for the requested size times the screen's pixel ratio), so it stays sharp on
high-DPI screens too; a missing or unreadable file gives an empty
``QIcon`` (the action still shows its text), never an error.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 20, 24, 32, 40, 48, 64, 96, 128)
NAMES = (
    "app",
    "compare",
    "copy-citation",
    "fit-width",
    "import",
    "next-page",
    "previous-page",
    "search",
    "zoom-in",
    "zoom-out",
)


def svg_bytes(name: str) -> bytes:
    """The SVG source of one icon (``b""`` when it is missing)."""
    try:
        return (resources.files("resources") / "icons" / f"{name}.svg").read_bytes()
    except (FileNotFoundError, OSError):
        return b""


def icon_from_svg(data: bytes) -> QIcon:
    """A ``QIcon`` with pixmaps rendered from SVG bytes at every size in ``SIZES``."""
    renderer = QSvgRenderer(QByteArray(data))
    icon = QIcon()
    if not data or not renderer.isValid():
        return icon
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


@cache
def icon(name: str) -> QIcon:
    """The named icon (cached; create only after the QApplication exists)."""
    return icon_from_svg(svg_bytes(name))

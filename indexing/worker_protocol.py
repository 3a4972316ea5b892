"""The request/reply protocol between the PDF worker's parent and child (STYLE R5).

Frozen dataclasses sent over a ``multiprocessing.Pipe``; no behaviour here. The parent side is
``indexing.worker``, the child side ``indexing.worker_child``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.model import Extraction, OcrSettings

__all__ = [
    "MAX_WORDS",
    "ExtractReply",
    "ExtractRequest",
    "Progress",
    "RenderReply",
    "RenderRequest",
    "Word",
    "WordsReply",
    "WordsRequest",
]

MAX_WORDS = 20_000  # per page; a pathological page must not flood the pipe

Word = tuple[float, float, float, float, str]  # x0, y0, x1, y1 in points (as displayed), text


@dataclass(frozen=True, slots=True)
class ExtractRequest:
    path: str
    password: str | None = field(default=None, repr=False)
    # tests only: "sleep", "busy", "exit", "abort", "segv", "memory", "memory_slow"
    test_hook: str = ""
    ocr: OcrSettings | None = None  # OCR the pages without a text layer (issue 15)


@dataclass(frozen=True, slots=True)
class RenderRequest:
    path: str
    page_index: int
    zoom: float
    max_pixels: int = 8_000_000
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class WordsRequest:
    path: str
    page_index: int
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ExtractReply:
    extraction: Extraction | None = None
    reason: str = ""  # an ExtractFailure value when extraction is None
    message: str = ""


@dataclass(frozen=True, slots=True)
class RenderReply:
    png: bytes = b""
    width: int = 0
    height: int = 0
    reason: str = ""  # ExtractFailure value, or "bad_page"
    message: str = ""
    page_width: float = 0.0  # the page as displayed (rotation applied), in points
    page_height: float = 0.0


@dataclass(frozen=True, slots=True)
class WordsReply:
    words: tuple[Word, ...] = ()
    page_width: float = 0.0
    page_height: float = 0.0
    reason: str = ""  # ExtractFailure value, or "bad_page"
    message: str = ""

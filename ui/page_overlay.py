"""What the reader draws over the page image: search terms and the user's own highlights.

The page image comes from the isolated render worker; so do the page's words with their boxes
(``PageRenderer.request_words``). Search terms are matched word by word. The user's highlights
are spans of the *stored* page text (code points), which is the extracted text after clean-up,
not the PDF's word list. ``span_rects`` lines the two up: both are split into words, normalised
(case, punctuation), aligned with ``difflib.SequenceMatcher`` (standard library, robust to the
words clean-up dropped or joined), and the boxes of the words under a span are merged line by
line, as Okular and Zotero draw a highlight: one box per line, in the highlight's colour.

``PageOverlay`` asks for the words when the page has terms or highlights, and redraws when
either the words or the highlights change. It never parses a PDF itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QColor

from ui import richtext
from ui.render import PageRenderer, Word
from ui.widgets.page_view import PageView, Rect

_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^\W+|\W+$")

Note = tuple[int, int, str]  # (start, end, colour) in code points of the page text


def _norm(token: str) -> str:
    return _EDGE.sub("", token.casefold())


def _lines(boxes: list[Rect]) -> list[Rect]:
    """Word boxes merged into one box per line (words in reading order)."""
    out: list[list[float]] = []
    for x0, y0, x1, y1 in boxes:
        last = out[-1] if out else None
        height = (y1 - y0) or 1.0
        if last is not None and abs(y0 - last[1]) < height * 0.5 and x0 >= last[0] - 1:
            last[1], last[2], last[3] = min(last[1], y0), max(last[2], x1), max(last[3], y1)
        else:
            out.append([x0, y0, x1, y1])
    return [(a, b, c, d) for a, b, c, d in out]


def span_rects(text: str, words: Sequence[Word], start: int, end: int) -> list[Rect]:
    """The boxes (points, one per line) of the page words under ``text[start:end]``."""
    tokens = [(m.start(), m.end(), _norm(m.group())) for m in _TOKEN.finditer(text)]
    wanted = [i for i, (s, e, _n) in enumerate(tokens) if s < end and e > start]
    if not wanted or not words:
        return []
    matcher = difflib.SequenceMatcher(None, [t[2] for t in tokens],
                                      [_norm(w[4]) for w in words], autojunk=False)
    to_word: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            to_word[a + k] = b + k
    chosen = sorted({to_word[i] for i in wanted if i in to_word})
    return _lines([(words[i][0], words[i][1], words[i][2], words[i][3]) for i in chosen])


class PageOverlay(QObject):
    """Keeps the page view's term boxes and highlight boxes in step with the page shown."""

    def __init__(self, renderer: PageRenderer, view: PageView,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._renderer = renderer
        self._view = view
        self._page: tuple[str, int] | None = None  # (pdf path, page index) shown
        self._text = ""
        self._words: list[Word] | None = None
        self.terms: list[str] = []
        self.notes: list[Note] = []
        self.term_words: list[str] = []  # the page words highlighted on the image
        renderer.words_ready.connect(self._on_words_ready)

    def page_shown(self, pdf: Path | None, page_index: int, text: str,
                   terms: list[str]) -> None:
        """A new page (or new terms): clear the boxes, ask for the words if needed."""
        self._page = (str(pdf), page_index) if pdf is not None else None
        self._text, self.terms, self._words = text, list(terms), None
        self.notes = []  # the page's own come from ``set_notes``
        self.term_words = []
        self._view.set_term_highlights([])
        self._view.set_note_highlights([])
        self._request()

    def set_notes(self, notes: list[Note]) -> None:
        """The user's highlights on the page shown, drawn in their colours."""
        self.notes = list(notes)
        if self._words is not None:
            self._draw_notes()
        else:
            self._view.set_note_highlights([])
            self._request()

    def _request(self) -> None:
        if self._page is not None and (self.terms or self.notes):
            self._renderer.request_words(Path(self._page[0]), self._page[1])

    @Slot(object, int, object)
    def _on_words_ready(self, path, page_index: int, words: list) -> None:
        if self._page != (str(path), page_index):
            return
        self._words = list(words)
        if self.terms:
            matches = richtext.term_matcher(self.terms)
            hits = [w for w in words if matches(w[4])]
            self.term_words = [w[4] for w in hits]
            self._view.set_term_highlights([(w[0], w[1], w[2], w[3]) for w in hits])
            if hits and not self._view.highlight_rects:
                self._view.scroll_to_highlights()
        self._draw_notes()

    def _draw_notes(self) -> None:
        boxes: list[tuple[Rect, QColor]] = []
        for start, end, colour in self.notes:
            boxes += [(r, QColor(colour)) for r in span_rects(self._text, self._words or [],
                                                              start, end)]
        self._view.set_note_highlights(boxes)

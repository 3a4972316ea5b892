"""The reader: outline, page image and extracted page text, kept in step.

Clicking a section or commitment in the outline (or opening a search hit or a compare item)
goes to its page in both views, draws the commitment's rectangles over the image and selects its
text; search terms are highlighted in the text and, as translucent boxes over the matching words
(listed by the render worker), on the page image. Page images come from ``PageRenderer`` (the
isolated worker process); the text view is a read-only ``QPlainTextEdit`` (no HTML at all).

Signals:
    status_message(str): something to show in the status bar.
    citation_copied(str): the text put on the clipboard by "Copy with citation".
    document_opened(str): the slug of the plan the reader now shows.
    page_changed(int): the page index now shown (after the page text is set).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import (
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from indexing.search_hits import section_label
from ui import richtext
from ui.models.outline import ItemIdRole, KindRole, OutlineModel
from ui.ops import Changes, OpContext
from ui.ops.reader import ReaderDocument, load_commitment_rects, load_document
from ui.page_overlay import PageOverlay
from ui.panels import LazyPanel
from ui.render import PageRenderer
from ui.widgets.outline_view import OutlineView
from ui.widgets.page_text import PageTextView
from ui.widgets.page_view import PageView
from ui.widgets.reader_bar import ReaderBar
from workbench.model import Commitment, SearchHit, Section

ZOOM_STEPS = (0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)


class ReaderPanel(LazyPanel):
    """One plan at a time: outline | page image | page text."""

    status_message = Signal(str)
    citation_copied = Signal(str)
    document_opened = Signal(str)
    page_changed = Signal(int)

    def __init__(self, ctx: OpContext, renderer: PageRenderer, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Reader")
        self._ctx = ctx
        self._renderer = renderer
        self.doc: ReaderDocument | None = None
        self.page_index = 0
        self.zoom = 1.0
        self.fit_width = True
        self._page_width_pt: float | None = None
        self.terms: list[str] = []
        self.current_item: tuple[str, int] | None = None
        self._item_rects: list[tuple[int, float, float, float, float]] = []
        self._doc_font_size = 11
        self._pending_open: tuple[str, int, list[str], int | None] | None = None
        self._loading_slug: str | None = None
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(120)
        self._fit_timer.timeout.connect(self._apply_fit_width)
        renderer.page_rendered.connect(self._on_renderer_page_rendered)
        renderer.render_failed.connect(self._on_renderer_render_failed)
        ctx.changes_applied.connect(self._on_ctx_changes_applied)

    # -- building ----------------------------------------------------------------------------

    def build(self, layout: QVBoxLayout) -> None:
        self.bar = ReaderBar(self.previous_page, self.next_page, self.step_zoom,
                             self.set_fit_width)
        self.bar.page_edit.returnPressed.connect(self._on_page_edit_return_pressed)
        self.title_label, self.page_edit = self.bar.title_label, self.bar.page_edit
        self.page_count_label, self.zoom_label = self.bar.page_count_label, self.bar.zoom_label
        layout.addWidget(self.bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("readerSplitter")
        self.outline_model = OutlineModel(self)
        self.outline = OutlineView(self.outline_model)
        self.outline.activated.connect(self._on_outline_activated)
        self.outline.clicked.connect(self._on_outline_activated)
        self.page_view = PageView()
        self.page_view.setAccessibleName("Page image")
        self.page_view.zoom_requested.connect(self.step_zoom)
        self.overlay = PageOverlay(self._renderer, self.page_view, self)
        self.text_view = PageTextView()
        for w in (self.outline, self.page_view, self.text_view):
            self.splitter.addWidget(w)
        for index, stretch in enumerate((2, 5, 3)):  # the page image gets the most room
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setSizes([260, 640, 360])
        self.outline.setMinimumWidth(150)  # labels stay readable on a small screen
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.outline, self.page_view)
        self.setTabOrder(self.page_view, self.text_view)
        self.setTabOrder(self.text_view, self.page_edit)
        self.set_document_font_size(self._doc_font_size)
        self.page_view.set_message("Open a plan from the library, a search hit or a comparison.")

    # -- opening -----------------------------------------------------------------------------

    def open_plan(self, slug: str) -> None:
        self.open_at(slug, page_index=None)

    def open_hit(self, hit: SearchHit) -> None:
        terms = richtext.snippet_terms(hit.snippet)
        self.open_at(hit.plan, hit.kind, hit.item_id, terms, page_index=hit.page_index)

    def open_at(
        self,
        slug: str,
        kind: str = "",
        item_id: int = 0,
        terms: list[str] | None = None,
        *,
        page_index: int | None = None,
    ) -> None:
        """Show a plan; then go to an item (section/commitment) and highlight ``terms``."""
        self.ensure_built()
        self.terms = list(terms or [])
        if self.doc is not None and self.doc.plan.slug == slug:
            self._go_to_item(kind, item_id, page_index)
            return
        self._pending_open = (kind, item_id, self.terms, page_index)
        self._loading_slug = slug
        self.status_message.emit(f"Opening {slug}…")
        load_document(
            self._ctx, slug, on_done=self._on_document_loaded, on_error=self._on_load_failed
        )

    def _on_document_loaded(self, doc: ReaderDocument) -> None:
        if self._loading_slug != doc.plan.slug:
            return  # a later open replaced this one
        self._loading_slug = None
        self.doc = doc
        self._page_width_pt = None
        self.title_label.setText(doc.plan.title)
        self.outline_model.set_outline(list(doc.sections), list(doc.commitments))
        self.outline.expandToDepth(0)
        self.page_count_label.setText(f"of {len(doc.pages)}")
        kind, item_id, _terms, page_index = self._pending_open or ("", 0, [], None)
        self._pending_open = None
        self.status_message.emit(f"Opened {doc.plan.title}")
        self.document_opened.emit(doc.plan.slug)
        self._go_to_item(kind, item_id, page_index)

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading_slug = None
        self.status_message.emit(f"Could not open the plan: {exc}")

    def _go_to_item(self, kind: str, item_id: int, page_index: int | None) -> None:
        assert self.doc is not None
        self.current_item = (kind, item_id) if kind else None
        self._item_rects = []
        target = page_index if page_index is not None else 0
        if kind == "commitment":
            c = self._commitment(item_id)
            if c is not None:
                target = c.page_index
                load_commitment_rects(self._ctx, item_id, on_done=self._on_rects_loaded)
        elif kind == "section":
            s = self._section(item_id)
            if s is not None and page_index is None:
                target = s.page_start
        item = self.outline_model.item_for(kind, item_id) if kind else None
        if item is not None:
            index = self.outline_model.indexFromItem(item)
            self.outline.setCurrentIndex(index)
            self.outline.scrollTo(index)
        self.show_page(target)

    def _on_rects_loaded(self, rects: list[tuple[int, float, float, float, float]]) -> None:
        self._item_rects = rects
        self._update_page_highlights()
        self.page_view.scroll_to_highlights()

    # -- pages ----------------------------------------------------------------------------------

    def show_page(self, page_index: int) -> None:
        if self.doc is None or not self.doc.pages:
            return
        page_index = max(0, min(page_index, len(self.doc.pages) - 1))
        self.page_index = page_index
        _idx, label, text = self.doc.pages[page_index]
        self.page_edit.setText(label)
        self.text_view.setPlainText(text)
        if note := self.doc.ocr_note(page_index):  # issue 15: OCR text is marked as such
            self.status_message.emit(note)
        self.text_view.setToolTip(note)
        self._highlight_text()
        self._update_page_highlights()
        self.overlay.page_shown(self.doc.pdf_path, page_index, text, self.terms)
        self.outline.follow_page(page_index)
        self._request_image()
        self.page_changed.emit(page_index)

    def _request_image(self) -> None:
        if self.doc is None:
            return
        if self.doc.pdf_path is None:
            self.page_view.set_message("The PDF copy of this plan is missing; text only.")
            return
        # render at the screen's device pixel ratio so text stays crisp on high-DPI screens
        dpr = self.page_view.devicePixelRatioF() if self.is_built else 1.0
        self._renderer.request(self.doc.pdf_path, self.page_index, self.zoom, dpr)

    @Slot(object, int, float, QImage)
    def _on_renderer_page_rendered(self, path, page_index: int, zoom: float, image: QImage) -> None:
        if self.doc is None or path != self.doc.pdf_path or page_index != self.page_index:
            return
        logical_width = image.deviceIndependentSize().width()
        self._page_width_pt = logical_width / zoom if zoom else None
        self.page_view.set_image(image, zoom)
        self._update_page_highlights()
        if self._page_highlights():
            self.page_view.scroll_to_highlights()
        if self.fit_width and abs(self._fit_zoom() - self.zoom) > 0.02:
            self._fit_timer.start()

    @Slot(object, int, str)
    def _on_renderer_render_failed(self, path, page_index: int, message: str) -> None:
        if self.doc is not None and path == self.doc.pdf_path:
            self.page_view.set_message(f"This page could not be shown: {message}")

    def page_label(self) -> str:
        if self.doc is None or not self.doc.pages:
            return ""
        return self.doc.pages[self.page_index][1]

    def go_to_label(self, label: str) -> bool:
        if self.doc is None:
            return False
        wanted = label.strip().casefold()
        for idx, page_label, _text in self.doc.pages:
            if page_label.casefold() == wanted:
                self.show_page(idx)
                return True
        if wanted.isdigit() and 0 < int(wanted) <= len(self.doc.pages):
            self.show_page(int(wanted) - 1)  # fall back to the physical page number
            return True
        self.status_message.emit(f"No page labelled {label!r} in this plan.")
        return False

    def _on_page_edit_return_pressed(self) -> None:
        self.go_to_label(self.page_edit.text())

    def next_page(self) -> None:
        self.show_page(self.page_index + 1)

    def previous_page(self) -> None:
        self.show_page(self.page_index - 1)

    def focus_page_label(self) -> None:
        self.ensure_built()
        self.page_edit.setFocus()
        self.page_edit.selectAll()

    # -- zoom ----------------------------------------------------------------------------------

    def step_zoom(self, direction: int) -> None:
        self.fit_width = False
        steps = list(ZOOM_STEPS)
        if direction > 0:
            bigger = [z for z in steps if z > self.zoom + 0.01]
            self.set_zoom(bigger[0] if bigger else steps[-1])
        else:
            smaller = [z for z in steps if z < self.zoom - 0.01]
            self.set_zoom(smaller[-1] if smaller else steps[0])

    def set_zoom(self, zoom: float) -> None:
        self.zoom = max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], round(zoom, 3)))
        if self.is_built:
            self.zoom_label.setText(f"{self.zoom * 100:.0f}%")
            self._request_image()

    def set_fit_width(self) -> None:
        self.fit_width = True
        self._apply_fit_width()

    def _fit_zoom(self) -> float:
        if not self._page_width_pt:
            return self.zoom
        available = self.page_view.viewport().width() - 8
        return max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], available / self._page_width_pt))

    def _apply_fit_width(self) -> None:
        if self.fit_width and self._page_width_pt:
            self.set_zoom(self._fit_zoom())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_width:
            self._fit_timer.start()

    # -- highlighting ---------------------------------------------------------------------

    def _page_highlights(self) -> list[tuple[float, float, float, float]]:
        return [(r[1], r[2], r[3], r[4]) for r in self._item_rects if r[0] == self.page_index]

    def _update_page_highlights(self) -> None:
        if self.is_built:
            self.page_view.set_highlights(self._page_highlights())

    def _highlight_text(self) -> None:
        """Terms get a yellow background; the current item is selected, its start in view."""
        assert self.doc is not None
        text = self.doc.pages[self.page_index][2]
        self.text_view.show_highlights(text, self.terms, self._item_span(text))

    def _item_span(self, text: str) -> tuple[int, int] | None:
        if self.current_item is None:
            return None
        kind, item_id = self.current_item
        if kind == "commitment":
            c = self._commitment(item_id)
            if c is not None and c.page_index == self.page_index and c.char_end > c.char_start:
                return c.char_start, min(c.char_end, len(text))
            return None
        s = self._section(item_id)
        if s is not None and s.page_start == self.page_index and s.heading:
            pos = text.find(s.heading)
            if pos < 0:
                pos = text.casefold().find(s.heading.casefold())
            if pos >= 0:
                return pos, pos + len(s.heading)
        return None

    @property
    def term_words(self) -> list[str]:
        """The page words highlighted on the image as search terms."""
        return self.overlay.term_words

    def highlighted_terms(self) -> list[str]:
        """The text currently highlighted as search terms (for tests and screen readers)."""
        return self.text_view.highlighted_terms()

    def _on_outline_activated(self, index: QModelIndex) -> None:
        kind = index.siblingAtColumn(0).data(KindRole)
        item_id = index.siblingAtColumn(0).data(ItemIdRole)
        if kind and item_id is not None:
            self.terms = []
            self._go_to_item(kind, int(item_id), None)

    # -- lookups -------------------------------------------------------------------------------

    def _commitment(self, item_id: int) -> Commitment | None:
        return self.doc.commitment(item_id) if self.doc is not None else None

    def _section(self, item_id: int) -> Section | None:
        return self.doc.section(item_id) if self.doc is not None else None

    # -- citation ------------------------------------------------------------------------------

    def citation(self) -> str:
        """"<plan title>, §<section heading>, p. <label>" and the quoted text."""
        if self.doc is None:
            return ""
        quote = self.text_view.textCursor().selectedText()
        kind, item_id = self.current_item or ("", 0)
        c = self._commitment(item_id) if kind == "commitment" else None
        section = self._section(int(c.section_id)) if c is not None else \
            self._section(item_id) if kind == "section" else None
        section = section or (self.doc.section_for_page(self.page_index) if self.doc else None)
        sections = self.doc.sections  # headings repeat: name this section unambiguously
        label = section_label([s.path for s in sections], sections.index(section)) \
            if section in sections else ""
        return citation_text(self.doc.plan.title, section, self.page_label(),
                             quote or (c.text if c else ""), heading=label)

    def copy_citation(self) -> None:
        text = self.citation()
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.citation_copied.emit(text)
        self.status_message.emit("Copied with citation")

    # -- settings and changes -----------------------------------------------------------

    def set_document_font_size(self, size: int) -> None:
        self._doc_font_size = max(7, min(32, int(size)))
        if self.is_built:
            font = QFont(self.text_view.font())
            font.setPointSize(self._doc_font_size)
            self.text_view.setFont(font)

    @property
    def document_font_size(self) -> int:
        return self._doc_font_size

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("reader/zoom", self.zoom)
        settings.setValue("reader/fit_width", self.fit_width)
        settings.setValue("reader/font_size", self._doc_font_size)
        if self.is_built:
            settings.setValue("reader/splitter", self.splitter.saveState())

    def restore_settings(self, settings: QSettings) -> None:
        self.ensure_built()
        self.zoom = float(settings.value("reader/zoom", 1.0))
        self.fit_width = settings.value("reader/fit_width", True) in (True, "true")
        self.zoom_label.setText(f"{self.zoom * 100:.0f}%")
        self.set_document_font_size(int(settings.value("reader/font_size", 11)))
        state = settings.value("reader/splitter")
        if state is not None:
            self.splitter.restoreState(state)

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if self.doc is not None and self.doc.plan.slug in changes.plans:
            slug = self.doc.plan.slug
            kind, item_id = self.current_item or ("", 0)
            self.doc = None
            self.open_at(slug, kind, item_id, self.terms, page_index=self.page_index)

    def clear(self) -> None:
        self.doc = None
        self.current_item = None
        if self.is_built:
            self.title_label.setText("No plan open")
            self.outline_model.set_outline([], [])
            self.text_view.clear()
            self.page_view.set_message("Open a plan from the library.")


def citation_text(
    title: str, section: Section | None, page_label: str, quote: str, heading: str = ""
) -> str:
    """"<plan title>, §<section heading>, p. <label>" and the quoted text, if any.

    ``heading`` names the section instead of its own heading (its unambiguous path)."""
    parts = [title]
    if section is not None and section.heading:
        parts.append(f"§{heading or section.heading}")
    parts.append(f"p. {page_label}")
    cite = ", ".join(parts)
    quote = " ".join(quote.replace("\u2029", " ").split())
    return f"{cite}\n“{quote}”" if quote else cite

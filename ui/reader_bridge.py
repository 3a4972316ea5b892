"""The reader, seen from the user-record features: selections, highlights, corrected outline.

``ReaderBridge`` turns the reader's page-text selection (UTF-16 positions of a
``QPlainTextEdit``) into code-point spans of the stored page text with ``utf16_to_cp``, and
back with ``cp_to_utf16`` to draw annotations as extra selections beneath the reader's own
(RELIABILITY rule 12), and on the page image in the same colours (``ui.page_overlay``).
Whenever the reader shows another document it loads the plan's outline
with the user's corrections applied (unmarked, marked, split and merged commitments; fixed
heading levels) and the plan's annotations. It reads and writes only through
``ui.ops.records``.

Signals:
    annotations_loaded(object, str): (``AnnotationList``, plan title) of the plan shown.
    message(str): something to tell the user (status bar).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextEdit

from ui import richtext
from ui.models.outline import ItemIdRole, KindRole
from ui.models.records import DEFAULT_COLOUR
from ui.ops import OpContext
from ui.ops import records as records_ops
from workbench.anchoring import cp_to_utf16, utf16_to_cp

ANNOTATION_MARK = int(QTextFormat.Property.UserProperty) + 51  # tags our extra selections


class ReaderBridge(QObject):
    """Selections, annotation highlights and the corrected outline of the reader panel."""

    annotations_loaded = Signal(object, str)
    message = Signal(str)

    def __init__(self, ctx: OpContext, reader: Any, show_reader: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.reader = reader
        self.show_reader = show_reader
        self.annotations: records_ops.AnnotationList | None = None
        self.plan: str | None = None
        self._doc: Any = None
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(0)  # after the reader has drawn its own highlights
        self._repaint.timeout.connect(self._on_reader_page_shown)
        reader.text_view.textChanged.connect(self._repaint.start)

    def page_text(self) -> str:
        doc = self.reader.doc
        return doc.pages[self.reader.page_index][2] if doc and doc.pages else ""

    def selection(self) -> tuple[records_ops.Span, str] | None:
        """The reader's selected page text as (plan, page, start, end) in code points."""
        doc = self.reader.doc
        cursor = self.reader.text_view.textCursor()
        if doc is None or not cursor.hasSelection():
            return None
        text = self.page_text()
        start = utf16_to_cp(text, cursor.selectionStart())
        end = utf16_to_cp(text, cursor.selectionEnd())
        if end <= start:
            return None
        return (doc.plan.slug, self.reader.page_index, start, end), text[start:end]

    def show_span(self, plan: str, page_index: int, start: int, end: int) -> None:
        """Show a page of a plan in the reader and select ``[start, end)`` (code points)."""
        doc = self.reader.doc
        if doc is None or doc.plan.slug != plan:
            self.show_reader()
            self.reader.open_at(plan, page_index=page_index)
            self.ctx.executor.submit(lambda _wb: None, on_done=lambda _r: self._select(
                plan, page_index, start, end))  # runs after the document has loaded (FIFO)
            return
        self.show_reader()
        self._select(plan, page_index, start, end)

    def _select(self, plan: str, page_index: int, start: int, end: int) -> None:
        doc = self.reader.doc
        if doc is None or doc.plan.slug != plan:
            return
        if self.reader.page_index != page_index:
            self.reader.show_page(page_index)
        text = self.page_text()
        cursor = QTextCursor(self.reader.text_view.document())
        cursor.setPosition(cp_to_utf16(text, min(start, len(text))))
        cursor.setPosition(cp_to_utf16(text, min(end, len(text))),
                           QTextCursor.MoveMode.KeepAnchor)
        self.reader.text_view.setTextCursor(cursor)
        self.reader.text_view.centerCursor()

    def _on_reader_page_shown(self) -> None:
        doc = self.reader.doc
        if doc is not None and doc is not self._doc:
            self._doc = doc
            records_ops.load_outline(self.ctx, doc.plan.slug, on_done=self._on_outline_loaded)
            if doc.plan.slug != self.plan:
                self.annotations = None  # the previous plan's highlights must not show here
            self.plan = doc.plan.slug
            self.load_annotations()  # also after a new version: anchors may have moved
        self._paint_highlights()

    def _on_outline_loaded(self, outline: tuple) -> None:
        """Show the outline with the user's corrections (unmarked, marked, split, levels)."""
        doc = self.reader.doc
        sections, commitments = outline
        if doc is None or doc is not self._doc or (doc.sections, doc.commitments) == (
                tuple(sections), tuple(commitments)):
            return
        self._doc = self.reader.doc = replace(doc, sections=tuple(sections),
                                              commitments=tuple(commitments))
        self.reader.outline_model.set_outline(sections, commitments)
        self.reader.outline.expandToDepth(0)
        if self.reader.current_item:
            item = self.reader.outline_model.item_for(*self.reader.current_item)
            if item is not None:
                self.reader.outline.setCurrentIndex(item.index())

    def load_annotations(self) -> None:
        if self.plan is None:
            return
        records_ops.load_annotations(self.ctx, self.plan, on_done=self._on_annotations_loaded)

    def _on_annotations_loaded(self, annotations: records_ops.AnnotationList) -> None:
        if annotations.plan != self.plan:
            return
        self.annotations = annotations
        doc = self.reader.doc
        self.annotations_loaded.emit(annotations, doc.plan.title if doc else "")
        self._paint_highlights()

    def _paint_highlights(self) -> None:
        """Annotations on the shown page as coloured backgrounds, under the reader's own."""
        view = self.reader.text_view
        kept = [s for s in view.extraSelections() if not s.format.hasProperty(ANNOTATION_MARK)]
        doc, mine, notes = self.reader.doc, [], []
        if doc is not None and self.annotations is not None \
                and self.annotations.plan == doc.plan.slug:
            text = self.page_text()
            for item in self.annotations.items:
                a = item.annotation.anchor
                if a.page_index != self.reader.page_index or a.end > len(text):
                    continue
                sel = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(QColor(item.colour or DEFAULT_COLOUR))
                fmt.setProperty(ANNOTATION_MARK, item.annotation.uuid)
                if item.annotation.note:
                    fmt.setToolTip(richtext.tooltip(item.annotation.note))
                sel.format = fmt
                cursor = QTextCursor(view.document())
                cursor.setPosition(cp_to_utf16(text, a.start))
                cursor.setPosition(cp_to_utf16(text, a.end), QTextCursor.MoveMode.KeepAnchor)
                sel.cursor = cursor
                mine.append(sel)
                notes.append((a.start, a.end, item.colour or DEFAULT_COLOUR))
        view.setExtraSelections(mine + kept)
        if notes or self.reader.overlay.notes:
            self.reader.overlay.set_notes(notes)  # the same highlights on the page image

    def highlighted_annotations(self) -> list[str]:
        """The page text currently drawn as annotation highlights (tests, screen readers)."""
        return [s.cursor.selectedText().replace("\u2029", "\n")
                for s in self.reader.text_view.extraSelections()
                if s.format.hasProperty(ANNOTATION_MARK)]

    # -- commitments under the cursor -------------------------------------------------------

    def outline_target(self, index: Any = None) -> tuple[str, int] | None:
        if index is None:
            return self.reader.current_item
        kind = index.siblingAtColumn(0).data(KindRole)
        item_id = index.siblingAtColumn(0).data(ItemIdRole)
        return (kind, int(item_id)) if kind and item_id is not None else None

    def commitment(self, item_id: int) -> Any:
        doc = self.reader.doc
        return next((c for c in doc.commitments if int(c.id) == item_id), None) if doc else None

    def with_key(self, item_id: int, then: Callable[[str], None]) -> None:
        """The commitment key of an outline item (hand-marked ones are found by position)."""
        if item_id > 0:
            then(f"c:{item_id}")
            return
        c, doc = self.commitment(item_id), self.reader.doc
        if c is None or doc is None:
            return
        records_ops.read(self.ctx, lambda r: records_ops.key_at(
            r, doc.plan.slug, c.page_index, c.char_start, c.char_end),
            on_done=lambda key: then(key) if key else self.message.emit("That commitment is gone."))

    def reader_key(self, then: Callable[[str], None]) -> None:
        target = self.reader.current_item
        if not target or target[0] != "commitment":
            self.message.emit("Select a commitment in the reader's outline first.")
            return
        self.with_key(target[1], then)

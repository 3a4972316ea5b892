"""Turn the raw lines of PDF pages into clean, reading-order page text.

Pure functions over plain values (no PyMuPDF here, so every rule is unit-testable with synthetic
lines). The work is split by responsibility:

* ``textchars``: ligatures, NBSP, soft hyphens, bullet glyphs, whitespace, NFC, hyphenated
  line breaks;
* ``running``: running headers/footers and bare page numbers (found across the whole
  document, then dropped), and the page number printed in them (the page label when the PDF
  has no /PageLabels);
* ``rows``: lone bullets and contents entries; ``reading_order``: columns and reading order;
* this module: paragraphs (lines joined with spaces, one paragraph per ``\\n``), table cells,
  and ``assemble_pages``, which runs all of it for one document.

Emits nothing; ``pdf_extract`` calls :func:`assemble_pages` and hands the result to
``headings``, ``segment`` and ``commitments``. The names of the split-out modules are
re-exported here, so ``cleanup.X`` keeps working for callers and tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from indexing.lines import Block, Line, RawPage, line_from_spans
from indexing.reading_order import column_order, order_blocks, place_tables, split_block_columns
from indexing.rows import mark_contents, merge_rows
from indexing.running import (
    BAND,
    band_limits,
    is_running,
    page_number_in,
    printed_number,
    running_line_keys,
)
from indexing.textchars import (
    _SYMBOL_FONT,
    collapse,
    fix_symbol_glyph,
    has_alpha,
    is_numbered,
    join_lines,
    normalise_text,
    split_bullet,
)
from workbench.model import Span

__all__ = [
    "BAND",
    "Block",
    "Line",
    "PageLayout",
    "Paragraph",
    "RawPage",
    "_SYMBOL_FONT",
    "assemble_pages",
    "collapse",
    "column_order",
    "fix_symbol_glyph",
    "has_alpha",
    "is_numbered",
    "join_lines",
    "line_from_spans",
    "mark_contents",
    "merge_rows",
    "normalise_text",
    "order_blocks",
    "page_number_in",
    "running_line_keys",
    "split_block_columns",
    "split_bullet",
]

# --- paragraphs -----------------------------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True)  # not frozen, for speed: see lines.Line
class Paragraph:
    """A paragraph, a list item or a heading: what one ``\\n``-separated line of page text holds.
    Treat as immutable."""

    text: str  # clean text, bullet marker normalised ("• ", "✓ ")
    lines: tuple[Line, ...]
    page_index: int
    size: float
    bold: bool
    marker: str = ""  # "•", "✓" or ""
    bold_prefix: str = ""  # the leading run of bold text, if the paragraph starts bold
    kind: str = ""  # "", "table" (one cell), "sidebar" (in a call-out box) or "toc"
    cell: tuple[int, int, int] | None = None  # (table, row, column) of a table cell
    _span: Span | None = field(default=None, compare=False, repr=False)  # as_span(), cached

    @property
    def body(self) -> str:
        """The text without its list marker."""
        return self.text[len(self.marker) + 1:] if self.marker else self.text

    def as_span(self) -> Span:
        span = self._span
        if span is None:
            lines = self.lines
            span = Span(self.text, self.size, self.bold, self.page_index,
                        min([ln.x0 for ln in lines]), min([ln.y0 for ln in lines]),
                        max([ln.x1 for ln in lines]), max([ln.y1 for ln in lines]))
            object.__setattr__(self, "_span", span)
        return span


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ":", ";", "!", "?"))


def split_paragraphs(block: Block) -> list[Block]:
    """Split one reader block into paragraphs: at list markers, numbered items, font size
    changes and vertical gaps larger than a line."""
    parts: list[Block] = []
    current: Block = []
    first_marker: str | None = None  # list marker of current[0], found when first needed
    for line in block:
        if current:
            prev = current[-1]
            # (the tests are pure: the cheap ones go first and decide alone when they can)
            if abs(line.y0 - prev.y0) < 1.0:  # same row: never a new paragraph
                current.append(line)
                continue
            height = max(prev.y1 - prev.y0, 1.0)
            size_change = abs(line.size - prev.size) > 0.6
            gap = line.y0 - prev.y1 > 0.4 * height
            # contents entries are one paragraph each; a box or table never merges with body
            kind_change = line.kind != prev.kind or line.kind == "toc"
            split = size_change or gap or kind_change
            if not split:
                first = current[0]
                marker, _ = split_bullet(line.text, dash_allowed=_ends_sentence(prev.text))
                split = bool(marker) or (line.x0 <= first.x0 + 2 and is_numbered(line.text))
                # after a list item, a line back at the marker's x (not at the hanging indent)
                # starts the next paragraph
                if not split and line.x0 <= first.x0 + 1:
                    if first_marker is None:
                        first_marker = split_bullet(first.text, dash_allowed=True)[0]
                    if first_marker:
                        if len(current) >= 2:
                            split = current[1].x0 > first.x0 + 3
                        else:
                            split = line.text[:1].isupper() and not prev.text.rstrip().endswith(
                                (",", "-", "–", "and", "or"))
            if split:
                parts.append(current)
                current = []
                first_marker = None
        current.append(line)
    if current:
        parts.append(current)
    return parts


def _bold_prefix(lines: Block) -> str:
    first = lines[0]
    if not first.bold_lead and first.text.rstrip():
        return ""  # the common case: not starting bold
    pieces: list[str] = []
    for ln in lines:
        if ln.bold_lead >= len(ln.text.rstrip()):
            pieces.append(ln.text)
            continue
        if ln.bold_lead:
            pieces.append(ln.text[: ln.bold_lead])
        break
    return join_lines(pieces)


def make_paragraph(lines: Block) -> Paragraph | None:
    first = lines[0]
    marker, rest = split_bullet(first.text, dash_allowed=True)
    body = join_lines([rest, *(ln.text for ln in lines[1:])])
    if not body and not marker:
        return None
    text = f"{marker} {body}" if marker else body
    if len(lines) == 1:
        size = first.size
        is_bold = first.bold and len(first.text) > 0
    else:
        # the size of most characters, the first such in line order on a tie (as
        # Counter.most_common(1) picks)
        sizes: dict[float, int] = {}
        bold = 0
        total = 0
        for ln in lines:
            n = len(ln.text)
            sizes[ln.size] = sizes.get(ln.size, 0) + n
            total += n
            if ln.bold:
                bold += n
        size = max(sizes, key=sizes.__getitem__)
        is_bold = bold * 2 > total
    return Paragraph(text, tuple(lines), first.page_index, size, is_bold, marker=marker,
                     bold_prefix=_bold_prefix(lines), kind=first.kind, cell=first.cell)


def mend_broken_paragraphs(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """Re-join a paragraph the reader put in two blocks: the second part starts in lower case,
    right below the first (less than a line apart), inside its left and right edges, and the
    first does not end a sentence ("• Agree a long-" + "term funding deal for buses")."""
    out: list[Paragraph] = []
    for para in paragraphs:
        if out and not para.marker and para.text[:1].islower() and para.kind == out[-1].kind \
                and para.kind != "table":
            prev = out[-1]
            last, first = prev.lines[-1], para.lines[0]
            height = max(last.y1 - last.y0, 1.0)
            left = min(ln.x0 for ln in prev.lines)
            below = 0 <= first.y0 - last.y1 < 0.6 * height and left - 1 <= first.x0 <= last.x1
            # ... or at the top of the next column, to the right of where the first part ended
            next_column = first.y0 < last.y0 - height and first.x0 >= last.x1 - 4
            if ((below or next_column) and not _ends_sentence(prev.text)
                    and abs(first.size - last.size) <= 0.6):
                merged = make_paragraph([*prev.lines, *para.lines])
                if merged is not None:
                    out[-1] = merged
                    continue
        out.append(para)
    return out


def table_paragraphs(block: Block) -> list[Paragraph]:
    """One paragraph per cell of a ruled table, row by row, left to right."""
    cells: dict[tuple[int, int, int], Block] = {}
    for ln in block:
        cells.setdefault(ln.cell or (0, 0, 0), []).append(ln)
    out: list[Paragraph] = []
    for key in sorted(cells):
        lines = sorted(cells[key], key=lambda ln: (round(ln.y0), ln.x0))
        para = make_paragraph(lines)
        if para is not None:
            out.append(para)
    return out


# --- pages ----------------------------------------------------------------------------------


@dataclass(slots=True)
class PageLayout:
    """One cleaned page: its text and the paragraphs (with their offsets) it is made of."""

    index: int
    label: str
    text: str
    paragraphs: list[Paragraph]
    offsets: list[tuple[int, int]]  # (start, end) of each paragraph in ``text``
    needs_ocr: bool
    width: float
    height: float
    warnings: list[str] = field(default_factory=list)


_JUNK = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BEYOND_LATIN = re.compile("[^\x00-\u02ff]")


def _implausible(text: str) -> bool:
    """Text drawn from glyph names or without a ToUnicode map: mostly junk code points
    (replacement characters, private use, controls, unassigned)."""
    if text.isascii() and (text.replace("\n", "").isprintable() or _JUNK.search(text) is None):
        return False  # nothing junk, and nothing beyond Latin (most pages; issue 12, Speed)
    one_line = text.replace("\n", "")
    if one_line.isprintable():  # a bound instead of two scans (most other pages; same answer):
        # no control, private-use, unassigned or surrogate code point and no space but " ",
        # so the words hold every character but the spaces, and each junk (U+FFFD) or
        # beyond-Latin character adds at least as many UTF-8 bytes beyond one as it counts
        n = len(one_line) - one_line.count(" ")
        if n < 20 or 4 * (len(one_line.encode("utf-8")) - len(one_line)) <= n:
            return False  # (at most a quarter of the words' characters)
    n = len("".join(text.split()))  # the characters that are not \s (str.isspace)
    if n < 20:
        return False
    bad = len(_JUNK.findall(text))
    # unassigned code points can only be outside Latin: look them up only there (fast path),
    # and only if they could tip the share (bullets, dashes and quotes are beyond Latin)
    beyond = _BEYOND_LATIN.findall(text)
    if (bad + len(beyond)) / n <= 0.3:
        return False
    bad += sum(1 for c in beyond if unicodedata.category(c) == "Cn")
    return bad / n > 0.3


def _reading_order(kept: Sequence[Line], width: float) -> list[Block]:
    """The page's blocks in reading order (``reading_order``): a table is one block, so its
    cells stay in row order; a call-out box is read after the body of its page, so it does not
    cut a list in two."""
    blocks: dict[int, Block] = {}
    for line in kept:
        blocks.setdefault(line.block, []).append(line)
    tables = [b for b in blocks.values() if b[0].kind == "table"]
    boxes = [b for b in blocks.values() if b[0].kind == "sidebar"]
    body = [b for b in blocks.values() if b[0].kind not in ("table", "sidebar")]
    ordered = column_order([*body, *tables], width)
    if ordered is None:
        split = [part for block in body for part in split_block_columns(block)]
        ordered = order_blocks([*split, *tables], width)
        if tables and ordered[-len(tables):] == tables:  # no columns: stream order
            ordered = place_tables(ordered[:-len(tables)], tables)
    return ordered + sorted(boxes, key=lambda b: (min(ln.y0 for ln in b),
                                                  min(ln.x0 for ln in b)))


def assemble_pages(pages: Sequence[RawPage]) -> list[PageLayout]:
    """Clean every page: drop running lines, order columns, build paragraphs and page text.

    Args:
        pages: the raw pages of one document, in order.

    Returns:
        One ``PageLayout`` per page, same order.
    """
    running = running_line_keys(pages)
    out: list[PageLayout] = []
    for page in pages:
        label = page.pdf_label
        kept: list[Line] = []
        printed: str | None = None
        # running.in_band's test, its bounds computed once a page (issue 12, Speed)
        height = page.height
        top, bottom = band_limits(height)
        for line in page.lines:
            if (height > 0 and (line.y1 <= top or line.y0 >= bottom)
                    and line.kind != "table"):
                number = page_number_in(line.text)
                if number is not None:
                    printed = printed or number
                    continue
                if is_running(line, page, running):
                    # "Our County Plan 2022-2026   Page 3", "7 | Anyshire County Council"
                    if printed is None:
                        printed = printed_number(line.text)
                    continue
            kept.append(line)
        if not label:
            label = printed or str(page.index + 1)
        ordered = _reading_order(mark_contents(merge_rows(kept)), page.width)
        paragraphs: list[Paragraph] = []
        for block in ordered:
            if block[0].kind == "table":
                paragraphs.extend(table_paragraphs(block))
                continue
            for part in split_paragraphs(block):
                para = make_paragraph(part)
                if para is not None:
                    paragraphs.append(para)
        paragraphs = mend_broken_paragraphs(paragraphs)
        offsets: list[tuple[int, int]] = []
        pos = 0
        for para in paragraphs:
            offsets.append((pos, pos + len(para.text)))
            pos += len(para.text) + 1
        text = "\n".join(p.text for p in paragraphs)
        # no text, yet images, drawings or form fields show something (issue 15: a page of
        # small images or an empty form needs OCR too; a blank page does not)
        needs_ocr = (len(text.strip()) < 16 and page.image_cover >= 0.02) or _implausible(text)
        warnings = [page.error] if page.error else []
        out.append(PageLayout(page.index, label, text, paragraphs, offsets, needs_ocr,
                              page.width, page.height, warnings))
    return out

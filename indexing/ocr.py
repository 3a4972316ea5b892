"""OCR of pages without a text layer, in the PDF worker process (issue 15).

Strategy: extraction reads every page as usual; the pages ``cleanup`` flags "needs OCR" are
then read again from Tesseract's text (PyMuPDF's ``Page.get_textpage_ocr``, full-page OCR at
the requested dpi, pixel count clamped like every page image), through the very same line
reader (``pdf_extract._read_page`` with the OCR text page), so OCR text goes through the same
clean-up, headings, segmentation, commitments and page labels as any text layer. Only the
line sizes Tesseract guesses are steadied first (``steady_sizes``).

It emits, per OCR'd page, a confidence (0-100). MuPDF's Tesseract binding returns text and
boxes but not Tesseract's own word confidences, so the figure is *estimated from the words
read*: the share of tokens that look like real words or numbers (see ``estimate_confidence``).
Progress goes through ``progress_cb(done, total)`` once per OCR'd page.

Import this module only in the worker (it imports PyMuPDF); ``indexing.ocr_data`` is the
GUI-safe half.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pymupdf

from indexing import cleanup
from indexing.cleanup import RawPage
from indexing.ocr_data import find_tessdata, ocr_unavailable_reason
from workbench.errors import ExtractError, ExtractFailure
from workbench.model import OcrSettings

__all__ = ["MAX_OCR_PIXELS", "estimate_confidence", "ocr_pages", "steady_sizes"]

MAX_OCR_PIXELS = 40_000_000  # an A4 page at 150 dpi is ~2 Mpx; a hostile page is clamped
ReadPage = Callable[..., RawPage]

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[]{}.,;:!?*•-–—/"
_NUMBER = re.compile(r"^[£$€]?\d[\d,.]*%?(st|nd|rd|th|s|m|bn|k)?$", re.IGNORECASE)
_WORD = re.compile(r"^[A-Za-zÀ-ÿ]+(['’-][A-Za-zÀ-ÿ]+)*$")
_VOWEL = re.compile(r"[aeiouyAEIOUYÀ-ÿ]")


def estimate_confidence(text: str) -> float:
    """0-100: the share of tokens that read as a word (letters, with a vowel unless short, in
    one consistent case pattern) or a number. Garbled OCR ("Tl1e c0unci|", "~~%") scores low."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return 0.0
    good = 0
    for raw in tokens:
        token = raw.strip(_EDGE_PUNCT)
        if not token:
            continue  # punctuation alone: neither good nor bad
        if _NUMBER.match(token):
            good += 1
        elif _WORD.match(token) and (len(token) <= 3 or _VOWEL.search(token)) and (
                token.islower() or token.isupper() or token[1:].islower()):
            good += 1
    counted = sum(1 for raw in tokens if raw.strip(_EDGE_PUNCT))
    return round(100.0 * good / counted, 1) if counted else 0.0


# Tesseract reads a bullet glyph as "+", "e", "«", "°", "*"...: at the start of a line, before
# a capital, such a one-character token is a bullet (no English word is "e" or "+")
_OCR_BULLET = re.compile(r"^(\s*)[+«»°*®©eo>•·](?=\s+[A-Z0-9])")


def steady_sizes(raw: RawPage, tolerance: float = 0.3) -> RawPage:
    """Tidy Tesseract's lines before the shared pipeline sees them.

    * Sizes: Tesseract estimates one per line and it wobbles (8.5 to 13 pt for one 10.5 pt
      body), so each block's lines get the block's median size, and blocks within
      ``tolerance`` of the page's median become the median (clearly larger ones, headings,
      keep theirs).
    * Bold: OCR loses it, and headings at the body size are told by it. A block of one short
      line that does not end like a sentence ("Our objectives", "AIM 2: A STRONGER COUNTY") is
      taken as bold.
    * Bullets read as "+", "e", "«"... at the start of a line become "•".
    """
    lines = [ln for ln in raw.lines if ln.text.strip()]
    if not lines:
        return raw
    blocks: dict[int, list] = {}
    for ln in lines:
        blocks.setdefault(ln.block, []).append(ln)
    block_size = {b: sorted(x.size for x in group)[len(group) // 2]
                  for b, group in blocks.items()}
    sizes = sorted(block_size[ln.block] for ln in lines)
    median = sizes[len(sizes) // 2]
    out = []
    for ln in raw.lines:
        size = block_size.get(ln.block, ln.size)
        if size <= median * (1 + tolerance):
            size = median
        text = _OCR_BULLET.sub(r"\1•", ln.text)
        alone = len(blocks.get(ln.block, ())) == 1
        bold = ln.bold or (alone and len(text.strip()) <= 60 and not text.lstrip().startswith("•")
                           and not text.rstrip().endswith((".", ",", ";")))
        out.append(replace(ln, size=size, text=text, bold=bold,
                           bold_lead=len(text) if bold else 0)
                   if (size, text, bold) != (ln.size, ln.text, ln.bold) else ln)
    return replace(raw, lines=out)


def _clamped_dpi(page: pymupdf.Page, dpi: int) -> int:
    rect = page.rect
    pixels = rect.width * rect.height * (dpi / 72.0) ** 2
    if pixels > MAX_OCR_PIXELS:
        dpi = int(dpi * (MAX_OCR_PIXELS / pixels) ** 0.5)
    return max(dpi, 20)


def ocr_pages(
    doc: pymupdf.Document,
    raw_pages: list[RawPage],
    settings: OcrSettings,
    read_page: ReadPage,
    progress_cb: Callable[[int, int], None] | None = None,
) -> tuple[list[RawPage], dict[int, float], list[str]]:
    """Replace the raw pages that need OCR by their OCR reading.

    Returns:
        ``(raw_pages, confidences, warnings)``: the pages (OCR'd ones replaced), the estimated
        confidence of each OCR'd page by index, and one warning per page OCR could not read.

    Raises:
        ExtractError(OCR_UNAVAILABLE): Tesseract's language data is not installed.
    """
    reason = ocr_unavailable_reason(settings.language)
    if reason:
        raise ExtractError(ExtractFailure.OCR_UNAVAILABLE, reason)
    tessdata = str(find_tessdata(settings.language))
    todo = [p.index for p in cleanup.assemble_pages(raw_pages) if p.needs_ocr]
    pages = list(raw_pages)
    confidences: dict[int, float] = {}
    warnings: list[str] = []
    if progress_cb:
        progress_cb(0, len(todo))
    for n, index in enumerate(todo):
        try:
            page = doc.load_page(index)
            textpage = page.get_textpage_ocr(
                language=settings.language, dpi=_clamped_dpi(page, settings.dpi), full=True,
                tessdata=tessdata)
            raw = steady_sizes(read_page(doc, index, None, textpage=textpage))
        except MemoryError:
            raise
        except Exception as exc:  # one page OCR cannot read keeps its needs-OCR flag
            warnings.append(f"page {index + 1} could not be OCR'd: {str(exc)[:200]}")
        else:
            if any(ln.text.strip() for ln in raw.lines):
                pages[index] = raw
                confidences[index] = estimate_confidence(" ".join(ln.text for ln in raw.lines))
            else:  # a photo, a blank scan: the page keeps its needs-OCR flag
                warnings.append(f"OCR found no text on page {index + 1}")
        if progress_cb:
            progress_cb(n + 1, len(todo))
    return pages, confidences, warnings

"""Generators of hostile and awkward PDFs for the bad-file policy tests (issue 15).

Each maker writes one file and returns its path. ``scan_of`` builds the "scanned plan" used by
the OCR tests: pages of a real PDF rendered to images and put in an image-only PDF (the page
labels are kept, as a scanning workflow that preserves them would).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pymupdf

from tests.pdfgen import Page, heading, make_pdf, para

__all__ = [
    "bad_font_names",
    "form_without_text",
    "many_images",
    "one_page_scan",
    "scan_of",
    "surrogate_metadata",
]


def scan_of(src: Path, dest: Path, pages: Sequence[int], *, dpi: int = 150,
            grey: bool = True) -> Path:
    """An image-only PDF of ``pages`` (0-based) of ``src``, each rendered at ``dpi``."""
    source = pymupdf.open(src)
    out = pymupdf.open()
    labels = []
    for i in pages:
        page = source[i]
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY if grey else pymupdf.csRGB)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, pixmap=pix)
        labels.append(page.get_label())
    if any(labels):
        out.set_page_labels([{"startpage": n, "prefix": label, "style": "", "firstpagenum": 1}
                             for n, label in enumerate(labels)])
    out.save(dest, garbage=3, deflate=True)
    out.close()
    source.close()
    return dest


def one_page_scan(path: Path) -> Path:
    """A single scanned page: text rendered to an image, no text layer at all."""
    text = make_pdf(path.with_suffix(".src.pdf"), [Page([
        heading("Priority 1: Safer roads"),
        para("We will repair every reported pothole within 28 days."),
        para("We will publish a road safety plan by 2026.")])])
    return scan_of(text, path, [0], dpi=100)


def form_without_text(path: Path) -> Path:
    """A page of empty form fields and boxes: widgets and drawings, no text anywhere."""
    doc = pymupdf.open()
    page = doc.new_page()
    for n in range(6):
        rect = pymupdf.Rect(60, 80 + n * 60, 400, 110 + n * 60)
        page.draw_rect(rect, color=(0, 0, 0), width=0.8)
        widget = pymupdf.Widget()
        widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT if n % 2 else \
            pymupdf.PDF_WIDGET_TYPE_CHECKBOX
        widget.field_name = f"field{n}"
        widget.rect = rect if n % 2 else pymupdf.Rect(rect.x0, rect.y0, rect.x0 + 20,
                                                      rect.y0 + 20)
        page.add_widget(widget)
    doc.save(path)
    doc.close()
    return path


def many_images(path: Path, count: int = 37) -> Path:
    """One page showing ``count`` small images (a contact sheet of scanned snippets)."""
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), False)
    pix.clear_with(180)
    for y in range(5, 25, 6):
        for x in range(4, 36):
            pix.set_pixel(x, y, (10, 10, 10))
    cols = 6
    for n in range(count):
        x, y = 40 + (n % cols) * 85, 50 + (n // cols) * 100
        page.insert_image(pymupdf.Rect(x, y, x + 72, y + 54), pixmap=pix)
    doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


def _plain_doc(title: str = "Broken strings plan") -> pymupdf.Document:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((56, 80), "Priority 1: Keeping residents safe", fontsize=16)
    page.insert_text((56, 110), "We will keep residents safe on our roads.", fontsize=11)
    page.insert_text((56, 130), "We will publish the plan by 2025.", fontsize=11)
    doc.set_toc([[1, "Priority 1", 1]])
    doc.set_metadata({"title": title, "author": "A council"})
    return doc


def bad_font_names(path: Path) -> Path:
    """A readable PDF whose font names are not valid UTF-8 (bytes that decode to surrogates),
    with a title made of a lone UTF-16 surrogate: the report of issue 15."""
    doc = _plain_doc()
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "Type")[1] == "/Font":
            doc.xref_set_key(xref, "BaseFont", "/Bad#ED#B0#80#FF#FEName")
    info = int(doc.xref_get_key(-1, "Info")[1].split()[0])
    doc.xref_set_key(info, "Title", "<FEFFDC00>")
    doc.save(path)
    doc.close()
    return path


def surrogate_metadata(path: Path) -> Path:
    """Metadata, outline entries and a page label full of lone surrogates, NULs, bidi
    overrides and control characters."""
    doc = _plain_doc()
    info = int(doc.xref_get_key(-1, "Info")[1].split()[0])
    doc.xref_set_key(info, "Title", "<FEFFD800004100000042202E0043>")
    doc.xref_set_key(info, "Author", "<FEFFDBFF0007001B>")
    doc.xref_set_key(info, "Subject", "(\\000\\001bad\\033subject)")
    doc.xref_set_key(info, "Keywords", "<FEFF202E006B0065007900FFFE>")
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "Title")[0] == "string" and xref != info:
            doc.xref_set_key(xref, "Title", "<FEFFDC00005000720069202E>")
    doc.set_page_labels([{"startpage": 0, "prefix": "\u202e1\x00", "style": "D",
                          "firstpagenum": 1}])
    doc.save(path)
    doc.close()
    return path

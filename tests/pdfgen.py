"""Build test PDFs with PyMuPDF: layouts, labels, bullets, encryption, damage, images.

Reusable by every test package. Example::

    make_pdf(tmp_path / "plan.pdf", [
        Page([heading("Contents", 1), "Some text"], footer="{label}", label="i"),
        Page([heading("Priority 1: Jobs", 1), para("We will:"), bullet("Create jobs")],
             columns=2, header="Plan 2024", footer="Page {label}"),
    ], page_labels=[...], outline=None)

Text is laid out line by line (``insert_text``) with DejaVu Sans when the system has it (so
"●", "▪", "◦" and "✓" render), else Helvetica; so tests know exactly where each line sits.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

__all__ = [
    "BODY",
    "Page",
    "Para",
    "blank_pages_pdf",
    "bullet",
    "encrypted_pdf",
    "heading",
    "image_only_pdf",
    "lorem",
    "make_pdf",
    "para",
    "truncated_copy",
]

BODY = 10.0
_HEADING_SIZES = {1: 18.0, 2: 14.0, 3: 12.0}
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
MARGIN = 56.0


@dataclass(frozen=True)
class Para:
    """A paragraph to lay out."""

    text: str
    size: float = BODY
    bold: bool = False
    full_width: bool = False  # in a two-column page: span both columns
    indent: float = 0.0  # left indent of continuation lines (hanging indent for bullets)
    gap_after: float = 6.0


def para(text: str, **kw: object) -> Para:
    return Para(text, **kw)  # type: ignore[arg-type]


def heading(text: str, level: int = 1, *, bold: bool = True, full_width: bool = True) -> Para:
    return Para(text, size=_HEADING_SIZES.get(level, 12.0), bold=bold, full_width=full_width,
                gap_after=8.0)


def bullet(text: str, glyph: str = "•") -> Para:
    """A list item drawn with ``glyph`` ("•", "●", "▪", "◦", "–", "\\uf0b7", "✓", "l" ...)."""
    return Para(f"{glyph} {text}", indent=12.0, gap_after=3.0)


@dataclass
class Page:
    """One page. ``header``/``footer`` may contain ``{label}`` (the printed page number)."""

    paras: Sequence[Para | str] = ()
    columns: int = 1
    header: str = ""
    footer: str = ""
    label: str = ""  # the number printed in {label}; defaults to the 1-based page number
    size: tuple[float, float] = (595.0, 842.0)
    image: bool = False  # draw a full-page picture (a "scan"), no text layer
    interleave: bool = False  # two columns: write the content stream row by row
    extra: dict[str, object] = field(default_factory=dict)


def _fonts(page: pymupdf.Page) -> tuple[str, str, pymupdf.Font, pymupdf.Font]:
    if _DEJAVU.exists() and _DEJAVU_BOLD.exists():
        page.insert_font(fontname="dv", fontfile=str(_DEJAVU))
        page.insert_font(fontname="dvb", fontfile=str(_DEJAVU_BOLD))
        return ("dv", "dvb", pymupdf.Font(fontfile=str(_DEJAVU)),
                pymupdf.Font(fontfile=str(_DEJAVU_BOLD)))
    return "helv", "hebo", pymupdf.Font("helv"), pymupdf.Font("hebo")


def _wrap(text: str, width: float, font: pymupdf.Font, size: float) -> list[str]:
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and font.text_length(trial, fontsize=size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


_Op = tuple[float, float, str, str, float]  # x, baseline y, text, font name, size


def _draw_para(ops: list[_Op], p: Para, x: float, y: float, width: float,
               fonts: tuple[str, str, pymupdf.Font, pymupdf.Font]) -> float:
    name, bold_name, font, bold_font = fonts
    fname, f = (bold_name, bold_font) if p.bold else (name, font)
    lines = _wrap(p.text, width - p.indent, f, p.size)
    lead = p.size * 1.3
    for i, line in enumerate(lines):
        y += lead
        ops.append((x + (p.indent if i else 0.0), y, line, fname, p.size))
    return y + p.gap_after


def _para_height(p: Para, width: float, fonts: tuple[str, str, pymupdf.Font, pymupdf.Font]) -> float:
    f = fonts[3] if p.bold else fonts[2]
    return len(_wrap(p.text, width - p.indent, f, p.size)) * p.size * 1.3 + p.gap_after


def _layout(ops: list[_Op], spec: Page,
            fonts: tuple[str, str, pymupdf.Font, pymupdf.Font]) -> None:
    w, h = spec.size
    full = w - 2 * MARGIN
    gutter = 24.0
    col_w = (full - gutter) / 2
    y = MARGIN + 20
    paras = [p if isinstance(p, Para) else Para(p) for p in spec.paras]
    if spec.columns == 1:
        for p in paras:
            y = _draw_para(ops, p, MARGIN, y, full, fonts)
        return
    # two columns: full-width paragraphs cut the page into bands; within a band the paragraphs
    # are split between the columns so both have about the same height
    band: list[Para] = []

    def flush(y: float) -> float:
        if not band:
            return y
        heights = [_para_height(p, col_w, fonts) for p in band]
        total = sum(heights)
        acc = 0.0
        split = len(band)
        for i, hgt in enumerate(heights):
            if acc + hgt / 2 > total / 2:
                split = i
                break
            acc += hgt
        split = max(1, split) if len(band) > 1 else 1
        yl = yr = y
        for p in band[:split]:
            yl = _draw_para(ops, p, MARGIN, yl, col_w, fonts)
        for p in band[split:]:
            yr = _draw_para(ops, p, MARGIN + col_w + gutter, yr, col_w, fonts)
        band.clear()
        return max(yl, yr)

    for p in paras:
        if p.full_width:
            y = flush(y)
            y = _draw_para(ops, p, MARGIN, y, full, fonts)
        else:
            band.append(p)
    flush(y)


def _picture(page: pymupdf.Page) -> None:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 120, 160), False)
    pix.clear_with(200)
    for x in range(10, 110):  # a few dark "text" stripes
        for y in range(20, 150, 12):
            pix.set_pixel(x, y, (20, 20, 20))
    page.insert_image(page.rect, pixmap=pix)


def make_pdf(
    path: Path | str,
    pages: Sequence[Page],
    *,
    outline: Sequence[Sequence[object]] | None = None,
    page_labels: Sequence[dict[str, object]] | None = None,
    title: str = "",
    user_password: str | None = None,
    owner_password: str | None = None,
    permissions: int | None = None,
) -> Path:
    """Write a PDF and return its path.

    Args:
        path: where to write.
        pages: one ``Page`` per page.
        outline: ``[[level, title, page_1based], ...]`` for ``set_toc``; ``None`` = no outline.
        page_labels: rules for ``doc.set_page_labels``, e.g.
            ``[{"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1},
            {"startpage": 2, "prefix": "", "style": "D", "firstpagenum": 1}]``.
        title: metadata title.
        user_password / owner_password / permissions: encrypt with AES-256.
    """
    path = Path(path)
    doc = pymupdf.open()
    for i, spec in enumerate(pages):
        w, h = spec.size
        page = doc.new_page(width=w, height=h)
        if spec.image:
            _picture(page)
            continue
        fonts = _fonts(page)
        label = spec.label or str(i + 1)
        if spec.header:
            page.insert_text((MARGIN, 30), spec.header.format(label=label), fontname=fonts[0],
                             fontsize=8)
        if spec.footer:
            text = spec.footer.format(label=label)
            tw = fonts[2].text_length(text, fontsize=8)
            page.insert_text((w - MARGIN - tw, h - 24), text, fontname=fonts[0], fontsize=8)
        ops: list[_Op] = []
        _layout(ops, spec, fonts)
        if spec.interleave:
            # content stream row by row across the columns, so only a reader that finds the
            # columns gets the reading order right
            ops.sort(key=lambda op: (round(op[1]), op[0]))
        for x, y, text, fname, size in ops:
            page.insert_text((x, y), text, fontname=fname, fontsize=size)
    if outline:
        doc.set_toc([list(row) for row in outline])
    if page_labels:
        doc.set_page_labels([dict(r) for r in page_labels])
    if title:
        doc.set_metadata({"title": title})
    kwargs: dict[str, object] = {}
    if user_password or owner_password:
        kwargs = {
            "encryption": pymupdf.PDF_ENCRYPT_AES_256,
            "user_pw": user_password or "",
            "owner_pw": owner_password or (user_password or "") + "-owner",
        }
        if permissions is not None:
            kwargs["permissions"] = permissions
    doc.save(path, garbage=3, deflate=True, **kwargs)
    doc.close()
    return path


def lorem(n: int, seed: int = 0) -> str:
    words = ("council residents services support county local plan community work partners "
             "invest deliver improve transport schools care budget growth housing roads "
             "economy skills health families").split()
    return " ".join(words[(seed * 7 + i * 3) % len(words)] for i in range(n)).capitalize() + "."


def encrypted_pdf(path: Path | str, password: str = "s3cret", *, text: str = "Secret plan"
                  ) -> Path:
    return make_pdf(path, [Page([heading("Encrypted plan"), para(text)])],
                    user_password=password)


def blank_pages_pdf(path: Path | str, count: int) -> Path:
    doc = pymupdf.open()
    for _ in range(count):
        doc.new_page()
    doc.save(path, garbage=1)
    doc.close()
    return Path(path)


def image_only_pdf(path: Path | str, pages: int = 2, *, text_pages: Sequence[int] = ()) -> Path:
    specs = [Page([heading("Text page"), para(lorem(40))]) if i in text_pages else Page(image=True)
             for i in range(pages)]
    return make_pdf(path, specs)


def truncated_copy(src: Path | str, dest: Path | str, fraction: float) -> Path:
    data = Path(src).read_bytes()
    Path(dest).write_bytes(data[: int(len(data) * fraction)])
    return Path(dest)


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip()

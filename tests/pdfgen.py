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

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

__all__ = [
    "BODY",
    "Page",
    "Para",
    "Table",
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
    gap_before: float = 0.0
    glyph_font: str = ""  # "wingdings" / "symbol": the first character is drawn in that font
    right: str = ""  # text set flush right on the paragraph's last line (contents entries)


@dataclass(frozen=True)
class Table:
    """A ruled table: every cell boxed; the first row (the header) in bold."""

    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = ()  # column widths as fractions of the text width
    size: float = BODY
    gap_after: float = 10.0
    full_width: bool = True


def para(text: str, **kw: object) -> Para:
    return Para(text, **kw)  # type: ignore[arg-type]


def heading(text: str, level: int = 1, *, bold: bool = True, full_width: bool = True) -> Para:
    return Para(text, size=_HEADING_SIZES.get(level, 12.0), bold=bold, full_width=full_width,
                gap_after=8.0)


def bullet(text: str, glyph: str = "•", glyph_font: str = "") -> Para:
    """A list item drawn with ``glyph`` ("•", "●", "▪", "◦", "–", "\\uf0b7", "✓", "l" ...).

    ``glyph_font`` "wingdings" or "symbol" draws the glyph in a font named so (a Word bullet:
    Wingdings "l", "§", "Ø"; Symbol U+F0B7), the text beside it in the body font.
    """
    return Para(f"{glyph} {text}", indent=12.0, gap_after=3.0, glyph_font=glyph_font)


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
    sidebar: Sequence[Para | str] = ()  # a shaded call-out box to the right of the body
    footer_align: str = "right"  # "left", "center" or "right"
    extra: dict[str, object] = field(default_factory=dict)


_SYMBOL_FONTS = {  # name in the generator -> (font file, BaseFont written into the PDF)
    "wingdings": (Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"),
                  "Wingdings-Regular"),
    "symbol": (Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"), "Symbol"),
}
Fonts = tuple[str, str, pymupdf.Font, pymupdf.Font]


def _fonts(page: pymupdf.Page) -> Fonts:
    if _DEJAVU.exists() and _DEJAVU_BOLD.exists():
        page.insert_font(fontname="dv", fontfile=str(_DEJAVU))
        page.insert_font(fontname="dvb", fontfile=str(_DEJAVU_BOLD))
        return ("dv", "dvb", pymupdf.Font(fontfile=str(_DEJAVU)),
                pymupdf.Font(fontfile=str(_DEJAVU_BOLD)))
    return "helv", "hebo", pymupdf.Font("helv"), pymupdf.Font("hebo")


def _wrap(text: str, width: float, font: pymupdf.Font, size: float) -> list[str]:
    """Greedy word wrap; a ``\\n`` in ``text`` forces a break (for hyphenated breaks)."""
    lines: list[str] = []
    for chunk in text.split("\n"):
        current = ""
        for word in chunk.split(" "):
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
_Shape = tuple[str, tuple[float, float, float, float]]  # ("box" | "line", rect)


def _draw_para(ops: list[_Op], p: Para, x: float, y: float, width: float, fonts: Fonts) -> float:
    name, bold_name, font, bold_font = fonts
    fname, f = (bold_name, bold_font) if p.bold else (name, font)
    reserve = f.text_length(f"  {p.right}", fontsize=p.size) if p.right else 0.0
    lines = _wrap(p.text, width - p.indent - reserve, f, p.size)
    lead = p.size * 1.3
    y += p.gap_before
    for i, line in enumerate(lines):
        y += lead
        lx = x + (p.indent if i else 0.0)
        if i == 0 and p.glyph_font and " " in line:
            glyph, rest = line.split(" ", 1)
            ops.append((lx, y, glyph, f"sym_{p.glyph_font}", p.size))
            ops.append((lx + p.indent, y, rest, fname, p.size))
        else:
            ops.append((lx, y, line, fname, p.size))
    if p.right:
        tw = f.text_length(p.right, fontsize=p.size)
        ops.append((x + width - tw, y, p.right, fname, p.size))
    return y + p.gap_after


def _table_rows(t: Table, width: float, fonts: Fonts) -> tuple[list[float], list[list[list[str]]]]:
    n = max(len(r) for r in t.rows)
    fracs = list(t.widths) or [1.0 / n] * n
    widths = [width * fr for fr in fracs]
    cells = [[_wrap(cell, widths[c] - 8, fonts[3] if r == 0 else fonts[2], t.size)
              for c, cell in enumerate(row)] for r, row in enumerate(t.rows)]
    return widths, cells


def _table_height(t: Table, width: float, fonts: Fonts) -> float:
    _, cells = _table_rows(t, width, fonts)
    return sum(max(len(c) for c in row) * t.size * 1.3 + 8 for row in cells) + t.gap_after


def _draw_table(ops: list[_Op], shapes: list[_Shape], t: Table, x: float, y: float,
                width: float, fonts: Fonts) -> float:
    widths, cells = _table_rows(t, width, fonts)
    lead = t.size * 1.3
    top = y
    for r, row in enumerate(cells):
        height = max(len(c) for c in row) * lead + 8
        cx = x
        for c, lines in enumerate(row):
            for i, text in enumerate(lines):
                ops.append((cx + 4, y + 4 + (i + 1) * lead - 2, text,
                            fonts[1] if r == 0 else fonts[0], t.size))
            cx += widths[c]
        y += height
        shapes.append(("line", (x, y, x + width, y)))
    shapes.append(("line", (x, top, x + width, top)))
    cx = x
    for w in [0.0, *widths]:
        cx += w
        shapes.append(("line", (cx, top, cx, y)))
    return y + t.gap_after


def _layout(ops: list[_Op], shapes: list[_Shape], spec: Page, fonts: Fonts) -> None:
    w, h = spec.size
    full = w - 2 * MARGIN
    gutter = 24.0
    col_w = (full - gutter) / 2
    y = MARGIN + 20
    paras = [p if isinstance(p, Para | Table) else Para(p) for p in spec.paras]

    def draw(p: Para | Table, x: float, y: float, width: float) -> float:
        if isinstance(p, Table):
            return _draw_table(ops, shapes, p, x, y, width, fonts)
        return _draw_para(ops, p, x, y, width, fonts)

    def height(p: Para | Table, width: float) -> float:
        if isinstance(p, Table):
            return _table_height(p, width, fonts)
        return _para_height(p, width, fonts)

    if spec.columns == 1:
        body_w = full * 0.62 if spec.sidebar else full
        for p in paras:
            y = draw(p, MARGIN, y, body_w)
        if spec.sidebar:
            x = MARGIN + full * 0.66
            sw = full - full * 0.66
            top = MARGIN + 60
            sy = top + 4
            side_ops: list[_Op] = []
            for p in spec.sidebar:
                sy = _draw_para(side_ops, p if isinstance(p, Para) else Para(p), x + 8, sy,
                                sw - 16, fonts)
            shapes.append(("box", (x, top, x + sw, sy + 4)))
            ops.extend(side_ops)
        return
    # two columns: full-width paragraphs cut the page into bands; within a band the paragraphs
    # are split between the columns so both have about the same height
    band: list[Para | Table] = []

    def flush(y: float) -> float:
        if not band:
            return y
        heights = [height(p, col_w) for p in band]
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
            yl = draw(p, MARGIN, yl, col_w)
        for p in band[split:]:
            yr = draw(p, MARGIN + col_w + gutter, yr, col_w)
        band.clear()
        return max(yl, yr)

    for p in paras:
        if p.full_width:
            y = flush(y)
            y = draw(p, MARGIN, y, full)
        else:
            band.append(p)
    flush(y)


def _para_height(p: Para, width: float, fonts: Fonts) -> float:
    f = fonts[3] if p.bold else fonts[2]
    return (len(_wrap(p.text, width - p.indent, f, p.size)) * p.size * 1.3 + p.gap_after
            + p.gap_before)


def _rename_symbol_fonts(doc: pymupdf.Document) -> None:
    """Give the fonts drawing symbol bullets the BaseFont of Wingdings / Symbol, and map the
    Symbol font's "•" to U+F0B7 in its ToUnicode, as Word's Symbol bullets come out."""
    done: set[int] = set()
    for page in doc:
        for xref, _ext, _type, _base, resname, _enc in page.get_fonts():
            if xref in done or not resname.startswith("sym_"):
                continue
            done.add(xref)
            base = _SYMBOL_FONTS[resname[4:]][1]
            doc.xref_set_key(xref, "BaseFont", f"/{base}")
            kind, value = doc.xref_get_key(xref, "DescendantFonts")
            for d in (int(n) for n in re.findall(r"(\d+) 0 R", value)):
                doc.xref_set_key(d, "BaseFont", f"/{base}")
                k2, fd = doc.xref_get_key(d, "FontDescriptor")
                if k2 == "xref":
                    doc.xref_set_key(int(fd.split()[0]), "FontName", f"/{base}")
            if resname == "sym_symbol":
                k3, tu = doc.xref_get_key(xref, "ToUnicode")
                if k3 == "xref":
                    txref = int(tu.split()[0])
                    cmap = doc.xref_stream(txref).decode("latin-1")
                    cmap = re.sub(r"<([0-9a-fA-F]{4})> <2022>", r"<\1> <f0b7>", cmap)
                    doc.update_stream(txref, cmap.encode("latin-1"))


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
            x = {"left": MARGIN, "center": (w - tw) / 2}.get(spec.footer_align, w - MARGIN - tw)
            page.insert_text((x, h - 24), text, fontname=fonts[0], fontsize=8)
        ops: list[_Op] = []
        shapes: list[_Shape] = []
        _layout(ops, shapes, spec, fonts)
        for kind, (x0, y0, x1, y1) in shapes:
            if kind == "box":
                page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=(0.2, 0.4, 0.6),
                               fill=(0.9, 0.94, 0.98), width=0.8)
            else:
                page.draw_line((x0, y0), (x1, y1), color=(0.3, 0.3, 0.3), width=0.6)
        for used in {op[3] for op in ops if op[3].startswith("sym_")}:
            page.insert_font(fontname=used, fontfile=str(_SYMBOL_FONTS[used[4:]][0]))
        if spec.interleave:
            # content stream row by row across the columns, so only a reader that finds the
            # columns gets the reading order right
            ops.sort(key=lambda op: (round(op[1]), op[0]))
        for x, y, text, fname, size in ops:
            page.insert_text((x, y), text, fontname=fname, fontsize=size)
    _rename_symbol_fonts(doc)
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

"""The layout zoo: the five sample plan texts and other councils' excerpts, re-laid out.

Each source (a plan text from ``../shared/plans/*.txt`` or a council excerpt from
``tests/data/councils/<id>.json``) becomes a list of typed blocks (title, heading, subheading,
para, bullet, numbered, table) and is rendered, at test or bench time (nothing is checked in),
in layouts that differ from the bundled PDFs:

* ``rows2``: two columns whose content stream runs row by row across both columns, a running
  header naming the section, "Page N" footers, words hyphenated at line ends, no outline;
* ``land3``: three columns on landscape pages, ligature code points (U+FB01/U+FB02), soft
  hyphens at line breaks, "N | <organisation>" footers, no outline;
* ``numbered``: one column, numbered headings ("2.", "2.3") set bold at body size, a contents
  page with dot leaders, roman page numbers on the front matter, no outline;
* ``tables``: one column; every list of two or more items becomes a ruled action table whose
  header varies ("Commitment", "Action", "What we will do", ...) with a second column of
  owners or dates, and short context paragraphs go into call-out boxes beside the body.

The renderer is our own (PyMuPDF ``insert_text`` line by line, with DejaVu Sans) so that every
line's position is known; ``tests/pdfgen.py`` lays out fixed pages, this one flows text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

__all__ = ["FILLER", "STYLES", "Block", "Style", "council_blocks", "plan_blocks", "render"]

REPO = Path(__file__).resolve().parents[3]
PLANS = REPO.parent / "shared" / "plans"
COUNCILS = REPO / "tests" / "data" / "councils"
_REGULAR = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class Block:
    """One block of a source document."""

    kind: str  # title | heading | subheading | para | bullet | numbered | table
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Style:
    name: str
    size: tuple[float, float] = (595.0, 842.0)
    columns: int = 1
    interleave: bool = False  # write the content stream row by row across the columns
    hyphen: str = ""  # "-" or "\u00ad": break long words at line ends with it
    ligatures: bool = False
    numbered_headings: bool = False
    headings_at_body_size: bool = False
    contents: bool = False
    roman_front: int = 0  # the first N pages are numbered i, ii, ...
    tables: bool = False
    callouts: bool = False
    header: str = ""  # "{section}" is replaced by the current heading
    footer: str = "Page {label}"
    margin: float = 50.0
    body: float = 9.5


STYLES: dict[str, Style] = {s.name: s for s in (
    Style("rows2", columns=2, interleave=True, hyphen="-", header="{org}  |  {section}"),
    Style("land3", size=(842.0, 595.0), columns=3, hyphen="\u00ad", ligatures=True,
          footer="{label} | {org}", body=9.0),
    Style("numbered", numbered_headings=True, headings_at_body_size=True, contents=True,
          roman_front=2, footer="{label}"),
    Style("tables", tables=True, callouts=True, header="{org}", footer="Page {label} of {total}"),
)}

# --- sources ----------------------------------------------------------------------------------

_P_TAG = re.compile(r"</?p>")
_BULLET = re.compile(r"^\s*(?:(?:[-•●▪–\uf0b7\uf0d8\uf0a7]|l(?=\s+[A-Z]))\s+)+(?:✓\s*)?")
_NUMBER = re.compile(r"^\s*(?:-\s+)?\d{1,2}[.)]\s+")


def _is_heading(text: str) -> bool:
    words = text.split()
    return (0 < len(words) <= 14 and not text.rstrip().endswith((".", ",", ";", ":"))
            and text[:1].isupper() and not _NUMBER.match(text))


def plan_blocks(path: Path) -> list[Block]:
    """Typed blocks of a plan text: paragraphs split at blank lines, hard-wrapped lines
    re-joined, "- " lines as bullets, "1. " lines as numbered items, short unpunctuated lines as
    headings; short paragraphs after a lead-in ending in ":" become bullets (as laid out)."""
    raw = _P_TAG.sub(" ", path.read_text(encoding="utf-8"))
    pieces: list[tuple[str, bool]] = []  # (text, the source line was wrapped)
    for chunk in re.split(r"\n[ \t]*\n", raw):
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        current = ""
        for ln in lines:
            if _BULLET.match(ln) or _NUMBER.match(ln):
                if current:
                    pieces.append((current, False))
                current = ln.strip()
            else:
                current = f"{current} {ln.strip()}".strip()
        if current:
            # a text extracted line by line ends each wrapped line with a space
            wrapped = bool(lines) and lines[-1].endswith(" ") and len(lines[-1].split()) >= 6
            pieces.append((current, wrapped))
    merged: list[str] = []
    joinable = False
    for piece, wrapped in pieces:
        if (merged and not merged[-1].rstrip().endswith((".", "!", "?", ":"))
                and (piece[:1].islower() or joinable) and not _BULLET.match(piece)):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
        joinable = wrapped
    blocks: list[Block] = []
    after_lead = False
    for text in merged:
        text = " ".join(text.split())
        if not text:
            continue
        if _BULLET.match(text):
            blocks.append(Block("bullet", _BULLET.sub("", text)))
            continue
        if _NUMBER.match(text):
            blocks.append(Block("numbered", _NUMBER.sub("", text)))
            continue
        if after_lead and len(text.split()) <= 70 and not _is_heading(text):
            blocks.append(Block("bullet", text))
            continue
        after_lead = False
        if _is_heading(text):
            level = "heading" if text.isupper() or len(text.split()) <= 5 else "subheading"
            blocks.append(Block(level, text))
            continue
        blocks.append(Block("para", text))
        after_lead = text.endswith(":")
    return blocks


def council_blocks(path: Path) -> tuple[str, list[Block]]:
    """(organisation, blocks) of a council excerpt."""
    data = json.loads(path.read_text(encoding="utf-8"))
    blocks: list[Block] = []
    for b in data.get("blocks", ()):
        kind = b.get("type", "para")
        if kind == "table":
            blocks.append(Block("table", header=tuple(b.get("header", ())),
                                rows=tuple(tuple(r) for r in b.get("rows", ()))))
        else:
            blocks.append(Block(kind, b.get("text", "")))
    org = str(data.get("council") or data.get("organisation") or data.get("id") or path.stem)
    return org, blocks


# --- rendering ----------------------------------------------------------------------------------

_HEADERS = ("Commitment", "Action", "What we will do", "Our objectives", "Key deliverables",
            "Priority actions", "Pledge")
_SECOND = (("Lead", ("Cabinet Member", "Corporate Director", "Service lead", "Partners")),
           ("Timescale", ("2025/26", "Ongoing", "By March 2027", "Year 2")),
           ("Outcome", ("Better services", "Improved access", "Lower costs", "More choice")))


# what the generator itself adds to action tables: never a commitment (labelled "none")
FILLER = tuple({*_HEADERS, *(h for h, _v in _SECOND), *(v for _h, vs in _SECOND for v in vs)})


@dataclass
class _Page:
    label: str
    section: str
    ops: list[tuple[float, float, str, str, float]] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


class _Flow:
    """Pours blocks into columns and pages."""

    def __init__(self, style: Style, org: str) -> None:
        self.s = style
        self.org = org
        self.font = pymupdf.Font(fontfile=str(_REGULAR))
        self.bold = pymupdf.Font(fontfile=str(_BOLD))
        self._wr: dict[str, float] = {}
        self._wb: dict[str, float] = {}
        w, h = style.size
        self.top, self.bottom = style.margin + 24, h - style.margin - 10
        self.gutter = 20.0
        usable = w - 2 * style.margin
        self.main_w = usable * (0.66 if style.callouts else 1.0)
        self.col_w = (self.main_w - self.gutter * (style.columns - 1)) / style.columns
        self.pages: list[_Page] = []
        self.col = 0
        self.y = self.top
        self.section = ""
        self.callout_y = self.top
        self.new_page()

    # geometry
    def new_page(self) -> None:
        self.pages.append(_Page(str(len(self.pages) + 1), self.section))
        self.col = 0
        self.y = self.top
        self.callout_y = self.top + 20

    def x(self) -> float:
        return self.s.margin + self.col * (self.col_w + self.gutter)

    def need(self, height: float) -> None:
        if self.y + height <= self.bottom:
            return
        if self.col + 1 < self.s.columns:
            self.col += 1
            self.y = self.top
        else:
            self.new_page()

    # text
    def length(self, text: str, bold: bool, size: float) -> float:
        font, cache = (self.bold, self._wb) if bold else (self.font, self._wr)
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = font.text_length(ch, fontsize=1.0)
            total += w
        return total * size

    def wrap(self, text: str, width: float, bold: bool, size: float) -> list[str]:
        words = text.split()
        lines: list[str] = []
        cur = ""
        i = 0
        while i < len(words):
            word = words[i]
            trial = f"{cur} {word}".strip()
            if self.length(trial, bold, size) <= width or not cur:
                cur = trial
                i += 1
                continue
            if self.s.hyphen and len(word) >= 9 and word.isalpha():
                for k in range(len(word) - 4, 3, -1):
                    head = f"{cur} {word[:k]}-"
                    if self.length(head, bold, size) <= width:
                        lines.append(f"{cur} {word[:k]}{self.s.hyphen}")
                        words[i] = word[k:]
                        cur = ""
                        break
                else:
                    lines.append(cur)
                    cur = ""
                continue
            lines.append(cur)
            cur = ""
        if cur:
            lines.append(cur)
        return lines

    def put(self, text: str, x: float, y: float, bold: bool, size: float) -> None:
        if self.s.ligatures:
            text = text.replace("fi", "\ufb01").replace("fl", "\ufb02")
        self.pages[-1].ops.append((x, y, text, "dvb" if bold else "dv", size))

    def paragraph(self, text: str, *, bold: bool = False, size: float = 0.0, marker: str = "",
                  gap: float = 5.0, keep: int = 1) -> None:
        size = size or self.s.body
        lead = size * 1.3
        indent = 12.0 if marker else 0.0
        lines = self.wrap(text, self.col_w - indent, bold, size)
        self.need(lead * min(len(lines), keep + 1))
        for n, line in enumerate(lines):
            self.need(lead)
            base = self.y + size
            if n == 0 and marker:
                self.put(marker, self.x(), base, False, size)
            self.put(line, self.x() + indent, base, bold, size)
            self.y += lead
        self.y += gap

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        size = self.s.body
        lead = size * 1.3
        n = max(len(header), max((len(r) for r in rows), default=1))
        widths = [self.col_w * (0.62 if n == 2 and c == 0 else
                                (0.38 if n == 2 else 1.0 / n)) for c in range(n)]
        for r, row in enumerate([list(header), *[list(x) for x in rows]]):
            cells = [self.wrap(row[c] if c < len(row) else "", widths[c] - 8, r == 0, size)
                     for c in range(n)]
            height = max(len(c) for c in cells) * lead + 6
            self.need(height)
            x0 = self.x()
            page = self.pages[-1]
            page.lines.append((x0, self.y, x0 + self.col_w, self.y))
            cx = x0
            for c in range(n):
                for k, line in enumerate(cells[c]):
                    self.put(line, cx + 4, self.y + 3 + size + k * lead, r == 0, size)
                page.lines.append((cx, self.y, cx, self.y + height))
                cx += widths[c]
            page.lines.append((cx, self.y, cx, self.y + height))
            self.y += height
            page.lines.append((x0, self.y, x0 + self.col_w, self.y))
        self.y += 8

    def callout(self, text: str) -> bool:
        """A short paragraph in a shaded box right of the body; False when it does not fit."""
        size = self.s.body - 0.5
        x0 = self.s.margin + self.main_w + 14
        width = self.s.size[0] - self.s.margin - x0
        lines = self.wrap(text, width - 12, False, size)
        height = len(lines) * size * 1.3 + 10
        if self.callout_y + height > self.bottom:
            return False
        y = self.callout_y
        for k, line in enumerate(lines):
            self.put(line, x0 + 6, y + 5 + size + k * size * 1.3, False, size)
        self.pages[-1].boxes.append((x0, y, x0 + width, y + height))
        self.callout_y = y + height + 12
        return True


def _heading_numbers(blocks: Sequence[Block]) -> dict[int, str]:
    out: dict[int, str] = {}
    major = minor = 0
    for i, b in enumerate(blocks):
        if b.kind in ("title", "heading"):
            major += 1
            minor = 0
            out[i] = f"{major}."
        elif b.kind == "subheading":
            minor += 1
            out[i] = f"{max(major, 1)}.{minor}"
    return out


def _runs(blocks: Sequence[Block]) -> Iterator[tuple[int, int]]:
    """(start, end) of runs of two or more list items."""
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind in ("bullet", "numbered"):
            j += 1
        if j - i >= 2:
            yield i, j
            i = j
        else:
            i = max(j, i + 1)


def _pour(flow: _Flow, blocks: Sequence[Block], style: Style) -> None:
    numbers = _heading_numbers(blocks) if style.numbered_headings else {}
    runs = dict(_runs(blocks)) if style.tables else {}
    body = style.body
    i = 0
    n_item = n_table = 0
    while i < len(blocks):
        b = blocks[i]
        if i in runs:
            end = runs[i]
            head = _HEADERS[n_table % len(_HEADERS)]
            second, values = _SECOND[n_table % len(_SECOND)]
            rows = [(blocks[k].text, values[(k - i) % len(values)]) for k in range(i, end)]
            flow.table((head, second), rows)
            n_table += 1
            i = end
            continue
        text = b.text
        if b.kind in ("title", "heading", "subheading"):
            flow.section = text
            if numbers.get(i):
                text = f"{numbers[i]} {text}"
            size = body if style.headings_at_body_size else (
                {"title": 20.0, "heading": 15.0}.get(b.kind, 12.0))
            flow.paragraph(text, bold=True, size=size, gap=6.0, keep=2)
        elif b.kind == "bullet":
            flow.paragraph(text, marker="•", gap=3.0)
        elif b.kind == "numbered":
            n_item += 1
            flow.paragraph(f"{n_item}. {text}", gap=3.0)
        elif b.kind == "table":
            flow.table(b.header, b.rows)
        else:
            if not (style.callouts and len(text.split()) <= 40 and re.search(r"\d", text)
                    and flow.callout(text)):
                flow.paragraph(text)
        if b.kind not in ("numbered",):
            n_item = 0 if b.kind != "bullet" else n_item
        i += 1


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def render(blocks: Sequence[Block], style: Style, path: Path, org: str = "Council") -> Path:
    """Render ``blocks`` in ``style`` to ``path`` (no outline, no /PageLabels)."""
    flow = _Flow(style, org)
    fonts = {"dv": flow.font, "dvb": flow.bold}
    if style.contents:
        heads = [b.text for b in blocks if b.kind in ("title", "heading")][:25]
        flow.paragraph("Contents", bold=True, size=15.0)
        for n, h in enumerate(heads, start=1):
            flow.paragraph(f"{n}. {h[:60]} {'.' * 12} {n + 2}", gap=2.0)
        flow.new_page()
    _pour(flow, blocks, style)
    doc = pymupdf.open()
    w, h = style.size
    total = len(flow.pages)
    for n, spec in enumerate(flow.pages):
        page = doc.new_page(width=w, height=h)
        k = n - style.roman_front + 1
        label = _roman(n + 1) if n < style.roman_front else str(k)
        for x0, y0, x1, y1 in spec.boxes:
            page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=(0.2, 0.4, 0.6),
                           fill=(0.9, 0.94, 0.98), width=0.8)
        for x0, y0, x1, y1 in spec.lines:
            page.draw_line((x0, y0), (x1, y1), color=(0.3, 0.3, 0.3), width=0.6)
        ops = spec.ops
        if style.interleave:
            ops = sorted(ops, key=lambda op: (round(op[1]), op[0]))
        fields = {"label": label, "org": org, "section": spec.section[:50], "total": total}
        writer = pymupdf.TextWriter(page.rect)
        if style.header and n:
            writer.append((style.margin, 32), style.header.format(**fields), font=flow.font,
                          fontsize=7.5)
        for x, y, text, font, size in ops:
            writer.append((x, y), text, font=fonts[font], fontsize=size)
        footer = style.footer.format(**fields)
        writer.append((w - style.margin - flow.length(footer, False, 8), h - 26), footer,
                      font=flow.font, fontsize=8)
        writer.write_text(page)
    doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


def zoo(folder: Path, plans: Sequence[Path] = (), councils: Sequence[Path] = (),
        styles: Sequence[str] = tuple(STYLES)) -> dict[tuple[str, str], Path]:
    """Render every source in every style: ``{(source id, style): pdf}``."""
    out: dict[tuple[str, str], Path] = {}
    for src in plans:
        blocks = plan_blocks(src)
        for name in styles:
            out[(src.stem, name)] = render(blocks, STYLES[name], folder / f"{src.stem}-{name}.pdf",
                                           "County Council")
    for src in councils:
        org, blocks = council_blocks(src)
        for name in styles:
            out[(src.stem, name)] = render(blocks, STYLES[name], folder / f"{src.stem}-{name}.pdf",
                                           org)
    return out

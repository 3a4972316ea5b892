"""Turn the raw lines of PDF pages into clean, reading-order page text.

Pure functions over plain values (no PyMuPDF here, so every rule is unit-testable with synthetic
lines). This module owns:

* character clean-up: ligatures, NBSP, soft hyphens, bullet glyphs, whitespace, NFC;
* running headers/footers and bare page numbers (found across the whole document, then dropped),
  and the page number printed in them (used as the page label when the PDF has no /PageLabels);
* column detection and reading order (column by column, full-width blocks kept in place);
* paragraphs: lines joined with spaces (hyphenated breaks mended), one paragraph per ``\\n``.

Emits nothing; ``pdf_extract`` calls :func:`assemble_pages` and hands the result to
``headings``, ``segment`` and ``commitments``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from workbench.model import Span

__all__ = [
    "BAND",
    "Line",
    "PageLayout",
    "Paragraph",
    "RawPage",
    "assemble_pages",
    "fix_symbol_glyph",
    "join_lines",
    "line_from_spans",
    "normalise_text",
    "order_blocks",
    "page_number_in",
    "running_line_keys",
    "split_block_columns",
    "split_bullet",
]

BAND = 0.08  # top/bottom fraction of the page where running headers and footers live
RUNNING_SHARE = 0.40  # a band line repeating on this share of pages is a running header/footer
RUNNING_MIN_PAGES = 3

# --- characters -----------------------------------------------------------------------------

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACES = {
    "\u00a0": " ",  # NBSP
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\t": " ",
}
_DROP = {"\u00ad", "\u200b", "\ufeff"}  # soft hyphen, zero-width space, BOM
_CHAR_MAP = str.maketrans({**_LIGATURES, **_SPACES, **{c: None for c in _DROP}})
_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Expand ligatures, turn odd spaces into spaces, drop soft hyphens, NFC-normalise.

    Whitespace runs are *not* collapsed here (spans are concatenated first); see ``collapse``.
    """
    if text.isascii():  # the common case: only tabs can need changing
        return text.replace("\t", " ") if "\t" in text else text
    text = text.translate(_CHAR_MAP)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def collapse(text: str) -> str:
    # str.split() splits at exactly the characters ``\s`` matches (str.isspace)
    return " ".join(text.split())


_ASCII_ALPHA = re.compile(r"[A-Za-z]")


def has_alpha(text: str) -> bool:
    """``any(c.isalpha() for c in text)``, fast for ASCII text."""
    if text.isascii():
        return _ASCII_ALPHA.search(text) is not None
    return any(map(str.isalpha, text))


# Symbol fonts draw bullets and ticks with ASCII code points: Wingdings "l" is a black circle,
# "§" a square, "n" a black square, "ü" a tick; Symbol "·" is a bullet.
_SYMBOL_FONT = re.compile(r"wingding|webding|symbol|dingbat|zapf", re.IGNORECASE)
_SYMBOL_BULLETS = {"l": "•", "§": "•", "n": "•", "q": "•", "v": "•", "Ø": "•", "·": "•",
                   "ü": "✓", "þ": "✓", "4": "✓", "3": "✓"}


def fix_symbol_glyph(text: str, font: str) -> str:
    """Map a one-glyph span in a symbol font (Wingdings "l", "ü" ...) to the bullet it draws."""
    stripped = text.strip()
    # only code points a symbol font re-purposes (ASCII/Latin-1, private use); a real "✓" or
    # "•" in "Noto Sans Symbols" is already right
    if (len(stripped) == 1 and (ord(stripped) < 0x100 or 0xE000 <= ord(stripped) <= 0xF8FF)
            and _SYMBOL_FONT.search(font or "")):
        return text.replace(stripped, _SYMBOL_BULLETS.get(stripped, "•"))
    return text


_BULLET_GLYPHS = "•●▪■◦‣⁃∙○□➢►▶➤\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
_TICKS = "✓✔☑"
_DASHES = "-–‐‑"
_BULLET_START = re.compile(rf"^\s*([{re.escape(_BULLET_GLYPHS)}])\s*(?=\S)")
_TICK_START = re.compile(rf"^\s*([{_TICKS}])\s*(?=\S)")
_DASH_START = re.compile(rf"^\s*([{_DASHES}])\s+(?=\S)")
# A lone "l" before a capital is a Wingdings bullet that lost its font (no English word is "l").
_LONE_L = re.compile(r"^\s*l\s+(?=[A-Z])")


def split_bullet(text: str, *, dash_allowed: bool) -> tuple[str, str]:
    """Split a leading list marker off a line.

    Returns ``(marker, rest)`` where marker is ``"•"``, ``"✓"`` or ``""``. Dashes count as
    markers only where a new item may start (``dash_allowed``), so a wrapped line that begins
    with an en dash is not turned into a bullet.
    """
    m = _TICK_START.match(text)
    if m:
        return "✓", text[m.end():]
    m = _BULLET_START.match(text)
    if m:
        return "•", text[m.end():]
    m = _LONE_L.match(text)
    if m:
        return "•", text[m.end():]
    if dash_allowed:
        m = _DASH_START.match(text)
        if m:
            return "•", text[m.end():]
    return "", text


_NUMBERED = re.compile(r"^\s*(\d{1,2}(\.\d{1,2})*[.)]|\(?[a-h][.)]|\([ivx]{1,4}\))\s+(?=\S)")


def is_numbered(text: str) -> bool:
    return bool(_NUMBERED.match(text))


# --- lines ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One text line of a page, spans already cleaned and concatenated."""

    text: str
    size: float
    bold: bool
    page_index: int
    x0: float
    y0: float
    x1: float
    y1: float
    block: int = 0
    bold_lead: int = 0  # how many leading characters of ``text`` are set in bold
    kind: str = ""  # "" body, "table" (inside a ruled table), "sidebar" (inside a box), "toc"
    cell: tuple[int, int, int] | None = None  # (table, row, column) of a table line

    def as_span(self) -> Span:
        return Span(self.text, self.size, self.bold, self.page_index,
                    self.x0, self.y0, self.x1, self.y1)


def line_from_spans(spans: Sequence[Span], block: int = 0) -> Line | None:
    """Merge the spans of one line; size and boldness are those of most of its characters."""
    text = "".join(s.text for s in spans)
    if not text.strip():
        return None
    sizes: dict[float, int] = {}
    bold_chars = 0
    chars = 0
    for s in spans:
        n = len(s.text.strip())
        if not n:
            continue
        key = round(s.size * 2) / 2
        sizes[key] = sizes.get(key, 0) + n
        chars += n
        if s.bold:
            bold_chars += n
    size = max(sizes, key=sizes.__getitem__) if sizes else round(spans[0].size * 2) / 2
    lead = 0
    for s in spans:
        if s.bold or not s.text.strip():
            lead += len(s.text)
        else:
            break
    return Line(
        text=text,
        size=size,
        bold=bold_chars * 2 > chars,
        page_index=spans[0].page_index,
        x0=min(s.x0 for s in spans),
        y0=min(s.y0 for s in spans),
        x1=max(s.x1 for s in spans),
        y1=max(s.y1 for s in spans),
        block=block,
        bold_lead=min(lead, len(text)),
    )


@dataclass(slots=True)
class RawPage:
    """What the PDF reader found on one page, before clean-up."""

    index: int
    width: float
    height: float
    lines: list[Line]
    pdf_label: str = ""  # from /PageLabels
    image_cover: float = 0.0  # share of the page area covered by images, drawings, fields
    error: str = ""


# --- running headers, footers, page numbers --------------------------------------------------

_ROMAN = r"[ivxlcdm]{1,7}"
_PAGE_NUMBER = re.compile(
    rf"^(?:page\s+|p\.\s*)?[-–—]?\s*(\d{{1,4}}|{_ROMAN})\s*[-–—]?"
    rf"(?:\s*(?:of|/)\s*\d{{1,5}})?$",
    re.IGNORECASE,
)
_PAGE_WORD = re.compile(r"^page\s", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_ROMAN_TOKEN = re.compile(rf"\b{_ROMAN}\b", re.IGNORECASE)


def page_number_in(text: str) -> str | None:
    """The page number printed in a header/footer line ("Page 3", "- 3 -", "iv", "3 of 20")."""
    t = collapse(text)
    m = _PAGE_NUMBER.match(t)
    if not m:
        return None
    number = m.group(1)
    if number.isdigit():
        value = int(number)
        # a bare year in a footer is a date, not a page number
        if 1900 <= value <= 2100 and not _PAGE_WORD.match(t):
            return None
        return str(value)
    if not _is_roman(number):
        return None
    return number.lower() if number.islower() or number.isupper() else None


def _is_roman(text: str) -> bool:
    return bool(re.fullmatch(r"m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})",
                             text.lower())) and bool(text)


def _in_band(line: Line, height: float) -> bool:
    if height <= 0:
        return False
    return line.y1 <= height * BAND + 1 or line.y0 >= height * (1 - BAND) - 1


# the page number at either end of a running line: "7 | Kent County Council", "Plan · Page 7"
_EDGE_NUMBER = re.compile(r"^(?:page\s*)?#\s*[|·•:–—-]*\s*|\s*[|·•:–—-]*\s*(?:page\s*)?#$")
_LEAD_NUMBER = re.compile(r"^\s*(\d{1,4})\s*[|·•:–—-]")
_TAIL_NUMBER = re.compile(r"(?:[|·•:–—-]|\bpage)\s*(\d{1,4}|[ivxlcdm]{1,7})\s*$", re.IGNORECASE)


def _band_key(line: Line, height: float) -> str:
    """The text of a band line with its numbers (and the page number at either end) masked."""
    top = "T" if line.y1 <= height * BAND + 1 else "B"
    text = collapse(line.text).casefold()
    text = _DIGITS.sub("#", text)
    text = _ROMAN_TOKEN.sub("#", text) if len(text) < 40 else text
    text = _EDGE_NUMBER.sub("", text).strip()
    return f"{top}:{text}"


def _position_keys(line: Line, height: float) -> tuple[str, ...]:
    """Where a band line sits: its edge and baseline, and its left, right or centre x (4 pt
    buckets), so a header whose text changes with the chapter still repeats positionally."""
    top = "T" if line.y1 <= height * BAND + 1 else "B"
    y = round(line.y1 / 4)
    return (f"{top}{y}:L{round(line.x0 / 4)}", f"{top}{y}:R{round(line.x1 / 4)}",
            f"{top}{y}:C{round((line.x0 + line.x1) / 8)}")


def _isolated(line: Line, page: RawPage) -> bool:
    """No other text within a line height of a band line, towards the middle of the page
    (a running header is set apart from the body; a body line at the top of a page is not)."""
    h = max(line.y1 - line.y0, 1.0)
    top = line.y1 <= page.height * BAND + 1
    for other in page.lines:
        if other is line or abs(other.y0 - line.y0) < 0.5 * h:
            continue
        gap = other.y0 - line.y1 if top else line.y0 - other.y1
        if 0 <= gap < h:
            return False
    return True


def _doc_body_size(pages: Sequence[RawPage]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for ln in page.lines:
            weights[ln.size] += len(ln.text.strip())
    return weights.most_common(1)[0][0] if weights else 0.0


def running_line_keys(pages: Sequence[RawPage]) -> set[str]:
    """Keys of band lines that repeat on ≥ 40 % of the pages with text (and ≥ 3 pages).

    A line repeats by its text (numbers masked) or by its position (same edge, baseline and
    alignment; only for short, isolated lines no larger than the body text). Position keys are
    prefixed ``@``.
    """
    seen: dict[str, set[int]] = defaultdict(set)
    pages_with_text = 0
    body = _doc_body_size(pages)
    for page in pages:
        if page.lines:
            pages_with_text += 1
        for line in page.lines:
            if _in_band(line, page.height):
                seen[_band_key(line, page.height)].add(page.index)
                if (line.size <= body + 0.4 and len(line.text.split()) <= 15
                        and _isolated(line, page)):
                    for key in _position_keys(line, page.height):
                        seen["@" + key].add(page.index)
    need = max(RUNNING_MIN_PAGES, RUNNING_SHARE * pages_with_text)
    return {key for key, where in seen.items() if len(where) >= need}


def _is_running(line: Line, page: RawPage, running: set[str]) -> bool:
    if _band_key(line, page.height) in running:
        return True
    return any("@" + k in running for k in _position_keys(line, page.height)) and _isolated(
        line, page)


def _printed_number(text: str) -> str | None:
    """The page number inside a running line: "Plan 2024   Page 3", "7 | Kent County Council"."""
    m = _LEAD_NUMBER.match(text)
    if m:
        return page_number_in(m.group(1))
    m = _TAIL_NUMBER.search(text)
    if m:
        return page_number_in(m.group(1))
    m = re.search(r"\bpage\s+(\d{1,4})\b", text, re.IGNORECASE)
    return page_number_in(m.group(1)) if m else None


# --- rows: lone bullets and contents entries ---------------------------------------------------

_LONE_MARKER = re.compile(rf"^\s*[{re.escape(_BULLET_GLYPHS + _TICKS)}]\s*$")
_NUMBER_ONLY = re.compile(r"^\s*(\d{1,3}|[ivxlc]{1,6})\s*$", re.IGNORECASE)
_LEADERS = re.compile(r"(?:\s*[.·…_]){4,}\s*$")
_TOC_ENTRY = re.compile(r"^(?P<title>.*?[^\d\s.·…_])(?:(?:\s*[.·…_]){2,}|\s)\s*"
                        r"(?P<num>\d{1,3})$")
_CONTENTS_TITLE = re.compile(r"^(?:table of )?contents(?: page)?$", re.IGNORECASE)
_CONTENTS_WORD = re.compile(r"contents", re.IGNORECASE)


def _same_row(a: Line, b: Line) -> bool:
    ca, cb = (a.y0 + a.y1) / 2, (b.y0 + b.y1) / 2
    return abs(ca - cb) < 0.4 * max(a.y1 - a.y0, b.y1 - b.y0, 1.0)


def _merge(left: Line, right: Line, style: Line, kind: str = "") -> Line:
    sep = "" if left.text.endswith(" ") else " "
    return Line(left.text.rstrip() + sep + right.text.lstrip(), style.size, style.bold,
                style.page_index, min(left.x0, right.x0), min(left.y0, right.y0),
                max(left.x1, right.x1), max(left.y1, right.y1), style.block,
                left.bold_lead if style is left else 0, kind or style.kind, style.cell)


def merge_rows(lines: Sequence[Line]) -> list[Line]:
    """Join pieces the reader split off one visual row.

    * a lone bullet glyph (often drawn in a symbol font, a separate line to MuPDF) joins the
      text just right of it: "•" + "Deliver new homes";
    * a lone page number right of a contents entry joins it: "1. Introduction ....." + "3"
      (when the entry has dot leaders, or when the page has at least three such rows).
    """
    out = list(lines)
    used: set[int] = set()
    merged: dict[int, Line] = {}
    for i, ln in enumerate(out):
        if i in used or not _LONE_MARKER.match(ln.text):
            continue
        h = max(ln.y1 - ln.y0, 1.0)
        best = None
        for j, other in enumerate(out):
            if j == i or j in used or not _same_row(ln, other):
                continue
            gap = other.x0 - ln.x1
            if -1 <= gap <= 4 * h and (best is None or gap < best[0]):
                best = (gap, j)
        if best is not None:
            j = best[1]
            used.update((i, j))
            merged[j] = _merge(ln, out[j], out[j])
    pairs = []
    for j, num in enumerate(out):
        if j in used or not _NUMBER_ONLY.match(num.text):
            continue
        cands = [(num.x0 - e.x1, i) for i, e in enumerate(out)
                 if i != j and i not in used and _same_row(e, num) and num.x0 - e.x1 >= -1
                 and has_alpha(e.text)]
        if cands:
            i = min(cands)[1]
            pairs.append((i, j, bool(_LEADERS.search(out[i].text))))
    if len(pairs) >= 3 or any(leader for *_, leader in pairs):
        for i, j, leader in pairs:
            if len(pairs) < 3 and not leader:
                continue
            left = merged.get(i, out[i])
            used.update((i, j))
            merged[i] = _merge(left, out[j], left, "toc")
    result = []
    for i, ln in enumerate(out):
        if i in merged:
            result.append(merged[i])
        elif i not in used:
            result.append(ln)
    return result


def mark_contents(lines: Sequence[Line]) -> list[Line]:
    """Mark the entries of a contents page (``kind="toc"``): lines that end in a page number
    after dot leaders or a gap, when the page has at least four of them making up most of its
    lines, or at least two under a "Contents" title."""
    entries = [i for i, ln in enumerate(lines)
               if ln.kind == "toc" or (ln.text.rstrip()[-1:].isdigit()  # cheap test first
                                       and _TOC_ENTRY.match(collapse(ln.text))
                                       and len(ln.text.split()) <= 16)]
    texty = [ln for ln in lines if has_alpha(ln.text)]
    # (the title has no inner spaces to collapse, so it must be in the raw text)
    titled = any(_CONTENTS_TITLE.match(collapse(ln.text)) for ln in lines
                 if _CONTENTS_WORD.search(ln.text))
    leaders = sum(1 for i in entries if _LEADERS.search(_TOC_ENTRY.sub(r"\g<title>", collapse(
        lines[i].text))) or lines[i].kind == "toc")
    if not ((len(entries) >= 4 and len(entries) >= 0.5 * len(texty))
            or (titled and len(entries) >= 2) or leaders >= 3):
        return list(lines)
    numbers = [int(_TOC_ENTRY.match(collapse(lines[i].text)).group("num"))  # type: ignore[union-attr]
               for i in entries if _TOC_ENTRY.match(collapse(lines[i].text))]
    rising = sum(1 for a, b in zip(numbers, numbers[1:], strict=False) if b >= a)
    if numbers and len(numbers) >= 3 and rising < 0.6 * (len(numbers) - 1) and not titled:
        return list(lines)  # numbers going up and down: a table of figures, not contents
    marked = set(entries)
    return [replace(ln, kind="toc") if i in marked else ln for i, ln in enumerate(lines)]


# --- columns --------------------------------------------------------------------------------

Block = list[Line]


def _bbox(block: Block) -> tuple[float, float, float, float]:
    return (min(ln.x0 for ln in block), min(ln.y0 for ln in block),
            max(ln.x1 for ln in block), max(ln.y1 for ln in block))


def _overlaps_vertically(a: tuple[float, ...], b: tuple[float, ...], slack: float = 2.0) -> bool:
    return a[1] < b[3] + slack and b[1] < a[3] + slack


def order_blocks(blocks: Sequence[Block], width: float) -> list[Block]:
    """Return blocks in reading order.

    A two-column page (a vertical gutter in the middle 40 % of the page that no narrow block
    crosses, with text on both sides side by side) is read column by column; blocks that span
    the gutter, and left-side blocks with no right-column text beside them but with columns
    restarting below them (a heading across both columns), separate horizontal bands. Any other
    page keeps the reader's order, which follows the content stream.
    """
    if len(blocks) < 2 or width <= 0:
        return list(blocks)
    boxes = [_bbox(b) for b in blocks]
    wide = 0.55 * width
    best: tuple[int, float] | None = None
    # A gutter can only lie where no narrow block is: skip the sweep where they cover x (this
    # makes single-column pages cheap; the result is the same as testing every position).
    covered: list[list[float]] = []
    for x0, x1 in sorted((bx[0], bx[2]) for bx in boxes if bx[2] - bx[0] < wide):
        if covered and x0 < covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], x1)
        else:
            covered.append([x0, x1])
    # ... and only where some block ends left of it and another starts right of it
    g = max(0.3 * width, min(bx[2] for bx in boxes))
    stop = min(0.7 * width, max(bx[0] for bx in boxes))
    while g <= stop:
        if any(a < g < b for a, b in covered):
            g += 2.0
            continue
        left = [i for i, bx in enumerate(boxes) if bx[2] <= g]
        right = [i for i, bx in enumerate(boxes) if bx[0] >= g]
        cross = [i for i, bx in enumerate(boxes) if bx[0] < g < bx[2]]
        if left and right and all(boxes[i][2] - boxes[i][0] >= wide for i in cross):
            side_by_side = any(_overlaps_vertically(boxes[i], boxes[j], 0.0)
                               for i in left for j in right)
            lines_left = sum(len(blocks[i]) for i in left)
            lines_right = sum(len(blocks[i]) for i in right)
            if side_by_side and lines_left >= 2 and lines_right >= 2:
                score = min(lines_left, lines_right)
                if best is None or score > best[0]:
                    best = (score, g)
        g += 2.0
    if best is None:
        return list(blocks)
    gutter = best[1]
    left = [i for i, bx in enumerate(boxes) if bx[2] <= gutter]
    right = [i for i, bx in enumerate(boxes) if bx[0] >= gutter]
    separators = [i for i, bx in enumerate(boxes) if bx[0] < gutter < bx[2]]
    for i in list(left):
        beside = any(_overlaps_vertically(boxes[i], boxes[j]) for j in right)
        below = any(boxes[j][1] >= boxes[i][3] - 1 for j in right)
        if not beside and below:
            left.remove(i)
            separators.append(i)
    separators.sort(key=lambda i: boxes[i][1])
    ordered: list[Block] = []
    top = float("-inf")
    for sep in [*separators, None]:
        bottom = boxes[sep][1] if sep is not None else float("inf")
        for column in (left, right):
            band = [i for i in column if top <= boxes[i][1] < bottom]
            ordered.extend(blocks[i] for i in sorted(band, key=lambda i: boxes[i][1]))
        if sep is not None:
            ordered.append(blocks[sep])
            top = boxes[sep][1]
    return ordered


def split_block_columns(block: Block, min_gap: float = 12.0) -> list[Block]:
    """Cut a reader block whose lines sit side by side (a block spanning two columns whose
    content stream runs row by row) into one block per column.

    A cut is made at an x gap that no line crosses, with at least two lines on each side, so a
    contents line and its page number stay together.
    """
    if len(block) < 4:
        return [block]
    spans = sorted((ln.x0, ln.x1) for ln in block)
    cuts: list[float] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= min_gap:
            cuts.append((x0 + reach) / 2)
        reach = max(reach, x1)
    cuts = [c for c in cuts
            if sum(1 for ln in block if ln.x1 <= c) >= 2 and sum(1 for ln in block if ln.x0 >= c) >= 2]
    if not cuts:
        return [block]
    parts: dict[int, Block] = {}
    for ln in block:
        parts.setdefault(sum(1 for c in cuts if ln.x0 >= c), []).append(ln)
    return [parts[k] for k in sorted(parts)]


# --- paragraphs -----------------------------------------------------------------------------

_KEEP_HYPHEN_PREFIXES = {
    "self", "co", "non", "well", "long", "short", "cross", "multi", "anti", "pre", "post",
    "semi", "sub", "inter", "over", "under", "low", "high", "full", "part", "half", "mid",
    "one", "two", "three", "four", "five", "ex", "place", "day", "year", "age", "user",
    "evidence", "cost", "county", "district", "community", "council", "small", "large",
    "far", "wide", "all", "world", "net", "zero", "time", "life", "best", "top", "first",
}
_WORD_BEFORE_HYPHEN = re.compile(r"(\w+)-$")


def join_lines(texts: Iterable[str]) -> str:
    """Join the lines of one paragraph with spaces, mending words hyphenated at a line break.

    "infra-" + "structure" gives "infrastructure"; a compound broken at its own hyphen
    ("long-" + "term", "day-" + "to-day") keeps the hyphen; a hyphen inside a line is never
    touched.
    """
    out = ""
    for raw in texts:
        text = collapse(raw)
        if not text:
            continue
        if not out:
            out = text
            continue
        # look only at the tail: searching the whole growing paragraph is quadratic
        m = _WORD_BEFORE_HYPHEN.search(out[-64:]) if out.endswith("-") else None
        if m and not out.endswith(" -"):
            before = m.group(1)
            first_word = text.split(" ", 1)[0]
            if (text[0].islower() and before.isalpha() and before[-1].islower()
                    and before.casefold() not in _KEEP_HYPHEN_PREFIXES
                    and "-" not in first_word):
                out = out[:-1] + text
            else:
                out = out + text
            continue
        out = out + " " + text
    return out


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph, a list item or a heading: what one ``\\n``-separated line of page text holds."""

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
    texts = [rest, *(ln.text for ln in lines[1:])]
    body = join_lines(texts)
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
    return Paragraph(
        text=text,
        lines=tuple(lines),
        page_index=first.page_index,
        size=size,
        bold=is_bold,
        marker=marker,
        bold_prefix=_bold_prefix(lines),
        kind=first.kind,
        cell=first.cell,
    )


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
            if (0 <= first.y0 - last.y1 < 0.6 * height and left - 1 <= first.x0 <= last.x1
                    and not _ends_sentence(prev.text) and abs(first.size - last.size) <= 0.6):
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


_SPACE = re.compile(r"\s")
_JUNK = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BEYOND_LATIN = re.compile("[^\x00-\u02ff]")


def _implausible(text: str) -> bool:
    """Text drawn from glyph names or without a ToUnicode map: mostly junk code points
    (replacement characters, private use, controls, unassigned)."""
    n = len(text) - len(_SPACE.findall(text))
    if n < 20:
        return False
    bad = len(_JUNK.findall(text))
    # unassigned code points can only be outside Latin: look them up only there (fast path)
    bad += sum(1 for c in _BEYOND_LATIN.findall(text) if unicodedata.category(c) == "Cn")
    return bad / n > 0.3


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
        for line in page.lines:
            if _in_band(line, page.height) and line.kind != "table":
                number = page_number_in(line.text)
                if number is not None:
                    printed = printed or number
                    continue
                if _is_running(line, page, running):
                    # "Framing Kent's Future 2022-2026   Page 3", "7 | Kent County Council"
                    if printed is None:
                        printed = _printed_number(line.text)
                    continue
            kept.append(line)
        if not label:
            label = printed or str(page.index + 1)
        kept = mark_contents(merge_rows(kept))
        blocks: dict[int, Block] = {}
        for line in kept:
            blocks.setdefault(line.block, []).append(line)
        tables = [b for b in blocks.values() if b[0].kind == "table"]
        boxes = [b for b in blocks.values() if b[0].kind == "sidebar"]
        body = [b for b in blocks.values() if b[0].kind not in ("table", "sidebar")]
        split = [part for block in body for part in split_block_columns(block)]
        # a table is one block for the reading order, so its cells stay in row order; a
        # call-out box is read after the body of its page, so it does not cut a list in two
        ordered = order_blocks([*split, *tables], page.width)
        ordered += sorted(boxes, key=lambda b: (min(ln.y0 for ln in b), min(ln.x0 for ln in b)))
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

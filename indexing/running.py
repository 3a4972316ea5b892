"""Running headers and footers, and the page numbers printed in them.

Band lines (top or bottom 8 % of a page) that repeat across the document, by their text with
numbers masked or by their position, are running lines; ``cleanup.assemble_pages`` drops them
and keeps the printed page number as the page label. Pure; emits nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from indexing.lines import Line, RawPage
from indexing.textchars import collapse

__all__ = ["BAND", "band_limits", "in_band", "is_running", "page_number_in", "printed_number",
           "running_line_keys"]

BAND = 0.08  # top/bottom fraction of the page where running headers and footers live
RUNNING_SHARE = 0.40  # a band line repeating on this share of pages is a running header/footer
RUNNING_MIN_PAGES = 3

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


def band_limits(height: float) -> tuple[float, float]:
    """Where the running bands end: a line ending above the first value or starting below the
    second is in the top or bottom band of a page this tall (one rule for every caller)."""
    return height * BAND + 1, height * (1 - BAND) - 1


def _in_band(line: Line, height: float) -> bool:
    if height <= 0:
        return False
    top, bottom = band_limits(height)
    return line.y1 <= top or line.y0 >= bottom


# the page number at either end of a running line: "7 | Anyshire County Council", "Plan · Page 7"
_EDGE_NUMBER = re.compile(r"^(?:page\s*)?#\s*[|·•:–—-]*\s*|\s*[|·•:–—-]*\s*(?:page\s*)?#$")
_LEAD_NUMBER = re.compile(r"^\s*(\d{1,4})\s*[|·•:–—-]")
_TAIL_NUMBER = re.compile(r"(?:[|·•:–—-]|\bpage)\s*(\d{1,4}|[ivxlcdm]{1,7})\s*$", re.IGNORECASE)


def _band_key(line: Line, height: float) -> str:
    """The text of a band line with its numbers (and the page number at either end) masked."""
    top = "T" if line.y1 <= band_limits(height)[0] else "B"
    text = collapse(line.text).casefold()
    text = _DIGITS.sub("#", text)
    text = _ROMAN_TOKEN.sub("#", text) if len(text) < 40 else text
    text = _EDGE_NUMBER.sub("", text).strip()
    return f"{top}:{text}"


def _position_keys(line: Line, height: float) -> tuple[str, ...]:
    """Where a band line sits: its edge and baseline, and its left, right or centre x (4 pt
    buckets), so a header whose text changes with the chapter still repeats positionally."""
    top = "T" if line.y1 <= band_limits(height)[0] else "B"
    y = round(line.y1 / 4)
    return (f"{top}{y}:L{round(line.x0 / 4)}", f"{top}{y}:R{round(line.x1 / 4)}",
            f"{top}{y}:C{round((line.x0 + line.x1) / 8)}")


def _isolated(line: Line, page: RawPage) -> bool:
    """No other text within a line height of a band line, towards the middle of the page
    (a running header is set apart from the body; a body line at the top of a page is not)."""
    h = max(line.y1 - line.y0, 1.0)
    top = line.y1 <= band_limits(page.height)[0]
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
    """The page number inside a running line: "Plan 2024   Page 3", "7 | Anyshire County Council"."""
    m = _LEAD_NUMBER.match(text)
    if m:
        return page_number_in(m.group(1))
    m = _TAIL_NUMBER.search(text)
    if m:
        return page_number_in(m.group(1))
    m = re.search(r"\bpage\s+(\d{1,4})\b", text, re.IGNORECASE)
    return page_number_in(m.group(1)) if m else None


in_band = _in_band
is_running = _is_running
printed_number = _printed_number

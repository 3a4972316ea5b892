"""Pieces of one visual row the reader split (a lone bullet glyph and its text, a contents
entry and its page number), and contents pages. Pure; emits nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from indexing.lines import Line
from indexing.textchars import _BULLET_GLYPHS, _TICKS, collapse, has_alpha

__all__ = ["mark_contents", "merge_rows"]

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
    if len(entries) < 2:  # none of the three tests below can pass (most pages: no more
        return list(lines)  # walks over their lines; issue 12, Speed)
    texty = [ln for ln in lines if has_alpha(ln.text)] if len(entries) >= 4 else []
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


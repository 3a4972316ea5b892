"""Ruled tables and call-out boxes, found in a page's vector drawings (PyMuPDF).

``regions(page, gate)`` lists the grids of ruled tables and the boxes beside the body;
``mark_regions`` tags the lines inside them (``kind="table"`` with their cell, or
``kind="sidebar"``), each table and box becoming one block. ``DrawingsGate`` decides cheaply,
per page, that a page draws nothing, so ``get_cdrawings()`` can be skipped. Used by
``pdf_extract`` in the worker process only. Emits nothing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import pymupdf
from pymupdf import mupdf

from indexing.lines import Line

__all__ = ["DrawingsGate", "mark_regions", "regions"]

@dataclass(slots=True)
class _Grid:
    """A ruled table: the y of its horizontal rules and the x of its vertical rules."""

    ys: list[float]
    xs: list[float]

    def cell_of(self, x: float, y: float) -> tuple[int, int] | None:
        if not (self.xs[0] - 1 <= x <= self.xs[-1] + 1 and self.ys[0] - 1 <= y <= self.ys[-1] + 1):
            return None
        return (max(bisect.bisect(self.ys, y) - 1, 0), max(bisect.bisect(self.xs, x) - 1, 0))


def _distinct(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


# Deciding cheaply that a page draws no vector graphics, so get_cdrawings() (a second run of
# the whole page, about a third of the cost of get_text("dict")) can be skipped. MuPDF hands a
# path to a device only for a path-painting operator (S s f F f* B B* b b*) in the page's
# content stream, or from content run on its behalf: form XObjects (Do), soft masks (gs),
# patterns (scn/SCN), Type 3 glyphs and annotations. The test is conservative: anything it
# cannot rule out (including text it cannot tokenise, such as comments or inline images) means
# "may draw", and then get_cdrawings() runs as before. One left-to-right scan (atomic, so
# it never re-reads a string differently) skips string operands (literal and hex) and matches
# when it meets a comment or an operator of concern.
_DRAW_OPERATOR = rb"%|(?<![A-Za-z/])(?:[SsfFBb]|Do|scn|SCN|gs|BI)(?![A-Za-z])"
_MAY_DRAW = re.compile(
    rb"(?:(?>[^(<%SsfFBbDg]+"  # a run that starts nothing of interest
    rb"|\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)"  # a literal or hex string
    rb"|(?!" + _DRAW_OPERATOR + rb")[\s\S])*+"  # any other byte
    rb"(?:" + _DRAW_OPERATOR + rb")", re.DOTALL)


def _has_type3_font(page: pymupdf.Page, cache: dict[str, bool]) -> bool:
    doc = page.parent
    kind, value = doc.xref_get_key(page.xref, "Resources")
    key = value if kind in ("xref", "dict") else None  # inherited resources: not cached
    found = cache.get(key) if key is not None else None
    if found is None:
        found = any(f[2] == "Type3" for f in doc.get_page_fonts(page.number))
        if key is not None:
            cache[key] = found
    return found


def _may_draw(page: pymupdf.Page, cache: dict[str, bool]) -> bool:
    """False only when the page certainly draws no vector path (see above)."""
    try:
        doc = page.parent
        if doc.xref_get_key(page.xref, "Annots")[0] != "null":
            return True
        if _has_type3_font(page, cache):
            return True
        # the very stream MuPDF interprets: all /Contents streams, concatenated with padding
        pdf_page = mupdf.pdf_page_from_fz_page(page.this)
        contents = mupdf.pdf_dict_get(pdf_page.obj(), mupdf.PDF_ENUM_NAME_Contents)
        stream = mupdf.pdf_open_contents_stream(pdf_page.doc(), contents)
        # fz_read_all stops with an error past MuPDF's worst case (100 MB for initial=0), so a
        # decompression bomb costs at most that here, and the error means "assume it draws"
        raw = mupdf.fz_read_all(stream, 0).fz_buffer_extract()
    except Exception:  # cannot tell: assume it draws
        return True
    return _MAY_DRAW.match(raw) is not None


@dataclass(slots=True)
class _DrawingsGate:
    """Per document: whether get_cdrawings() can be skipped on a page (``skip``)."""

    fonts: dict[str, bool] = field(default_factory=dict)  # resources -> has a Type 3 font
    tried: int = 0
    skipped: int = 0

    def skip(self, page: pymupdf.Page) -> bool:
        """True when get_cdrawings() would find nothing and leave no MuPDF warning behind.

        The test runs only while MuPDF has not complained about the document (its warnings
        are kept as repair notes, which must not change); should the test itself make MuPDF
        complain, that is forgotten and get_cdrawings() runs as before. A document whose
        first pages all draw is not tested further (the test would only cost time).
        """
        if self.tried >= 4 and not self.skipped:
            return False
        store = getattr(pymupdf, "JM_mupdf_warnings_store", None)
        if not isinstance(store, list) or store:
            return False
        self.tried += 1
        may_draw = _may_draw(page, self.fonts)
        if store:
            del store[:]
            return False
        if may_draw:
            return False
        self.skipped += 1
        return True

    def drew_nothing(self, page: pymupdf.Page) -> bool:
        """True when the text pass collected no vector path on ``page`` (the caller's word)
        and get_cdrawings() would add nothing: the page has no annotations and no Type 3
        font (their paths may reach get_cdrawings but not the text device) and MuPDF has not
        complained about the document (skipping must not change its repair notes). One look
        at the page's dictionary instead of ``skip``'s read of its content stream (issue 12,
        Speed)."""
        store = getattr(pymupdf, "JM_mupdf_warnings_store", None)
        if not isinstance(store, list) or store:
            return False
        try:
            if page.parent.xref_get_key(page.xref, "Annots")[0] != "null":
                return False
            type3 = _has_type3_font(page, self.fonts)
        except Exception:  # cannot tell: assume it draws
            return False
        if store:
            del store[:]
            return False
        return not type3


def _regions(page: pymupdf.Page, gate: _DrawingsGate | None = None, drew: bool | None = None,
             ) -> tuple[list[_Grid], list[pymupdf.Rect]]:
    """Ruled tables and call-out boxes drawn on a page.

    A table is a connected set of horizontal and vertical rules with at least three distinct
    rows of rules and three of columns (two rows of two cells). A box is a filled or stroked
    rectangle narrower than 60 % of the page and at least 30 pt high that is not a table.
    ``gate`` (one per document) skips the drawings of pages that have none; ``drew`` is
    whether the text pass (``TEXT_COLLECT_VECTORS``) saw a vector path (None: not known).
    """
    if gate is not None:
        if drew is None and gate.skip(page):
            return [], []
        if drew is False and gate.drew_nothing(page):
            return [], []
    try:
        # the C-level listing: plain tuples, about twice as fast as get_drawings()
        drawings = page.get_cdrawings()
    except Exception:  # vector graphics only refine the layout
        return [], []
    hs: list[tuple[float, float, float]] = []  # y, x0, x1
    vs: list[tuple[float, float, float]] = []  # x, y0, y1
    rects: list[pymupdf.Rect] = []
    for d in drawings[:5000]:
        for item in d.get("items", ()):
            if item[0] == "l":
                (ax, ay), (bx, by) = item[1][:2], item[2][:2]
                if abs(ay - by) < 1.0 and abs(ax - bx) >= 8:
                    hs.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
                elif abs(ax - bx) < 1.0 and abs(ay - by) >= 8:
                    vs.append(((ax + bx) / 2, min(ay, by), max(ay, by)))
            elif item[0] == "re":
                x0, y0, x1, y1 = item[1][:4]
                w, h = x1 - x0, y1 - y0
                if h < 2 and w >= 8:
                    hs.append(((y0 + y1) / 2, x0, x1))
                elif w < 2 and h >= 8:
                    vs.append(((x0 + x1) / 2, y0, y1))
                elif w >= 8 and h >= 8:
                    rects.append(pymupdf.Rect(x0, y0, x1, y1))
                    if d.get("color") is not None:  # a stroked cell: its four edges are rules
                        hs += [(y0, x0, x1), (y1, x0, x1)]
                        vs += [(x0, y0, y1), (x1, y0, y1)]
    grids: list[_Grid] = []
    table_boxes: list[pymupdf.Rect] = []
    if len(hs) >= 3 and len(vs) >= 3 and len(hs) + len(vs) <= 4000:
        parent = list(range(len(hs) + len(vs)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, (y, hx0, hx1) in enumerate(hs):
            for j, (x, vy0, vy1) in enumerate(vs):
                if hx0 - 2 <= x <= hx1 + 2 and vy0 - 2 <= y <= vy1 + 2:
                    parent[find(i)] = find(len(hs) + j)
        groups: dict[int, tuple[list[int], list[int]]] = {}
        for i in range(len(hs)):
            groups.setdefault(find(i), ([], []))[0].append(i)
        for j in range(len(vs)):
            groups.setdefault(find(len(hs) + j), ([], []))[1].append(j)
        for h_ids, v_ids in groups.values():
            ys = _distinct([hs[i][0] for i in h_ids])
            xs = _distinct([vs[j][0] for j in v_ids])
            if len(ys) >= 3 and len(xs) >= 3:
                grids.append(_Grid(ys, xs))
                table_boxes.append(pymupdf.Rect(xs[0], ys[0], xs[-1], ys[-1]))
    width, height = page.rect.width, page.rect.height
    boxes = [r for r in rects
             if 0.15 * width <= r.width <= 0.6 * width and 30 <= r.height <= 0.9 * height
             and not any(r.intersects(t) for t in table_boxes)]
    return grids, boxes


def _tagged(line: Line, kind: str, cell: tuple[int, int, int] | None, block: int) -> Line:
    """``dataclasses.replace(line, kind=, cell=, block=)``, without its per-call field walk
    (7.5k table lines in the layout zoo; issue 12, Speed)."""
    return Line(line.text, line.size, line.bold, line.page_index, line.x0, line.y0, line.x1,
                line.y1, block, line.bold_lead, kind, cell)


def _place(line: Line, grids: list[_Grid], boxes: list[pymupdf.Rect],
           box_lines: list[list[int]], i: int) -> Line:
    cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
    for t, grid in enumerate(grids):
        cell = grid.cell_of(cx, cy)
        if cell is not None:
            return _tagged(line, "table", (t, *cell), 1_000_000 + t)
    for b, box in enumerate(boxes):
        if (box.x0 - 2 <= line.x0 and line.x1 <= box.x1 + 2 and box.y0 - 2 <= line.y0
                and line.y1 <= box.y1 + 2):
            box_lines[b].append(i)
            return line
    return line


def _mark_regions(lines: list[Line], grids: list[_Grid], boxes: list[pymupdf.Rect]) -> list[Line]:
    """Tag lines inside a table (``kind="table"``, its cell) or a call-out box beside the body
    (``kind="sidebar"``); each table and each box becomes one block."""
    box_lines: list[list[int]] = [[] for _ in boxes]
    placed = [_place(ln, grids, boxes, box_lines, i) for i, ln in enumerate(lines)]
    for b, ids in enumerate(box_lines):
        box = boxes[b]
        inside = set(ids)
        beside = any(i not in inside and placed[i].kind != "table"
                     and (placed[i].x1 <= box.x0 or placed[i].x0 >= box.x1)
                     and placed[i].y0 < box.y1 and box.y0 < placed[i].y1
                     for i in range(len(placed)))
        if len(ids) >= 2 and beside:
            for i in ids:
                placed[i] = _tagged(placed[i], "sidebar", placed[i].cell, 2_000_000 + b)
    return placed


DrawingsGate = _DrawingsGate
regions = _regions
mark_regions = _mark_regions

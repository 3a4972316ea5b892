"""Reading order of a page's blocks: columns found from the geometry, not the content stream.

Two strategies, tried in order:

* ``column_order`` works on lines: it finds gutters (vertical strips no narrow line crosses,
  with text side by side on both sides) anywhere across the page, so two, three or more
  columns are found even when the content stream runs row by row across them; lines that
  cross a gutter (full-width headings, wide paragraphs) cut the page into bands, read top to
  bottom, each band column by column;
* otherwise ``split_block_columns`` + ``order_blocks`` work on the reader's blocks (one
  gutter, full-width blocks kept in place), and a page with no columns keeps the reader's
  order, which follows the content stream.

We do not use PyMuPDF 2.x's ONNX layout model: at about 0.6 s a page it alone would be
several times the whole import budget (issue 12 asks for import at the speed of raw
``get_text("dict")``), and this geometric analysis reads the layout zoo's two- and
three-column pages (``tests/data/layouts/zoo.py``) in order. Pure; emits nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from indexing.lines import Block

__all__ = ["column_order", "order_blocks", "place_tables", "split_block_columns"]

def _bbox(block: Block) -> tuple[float, float, float, float]:
    # one pass over the lines, not four generator passes (issue 12, Speed; same result)
    first = block[0]
    x0, y0, x1, y1 = first.x0, first.y0, first.x1, first.y1
    for ln in block:
        if ln.x0 < x0:
            x0 = ln.x0
        if ln.y0 < y0:
            y0 = ln.y0
        if ln.x1 > x1:
            x1 = ln.x1
        if ln.y1 > y1:
            y1 = ln.y1
    return (x0, y0, x1, y1)


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



def _gutters(boxes: Sequence[tuple[float, float, float, float]], width: float) -> list[float]:
    """x of the middle of every gutter: a strip at least 6 pt wide that (almost) no narrow
    line crosses, with at least three lines on each side of it, side by side."""
    narrow = [bx for bx in boxes if bx[2] - bx[0] < 0.55 * width]
    if len(narrow) < 6:
        return []
    lo = int(min(bx[0] for bx in narrow))
    hi = int(max(bx[2] for bx in narrow)) + 2
    diff = [0] * (hi - lo + 2)
    for x0, _y0, x1, _y1 in narrow:
        diff[int(x0) - lo] += 1
        diff[int(x1) + 1 - lo] -= 1
    allowed = int(0.04 * len(narrow))  # a few centred titles may cross a gutter
    found: list[float] = []
    count = 0
    start: int | None = None
    for x in range(hi - lo + 1):
        count += diff[x]
        if count <= allowed:
            if start is None:
                start = x
            continue
        if start is not None and x - start >= 6:
            found.append(lo + (start + x) / 2)
        start = None
    out = []
    for g in found:
        left = [bx for bx in narrow if bx[2] <= g]
        right = [bx for bx in narrow if bx[0] >= g]
        if len(left) < 3 or len(right) < 3:
            continue
        if any(_overlaps_vertically(a, b, 0.0) for a in left[:200] for b in right[:200]):
            out.append(g)
    return out


def _lone_titles(items: Sequence[Block], boxes: Sequence[tuple[float, float, float, float]],
                 gutters: Sequence[float], taken: set[int]) -> list[int]:
    """Heading-like lines (bold, or larger than most) in one column with nothing beside them in
    the other columns but text of those columns above and below: a heading that starts a new
    band of columns though it is narrower than the page."""
    sizes = sorted(ln.size for it in items for ln in it)
    body = sizes[len(sizes) // 2] if sizes else 0.0
    col_of = [sum(1 for g in gutters if (bx[0] + bx[2]) / 2 > g) for bx in boxes]
    out = []
    for i, item in enumerate(items):
        ln = item[0]
        if i in taken or len(item) != 1 or not (ln.bold or ln.size > body + 0.5):
            continue
        others = [boxes[j] for j in range(len(items)) if col_of[j] != col_of[i] and j not in taken]
        bx = boxes[i]
        if (others and not any(_overlaps_vertically(bx, o, 0.0) for o in others)
                and any(o[3] <= bx[1] for o in others) and any(o[1] >= bx[3] for o in others)):
            out.append(i)
    return out


def column_order(blocks: Sequence[Block], width: float) -> list[Block] | None:
    """Blocks in reading order for a page with columns, found line by line (see the module
    docstring); ``None`` when the page has no gutter. Table blocks move as one piece."""
    if width <= 0:
        return None
    items: list[Block] = []
    for block in blocks:
        if block and block[0].kind == "table":
            items.append(list(block))
        else:
            items.extend([ln] for ln in block)
    if len(items) < 6:
        return None
    boxes = [_bbox(it) for it in items]
    gutters = _gutters(boxes, width)
    if not gutters:
        return None
    separators = sorted(
        (i for i, bx in enumerate(boxes) if any(bx[0] < g - 1 and bx[2] > g + 1 for g in gutters)),
        key=lambda i: (boxes[i][1], boxes[i][0]))
    separators = sorted({*separators, *_lone_titles(items, boxes, gutters, set(separators))},
                        key=lambda i: (boxes[i][1], boxes[i][0]))
    cuts = [boxes[i][1] for i in separators]
    # the cuts above a line are counted by bisection when they are in order (issue 12, Speed)
    ordered_cuts = all(a <= b for a, b in zip(cuts, cuts[1:], strict=False))
    bands: dict[int, dict[int, list[int]]] = {}
    sep_set = set(separators)
    for i, bx in enumerate(boxes):
        if i in sep_set:
            continue
        top = bx[1] + 0.5
        band = (bisect.bisect_right(cuts, top) if ordered_cuts and top == top  # no NaN
                else sum(1 for y in cuts if y <= top))
        col = sum(1 for g in gutters if (bx[0] + bx[2]) / 2 > g)
        bands.setdefault(band, {}).setdefault(col, []).append(i)
    ordered: list[Block] = []
    for band in range(len(cuts) + 1):
        if band:
            ordered.append(items[separators[band - 1]])
        for col in sorted(bands.get(band, {})):
            ids = sorted(bands[band][col], key=lambda i: (boxes[i][1], boxes[i][0]))
            ordered.extend(_column_blocks([items[i] for i in ids]))
    return ordered


def _column_blocks(items: Sequence[Block]) -> list[Block]:
    """The items of one column, top to bottom, as blocks: lines join until a gap of more than
    a line or a change of kind; a table stays one block."""
    out: list[Block] = []
    current: Block = []
    for item in items:
        if item[0].kind == "table":
            if current:
                out.append(current)
                current = []
            out.append(list(item))
            continue
        ln = item[0]
        if current:
            prev = current[-1]
            height = max(prev.y1 - prev.y0, 1.0)
            if ln.y0 - prev.y1 > 1.2 * height or ln.kind != prev.kind:
                out.append(current)
                current = []
        current.append(ln)
    if current:
        out.append(current)
    return out


def place_tables(ordered: Sequence[Block], tables: Sequence[Block]) -> list[Block]:
    """Put each table block where it stands on a page read in stream order: before the first
    block that starts below its top (the reader lists drawn tables apart from the text)."""
    out = list(ordered)
    for table in sorted(tables, key=lambda b: _bbox(b)[1]):
        top = _bbox(table)[1]
        at = next((i for i, b in enumerate(out) if b[0].kind != "table" and _bbox(b)[1] > top),
                  len(out))
        out.insert(at, table)
    return out

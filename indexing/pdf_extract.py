"""Read one PDF file into an ``Extraction``: the only module that touches PyMuPDF for text.

It applies the bad-file policy of RELIABILITY.md (each refusal is an ``ExtractError`` with a
one-line message naming the file), reads every page defensively (a page that fails becomes an
empty page plus a warning), and hands the raw lines to ``cleanup``, ``headings``, ``segment``
and ``commitments``.

Run it inside the worker process (``indexing.worker``), never in the GUI process: MuPDF can
crash, hang or exhaust memory on hostile files. Emits progress through ``progress_cb(done,
total)`` once per page.
"""

from __future__ import annotations

import errno
import hashlib
import re
from collections.abc import Callable
from itertools import repeat
from operator import is_
from pathlib import Path
from typing import Any

import pymupdf

from indexing import cleanup, commitments, headings, pdf_regions, segment
from indexing.cleanup import Line, RawPage
from workbench.errors import ExtractError, ExtractFailure
from workbench.model import Extraction, OcrSettings, PageText
from workbench.safe_text import safe_line, safe_mapping, safe_text

__all__ = ["MAX_PAGES", "ProgressCallback", "check_file", "extract_file", "open_document"]

ProgressCallback = Callable[[int, int], None]
MAX_PAGES = 50_000  # more pages than any plan; a page tree claiming more is hostile or broken

# TEXT_PRESERVE_LIGATURES is deliberately *not* set, so MuPDF expands ligatures itself
# (cleanup.normalise_text catches those that come through as code points anyway), and
# TEXT_DEHYPHENATE is not set either: cleanup.join_lines mends breaks but keeps real compounds.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP


def quiet_mupdf() -> None:
    """Stop MuPDF printing errors and warnings; ``TOOLS.mupdf_warnings()`` still collects them
    (they are kept with the document as its repair notes)."""
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)


def check_file(path: Path) -> int:
    """Refuse what is not a readable, non-empty regular file; return its size in bytes.

    Raises:
        ExtractError: MISSING, NOT_A_FILE, UNREADABLE or EMPTY.
    """
    name = path.name or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ExtractError(ExtractFailure.MISSING, f"{name} does not exist") from None
    except PermissionError:
        raise ExtractError(ExtractFailure.UNREADABLE, f"{name} cannot be read (no permission)") \
            from None
    except OSError as exc:
        raise ExtractError(ExtractFailure.UNREADABLE, f"{name} cannot be read ({exc.strerror})") \
            from None
    if path.is_dir():
        raise ExtractError(ExtractFailure.NOT_A_FILE, f"{name} is a folder, not a PDF file")
    if not path.is_file():
        raise ExtractError(ExtractFailure.NOT_A_FILE, f"{name} is not a regular file")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except PermissionError:
        raise ExtractError(ExtractFailure.UNREADABLE, f"{name} cannot be read (no permission)") \
            from None
    except OSError as exc:
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "error")
        raise ExtractError(ExtractFailure.UNREADABLE, f"{name} cannot be read ({reason})") \
            from None
    if st.st_size == 0:
        raise ExtractError(ExtractFailure.EMPTY, f"{name} is empty")
    return st.st_size


def _hash_and_header(path: Path) -> tuple[str, bytes]:
    digest = hashlib.sha256()
    head = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if not head:
                head = chunk[:1024]
            digest.update(chunk)
    return digest.hexdigest(), head


def _utf8_path(path: Path) -> bool:
    """False for a file name holding undecodable bytes (lone surrogates in Python)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# A file up to this size is read once, hashed and parsed from memory by ``extract_file``
# (one pass over its bytes instead of two; issue 12, Speed); a larger one is parsed from disk.
IN_MEMORY_BYTES = 64 * 1024 * 1024


def _read_small(path: Path, size: int) -> bytes | None:
    """The file's bytes if it is a PDF (header) of at most ``IN_MEMORY_BYTES``, else None."""
    if size > IN_MEMORY_BYTES:
        return None
    data = path.read_bytes()
    return data if b"%PDF" in data[:1024] else None


def open_document(path: Path, password: str | None, *, in_memory: bool = False,
                  ) -> tuple[pymupdf.Document, str]:
    """Open ``path`` as a PDF, applying the policy for non-PDFs, damage and passwords.

    ``in_memory``: a small PDF is read into memory once, hashed and parsed from there (for a
    document closed after one extraction; a cached one stays on disk).

    Returns:
        The open document and its sha256.

    Raises:
        ExtractError: any refusal of the bad-file policy.
    """
    name = path.name
    size = check_file(path)
    data = _read_small(path, size) if in_memory else None
    if data is not None:
        sha256, head = hashlib.sha256(data).hexdigest(), data[:1024]
    else:
        sha256, head = _hash_and_header(path)
    has_header = b"%PDF" in head
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    try:
        if data is not None:
            doc = pymupdf.open(stream=data, filetype="pdf")
        elif not _utf8_path(path):  # MuPDF takes UTF-8 file names: read such a file's bytes
            doc = pymupdf.open(stream=path.read_bytes(), filetype="pdf" if has_header else None)
        else:
            doc = pymupdf.open(path) if has_header else pymupdf.open(path, filetype=None)
    except (pymupdf.EmptyFileError, pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        if not has_header:
            raise ExtractError(ExtractFailure.NOT_PDF, f"{name} is not a PDF") from None
        raise ExtractError(
            ExtractFailure.DAMAGED, f"{name} is damaged and could not be read"
        ) from exc
    if not doc.is_pdf:
        doc.close()
        raise ExtractError(ExtractFailure.NOT_PDF, f"{name} is not a PDF")
    if doc.needs_pass:
        if not password:
            doc.close()
            raise ExtractError(
                ExtractFailure.NEEDS_PASSWORD, f"{name} is password-protected; give its password"
            )
        ok = doc.authenticate(password)
        password = None  # never keep it longer than needed
        if not ok:
            doc.close()
            raise ExtractError(ExtractFailure.WRONG_PASSWORD, f"The password for {name} is wrong")
    return doc, sha256


_ID_HEX = re.compile(r"<([0-9A-Fa-f]+)>")


def _pdf_id(doc: pymupdf.Document) -> str:
    try:
        kind, value = doc.xref_get_key(-1, "ID")
    except Exception:  # a broken trailer only loses the id
        return ""
    if kind != "array":
        return ""
    m = _ID_HEX.search(value)
    return m.group(1).lower() if m else ""


_BOLD_FLAG = pymupdf.TEXT_FONT_BOLD
_VECTOR_BLOCK = 3  # a block of TEXT_COLLECT_VECTORS: one vector path's box
_symbol_font_cache: dict[str, bool] = {}


def _is_symbol_font(font: str) -> bool:
    known = _symbol_font_cache.get(font)
    if known is None:
        known = _symbol_font_cache[font] = bool(cleanup._SYMBOL_FONT.search(font or ""))
    return known


def _split_line(raw_line: dict) -> list[list[tuple]]:
    """Spans of one reader line, cut where a gap wider than 2.5 em separates two spans.

    MuPDF can join text of side-by-side columns into one line; the wide gap is the gutter.
    (Mostly it makes separate lines, which ``cleanup.split_block_columns`` handles.)
    Each span is a tuple ``(text, size, bold, x0, y0, x1, y1, stripped_length)``.
    """
    piece: list[tuple] = []
    pieces: list[list[tuple]] = [piece]
    last_x1: float | None = None
    normalise = cleanup.normalise_text
    for s in raw_line.get("spans", ()):
        text = s["text"]
        stripped = text.strip()
        if len(stripped) == 1 and _is_symbol_font(s["font"]):
            text = cleanup.fix_symbol_glyph(text, s["font"])
            stripped = text.strip()
        # printable ASCII (most spans) is what both calls return unchanged (issue 12, Speed)
        if not (text.isascii() and text.isprintable()):
            text = normalise(safe_text(text))  # broken fonts: surrogates, controls (issue 15)
            stripped = text.strip()
        n = len(stripped)
        if not text:
            continue
        size = float(s["size"])
        x0, y0, x1, y1 = s["bbox"]
        if last_x1 is not None and n and x0 - last_x1 > 2.5 * max(size, 1.0):
            piece = []
            pieces.append(piece)
        piece.append((text, size, bool(s["flags"] & _BOLD_FLAG), x0, y0, x1, y1, n))
        if n:
            last_x1 = x1
    return pieces if piece else [p for p in pieces if p]


_NOT_PLAIN = object()  # a span _plain_line cannot take: the general path reads it


def _plain_line(raw_line: dict, page_index: int, block: int) -> Line | None | object:
    """The ``Line`` of a reader line of one span of printable ASCII (most lines), made
    directly: what ``_make_line(_split_line(raw_line)[0], ...)`` gives, without the span
    tuple, the piece lists and two calls (issue 12, Speed). None for a line of no text;
    ``_NOT_PLAIN`` for any other line (more spans, other characters, a symbol-font glyph)."""
    spans = raw_line.get("spans", ())
    if len(spans) != 1:
        return _NOT_PLAIN
    s = spans[0]
    text = s["text"]
    if not (text.isascii() and text.isprintable()):
        return _NOT_PLAIN
    n = len(text.strip())
    if not n:
        return None  # (a span of spaces or none makes no line)
    if n == 1 and _is_symbol_font(s["font"]):
        return _NOT_PLAIN
    x0, y0, x1, y1 = s["bbox"]
    if s["flags"] & _BOLD_FLAG:
        return Line(text, round(float(s["size"]) * 2) / 2, True, page_index, x0, y0, x1, y1,
                    block, len(text))
    return Line(text, round(float(s["size"]) * 2) / 2, False, page_index, x0, y0, x1, y1,
                block, 0)


def _column_bounds(pieces_per_line: list[list[list[tuple]]]) -> list[float]:
    """x positions of the gutters found by ``_split_line``, clustered (30 pt apart)."""
    mids = sorted(
        (pieces[i - 1][-1][5] + pieces[i][0][3]) / 2
        for pieces in pieces_per_line for i in range(1, len(pieces))
    )
    bounds: list[list[float]] = []
    for m in mids:
        if bounds and m - bounds[-1][-1] <= 30:
            bounds[-1].append(m)
        else:
            bounds.append([m])
    return [sum(b) / len(b) for b in bounds]


def _make_line(spans: list[tuple], page_index: int, block: int) -> Line | None:
    """``cleanup.line_from_spans`` over span tuples (same result, no ``Span`` objects)."""
    if len(spans) == 1:
        text, size, bold, x0, y0, x1, y1, n = spans[0]
        if not n:
            return None
        return Line(text, round(size * 2) / 2, bold, page_index, x0, y0, x1, y1, block,
                    len(text) if bold else 0)
    text = "".join([s[0] for s in spans])
    sizes: dict[float, int] = {}
    bold_chars = 0
    chars = 0
    for s in spans:
        n = s[7]
        if not n:
            continue
        key = round(s[1] * 2) / 2
        sizes[key] = sizes.get(key, 0) + n
        chars += n
        if s[2]:
            bold_chars += n
    if not chars:
        return None
    size = max(sizes, key=sizes.__getitem__)
    lead = 0
    for s in spans:
        if s[2] or not s[7]:
            lead += len(s[0])
        else:
            break
    return Line(text, size, bold_chars * 2 > chars, page_index,
                min([s[3] for s in spans]), min([s[4] for s in spans]),
                max([s[5] for s in spans]), max([s[6] for s in spans]), block,
                min(lead, len(text)))


def _has_page_labels(doc: pymupdf.Document) -> bool:
    """False when the catalog has no /PageLabels, so every ``page.get_label()`` is "" (PyMuPDF
    looks the tree up again for each page; issue 12, Speed). True when it has one, of any
    shape, or cannot tell: each page is then asked, as before (a broken tree loses only the
    label, and only where it did before; reading one key of the loaded catalog adds no MuPDF
    warning to the repair notes)."""
    try:
        return doc.xref_get_key(doc.pdf_catalog(), "PageLabels")[0] != "null"
    except Exception:  # not a PDF catalog we can read: ask each page
        return True


def _read_page(doc: pymupdf.Document, index: int, gate: pdf_regions.DrawingsGate | None = None,
               *, textpage: pymupdf.TextPage | None = None, labels: bool = True) -> RawPage:
    """One page's lines; from ``textpage`` (an OCR reading, see ``indexing.ocr``) if given.
    ``labels=False``: the document has no page labels (``_has_page_labels``)."""
    page = doc.load_page(index)
    rect = page.rect
    try:
        label = safe_line(page.get_label() or "", 100) if labels else ""
    except Exception:  # a broken /PageLabels tree only loses the label
        label = ""
    drew: bool | None = None  # whether the page drew a vector path (None: not known)
    if textpage is not None:
        data = textpage.extractDICT()
    else:  # the vector blocks tell whether get_cdrawings() can be skipped (issue 12, Speed)
        data = page.get_text("dict", flags=_TEXT_FLAGS | pymupdf.TEXT_COLLECT_VECTORS)
        drew = False
    lines: list[Line] = []
    text_blocks = 0
    for block in data.get("blocks", ()):
        if block.get("type") != 0:
            if drew is False and block.get("type") == _VECTOR_BLOCK:
                drew = True
            continue
        # without the vector blocks, text blocks are numbered 0, 1, 2 ... in this order
        bno = text_blocks if drew is not None else int(block.get("number", 0))
        text_blocks += 1
        raw_lines = block.get("lines", ())
        made: list[Any] = [_plain_line(raw_line, index, bno * 16) for raw_line in raw_lines]
        if not any(map(is_, made, repeat(_NOT_PLAIN))):  # (by identity, in C)
            lines += filter(None, made)
            continue
        # the other lines are split; a plain line is one span, never cut (kept as made)
        split_lines = 0
        for i, line in enumerate(made):
            if line is _NOT_PLAIN:
                pieces = made[i] = _split_line(raw_lines[i])
                if len(pieces) > 1:
                    split_lines += 1
        if split_lines >= 2:
            # the reader merged lines of side-by-side columns: give each column its own block
            pieces_per_line = [_split_line(raw_line) for raw_line in raw_lines]
            bounds = _column_bounds(pieces_per_line)
            for pieces in pieces_per_line:
                for spans in pieces:
                    col = sum(1 for b in bounds if spans[0][3] >= b)
                    line = _make_line(spans, index, bno * 16 + col)
                    if line is not None:
                        lines.append(line)
        else:
            for made_line in made:  # (its own name: one type a variable, for mypyc)
                if type(made_line) is not list:  # a Line made by _plain_line, or None
                    if made_line is not None:
                        lines.append(made_line)
                    continue
                if not made_line:
                    continue
                spans = (made_line[0] if len(made_line) == 1
                         else [sp for pc in made_line for sp in pc])
                line = _make_line(spans, index, bno * 16)
                if line is not None:
                    lines.append(line)
    grids, boxes = pdf_regions.regions(page, gate, drew)
    if grids or boxes:
        lines = pdf_regions.mark_regions(lines, grids, boxes)
    cover = 0.0
    if sum(len(ln.text.strip()) for ln in lines) < 40:
        cover = _ink_cover(page, rect)
    return RawPage(index, rect.width, rect.height, lines, label, min(cover, 1.0))


def _ink_cover(page: pymupdf.Page, rect: pymupdf.Rect) -> float:
    """Share of a (nearly) textless page covered by what it shows instead: images, vector
    drawings (text turned into outlines, ruled forms) and form fields. Issue 15: a page of
    37 small images or an empty form has no text layer as surely as a full-page scan."""
    area = max(rect.width * rect.height, 1.0)
    boxes: list[pymupdf.Rect] = []
    try:
        boxes += [pymupdf.Rect(info["bbox"]) for info in page.get_image_info()]
    except Exception:  # each source only adds evidence
        pass
    try:
        boxes += [pymupdf.Rect(d["rect"]) for d in page.get_cdrawings()[:5000]]
    except Exception:
        pass
    try:
        boxes += [pymupdf.Rect(w.rect) for w in page.widgets()]
    except Exception:
        pass
    cover = 0.0
    for box in boxes:
        b = box & rect
        if not b.is_empty:
            cover += b.width * b.height / area
    return min(cover, 1.0)


def analyse(raw_pages: list[RawPage], toc: list, title: str,
            ) -> tuple[list[cleanup.PageLayout], list, dict]:
    """Clean pages and cut them into sections: ``(layouts, sections, paragraph roles)``."""
    layouts = cleanup.assemble_pages(raw_pages)
    rule = headings.rule_for(layouts, toc)
    sections, owners = segment.segment(layouts, rule, title)
    return layouts, sections, owners


def extract_file(
    path: Path | str, password: str | None = None, progress_cb: ProgressCallback | None = None,
    ocr: OcrSettings | None = None,
) -> Extraction:
    """Extract pages, sections and commitments from one PDF.

    Args:
        path: the file.
        password: the user password, if the PDF needs one. It is used to open the file and then
            dropped; it is never stored in the result.
        progress_cb: called as ``progress_cb(pages_done, page_count)``.
        ocr: OCR the pages without a text layer with these settings (``indexing.ocr``).

    Returns:
        The ``Extraction``.

    Raises:
        ExtractError: the file is refused (see ``workbench.errors.ExtractFailure``).
    """
    path = Path(path)
    name = path.name
    doc, sha256 = open_document(path, password, in_memory=True)
    password = None
    try:
        try:
            page_count = doc.page_count
        except Exception as exc:  # e.g. a page tree claiming a billion pages
            raise ExtractError(ExtractFailure.DAMAGED,
                               f"{name} is damaged and could not be read") from exc
        if page_count > MAX_PAGES:
            raise ExtractError(ExtractFailure.TOO_BIG,
                               f"{name} has {page_count} pages, more than the {MAX_PAGES} allowed")
        if page_count <= 0:
            raise ExtractError(ExtractFailure.DAMAGED, f"{name} is damaged and has no pages")
        # with OCR, reading the pages is the first half of the progress and OCR the second
        # (progress never goes back when it turns out fewer pages need OCR)
        steps = page_count if ocr is None else 2 * page_count
        if progress_cb:
            progress_cb(0, steps)
        raw_pages: list[RawPage] = []
        warnings: list[str] = []
        gate = pdf_regions.DrawingsGate()
        labels = _has_page_labels(doc)
        for i in range(page_count):
            try:
                raw_pages.append(_read_page(doc, i, gate, labels=labels))
            except MemoryError:
                raise
            except Exception as exc:  # one bad page must not sink the document
                msg = f"page {i + 1} could not be read: {safe_line(exc, 200)}"
                warnings.append(msg)
                raw_pages.append(RawPage(i, 0.0, 0.0, [], "", 0.0, msg))
            if progress_cb:
                progress_cb(i + 1, steps)
        confidences: dict[int, float] = {}
        if ocr is not None:  # issue 15: scanned pages read again through Tesseract
            from indexing import ocr as ocr_pass

            def ocr_progress(done: int, total: int) -> None:
                if progress_cb:
                    progress_cb(page_count + done * page_count // max(total, 1), steps)

            raw_pages, confidences, ocr_warnings = ocr_pass.ocr_pages(
                doc, raw_pages, ocr, _read_page, ocr_progress)
            warnings += ocr_warnings
        try:
            toc = [[lvl, safe_line(title), *rest]
                   for lvl, title, *rest in doc.get_toc(simple=True)]
        except Exception as exc:
            toc = []
            warnings.append(f"the outline could not be read: {safe_line(exc, 200)}")
        try:
            metadata = safe_mapping(doc.metadata)
        except Exception:
            metadata = {}
        copy_restricted = False
        try:
            perms = doc.permissions
            copy_restricted = not perms & pymupdf.PDF_PERM_COPY  # -1 (all bits) when unencrypted
        except Exception:
            pass
        pdf_id = _pdf_id(doc)
        repaired = bool(getattr(doc, "is_repaired", False))
    finally:
        doc.close()
    mupdf_warnings = [safe_line(w, 500)
                      for w in pymupdf.TOOLS.mupdf_warnings(reset=True).splitlines() if w]
    if mupdf_warnings and any("repair" in w.lower() or "trailer" in w.lower()
                              or "xref" in w.lower() for w in mupdf_warnings):
        repaired = True
    warnings = [*warnings, *mupdf_warnings[:50]]

    title = metadata.get("title", "").strip()
    if not any(c.isalnum() for c in title):  # none, or nothing left of a broken one
        title = safe_line(path.stem)
    layouts, sections, owners = analyse(raw_pages, toc, title)
    units = commitments.find_commitments(layouts, sections, owners)
    pages = tuple(
        PageText(p.index, p.label, p.text, p.needs_ocr, p.width, p.height,
                 confidences.get(p.index)) for p in layouts
    )
    return Extraction(
        sha256=sha256,
        pdf_id=pdf_id,
        page_count=page_count,
        title=title,
        pages=pages,
        sections=tuple(sections),
        commitments=tuple(units),
        repaired=repaired,
        warnings=tuple(warnings),
        copy_restricted=copy_restricted,
        metadata=metadata,
        ocr=ocr.describe() if ocr is not None and confidences else "",
    )


def render_page_png(
    path: Path | str,
    page_index: int,
    zoom: float,
    max_pixels: int = 8_000_000,
    password: str | None = None,
    *,
    doc: pymupdf.Document | None = None,
) -> tuple[bytes, int, int]:
    """Render one page to PNG, scaling ``zoom`` down so the image has at most ``max_pixels``.

    Returns:
        ``(png_bytes, width, height)``.

    Raises:
        ExtractError: the file is refused; IndexError: no such page.
    """
    own = doc is None
    if doc is None:
        doc, _ = open_document(Path(path), password)
    try:
        if not 0 <= page_index < doc.page_count:
            raise IndexError(f"page {page_index} is out of range")
        page = doc.load_page(page_index)
        rect = page.rect
        zoom = max(float(zoom), 0.01)
        w, h = rect.width * zoom, rect.height * zoom
        if w * h > max_pixels:
            zoom *= (max_pixels / (w * h)) ** 0.5
        # pixel sizes are rounded outwards: shrink until the rounded image fits
        while zoom > 1e-4:
            box = (rect * pymupdf.Matrix(zoom, zoom)).irect
            if box.width * box.height <= max_pixels:
                break
            zoom *= 0.995
        zoom = max(zoom, 1e-4)
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        return pix.tobytes("png"), pix.width, pix.height
    finally:
        if own:
            doc.close()

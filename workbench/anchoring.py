"""Anchors for user records: quote + context + position selectors, and re-anchoring.

Follows RELIABILITY rule 11 (Hypothesis-style anchoring): an ``Anchor`` stores a
``TextQuoteSelector`` (``exact`` plus 32 characters of ``prefix``/``suffix``), a
``TextPositionSelector`` (``start``/``end`` in the page's normalised text), the page index and its
printed label, and the SHA-256 of the document version it was made on.

Offsets are **code points** of the stored (NFC-normalised) page text (rule 12). The Qt side
counts UTF-16 code units; convert at that boundary with ``utf16_to_cp`` / ``cp_to_utf16``.

Re-anchoring (``place``) never deletes anything: it returns a ``Placement`` that is ``exact``
(the quote is still where it was), ``moved`` (found verbatim elsewhere, or fuzzily), or
``orphaned`` (nothing good enough; the record keeps its last anchor and goes to the orphan queue).
Pure functions, no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz

CONTEXT = 32  # characters of prefix and suffix kept (Hypothesis uses 32)
PAGE_JOIN = "\n"  # separator when pages are concatenated for searching

EXACT = "exact"
MOVED = "moved"
ORPHANED = "orphaned"

FUZZY_MIN = 80.0  # rapidfuzz ratio (0-100) a changed quote needs to be placed fuzzily
FUZZY_MIN_NO_CONTEXT = 90.0  # ... when its context is not recognisable on both sides
CONTEXT_MIN = 0.6  # context similarity (0-1) needed on both sides of a relocated quote
CONTEXT_BOTH = 0.8  # ... or on one side only, if it is also near its old position
NEAR_CHARS = 2000  # "near": within this many characters (+2 % of the document)
_EDGE = 12  # characters of the quote's head/tail used to snap fuzzy boundaries


def normalise(text: str) -> str:
    """The form page texts are stored in (NFC); apply it to text coming from a selection."""
    return unicodedata.normalize("NFC", text)


def utf16_to_cp(text: str, offset: int) -> int:
    """A Qt (UTF-16 code unit) offset into ``text`` → a Python code-point offset."""
    units = 0
    for i, ch in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def cp_to_utf16(text: str, offset: int) -> int:
    """A Python code-point offset into ``text`` → a Qt (UTF-16 code unit) offset."""
    return offset + sum(1 for ch in text[:offset] if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a user record points in one plan. ``status``/``score`` say how it was last placed."""

    exact: str
    prefix: str
    suffix: str
    page_index: int
    page_label: str
    start: int  # code points in the page's normalised text
    end: int
    doc_sha: str  # the document version these offsets are valid in
    status: str = EXACT  # exact | moved | orphaned
    score: float = 100.0  # 0-100: how well the quote matched when last placed

    @property
    def orphaned(self) -> bool:
        return self.status == ORPHANED

    def selector(self) -> tuple[str, str, str]:
        """The quote selector: what identifies the passage independently of positions."""
        return (self.exact, self.prefix, self.suffix)

    def to_json(self) -> dict[str, Any]:
        return {
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "page_index": self.page_index,
            "page_label": self.page_label,
            "start": self.start,
            "end": self.end,
            "doc_sha": self.doc_sha,
            "status": self.status,
            "score": round(self.score, 2),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Anchor:
        return cls(
            exact=data["exact"],
            prefix=data.get("prefix", ""),
            suffix=data.get("suffix", ""),
            page_index=int(data["page_index"]),
            page_label=data.get("page_label", ""),
            start=int(data["start"]),
            end=int(data["end"]),
            doc_sha=data.get("doc_sha", ""),
            status=data.get("status", EXACT),
            score=float(data.get("score", 100.0)),
        )


@dataclass(frozen=True, slots=True)
class Placement:
    """The result of placing an anchor in a (possibly new) version of its document."""

    anchor: Anchor  # the updated anchor (the old one, marked orphaned, if not placed)
    method: str  # "same" | "verbatim" | "fuzzy" | "none"

    @property
    def status(self) -> str:
        return self.anchor.status


class DocumentText:
    """Pages of one document version joined into one string, for searching across pages."""

    __slots__ = ("doc", "labels", "sha", "starts", "texts")

    def __init__(self, pages: Sequence[tuple[int, str, str]], sha: str) -> None:
        """``pages`` as ``Store.page_texts`` returns them: (index, label, text)."""
        ordered = sorted(pages)
        self.texts = [t for _, _, t in ordered]
        self.labels = [label for _, label, _ in ordered]
        self.sha = sha
        self.starts: list[int] = []
        pos = 0
        for text in self.texts:
            self.starts.append(pos)
            pos += len(text) + len(PAGE_JOIN)
        self.doc = PAGE_JOIN.join(self.texts)

    def to_doc(self, page_index: int, offset: int) -> int:
        page_index = min(max(page_index, 0), len(self.starts) - 1) if self.starts else 0
        return (self.starts[page_index] if self.starts else 0) + offset

    def to_page(self, doc_offset: int) -> tuple[int, int]:
        """(page index, offset in that page) of a position in the joined text."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= doc_offset:
                lo = mid
            else:
                hi = mid - 1
        return lo, doc_offset - self.starts[lo] if self.starts else doc_offset

    def label(self, page_index: int) -> str:
        if 0 <= page_index < len(self.labels):
            return self.labels[page_index] or str(page_index + 1)
        return str(page_index + 1)


def make_anchor(pages: DocumentText, page_index: int, start: int, end: int) -> Anchor:
    """An anchor for ``[start, end)`` of page ``page_index`` (code points), with its context."""
    if not 0 <= page_index < len(pages.texts):
        raise ValueError(f"page {page_index} is not in the document")
    text = pages.texts[page_index]
    if not 0 <= start < end <= len(text):
        raise ValueError("the selection is empty or outside the page")
    a, b = pages.to_doc(page_index, start), pages.to_doc(page_index, end)
    return Anchor(
        exact=pages.doc[a:b],
        prefix=pages.doc[max(0, a - CONTEXT) : a],
        suffix=pages.doc[b : b + CONTEXT],
        page_index=page_index,
        page_label=pages.label(page_index),
        start=start,
        end=end,
        doc_sha=pages.sha,
    )


def find_quote(
    pages: DocumentText, quote: str, *, page_index: int | None = None, occurrence: int = 0
) -> tuple[int, int, int] | None:
    """(page, start, end) of the ``occurrence``-th verbatim (whitespace-tolerant) match of
    ``quote``, on ``page_index`` if given. Used to anchor a quote typed on the command line."""
    wanted = " ".join(normalise(quote).split())
    if not wanted:
        return None
    indices = [page_index] if page_index is not None else range(len(pages.texts))
    seen = 0
    for i in indices:
        if not 0 <= i < len(pages.texts):
            continue
        text = pages.texts[i]
        squashed, back = _squash(text)
        pos = squashed.find(wanted)
        while pos >= 0:
            if seen == occurrence:
                return i, back[pos], back[pos + len(wanted) - 1] + 1
            seen += 1
            pos = squashed.find(wanted, pos + 1)
    return None


def anchor_for_text(pages: DocumentText, text: str, *, page_index: int,
                    start: int | None = None, end: int | None = None,
                    anywhere: bool = True) -> Anchor | None:
    """An anchor for a passage known by its text and page, and possibly its offsets.

    The offsets win when they are on the page; otherwise ``text`` is looked for on the page,
    then (if ``anywhere``) elsewhere in the document. ``None`` if the text is nowhere. This is how records anchor
    an extracted commitment or a heading, whichever document version they were read from.
    """
    page_text = pages.texts[page_index] if 0 <= page_index < len(pages.texts) else ""
    if start is not None and end is not None and 0 <= start < end <= len(page_text):
        return make_anchor(pages, page_index, start, end)
    found = find_quote(pages, text, page_index=page_index)
    if found is None and anywhere:
        found = find_quote(pages, text)
    return make_anchor(pages, *found) if found is not None else None


def _squash(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace made one space, and a map back to original offsets."""
    out: list[str] = []
    back: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if in_space:
                continue
            in_space = True
            out.append(" ")
        else:
            in_space = False
            out.append(ch)
        back.append(i)
    return "".join(out), back


def _context(anchor: Anchor, doc: str, a: int, b: int) -> tuple[float, float]:
    """0-1 similarity of the text before and after ``doc[a:b]`` to the anchor's prefix/suffix.

    An empty prefix (suffix) means the passage started (ended) the document."""
    if anchor.prefix:
        pre = fuzz.ratio(anchor.prefix, doc[max(0, a - len(anchor.prefix)) : a]) / 100.0
    else:
        pre = 1.0 if a == 0 else 0.5
    if anchor.suffix:
        suf = fuzz.ratio(anchor.suffix, doc[b : b + len(anchor.suffix)]) / 100.0
    else:
        suf = 1.0 if b >= len(doc) else 0.5
    return pre, suf


@dataclass(frozen=True, slots=True)
class _Candidate:
    a: int
    b: int
    quote: float  # 0-100
    pre: float
    suf: float
    distance: float  # from the old position, as a fraction of the document

    def acceptable(self, length: int, near: bool) -> bool:
        if self.quote < FUZZY_MIN:
            return False
        both, one = min(self.pre, self.suf), max(self.pre, self.suf)
        if length < 8:
            return both >= CONTEXT_BOTH
        if self.quote < FUZZY_MIN_NO_CONTEXT and both < CONTEXT_MIN:
            return False
        return both >= CONTEXT_MIN or (one >= CONTEXT_BOTH and near)

    @property
    def score(self) -> float:
        return 0.5 * self.quote / 100 + 0.25 * (self.pre + self.suf) - 0.2 * self.distance


def place(anchor: Anchor, pages: DocumentText) -> Placement:
    """Find ``anchor`` in ``pages``: exactly, then verbatim elsewhere, then fuzzily.

    Never raises for a missing passage: an anchor that cannot be placed comes back with status
    ``orphaned`` and its old selectors unchanged, so it can be re-attached by hand. A candidate
    is accepted only if its context agrees on both sides, or on one side and it is near the old
    position: a duplicate sentence far away is not mistaken for a deleted one.
    """
    doc = pages.doc
    exact = anchor.exact
    if not exact or not pages.texts:
        return _orphan(anchor)
    # 1. unchanged: same page, same offsets, same text, same context
    if 0 <= anchor.page_index < len(pages.texts):
        a = pages.to_doc(anchor.page_index, anchor.start)
        b = a + len(exact)
        if doc[a:b] == exact and min(_context(anchor, doc, a, b)) >= 0.99:
            return Placement(_at(anchor, pages, a, b, EXACT, 100.0), "same")
    expected = pages.to_doc(min(anchor.page_index, len(pages.texts) - 1), anchor.start)
    size = max(1, len(doc))
    near_limit = NEAR_CHARS + 0.02 * size
    candidates: list[tuple[_Candidate, str]] = []
    # 2. verbatim somewhere
    pos = doc.find(exact)
    while pos >= 0:
        pre, suf = _context(anchor, doc, pos, pos + len(exact))
        candidates.append(
            (_Candidate(pos, pos + len(exact), 100.0, pre, suf, abs(pos - expected) / size),
             "verbatim")
        )
        pos = doc.find(exact, pos + 1)
    perfect = [c for c, _ in candidates if min(c.pre, c.suf) >= 0.95]
    # 3. fuzzy: the quote changed a little (a typo fixed, a word inserted)
    if not perfect:
        span = _fuzzy_span(anchor, doc, expected)
        if span is not None:
            a, b, quote = span
            pre, suf = _context(anchor, doc, a, b)
            candidates.append((_Candidate(a, b, quote, pre, suf, abs(a - expected) / size),
                               "fuzzy"))
    good = [
        (c, how) for c, how in candidates
        if c.acceptable(len(exact), abs(c.a - expected) <= near_limit)
    ]
    if not good:
        return _orphan(anchor)
    best, how = max(good, key=lambda item: item[0].score)
    if how == "verbatim":
        status = EXACT if _same_place(anchor, pages, best.a) else MOVED
        return Placement(_at(anchor, pages, best.a, best.b, status, 100.0), "verbatim")
    return Placement(_at(anchor, pages, best.a, best.b, MOVED, best.quote), "fuzzy")


def _same_place(anchor: Anchor, pages: DocumentText, a: int) -> bool:
    page, offset = pages.to_page(a)
    return page == anchor.page_index and offset == anchor.start


def _at(anchor: Anchor, pages: DocumentText, a: int, b: int, status: str, score: float) -> Anchor:
    page, start = pages.to_page(a)
    page_end = len(pages.texts[page])
    end = min(start + (b - a), page_end)  # an anchor stays on one page
    doc_a = pages.to_doc(page, start)
    doc_b = pages.to_doc(page, end)
    return Anchor(
        exact=pages.doc[doc_a:doc_b],
        prefix=pages.doc[max(0, doc_a - CONTEXT) : doc_a],
        suffix=pages.doc[doc_b : doc_b + CONTEXT],
        page_index=page,
        page_label=pages.label(page),
        start=start,
        end=end,
        doc_sha=pages.sha,
        status=status,
        score=score,
    )


def _orphan(anchor: Anchor) -> Placement:
    return Placement(replace(anchor, status=ORPHANED, score=0.0), "none")


def _fuzzy_span(anchor: Anchor, doc: str, expected: int) -> tuple[int, int, float] | None:
    """The best fuzzy match of the quote: near the old position first, then anywhere."""
    exact = anchor.exact
    n = len(exact)
    if n < 8:  # too short to recognise once changed
        return None
    radius = max(4000, 20 * n)
    windows = [(max(0, expected - radius), min(len(doc), expected + radius + n)), (0, len(doc))]
    for lo, hi in windows:
        hay = doc[lo:hi]
        if len(hay) < n // 2:
            continue
        found = fuzz.partial_ratio_alignment(exact, hay, score_cutoff=FUZZY_MIN)
        if found is None:
            continue
        a, b = _snap(anchor, doc, lo + found.dest_start, lo + found.dest_end)
        if b > a:
            quote = fuzz.ratio(exact, doc[a:b])
            if quote >= FUZZY_MIN:
                return a, b, quote
    return None


def _snap(anchor: Anchor, doc: str, a: int, b: int) -> tuple[int, int]:
    """Refine a rough fuzzy window using the quote's own head/tail, then its context."""
    exact = anchor.exact
    n = len(exact)
    slack = max(8, n // 3)
    k = min(_EDGE, max(4, n // 4))
    head, tail = exact[:k], exact[-k:]
    lo, hi = max(0, a - slack), min(len(doc), b + slack)
    start = _nearest(doc, head, lo, hi, a)
    if start is None and anchor.prefix:
        ptail = anchor.prefix[-k:]
        hit = _nearest(doc, ptail, max(0, lo - k), hi, a - k)
        start = hit + len(ptail) if hit is not None else None
    end = None
    hit = _nearest(doc, tail, lo, hi, b - k)
    if hit is not None:
        end = hit + k
    elif anchor.suffix:
        shead = anchor.suffix[:k]
        end = _nearest(doc, shead, lo, min(len(doc), hi + k), b)
    return (a if start is None else start), (b if end is None else end)


def _nearest(doc: str, needle: str, lo: int, hi: int, target: int) -> int | None:
    """The occurrence of ``needle`` inside ``doc[lo:hi]`` that starts nearest ``target``."""
    if not needle:
        return None
    best = None
    pos = doc.find(needle, lo, hi)
    while pos >= 0:
        if best is None or abs(pos - target) < abs(best - target):
            best = pos
        pos = doc.find(needle, pos + 1, hi)
    return best


@dataclass(frozen=True, slots=True)
class ReanchorReport:
    """What re-anchoring one plan did: "N exact, M moved, K orphaned"."""

    plan: str
    exact: int = 0
    moved: int = 0
    orphaned: int = 0
    fuzzy: int = 0  # of ``moved``, how many were placed by a fuzzy match
    newly_orphaned: tuple[str, ...] = ()  # uuids
    doc_sha: str = ""

    @property
    def total(self) -> int:
        return self.exact + self.moved + self.orphaned

    def summary(self) -> str:
        return f"{self.exact} exact, {self.moved} moved, {self.orphaned} orphaned"

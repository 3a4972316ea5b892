"""Decide which paragraphs are headings, and at what level (STYLE R10).

A ``HeadingRule`` looks at one paragraph, given as a plain ``Span`` (text, dominant size,
majority boldness, bounding box), and answers a level (1 = top) or ``None``. Two strategies:

* ``OutlineRule`` from the PDF outline (``doc.get_toc()``): a paragraph is a heading when it
  matches an outline title on (or next to) the outline's page, compared case- and
  whitespace-insensitively; truncated outline titles ("Interim change to implement the") match
  the start of a short, emphasised paragraph.
* ``FontSizeRule`` as the fallback: the body size is the most frequent size weighted by
  characters (no fixed 12 pt floor); larger sizes, clustered, map to levels 1..N; bold only
  breaks ties (a size barely above the body, or a numbered short line at body size); numbering
  patterns ("2.3", "Priority 2:", "AIM 3:", "Objective 4") promote short lines.

``rule_for`` picks the outline when it matches the text well enough, else the font sizes.
Emits nothing; pure functions over ``Span`` values.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from workbench.model import Span

if TYPE_CHECKING:
    from indexing.cleanup import PageLayout

__all__ = [
    "FontSizeRule",
    "HeadingRule",
    "OutlineRule",
    "looks_like_heading",
    "normalise_title",
    "rule_for",
]

MAX_HEADING_WORDS = 20


class HeadingRule(Protocol):
    def level_of(self, span: Span, page_index: int) -> int | None: ...


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})
_WS = re.compile(r"\s+")


def normalise_title(text: str) -> str:
    """Case-, quote-, dash- and whitespace-insensitive form of a title, trailing ":" and "." cut."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _WS.sub(" ", t).strip().rstrip(":.;, ").strip()


_NON_WORD = re.compile(r"[^\w]+")


def loose_title(text: str) -> str:
    """``normalise_title`` without punctuation, "&" read as "and": outline titles and printed
    headings often differ only there ("Priority 1 - Jobs" / "Priority 1: Jobs", "Skills & jobs")."""
    t = normalise_title(text).replace("&", " and ")
    return _WS.sub(" ", _NON_WORD.sub(" ", t)).strip()


_NUMBERING = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+\S"
    r"|(?:ambition|priority|objective|aim|outcome|theme|goal|chapter|section|part|pillar)"
    r"\s+(?:\d{1,2}|[ivx]{1,4}|one|two|three|four|five|six)\b)",
    re.IGNORECASE,
)
_KEYWORD_NUMBERING = re.compile(
    r"^(?:ambition|priority|objective|aim|outcome|theme|goal|chapter|section|part|pillar)"
    r"\s+(?:\d{1,2}|[ivx]{1,4}|one|two|three|four|five|six)\b",
    re.IGNORECASE,
)


def looks_like_heading(text: str) -> bool:
    """Shape test every rule applies: short, has letters, not a list item or a sentence."""
    t = text.strip()
    if not t or len(t) > 200:
        return False
    words = t.split()
    if len(words) > MAX_HEADING_WORDS:
        return False
    if t.endswith((",", ";")) or t[0] in "•✓([" or t[0].islower():
        return False
    if not any(c.isalpha() for c in t):
        return False
    if t.endswith(".") and len(words) > 8:
        return False
    return True


class OutlineRule:
    """Headings are the paragraphs that match entries of the PDF outline.

    Args:
        toc: ``doc.get_toc(simple=True)`` rows ``[level, title, page]`` (page 1-based, -1 if
            unknown).
        body_size: the body font size; a paragraph matching only the *start* of a truncated
            outline title must be larger than this or bold.
    """

    def __init__(self, toc: Sequence[Sequence[object]], body_size: float = 0.0) -> None:
        self._by_page: dict[int, list[tuple[int, str]]] = {}
        self._anywhere: list[tuple[int, str]] = []
        self.body_size = body_size
        for row in toc:
            level, title, page = int(row[0]), str(row[1]), int(row[2])  # type: ignore[call-overload]
            key = normalise_title(title)
            if not key:
                continue
            key = loose_title(title) or key
            if page >= 1:
                self._by_page.setdefault(page - 1, []).append((max(level, 1), key))
            else:
                self._anywhere.append((max(level, 1), key))
        self.entries = sum(len(v) for v in self._by_page.values()) + len(self._anywhere)

    def _candidates(self, page_index: int) -> Iterable[list[tuple[int, str]]]:
        yield self._by_page.get(page_index, [])
        yield self._by_page.get(page_index - 1, [])
        yield self._by_page.get(page_index + 1, [])
        yield self._anywhere

    def level_of(self, span: Span, page_index: int) -> int | None:
        text = span.text.strip()
        if not looks_like_heading(text) and not text.endswith(":"):
            return None
        key = loose_title(text) or normalise_title(text)
        if not key:
            return None
        emphasised = span.bold or span.size > self.body_size + 0.4
        for entries in self._candidates(page_index):
            for level, title in entries:
                if key == title:
                    return level
            for level, title in entries:
                # truncated outline entries: "Interim change to implement the"
                if (emphasised and len(title.split()) >= 3 and key.startswith(title + " ")
                        and len(key.split()) <= MAX_HEADING_WORDS):
                    return level
        return None


def _cluster(sizes: Iterable[float], gap: float = 0.6) -> list[list[float]]:
    clusters: list[list[float]] = []
    for s in sorted(set(sizes), reverse=True):
        if clusters and clusters[-1][-1] - s <= gap:
            clusters[-1].append(s)
        else:
            clusters.append([s])
    return clusters


def body_size_of(spans: Iterable[Span]) -> float:
    """Most frequent size, weighted by characters (rounded to 0.5 pt)."""
    weights: Counter[float] = Counter()
    for s in spans:
        weights[round(s.size * 2) / 2] += len(s.text.strip())
    return weights.most_common(1)[0][0] if weights else 0.0


class FontSizeRule:
    """Headings by font size, for PDFs without a usable outline.

    Args:
        spans: every paragraph of the document as a ``Span`` (from ``Paragraph.as_span``).
        max_levels: deeper size clusters share the last level.
    """

    def __init__(self, spans: Iterable[Span], max_levels: int = 4) -> None:
        spans = list(spans)
        self.body_size = body_size_of(spans)
        body = self.body_size
        larger = [round(s.size * 2) / 2 for s in spans
                  if round(s.size * 2) / 2 > body + 0.4 and looks_like_heading(s.text)]
        counts: Counter[float] = Counter(larger)
        clusters = _cluster(counts)
        # a size used once (a cover title, a big number) shares the level below it, unless
        # fewer than two sizes repeat: then a short document's one-off title is a real level
        frequent = [c for c in clusters if sum(counts[s] for s in c) >= 2]
        if len(frequent) < 2:
            frequent = clusters
        self._level: dict[float, int] = {}
        for i, cluster in enumerate(frequent):
            for s in cluster:
                self._level[s] = min(i + 1, max_levels)
        self.levels = min(len(frequent), max_levels)
        for cluster in clusters:
            if cluster in frequent:
                continue
            below = [c for c in frequent if c[0] < cluster[-1]]
            level = self._level[below[0][0]] if below else max(self.levels, 1)
            if not below and frequent and cluster[-1] > frequent[0][0]:
                level = 1
            for s in cluster:
                self._level[s] = level
        # headings at the body size: bold, short, standalone ("Community safety"), in capitals
        # ("OUR PRIORITIES") or numbered ("2.1 Climate"). Capitals rank above mixed case.
        self._caps_level = any(
            abs(round(s.size * 2) / 2 - body) <= 0.4 and s.bold and _is_caps(s.text)
            and _body_heading_shape(s.text) for s in spans)

    def level_of(self, span: Span, page_index: int) -> int | None:
        text = span.text.strip()
        if not looks_like_heading(text):
            return None
        size = round(span.size * 2) / 2
        body = self.body_size
        if size > body + 0.4:
            level = self._level.get(size)
            if level is None:
                return None
            if size < body + 1.0 and not span.bold and not _NUMBERING.match(text):
                return None  # barely larger and not bold: bold breaks the tie
            return level
        if abs(size - body) <= 0.4 and _body_heading_shape(text):
            base = self.levels + 1
            if _KEYWORD_NUMBERING.match(text):
                return min(base, 6)
            if not span.bold:
                return None
            depth = _numbering_depth(text)
            if depth:
                return min(base + depth - 1, 6)
            if _is_caps(text) or not self._caps_level:
                return min(base, 6)
            return min(base + 1, 6)
        return None


_DECIMAL = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+\S")


def _numbering_depth(text: str) -> int:
    """1 for "2. Aims" or "2 Aims", 2 for "2.1 Climate", 3 for "2.1.1 Measures"; 0 if none."""
    m = _DECIMAL.match(text)
    return len(m.group(1).split(".")) if m else 0


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _body_heading_shape(text: str) -> bool:
    """A body-size line can be a heading only when short, not a lead-in (":") and not a
    sentence ("." after more than four words) or a list item."""
    words = text.split()
    if not looks_like_heading(text) or len(words) > 12 or text.endswith((":", "!", "?")):
        return False
    if text.endswith(".") and len(words) > 4:
        return False
    # "A. Name, Leader, Anyshire County Council": a signature or a list, not a heading
    return text[:1] not in "•✓–-" and "," not in text


def rule_for(layouts: Sequence[PageLayout], toc: Sequence[Sequence[object]]) -> HeadingRule:
    """The outline rule when the outline matches at least half its entries, else font sizes."""
    spans = [p.as_span() for page in layouts for p in page.paragraphs]
    by_size = FontSizeRule(spans)
    if toc:
        outline = OutlineRule(toc, by_size.body_size)
        matched = sum(
            1 for page in layouts for p in page.paragraphs
            if outline.level_of(p.as_span(), page.index) is not None
        )
        if outline.entries and matched >= 0.5 * outline.entries:
            return outline
    return by_size

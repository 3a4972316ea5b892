"""Find commitment units in segmented pages: what a plan promises, one unit per promise.

Strategy: every place a promise can stand is a *candidate*, and a small learned model decides
which candidates are units and of what kind. Candidates are:

* each list item (bullet, numbered item, or a short paragraph under a lead-in ending in ":"),
  with the lead-in it hangs from (or the heading above it) as ``lead_in``; a long item (over
  80 words) is cut into its title clause and its sentences;
* each table cell below the header row, with its column's header cell as ``lead_in``;
* each sentence of a narrative paragraph or call-out box;
* each heading (a heading can itself be a pledge: "We will invest in our staff").

Contents entries are never candidates. Each candidate is scored on general features
(``indexing.commitment_features``: shape, opening verb, modal and first-person cues, dates and
amounts, lead-in, heading and header-cell lexicons) by the model in ``commitment_model.json``;
nothing here names a heading, phrase or layout of a particular plan.

``text`` is exactly the page text between ``char_start`` and ``char_end`` (code points),
without the list marker. **Page breaks:** a unit that carries on at the top of the next page
(the first paragraph there starts in lower case and the unit does not end a sentence) stays on
its first page: ``char_end`` is clipped to that page, ``text`` is the first part, a space and
the continuation, and ``rects`` include the continuation's lines.

Emits nothing; pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from indexing.cleanup import PageLayout, Paragraph, is_numbered
from indexing.commitment_features import VERBS, Context, Model, base_features, load_model
from indexing.segment import ParaRole
from workbench.model import ExtractedCommitment, ExtractedSection, Rect
from workbench.text import fold

# Contexts are frozen values and most candidates share one with others (the same shape, lead-in
# and heading): each is made once (issue 12, Speed)
_context = lru_cache(maxsize=4096, typed=True)(Context)

__all__ = ["Candidate", "candidates", "count_words", "find_commitments", "lead_in_of", "select",
           "select_scored", "sentences"]

LONG_ITEM = 80  # words: a longer list item is cut into its title clause and sentences
COVER_CAP = 0.76  # units hold at most this share of a document's words, whatever the model
# is sure of (issue 12: a unit list covering more than 0.80 of a plan is useless). The margin
# below 0.80 is for what a document holds beyond the plan's own text, which the share is taken
# of here but not in the measure (section numbers, page labels, a table's owner or date
# column): up to 1.04x the plan's words in the layout zoo, so 0.76 x 1.04 = 0.79.
_HYPHEN_BREAK = re.compile(r"-\s+")
_WORD_RUN = re.compile(r"[a-z0-9']+")
_WORD_CHARS = b"abcdefghijklmnopqrstuvwxyz0123456789'"  # _WORD_RUN's class, byte for byte
_WORD_MARKS = bytes(ord("a") if b in _WORD_CHARS else ord(" ") for b in range(256))
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[A-Z0-9\"“‘'(£•])")
_ABBREVIATIONS = frozenset("e.g i.e mr mrs ms dr st no nos vs approx cllr etc fig".split())
_NUMBER_PREFIX = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]|\(?[a-h][.)]|\([ivx]{1,4}\))\s+")
_LETTERS = re.compile(r"[^\W\d_]{2}")
_INLINE_LEAD = re.compile(r"^(?P<lead>[^:]{3,160}?:)\s+(?=\S)")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (end excludes the following space)."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start:m.start()].rsplit(" ", 1)[-1].casefold().rstrip(".")
        if (before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha())
                or (before.isdigit() and len(before) <= 2 and start == m.start() - len(before))):
            continue  # "e.g. X", "J. Smith", and the "1." that numbers an item
        end = m.end() - len(m.group()) + len(m.group().rstrip())
        if text[start:end].strip():
            yield start, end
        start = m.end()
    if text[start:].strip():
        yield start, len(text.rstrip())


def count_words(text: str) -> int:
    """Words of ``text`` as the cover of a unit list is measured (``../shared/eval/score.py``
    ``norm``): the product's one ``fold`` (NFKC, quotes and dashes unified, case folded), a
    hyphen at a line break joins, then runs of ``a-z0-9'``. The cap and the benchmarks count
    with this one function, so the cap bounds the measured cover, not a look-alike."""
    text = fold(text)
    if "-" in text:  # (no hyphen, nothing to join: one regex pass less; issue 12, Speed)
        text = _HYPHEN_BREAK.sub("", text)
    # the runs of _WORD_RUN counted without making a string for each (issue 13, Speed: the
    # findall was 4 % of a worker): every character of the class becomes "a", every other
    # one " " ("?" first, for a character beyond ASCII, which the class never holds), and a
    # run starts at each " a" and at a leading "a"; three passes in C
    marks = text.encode("ascii", "replace").translate(_WORD_MARKS)
    return marks.count(b" a") + (1 if marks[:1] == b"a" else 0)


def lead_in_of(text: str) -> str | None:
    """The lead-in a paragraph ending in ":" announces a list with: its last sentence."""
    t = text.strip()
    if not t.endswith(":"):
        return None
    spans = list(sentences(t))
    last = t[spans[-1][0]:] if spans else t
    return last if len(last.split()) <= 40 else None


@dataclass(slots=True)
class Candidate:
    """A place a promise can stand, with its features (see the module docstring)."""

    page: int
    start: int  # in the page text
    end: int
    text: str
    section: int
    lead_in: str
    context: Context
    rects: list[Rect]  # boxes beyond those of ``lines`` (a continuation on the next page)
    last: tuple[int, int]  # (page, paragraph) it ends in
    ends_para: bool = True  # it runs to the end of its paragraph
    feats: dict[str, float] = field(default_factory=dict)  # not crossed (``base_features``)
    # (paragraph, lo, hi): its own lines, whose boxes come before ``rects``; made only for the
    # candidates kept (a third are not; issue 12, Speed)
    lines: tuple[Paragraph, int, int] | None = None

    def boxes(self) -> tuple[Rect, ...]:
        """The boxes of its lines, then ``rects``."""
        if self.lines is None:
            return tuple(self.rects)
        return (*_line_rects(*self.lines), *self.rects)


def _line_rects(para: Paragraph, lo: int, hi: int) -> list[Rect]:
    """Rects of the lines of ``para`` that hold characters ``lo:hi`` of its text (line
    lengths approximate the offsets: lines are joined with one space)."""
    if len(para.lines) == 1:  # the one line holds them, or is the fallback below (most
        ln = para.lines[0]  # paragraphs; issue 12, Speed)
        return [Rect(ln.page_index, ln.x0, ln.y0, ln.x1, ln.y1)]
    out: list[Rect] = []
    pos = len(para.marker) + 1 if para.marker else 0
    for ln, n in zip(para.lines, _line_lengths(para), strict=True):
        if pos < hi and lo < pos + n:
            out.append(Rect(ln.page_index, ln.x0, ln.y0, ln.x1, ln.y1))
        pos += n
    if not out:
        out = [Rect(ln.page_index, ln.x0, ln.y0, ln.x1, ln.y1) for ln in para.lines]
    return out


_LENGTHS: dict[int, tuple[Paragraph, list[int]]] = {}


def _line_lengths(para: Paragraph) -> list[int]:
    """Length of each line of ``para`` in its text, plus the joining space (memoised for the
    paragraph being cut into sentences)."""
    cached = _LENGTHS.get(id(para))
    if cached is None or cached[0] is not para:
        _LENGTHS.clear()
        cached = _LENGTHS[id(para)] = (para, [len(" ".join(ln.text.split())) + 1
                                              for ln in para.lines])
    return cached[1]


class _Walker:
    """One pass over the paragraphs, keeping the lead-in, table headers and headings."""

    def __init__(self, sections: Sequence[ExtractedSection]) -> None:
        self.sections = sections
        self.out: list[Candidate] = []
        self.lead: str = ""
        self.headers: dict[tuple[int, int], dict[int, str]] = {}
        self.last_headers: dict[int, str] = {}  # header cells of the last table, by column

    def heading_of(self, role: ParaRole) -> str:
        if not self.sections or role.section >= len(self.sections):
            return ""
        path = self.sections[role.section].path
        if role.heading_level:
            path = path[:-1]
        return " / ".join(path[-2:])

    def nearest_heading(self, role: ParaRole) -> str:
        """The heading a list hangs from when it has no lead-in of its own."""
        if not self.sections or role.section >= len(self.sections):
            return ""
        return self.sections[role.section].heading

    def add(self, page: PageLayout, idx: int, lo: int, hi: int, role: ParaRole, ctx: Context,
            lead: str) -> None:
        """A candidate for characters ``lo:hi`` of paragraph ``idx``'s text."""
        para = page.paragraphs[idx]
        base = page.offsets[idx][0]
        text = para.text[lo:hi]
        stripped = text.strip()
        if not _LETTERS.search(stripped):
            return  # "£512m", "+6%": a figure without words promises nothing
        lo += len(text) - len(text.lstrip())
        hi = lo + len(stripped)
        self.out.append(Candidate(
            page.index, base + lo, base + hi, stripped, role.section, lead, ctx,
            [], (page.index, idx), hi >= len(para.text.rstrip()), lines=(para, lo, hi)))

    def carry_over(self, layouts: Sequence[PageLayout], page: PageLayout, idx: int,
                   para: Paragraph) -> int:
        """Extend the last candidate of the previous page with the start of this paragraph,
        if it carries on here; return how many characters of ``para`` were used."""
        if idx or not self.out or para.marker or not para.text[:1].islower():
            return 0
        last = self.out[-1]
        prev = page.index - 1
        if (last.last[0] != prev or not last.ends_para or prev < 0
                or last.last[1] != len(layouts[prev].paragraphs) - 1
                or last.text.rstrip().endswith((".", "!", "?", ":"))):
            return 0
        end = next(sentences(para.text), (0, len(para.text)))[1]
        last.text = f"{last.text} {para.text[:end]}"
        last.rects.extend(_line_rects(para, 0, end))
        last.last = (page.index, idx)
        return end

    def item(self, page: PageLayout, idx: int, para: Paragraph, role: ParaRole,
             skip: int) -> None:
        # the unit keeps its printed number ("6. Scrap ..."), as officers quote it; the lead-in
        # and the features look past it
        unit_lo = body_lo = len(para.marker) + 1 if para.marker else 0
        m = _NUMBER_PREFIX.match(para.text[body_lo:])
        if m:
            body_lo += m.end()
        body = para.text[body_lo:]
        heading = self.heading_of(role)
        inline = _INLINE_LEAD.match(body)
        lead = self.lead
        if inline and len(inline.group("lead").split()) <= 25 and para.text[-1:] != ":":
            lead = inline.group("lead")
            if re.search(r"\b(?:will|shall|to|are|is)\s*:$", lead, re.IGNORECASE):
                self.lead = lead  # "Our priorities will be to: Continue ..." leads the list
        shape = "numbered" if (m or is_numbered(para.text)) and not para.marker else "bullet"
        lead = lead or self.nearest_heading(role)
        sidebar = para.kind == "sidebar"
        lo = max(unit_lo, skip)
        if len(body.split()) <= LONG_ITEM:
            self.add(page, idx, lo, len(para.text), role,
                     _context(shape, lead, heading, sidebar=sidebar), lead)
            return
        head_end = body_lo + inline.end() if inline else None
        first = True
        for s, e in sentences(para.text[lo:]):
            s, e = s + lo, e + lo
            if first and head_end and head_end < e:
                self.add(page, idx, s, head_end, role,
                         _context(shape, lead, heading, item_head=True, sidebar=sidebar), lead)
                s = head_end
            self.add(page, idx, s, e, role,
                     _context(shape if first else "sentence", lead, heading, first=first,
                             item_head=first, sidebar=sidebar), lead)
            first = False

    def narrative(self, page: PageLayout, idx: int, para: Paragraph, role: ParaRole,
                  skip: int) -> None:
        heading = self.heading_of(role)
        spans = [(s + skip, e + skip) for s, e in sentences(para.text[skip:])]
        if spans and para.text.rstrip().endswith(":") and lead_in_of(para.text):
            spans.pop()  # "By 2030 we will:" announces the list; it is its items' lead-in
        for n, (s, e) in enumerate(spans):
            ctx = _context("sentence", "", heading, first=n == 0 and not skip,
                          only=len(spans) == 1 and not skip, sidebar=para.kind == "sidebar")
            self.add(page, idx, s, e, role, ctx, "")

    def cell(self, page: PageLayout, idx: int, para: Paragraph, role: ParaRole) -> None:
        assert para.cell is not None
        table, row, col = para.cell
        key = (page.index, table)
        if row == 0 and (para.bold or len(para.text.split()) <= 6):
            self.headers.setdefault(key, {})[col] = para.text
            self.last_headers[col] = para.text
            return
        # a table carried over from the previous page has no header row of its own
        header = self.headers.get(key, {}).get(col) or self.last_headers.get(col, "")
        heading = self.heading_of(role)
        self.add(page, idx, len(para.marker) + 1 if para.marker else 0, len(para.text), role,
                 _context("cell", header, heading, first_column=col == 0), header)


def _plain_item(text: str) -> bool:
    """A short paragraph that reads as a list item: no closing full stop, or an opening
    base-form verb ("Work with partners to ...")."""
    if len(text.split()) > 60:
        return False
    if not text.rstrip().endswith("."):
        return True
    first = text.split(" ", 1)[0].casefold()
    return text[:1].isupper() and first in VERBS


def candidates(layouts: Sequence[PageLayout], sections: Sequence[ExtractedSection],
               roles: dict[tuple[int, int], ParaRole]) -> list[Candidate]:
    """Every candidate unit, in reading order, with its features."""
    walker = _Walker(sections)
    fallback = ParaRole(max(len(sections) - 1, 0))
    for page in layouts:
        for idx, para in enumerate(page.paragraphs):
            if para.kind == "toc":
                continue  # a contents entry repeats a heading; it promises nothing itself
            role = roles.get((page.index, idx), fallback)
            if para.kind == "table":
                if para.cell is not None:
                    walker.cell(page, idx, para, role)
                continue
            if role.heading_level:
                walker.lead = lead_in_of(para.text) or ""
                if not walker.lead:  # a heading ending in ":" is its list's lead-in
                    walker.add(page, idx, 0, len(para.text), role,
                               _context("heading", "", walker.heading_of(role)), "")
                continue
            skip = walker.carry_over(layouts, page, idx, para)
            if skip >= len(para.text.rstrip()):
                continue
            listy = bool(para.marker) or is_numbered(para.text)
            if not listy and walker.lead and not skip and _plain_item(para.text):
                listy = True  # a short paragraph under "We will:" is an item laid out plainly
            if listy:
                walker.item(page, idx, para, role, skip)
                continue
            found = lead_in_of(para.text)
            walker.narrative(page, idx, para, role, skip)
            walker.lead = found or ""
    for cand in walker.out:
        cand.feats = base_features(cand.text, cand.context)
    return walker.out


def select(cands: Sequence[Candidate], model: Model, total_words: int,
           ) -> list[tuple[Candidate, str]]:
    """The candidates the model keeps, with their kinds. A unit list must not swallow the
    plan: while the kept units hold more than ``COVER_CAP`` of the document's
    ``total_words`` (both counted by ``count_words``), the least likely unit (highest
    probability of "none") is dropped, however sure the model is of it. A one-page list of
    priorities may be all promises; a plan is not, and the bound always holds."""
    return [(c, k) for c, k, _p in select_scored(cands, model, total_words)]


def select_scored(cands: Sequence[Candidate], model: Model, total_words: int,
                  ) -> list[tuple[Candidate, str, float]]:
    """``select``, each kept candidate with the model's probability that it is a unit
    (1 - the probability of "none"): how pledge-like it reads, which the matching engine
    ranks successors by (issue 13)."""
    kept = []
    for cand in cands:
        kind, p_none = model.score(cand.feats, cand.context.shape)
        if kind != "none":
            kept.append((cand, kind, p_none, count_words(cand.text)))
    words = sum(n for _c, _k, _p, n in kept)
    cap = COVER_CAP * total_words
    drop: set[int] = set()
    for i in sorted(range(len(kept)), key=lambda i: -kept[i][2]):
        if words <= cap:
            break
        drop.add(i)
        words -= kept[i][3]
    return [(c, k, 1.0 - p) for i, (c, k, p, _n) in enumerate(kept) if i not in drop]


def find_commitments(
    layouts: Sequence[PageLayout],
    sections: Sequence[ExtractedSection],
    roles: dict[tuple[int, int], ParaRole],
    model: Model | None = None,
) -> list[ExtractedCommitment]:
    """Find commitment units.

    Args:
        layouts: cleaned pages.
        sections: from ``segment.segment``.
        roles: paragraph roles from ``segment.segment``.
        model: the scorer (the shipped one by default).

    Returns:
        Units in document order, ordinals from 0, each with its ``kind``.
    """
    model = model or load_model()
    words = sum(count_words(page.text) for page in layouts)
    chosen = select_scored(candidates(layouts, sections, roles), model, words)
    return [
        ExtractedCommitment(
            ordinal=n, section_ordinal=cand.section, text=cand.text, page_index=cand.page,
            char_start=cand.start, char_end=cand.end, lead_in=cand.lead_in,
            rects=cand.boxes(), kind=kind, pledge=round(pledge, 4))
        for n, (cand, kind, pledge) in enumerate(chosen)
    ]

"""Domain types of Plan Workbench: plain, frozen, Qt-free and SQL-free.

Two families live here:

* *Extraction* values (``Span``, ``PageText``, ``ExtractedSection``, ``ExtractedCommitment``,
  ``Extraction``) are what the PDF worker hands back. They carry no database ids.
* *Library* values (``Plan``, ``Document``, ``Section``, ``Commitment``, ``SearchHit``) are what
  the store returns. Converting them to and from rows is ``db``'s job.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from functools import partial
from itertools import chain
from typing import NewType, TypeVar

PlanId = NewType("PlanId", int)
DocumentId = NewType("DocumentId", int)
SectionId = NewType("SectionId", int)
CommitmentId = NewType("CommitmentId", int)


_T = TypeVar("_T")


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle ``cls`` as its constructor and field values, in order. What the worker sends
    for every extracted page, section, unit and box (issue 12, Speed): the frozen, slotted
    dataclasses' own ``__getstate__``/``__setstate__`` list the fields again for every
    object, in both processes. The same objects come out."""
    get = operator.attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]

    def reduce(self: object) -> tuple[type[_T], tuple[object, ...]]:
        return cls, get(self)

    cls.__reduce__ = reduce  # type: ignore[assignment,method-assign]
    return cls


class Stage(StrEnum):
    """Where a plan is in its life. Codes are stable; labels are for display."""

    DRAFT = "draft"
    CONSULTATION = "consultation"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"

    @classmethod
    def guess(cls, status: str | None) -> Stage | None:
        """Map a free-text status such as "draft for Cabinet, not adopted" to a stage."""
        if not status:
            return None
        text = status.casefold()
        if "withdrawn" in text or "rescinded" in text:
            return cls.WITHDRAWN
        if "not adopted" in text or "draft" in text and "consultation" not in text:
            return cls.DRAFT
        if "consultation" in text:
            return cls.CONSULTATION
        if "adopted" in text:
            return cls.ADOPTED
        return None


_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def is_partial_iso_date(text: str) -> bool:
    """True for "2011", "2011-04" or "2011-04-30" (a real day: not "2011-02-30")."""
    if not _PARTIAL_DATE.match(text):
        return False
    if len(text) == 10:
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
    return True


class Kind(StrEnum):
    """Kinds of searchable passage."""

    SECTION = "section"
    COMMITMENT = "commitment"
    NOTE = "note"


# --- extraction -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """One run of text with one font, as the PDF lays it out (already cleaned)."""

    text: str
    size: float
    bold: bool
    page_index: int
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageText:
    """The cleaned, reading-order text of one page."""

    index: int  # 0-based
    label: str  # the printed page label ("12", "iv"), falling back to str(index + 1)
    text: str
    needs_ocr: bool = False
    width: float = 0.0
    height: float = 0.0
    #: None for a text layer; for OCR text, the recognition confidence (0-100) of the page
    ocr_confidence: float | None = None


class Rect(tuple[int, float, float, float, float]):
    """A rectangle on a page, in PDF points, origin top-left: ``Rect(page_index, x0, y0, x1,
    y1)``, read by name (``r.x0``) and immutable, like the frozen dataclass it replaces.

    A tuple underneath (issue 12, Speed): an import makes, pickles, unpickles, checks and
    stores tens of thousands of them, one per line of every unit. Built by ``tuple.__new__``
    and pickled as that call, they cost no Python frame to unpickle (a frozen dataclass set
    each field through ``object.__setattr__``), and ``json.dumps`` writes one as the list
    ``[page_index, x0, y0, x1, y1]`` the store keeps. Equal to the plain tuple of its values.
    """

    __slots__ = ()
    _fields = ("page_index", "x0", "y0", "x1", "y1")

    def __new__(cls, page_index: int, x0: float, y0: float, x1: float, y1: float) -> Rect:
        return tuple.__new__(cls, (page_index, x0, y0, x1, y1))

    page_index = property(operator.itemgetter(0), doc="0-based page")
    x0 = property(operator.itemgetter(1))
    y0 = property(operator.itemgetter(2))
    x1 = property(operator.itemgetter(3))
    y1 = property(operator.itemgetter(4))

    def __repr__(self) -> str:
        return ("Rect(" + ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self, strict=True))
                + ")")

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return _as_rect, (tuple(self),)

    def __copy__(self) -> Rect:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Rect:
        return self


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class ExtractedSection:
    """A heading and the text under it, up to the next heading of any level."""

    ordinal: int  # position in the document, 0-based
    heading: str
    level: int  # 1 = top-level
    path: tuple[str, ...]  # headings from the top level down to this one
    page_start: int  # 0-based, inclusive
    page_end: int  # 0-based, inclusive
    text: str
    char_start: int = 0  # offset of the heading in its first page's text (code points)


@dataclass(frozen=True, slots=True)
class ExtractedCommitment:
    """A commitment unit: a pledge, a list item under a lead-in, a numbered objective."""

    ordinal: int
    section_ordinal: int
    text: str
    page_index: int
    char_start: int  # in PageText.text of page_index, code points
    char_end: int
    lead_in: str = ""
    rects: tuple[Rect, ...] = ()
    kind: str = "commitment"  # commitment | ask (of government or others) | target | measure
    # how sure the commitment model was that this is a unit (its probability of not "none",
    # 0-1); None when not known (issue 13: the matching engine's ``pledge`` signal)
    pledge: float | None = None

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # the boxes go as one flat tuple of numbers, rebuilt without a Python call per box
        # (issue 12, Speed: one box per line of every unit of every imported page)
        return _commitment, (self.ordinal, self.section_ordinal, self.text, self.page_index,
                             self.char_start, self.char_end, self.lead_in,
                             tuple(chain.from_iterable(self.rects)), self.kind, self.pledge)


_as_rect = partial(tuple.__new__, Rect)


def _commitment(ordinal: int, section_ordinal: int, text: str, page_index: int,
                char_start: int, char_end: int, lead_in: str, boxes: tuple[float, ...],
                kind: str, pledge: float | None = None) -> ExtractedCommitment:
    """An ``ExtractedCommitment`` as pickled: ``boxes`` holds its rects' values in a row."""
    n = iter(boxes)  # five at a time (strict: a count not a multiple of five raises)
    rects = tuple(map(_as_rect, zip(n, n, n, n, n, strict=True)))
    return ExtractedCommitment(ordinal, section_ordinal, text, page_index, char_start, char_end,
                               lead_in, rects, kind, pledge)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything the worker learnt about one PDF."""

    sha256: str
    pdf_id: str
    page_count: int
    title: str
    pages: tuple[PageText, ...]
    sections: tuple[ExtractedSection, ...]
    commitments: tuple[ExtractedCommitment, ...]
    repaired: bool = False
    warnings: tuple[str, ...] = ()
    copy_restricted: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    ocr: str = ""  # how scanned pages were read, e.g. "Tesseract eng 150 dpi"; "" = no OCR

    @property
    def needs_ocr_pages(self) -> tuple[int, ...]:
        return tuple(p.index for p in self.pages if p.needs_ocr)

    @property
    def ocr_pages(self) -> tuple[int, ...]:
        return tuple(p.index for p in self.pages if p.ocr_confidence is not None)


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """How to OCR the pages that have no text layer (Tesseract, through PyMuPDF)."""

    language: str = "eng"  # Tesseract language codes, "+"-joined ("eng+fra")
    dpi: int = 150

    def describe(self) -> str:
        return f"Tesseract {self.language} {self.dpi} dpi"


# --- library --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanMeta:
    """Metadata a person can edit. Empty strings mean unknown."""

    title: str
    organisation: str = ""
    period_start: str = ""
    period_end: str = ""
    stage: str = ""  # a Stage code or ""
    status: str = ""  # free text, e.g. "draft for Cabinet, not adopted"
    published: str = ""  # partial ISO date
    supersedes: str = ""  # slug of the plan this one supersedes
    leader: str = ""


#: the PlanMeta fields, in display order (also the CLI's `edit` options and the DB columns)
META_FIELDS: tuple[str, ...] = (
    "title",
    "organisation",
    "leader",
    "period_start",
    "period_end",
    "stage",
    "status",
    "published",
    "supersedes",
)


@dataclass(frozen=True, slots=True)
class Plan:
    id: PlanId
    slug: str
    meta: PlanMeta
    pages: int
    sections: int
    commitments: int
    document_id: DocumentId | None
    versions: int = 1
    needs_ocr_pages: tuple[int, ...] = ()
    repaired: bool = False
    copy_restricted: bool = False

    @property
    def title(self) -> str:
        return self.meta.title


@dataclass(frozen=True, slots=True)
class Document:
    id: DocumentId
    plan_id: PlanId
    sha256: str
    file_name: str
    stored_path: str  # relative to the library folder
    page_count: int
    version: int
    imported_at: str
    repaired: bool
    warnings: tuple[str, ...]
    copy_restricted: bool


@dataclass(frozen=True, slots=True)
class Section:
    id: SectionId
    document_id: DocumentId
    ordinal: int
    heading: str
    level: int
    path: tuple[str, ...]
    page_start: int
    page_end: int
    label_start: str
    label_end: str
    text: str


@dataclass(frozen=True, slots=True)
class Commitment:
    id: CommitmentId
    document_id: DocumentId
    section_id: SectionId
    ordinal: int
    text: str
    page_index: int
    page_label: str
    char_start: int
    char_end: int
    lead_in: str = ""
    kind: str = "commitment"  # commitment | ask | target | measure (see ExtractedCommitment)
    pledge: float | None = None  # see ExtractedCommitment; None: imported before it was stored


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """One passage as the search index sees it. Built from SQLite, never the other way."""

    key: str  # "section:12", "commitment:34"
    kind: str
    item_id: int
    plan: str  # slug
    plan_title: str
    plan_date: str  # partial ISO date, "" if unknown
    stage: str
    path: tuple[str, ...]
    heading: str
    page_label: str
    page_index: int
    body: str
    fingerprint: str
    relation: str = ""  # lineage verdict: the relation of the link from this commitment
    status: str = ""  # the latest delivery status of this commitment


def source_covers(source: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether a link whose source spans ``source`` (start, end characters) gives its relation
    to a commitment spanning ``span`` on the same page: any overlap at all. The one rule: the
    search index files a commitment under a relation by it (``db.index_feed``) and a search
    hit says whether that relation is a verdict by it (``Links.mark_verdicts``; qa13b: a
    verdict from a hand-marked passage covering two commitments read "suggested" on both)."""
    return source[0] < span[1] and span[0] < source[1]


@dataclass(frozen=True, slots=True)
class SearchHit:
    key: str
    kind: str
    item_id: int
    plan: str
    plan_title: str
    plan_date: str
    path: tuple[str, ...]
    page_label: str
    page_index: int
    score: float
    snippet: str  # matched terms wrapped in [[ and ]]
    text: str  # the passage; for a section, the paragraphs of its own text that match
    relation: str = ""
    status: str = ""
    # where it is, unambiguous within its plan: the shortest tail of ``path`` no other section
    # of the plan has ("Aim 2 › Our objectives"); ``path`` itself ends "(2 of 4)" if it repeats
    citation: str = ""
    ocr_confidence: float | None = None  # the hit's page was read by OCR (0-100), else None
    # the codes of ``relation`` that are an officer's confirmed verdicts
    # (``workbench.links.is_verdict``); the others are proposals, not confirmed. Set by
    # ``Links.mark_verdicts`` (the index knows the relations, not who confirmed them)
    confirmed: tuple[str, ...] = ()

    @property
    def relations(self) -> tuple[str, ...]:
        """The codes of the hit's lineage relations, "unreviewed" (no relation) left out."""
        return tuple(r for r in self.relation.split() if r != "unreviewed")


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    query: str  # the query as interpreted (after caps and expansion)
    notice: str = ""  # e.g. "Query shortened to 512 characters"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    plans: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    stages: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()  # lineage relation codes, e.g. "reversed"
    statuses: tuple[str, ...] = ()  # delivery status codes, e.g. "stalled"


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A query with its filters, kept in the library under a name (window and CLI alike).

    ``uuid`` is its identity from the day it is saved; names need not be unique in the window
    (the CLI refuses a name already in use, so a name given to it is unambiguous).
    """

    uuid: str
    name: str
    query: str
    filters: SearchFilters = SearchFilters()
    sort: str = "relevance"  # "relevance" or "date"
    created_at: str = ""
    created_by: str = ""

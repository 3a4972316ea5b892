"""The import's last line of defence for a worker's ``Extraction``, in one check.

``sanitised(extraction)`` returns exactly what ``safe_text.same_length_deep(extraction)`` does
(every string made valid without moving an offset; RELIABILITY.md bad-file policy), but it
first checks the whole extraction at once: every string is collected and checked in one regex
pass over their concatenation, and every other value must be a plain number (the boxes of the
units, offsets, sizes). Nearly every extraction passes and is returned as it is; anything else
(a bad character, a value of an unexpected type) goes through ``same_length_deep``. The generic
walk called a function for each of the ~50,000 values of a large import and looked at each
box's fields one by one (issue 12, Speed); what it guarantees is unchanged.

Pure standard library, no state; emits nothing.
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter

from workbench.model import ExtractedCommitment, ExtractedSection, Extraction, PageText
from workbench.safe_text import same_length, same_length_deep

__all__ = ["FIELDS", "sanitised"]

_NUMBER_TYPES = frozenset({int, float, bool, type(None)})
#: every field of the extraction's parts, by what it holds: ``(strings, numbers, other)``.
#: A new field must be listed here (a test compares these with the dataclasses' fields).
FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    Extraction: (("sha256", "pdf_id", "title", "ocr"), ("page_count", "repaired",
                                                       "copy_restricted"),
                 ("pages", "sections", "commitments", "warnings", "metadata")),
    PageText: (("label", "text"), ("index", "needs_ocr", "width", "height", "ocr_confidence"),
               ()),
    ExtractedSection: (("heading", "text"), ("ordinal", "level", "page_start", "page_end",
                                              "char_start"), ("path",)),
    ExtractedCommitment: (("text", "lead_in", "kind"), ("ordinal", "section_ordinal",
                                                        "page_index", "char_start", "char_end",
                                                        "pledge"),
                          ("rects",)),
}
_PAGE_TEXT = attrgetter(*FIELDS[PageText][0])
_PAGE_NUMBERS = attrgetter(*FIELDS[PageText][1])
_SECTION_TEXT = attrgetter(*FIELDS[ExtractedSection][0])
_SECTION_NUMBERS = attrgetter(*FIELDS[ExtractedSection][1])
_SECTION_PATH = attrgetter("path")
_UNIT_TEXT = attrgetter(*FIELDS[ExtractedCommitment][0])
_UNIT_NUMBERS = attrgetter(*FIELDS[ExtractedCommitment][1])
_UNIT_RECTS = attrgetter("rects")
_DOC_TEXT = attrgetter(*FIELDS[Extraction][0])
_DOC_NUMBERS = attrgetter(*FIELDS[Extraction][1])
_flat = chain.from_iterable


def _clean(ex: Extraction) -> bool:
    """True when ``same_length_deep(ex)`` would return ``ex`` itself: only the expected types,
    and no string holding a character ``same_length`` replaces."""
    pages, sections, units = ex.pages, ex.sections, ex.commitments
    if not (type(pages) is tuple and type(sections) is tuple and type(units) is tuple
            and type(ex.warnings) is tuple and type(ex.metadata) is dict
            and {type(p) for p in pages} <= {PageText}
            and {type(s) for s in sections} <= {ExtractedSection}
            and {type(u) for u in units} <= {ExtractedCommitment}):
        return False
    numbers = chain(
        _DOC_NUMBERS(ex),
        _flat(map(_PAGE_NUMBERS, pages)),
        _flat(map(_SECTION_NUMBERS, sections)),
        _flat(map(_UNIT_NUMBERS, units)),
        _flat(_flat(map(_UNIT_RECTS, units))),  # each box's five numbers
    )
    if not set(map(type, numbers)) <= _NUMBER_TYPES:
        return False
    strings = [*_DOC_TEXT(ex), *ex.warnings, *ex.metadata.keys(),
               *ex.metadata.values(), *_flat(map(_PAGE_TEXT, pages)),
               *_flat(map(_SECTION_TEXT, sections)), *_flat(map(_SECTION_PATH, sections)),
               *_flat(map(_UNIT_TEXT, units))]
    if set(map(type, strings)) - {str}:
        return False
    joined = "".join(strings)
    return same_length(joined) is joined


def sanitised(ex: Extraction) -> Extraction:
    """``same_length_deep(ex)``: ``ex`` itself when nothing needs changing (nearly always)."""
    if type(ex) is Extraction and _clean(ex):
        return ex
    return same_length_deep(ex)

"""The raw material of a page: ``Line`` (spans of one text line, cleaned and concatenated)
and ``RawPage`` (what the PDF reader found on one page). Plain values; emits nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.model import Span

__all__ = ["Block", "Line", "RawPage", "line_from_spans"]

# Not frozen, though nothing changes a Line once made (the code makes new ones with
# ``dataclasses.replace``): a frozen dataclass sets each of its fields through
# ``object.__setattr__``, which made building the ~50 lines of every page five times slower
# (issue 12, Speed). ``unsafe_hash`` gives the hash (and equality) the frozen class had.
@dataclass(slots=True, unsafe_hash=True)
class Line:
    """One text line of a page, spans already cleaned and concatenated. Treat as immutable."""

    text: str
    size: float
    bold: bool
    page_index: int
    x0: float
    y0: float
    x1: float
    y1: float
    block: int = 0
    bold_lead: int = 0  # how many leading characters of ``text`` are set in bold
    kind: str = ""  # "" body, "table" (inside a ruled table), "sidebar" (inside a box), "toc"
    cell: tuple[int, int, int] | None = None  # (table, row, column) of a table line

    def as_span(self) -> Span:
        return Span(self.text, self.size, self.bold, self.page_index,
                    self.x0, self.y0, self.x1, self.y1)


def line_from_spans(spans: Sequence[Span], block: int = 0) -> Line | None:
    """Merge the spans of one line; size and boldness are those of most of its characters."""
    text = "".join(s.text for s in spans)
    if not text.strip():
        return None
    sizes: dict[float, int] = {}
    bold_chars = 0
    chars = 0
    for s in spans:
        n = len(s.text.strip())
        if not n:
            continue
        key = round(s.size * 2) / 2
        sizes[key] = sizes.get(key, 0) + n
        chars += n
        if s.bold:
            bold_chars += n
    size = max(sizes, key=sizes.__getitem__) if sizes else round(spans[0].size * 2) / 2
    lead = 0
    for s in spans:
        if s.bold or not s.text.strip():
            lead += len(s.text)
        else:
            break
    return Line(
        text=text,
        size=size,
        bold=bold_chars * 2 > chars,
        page_index=spans[0].page_index,
        x0=min(s.x0 for s in spans),
        y0=min(s.y0 for s in spans),
        x1=max(s.x1 for s in spans),
        y1=max(s.y1 for s in spans),
        block=block,
        bold_lead=min(lead, len(text)),
    )


@dataclass(slots=True)
class RawPage:
    """What the PDF reader found on one page, before clean-up."""

    index: int
    width: float
    height: float
    lines: list[Line]
    pdf_label: str = ""  # from /PageLabels
    image_cover: float = 0.0  # share of the page area covered by images, drawings, fields
    error: str = ""


Block = list[Line]

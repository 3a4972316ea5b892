"""Find commitment units in segmented pages: what a plan promises, one unit per promise.

A unit is one of:

* a list item (bullet or number) under a lead-in ending with ":" ("We will:", "Our priorities
  will be to:", "Together, we will:", "Kent partners will:", "OUR COMMITMENTS ... WE WILL:");
  items continue until a non-list paragraph or a heading;
* a list item under a heading that announces priorities or actions ("Some of our top priorities
  to grow the economy", "Priority actions to ...", "Ask of Government"), within that heading's
  subsections;
* a "✓" pledge line, anywhere;
* a paragraph (or numbered item) that starts "We will ..." or "Our commitment is to ...";
* a numbered objective with narrative ("1. Work with the government to ...: text"), or an
  "Objective 3 ..." paragraph; bullets straight after a numbered objective are its items.

A compound bullet stays one unit. ``text`` is exactly the page text between ``char_start`` and
``char_end`` (code points), without the bullet marker. **Page breaks:** a unit whose paragraph
carries on at the top of the next page (first paragraph there starts in lower case) stays on its
first page: ``char_end`` is clipped to that page's paragraph, ``text`` is the page-1 part, a
space and the continuation, and ``rects`` include the continuation's lines on the next page.

Emits nothing; pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexing.cleanup import PageLayout, Paragraph, is_numbered
from indexing.segment import ParaRole
from workbench.model import ExtractedCommitment, ExtractedSection, Rect

__all__ = ["find_commitments", "inline_lead_in", "lead_in_of"]

_LEAD_CUE = re.compile(
    r"(\bwill(?: be)?(?: to| that| continue to)?\s*:$|\bwe will\b|\bwe shall\b"
    r"|\bcommitments?\b|\bcommitted to\b|\bpledges?\b|\bask of (?:the )?government\b"
    r"|\bwe aim to\b|\bwe are going to\b|\bpriorities (?:will be|are)\b|\bpartners will\b"
    r"|\bwe intend to\b|\bwe want to\b)",
    re.IGNORECASE,
)
_ASK = re.compile(r"^(?:our\s+)?asks?\s+of\s+(?:the\s+)?government:?$", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“])")
_HEADING_CUE = re.compile(
    r"\b((?:our|top|key) priorities|priorities to|priority actions|we will|our commitments?"
    r"|asks? of (?:the )?government"
    r"|pledges?|actions we will take|what we will do|how we will)\b",
    re.IGNORECASE,
)
_INLINE_LEAD = re.compile(r"^(?P<lead>[^:]{3,100}?:)\s+(?=\S)")
_WE_WILL = re.compile(
    r"^(?:\d{1,2}[.)]\s+)?(?:we will|we shall|together,? we will|our commitment is to"
    r"|we are committed to|we commit to|we pledge to)\b(?!\s*:$)",
    re.IGNORECASE,
)
# the column of an action table whose cells are commitments, named by its header cell
_ACTION_HEADER = re.compile(
    r"^(?:key |our |priority |planned )?(?:actions?|commitments?|what we will do|we will"
    r"|pledges?|deliverables?|activit(?:y|ies)|milestones?)\b", re.IGNORECASE)
# a heading over measures of success: its lists are indicators, not pledges
_MEASURES = re.compile(
    r"\b(?:measures?|measuring|measured|indicators?|kpis?|metrics|how we will know"
    r"|monitoring|performance management)\b", re.IGNORECASE)
_OBJECTIVE = re.compile(r"^(?:objective|commitment|pledge)\s+\d{1,2}\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")


def lead_in_of(text: str) -> str | None:
    """The lead-in phrase if ``text`` (a paragraph) announces a list of commitments."""
    t = text.strip()
    if _ASK.match(t):
        return t
    if not t.endswith(":"):
        return None
    last = _SENTENCE_SPLIT.split(t)[-1]
    if len(last.split()) > 30:
        return None
    return last if _LEAD_CUE.search(last) else None


def inline_lead_in(body: str) -> str | None:
    """"Our priorities will be to: Continue ..." -> "Our priorities will be to:"."""
    m = _INLINE_LEAD.match(body)
    if m and _LEAD_CUE.search(m.group("lead")):
        return m.group("lead")
    return None


def _numbered_objective(para: Paragraph) -> str | None:
    """The title clause of "1. Work with the government ...: narrative", or of "Objective 3"."""
    text = para.text
    if _OBJECTIVE.match(text):
        return text.split(":", 1)[0] if ":" in text[:200] else text[:120]
    if not _NUMBER.match(text):
        return None
    lead = para.bold_prefix
    if lead and _NUMBER.match(lead) and lead.rstrip().endswith(":") and len(lead.split()) <= 40:
        return lead.rstrip()
    head, sep, rest = text.partition(":")
    if sep and rest.strip() and len(head.split()) <= 30 and para.bold:
        return head + ":"
    return None


@dataclass(slots=True)
class _Unit:
    page: int
    start: int
    end: int
    text: str
    section: int
    lead_in: str
    rects: list[Rect]
    last_para: tuple[int, int]  # (page, paragraph index) of the paragraph it ends in


def _rects(para: Paragraph) -> list[Rect]:
    return [Rect(ln.page_index, ln.x0, ln.y0, ln.x1, ln.y1) for ln in para.lines]


def find_commitments(
    layouts: Sequence[PageLayout],
    sections: Sequence[ExtractedSection],
    roles: dict[tuple[int, int], ParaRole],
) -> list[ExtractedCommitment]:
    """Find commitment units.

    Args:
        layouts: cleaned pages.
        sections: from ``segment.segment``.
        roles: paragraph roles from ``segment.segment``.

    Returns:
        Units in document order, ordinals from 0.
    """
    units: list[_Unit] = []
    lead_in: str | None = None
    heading_lead: tuple[str, int] | None = None  # (heading text, its level)
    objective_lead: str | None = None

    def add(page: PageLayout, idx: int, para: Paragraph, lead: str, role: ParaRole) -> None:
        start, end = page.offsets[idx]
        if para.marker:
            start += len(para.marker) + 1
        units.append(_Unit(page.index, start, end, page.text[start:end], role.section,
                           lead, _rects(para), (page.index, idx)))

    action_columns: dict[int, tuple[int, str]] = {}  # table id -> (column, header text)
    side_lead: str | None = None  # a lead-in inside a call-out box applies only there

    for page in layouts:
        for idx, para in enumerate(page.paragraphs):
            role = roles.get((page.index, idx), ParaRole(max(len(sections) - 1, 0)))
            if para.kind == "toc":
                continue  # a contents entry repeats a heading; it promises nothing itself
            if para.kind == "table":
                if para.cell is None:
                    continue
                table, row, col = para.cell
                key = page.index * 1000 + table
                if row == 0 and _ACTION_HEADER.match(para.text):
                    action_columns.setdefault(key, (col, para.text))
                elif row > 0 and action_columns.get(key, (-1, ""))[0] == col:
                    add(page, idx, para, action_columns[key][1], role)
                continue
            if para.kind == "sidebar" and not role.heading_level:
                found = lead_in_of(para.text)
                if found:
                    side_lead = found
                elif para.marker == "✓" or (para.marker and side_lead):
                    add(page, idx, para, side_lead or "", role)
                elif _WE_WILL.match(para.body):
                    add(page, idx, para, "", role)
                else:
                    side_lead = None
                continue
            side_lead = None
            if role.heading_level:
                lead_in = None
                objective_lead = None
                if heading_lead and role.heading_level <= heading_lead[1]:
                    heading_lead = None
                colon_lead = lead_in_of(para.text)
                if _MEASURES.search(para.text):
                    heading_lead = None  # what will be measured is not a promise
                elif colon_lead:
                    lead_in = para.text
                elif _HEADING_CUE.search(para.text) and not re.match(
                        r"^priority\s+\d", para.text, re.IGNORECASE):
                    heading_lead = (para.text, role.heading_level)
                continue

            # a paragraph carried over from the previous page extends the unit it belongs to
            if (idx == 0 and units and units[-1].last_para[0] == page.index - 1
                    and _is_last_para(layouts, units[-1].last_para)
                    and para.text[:1].islower() and not para.marker
                    and not units[-1].text.rstrip().endswith((".", "!", "?"))):
                unit = units[-1]
                unit.text = f"{unit.text} {para.text}"
                unit.rects.extend(_rects(para))
                unit.last_para = (page.index, idx)
                continue

            if para.marker == "✓":
                add(page, idx, para, lead_in or (heading_lead[0] if heading_lead else ""), role)
                continue

            objective = _numbered_objective(para)
            if objective:
                add(page, idx, para, "", role)
                objective_lead = objective
                lead_in = None
                continue

            if para.marker or is_numbered(para.text):
                inline = inline_lead_in(para.body)
                if inline:
                    lead_in = inline
                    add(page, idx, para, inline, role)
                elif lead_in:
                    add(page, idx, para, lead_in, role)
                elif heading_lead:
                    add(page, idx, para, heading_lead[0], role)
                elif objective_lead and para.marker:
                    add(page, idx, para, objective_lead, role)
                elif _WE_WILL.match(para.body):
                    add(page, idx, para, "", role)
                continue

            # a plain paragraph ends any list
            lead_in = None
            objective_lead = None
            found = lead_in_of(para.text)
            if found:
                lead_in = found
                continue
            if _WE_WILL.match(para.text):
                add(page, idx, para, "", role)

    return [
        ExtractedCommitment(
            ordinal=i,
            section_ordinal=u.section,
            text=u.text,
            page_index=u.page,
            char_start=u.start,
            char_end=u.end,
            lead_in=u.lead_in,
            rects=tuple(u.rects),
        )
        for i, u in enumerate(units)
    ]


def _is_last_para(layouts: Sequence[PageLayout], where: tuple[int, int]) -> bool:
    page, idx = where
    return 0 <= page < len(layouts) and idx == len(layouts[page].paragraphs) - 1

"""Cut cleaned pages into sections: a heading plus the paragraphs up to the next heading.

Each section records its level, its path (ancestor headings, itself last), first and last page,
and where its heading starts in the first page's text. Paragraphs before the first heading form
a section headed by the document title (level 1). ``ExtractedSection.text`` is the body only
(paragraphs separated by ``\\n``); the heading is in ``heading``.

Emits nothing; pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexing.cleanup import PageLayout, Paragraph
from indexing.headings import HeadingRule, OutlineRule
from workbench.model import ExtractedSection

__all__ = ["ParaRole", "segment"]


@dataclass(frozen=True, slots=True)
class ParaRole:
    """Which section a paragraph belongs to, and whether it is that section's heading."""

    section: int
    heading_level: int = 0  # 0 = body paragraph


@dataclass(slots=True)
class _Open:
    heading: str
    level: int
    path: tuple[str, ...]
    page_start: int
    page_end: int
    char_start: int
    body: list[str]


_GLOSSARY = re.compile(
    r"^(?:appendix\s*\w{0,4}\s*[:.–-]?\s*)?(?:glossary|definitions|abbreviations|acronyms"
    r"|key terms|jargon buster)\b", re.IGNORECASE)


def _level_of(rule: HeadingRule, para: Paragraph, page_index: int) -> int | None:
    """The rule's answer, except that contents entries and table cells are never headings, and
    a call-out box's title is one only when the PDF outline says so."""
    if para.kind in ("toc", "table"):
        return None
    if para.kind == "sidebar" and not isinstance(rule, OutlineRule):
        return None
    return rule.level_of(para.as_span(), page_index)


def segment(
    layouts: Sequence[PageLayout], rule: HeadingRule, title: str
) -> tuple[list[ExtractedSection], dict[tuple[int, int], ParaRole]]:
    """Split pages into sections.

    Args:
        layouts: cleaned pages, in order.
        rule: decides heading levels.
        title: heads the section of text before the first heading.

    Returns:
        The sections, and ``{(page_index, paragraph_index): ParaRole}`` for every paragraph.
    """
    sections: list[ExtractedSection] = []
    roles: dict[tuple[int, int], ParaRole] = {}
    stack: list[tuple[int, str]] = []  # (level, heading) of the open ancestors
    current: _Open | None = None

    def close() -> None:
        if current is None:
            return
        sections.append(ExtractedSection(
            ordinal=len(sections),
            heading=current.heading,
            level=current.level,
            path=current.path,
            page_start=current.page_start,
            page_end=current.page_end,
            text="\n".join(current.body),
            char_start=current.char_start,
        ))

    body_size = getattr(rule, "body_size", 0.0)
    glossary: int | None = None  # level of an open "Glossary" section
    for page in layouts:
        for idx, para in enumerate(page.paragraphs):
            level = _level_of(rule, para, page.index)
            if level is not None and glossary is not None:
                if level <= glossary:
                    glossary = None
                elif not isinstance(rule, OutlineRule) and abs(para.size - body_size) <= 0.4:
                    level = None  # a bold term in a glossary, not a heading
            if level is not None and _GLOSSARY.match(para.text):
                glossary = level
            if level is not None:
                close()
                heading = para.text
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, heading))
                current = _Open(heading, level, tuple(h for _, h in stack), page.index,
                                page.index, page.offsets[idx][0], [])
                roles[(page.index, idx)] = ParaRole(len(sections), level)
                continue
            if current is None:
                current = _Open(title, 1, (title,), page.index, page.index, 0, [])
                stack = [(1, title)]
            current.body.append(para.text)
            current.page_end = page.index
            roles[(page.index, idx)] = ParaRole(len(sections), 0)
    close()
    return sections, roles

"""Builders for domain values used across tests (no Qt, no engines)."""

from __future__ import annotations

import hashlib

from workbench.model import (
    ExtractedCommitment,
    ExtractedSection,
    Extraction,
    PageText,
    PlanMeta,
)


def make_extraction(seed: str = "a", pages: int = 3) -> Extraction:
    """A small, self-consistent extraction: one section per page, one commitment on each."""
    page_texts = []
    sections = []
    commitments = []
    for i in range(pages):
        heading = f"Priority {i + 1}: {seed} theme"
        pledge = f"We will deliver {seed} outcome number {i + 1} by 2030."
        text = f"{heading}\nIntro text for {seed} on page {i + 1}.\n• {pledge}"
        page_texts.append(PageText(index=i, label=str(i + 3), text=text))
        sections.append(
            ExtractedSection(
                ordinal=i,
                heading=heading,
                level=1,
                path=(heading,),
                page_start=i,
                page_end=i,
                text=text,
            )
        )
        start = text.index(pledge)
        commitments.append(
            ExtractedCommitment(
                ordinal=i,
                section_ordinal=i,
                text=pledge,
                page_index=i,
                char_start=start,
                char_end=start + len(pledge),
                lead_in="",
            )
        )
    sha = hashlib.sha256(seed.encode()).hexdigest()
    return Extraction(
        sha256=sha,
        pdf_id="",
        page_count=pages,
        title=f"Plan {seed}",
        pages=tuple(page_texts),
        sections=tuple(sections),
        commitments=tuple(commitments),
    )


def make_meta(title: str = "Plan A", **kw: str) -> PlanMeta:
    return PlanMeta(title=title, **kw)

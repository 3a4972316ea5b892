"""Builders for domain values used across tests (no Qt, no engines)."""

from __future__ import annotations

import hashlib
from typing import Any

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


def insert_one_unit(db: Any) -> None:
    """One plan, document, section and commitment unit written as raw rows, for migration
    tests that build a library at an older schema (only the columns every schema has)."""
    db["plans"].insert({"id": 1, "slug": "p", "title": "P", "meta_rev": 1, "created_at": "x"})
    db["documents"].insert({"id": 1, "plan_id": 1, "sha256": "s", "file_name": "p.pdf",
                            "stored_path": "p.pdf", "page_count": 1, "version": 1})
    db["sections"].insert({"id": 1, "document_id": 1, "ordinal": 0, "heading": "H", "level": 1,
                           "path": "[]", "text": "t", "fingerprint": "f"})
    db["commitments"].insert({"document_id": 1, "section_id": 1, "ordinal": 0, "text": "We will",
                              "page_index": 0, "fingerprint": "f"})

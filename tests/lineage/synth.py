"""Synthetic plans stored through the real ``SqliteStore.add_document`` (no PDFs needed)."""

from __future__ import annotations

import hashlib

from workbench.model import ExtractedCommitment, ExtractedSection, Extraction, PageText, PlanMeta

Outline = list[tuple[str, list[str]]]  # [(heading, [commitment, ...]), ...]: one page each


def make_extraction(outline: Outline, salt: str = "", filler: str = "") -> Extraction:
    pages, sections, commitments = [], [], []
    for i, (heading, pledges) in enumerate(outline):
        intro = f"{filler}This section sets out what we will do about {heading.lower()}."
        text = heading + "\n" + intro + "\n" + "\n".join(f"• {p}" for p in pledges)
        pages.append(PageText(index=i, label=str(i + 2), text=text))
        sections.append(ExtractedSection(ordinal=i, heading=heading, level=1, path=(heading,),
                                         page_start=i, page_end=i, text=text))
        for p in pledges:
            start = text.index(p)
            commitments.append(ExtractedCommitment(
                ordinal=len(commitments), section_ordinal=i, text=p, page_index=i,
                char_start=start, char_end=start + len(p)))
    sha = hashlib.sha256(repr((outline, salt, filler)).encode()).hexdigest()
    return Extraction(sha256=sha, pdf_id="", page_count=len(pages), title="t",
                      pages=tuple(pages), sections=tuple(sections),
                      commitments=tuple(commitments))


def add_plan(store, slug: str, published: str, outline: Outline, *, replaces: str | None = None,
             salt: str = "", filler: str = "", stage: str = "adopted"):
    ex = make_extraction(outline, salt, filler)
    meta = PlanMeta(title=slug.replace("-", " ").title(), published=published, stage=stage)
    return store.add_document(slug=slug, meta=meta, extraction=ex, file_name=f"{slug}.pdf",
                              stored_path=f"files/{ex.sha256}.pdf", replaces=replaces)

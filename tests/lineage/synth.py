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


# Two small plans several tests (qa12's packs, lineage and coverage) record verdicts on.
ROADS_OLD, ROADS_NEW = "roads-2024", "roads-2026"
FIX = "We will fix every pothole within 28 days."
RESURFACE = "We will resurface 250 miles of road by 2027."
BUSES = "We will keep every rural bus route running."
LIGHTS = "We will switch every street light to LED by 2026."
FIX_NEW = "We will fix every pothole within 21 days."
RESURFACE_NEW = "We will no longer resurface roads on a mileage target."


def add_roads_pair(store) -> None:
    """``ROADS_OLD`` (FIX and RESURFACE under "Roads", BUSES, LIGHTS) and ``ROADS_NEW``
    (FIX_NEW and RESURFACE_NEW under "Highways"), with no link between them."""
    add_plan(store, ROADS_OLD, "2024", [("Roads", [FIX, RESURFACE]), ("Transport", [BUSES]),
                                        ("Lighting", [LIGHTS])])
    add_plan(store, ROADS_NEW, "2026", [("Highways", [FIX_NEW, RESURFACE_NEW])])

"""Reader reads: a plan's current document (pages, outline) and a commitment's rectangles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ui.executor import Job
from ui.ops import OpContext
from workbench.errors import NotFound
from workbench.model import Commitment, Plan, Section
from workbench.services import Workbench

RectTuple = tuple[int, float, float, float, float]


@dataclass(frozen=True, slots=True)
class ReaderDocument:
    plan: Plan
    pdf_path: Path | None
    pages: tuple[tuple[int, str, str], ...]  # (page_index, printed label, text)
    sections: tuple[Section, ...]
    commitments: tuple[Commitment, ...]
    page_sizes: tuple[tuple[float, float], ...] = ()
    ocr: dict[int, float] = field(default_factory=dict)  # page index -> OCR confidence

    def commitment(self, item_id: int) -> Commitment | None:
        return next((c for c in self.commitments if int(c.id) == item_id), None)

    def section(self, item_id: int) -> Section | None:
        return next((s for s in self.sections if int(s.id) == item_id), None)

    def section_for_page(self, page_index: int) -> Section | None:
        """The last section starting on or before ``page_index``."""
        found = None
        for s in self.sections:
            if s.page_start <= page_index:
                found = s
        return found

    def ocr_note(self, page_index: int) -> str:
        """"" for a text-layer page; else what the reader says about the page's OCR text."""
        conf = self.ocr.get(page_index)
        if conf is None:
            return ""
        return f"OCR text: this page was read by Tesseract (confidence {conf:.0f}/100)"


def _load(wb: Workbench, slug: str) -> ReaderDocument:
    plan = wb.store.plan(slug)
    if plan.document_id is None:
        raise NotFound(f"{plan.title} has no document.")
    document = wb.store.document(plan.document_id)
    pdf = wb.paths.stored_file(document.stored_path)
    return ReaderDocument(
        plan=plan,
        pdf_path=pdf if pdf.is_file() else None,
        pages=tuple(wb.store.page_texts(plan.document_id)),
        sections=tuple(wb.store.sections(slug)),
        commitments=tuple(wb.store.commitments(slug)),
        ocr=wb.store.ocr_confidences(plan.document_id),
    )


def load_document(
    ctx: OpContext,
    slug: str,
    *,
    on_done: Callable[[ReaderDocument], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    return ctx.executor.submit(lambda wb: _load(wb, slug), on_done=on_done, on_error=on_error)


def load_commitment_rects(
    ctx: OpContext,
    commitment_id: int,
    *,
    on_done: Callable[[list[RectTuple]], None],
) -> Job:
    def work(wb: Workbench) -> list[RectTuple]:
        return list(wb.store.commitment_rects(commitment_id))

    return ctx.executor.submit(work, on_done=on_done)

"""Reads of one stored document's content by id: sections, commitments and their rectangles,
page texts and OCR confidences (the part of ``SqliteStore`` that needs no plan lookup)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlite_utils import Database

from db import rows as convert
from workbench.errors import NotFound
from workbench.model import Commitment, CommitmentId, Section, SectionId


class ContentReads:
    """Content queries by id; mixed into ``SqliteStore``, which opens ``db``."""

    db: Database

    def section(self, section_id: SectionId) -> Section:
        rows = list(self.db["sections"].rows_where("id = ?", [section_id]))
        if not rows:
            raise NotFound(f"No section {section_id}.")
        return convert.section_from_row(rows[0])

    def commitment(self, commitment_id: CommitmentId) -> Commitment:
        rows = list(self.db["commitments"].rows_where("id = ?", [commitment_id]))
        if not rows:
            raise NotFound(f"No commitment {commitment_id}.")
        return convert.commitment_from_row(rows[0])

    def commitment_rects(self, commitment_id: int) -> list[tuple[int, float, float, float, float]]:
        row = self.db.execute(
            "SELECT rects FROM commitments WHERE id = ?", [commitment_id]
        ).fetchone()
        return [tuple(r) for r in json.loads(row[0] or "[]")] if row else []

    def page_texts(self, document_id: int) -> list[tuple[int, str, str]]:
        return [
            (r[0], r[1], r[2])
            for r in self.db.execute(
                "SELECT page_index, label, text FROM pages WHERE document_id = ? "
                "ORDER BY page_index",
                [document_id],
            )
        ]

    def ocr_pages_of_plans(self, slugs: Sequence[str]) -> dict[tuple[str, int], float]:
        """{(plan slug, page index): OCR confidence} of the OCR'd pages of these plans'
        current versions, in one query (search results are marked with it)."""
        slugs = list(dict.fromkeys(slugs))[:500]
        if not slugs:
            return {}
        sql = (
            "SELECT p.slug, g.page_index, g.ocr_confidence FROM plans p "
            "JOIN documents d ON d.id = (SELECT id FROM documents WHERE plan_id = p.id "
            "ORDER BY version DESC LIMIT 1) "
            "JOIN pages g ON g.document_id = d.id "
            "WHERE p.slug IN (SELECT value FROM json_each(?)) AND g.ocr_confidence IS NOT NULL")
        return {(r[0], int(r[1])): float(r[2])
                for r in self.db.execute(sql, [json.dumps(slugs)])}

    def ocr_confidences(self, document_id: int) -> dict[int, float]:
        """{page index: OCR confidence} of the pages of a document that were read by OCR."""
        return {int(r[0]): float(r[1]) for r in self.db.execute(
            "SELECT page_index, ocr_confidence FROM pages WHERE document_id = ? "
            "AND ocr_confidence IS NOT NULL", [document_id])}

    def plan_of_document(self, document_id: int) -> str:
        row = self.db.execute(
            "SELECT p.slug FROM documents d JOIN plans p ON p.id = d.plan_id WHERE d.id = ?",
            [document_id],
        ).fetchone()
        if not row:
            raise NotFound(f"No document {document_id}.")
        return row[0]

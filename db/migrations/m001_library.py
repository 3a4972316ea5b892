"""Migration m001: the library itself (plans, documents, pages, sections, commitments, logs).

Registered in ``db.migrations.ORDER``; imports nothing of ours. Never edit a migration that has
shipped: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database


def m001_library(db: Database) -> None:
    """Create plans, documents, pages, sections, commitments and the import log."""
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    db["plans"].create(
        {
            "id": int,
            "slug": str,
            "title": str,
            "organisation": str,
            "leader": str,
            "period_start": str,
            "period_end": str,
            "stage": str,
            "status": str,
            "published": str,
            "supersedes": str,
            "meta_rev": int,
            "created_at": str,
            "removed_at": str,
        },
        pk="id",
        not_null={"slug", "title", "meta_rev", "created_at"},
        defaults={
            "organisation": "",
            "leader": "",
            "period_start": "",
            "period_end": "",
            "stage": "",
            "status": "",
            "published": "",
            "supersedes": "",
            "meta_rev": 1,
        },
    )
    db["plans"].create_index(["slug"], unique=True)
    db["documents"].create(
        {
            "id": int,
            "plan_id": int,
            "sha256": str,
            "pdf_id": str,
            "file_name": str,
            "stored_path": str,
            "page_count": int,
            "version": int,
            "imported_at": str,
            "repaired": int,
            "warnings": str,
            "copy_restricted": int,
            "pdf_title": str,
        },
        pk="id",
        foreign_keys=[("plan_id", "plans", "id")],
        not_null={"plan_id", "sha256", "file_name", "stored_path", "page_count", "version"},
        defaults={"repaired": 0, "copy_restricted": 0, "warnings": "[]", "pdf_id": ""},
    )
    db["documents"].create_index(["sha256"], unique=True)
    db["documents"].create_index(["plan_id", "version"], unique=True)
    db["pages"].create(
        {
            "id": int,
            "document_id": int,
            "page_index": int,
            "label": str,
            "text": str,
            "needs_ocr": int,
            "width": float,
            "height": float,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "page_index", "label", "text"},
        defaults={"needs_ocr": 0},
    )
    db["pages"].create_index(["document_id", "page_index"], unique=True)
    db["sections"].create(
        {
            "id": int,
            "document_id": int,
            "ordinal": int,
            "heading": str,
            "level": int,
            "path": str,
            "page_start": int,
            "page_end": int,
            "label_start": str,
            "label_end": str,
            "char_start": int,
            "text": str,
            "fingerprint": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "ordinal", "heading", "level", "path", "text", "fingerprint"},
    )
    db["sections"].create_index(["document_id", "ordinal"], unique=True)
    db["commitments"].create(
        {
            "id": int,
            "document_id": int,
            "section_id": int,
            "ordinal": int,
            "text": str,
            "page_index": int,
            "page_label": str,
            "char_start": int,
            "char_end": int,
            "lead_in": str,
            "rects": str,
            "fingerprint": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("section_id", "sections", "id")],
        not_null={"document_id", "section_id", "ordinal", "text", "page_index", "fingerprint"},
        defaults={"lead_in": "", "rects": "[]"},
    )
    db["commitments"].create_index(["document_id", "ordinal"], unique=True)
    db["commitments"].create_index(["section_id"])
    db["import_log"].create(
        {"id": int, "at": str, "path": str, "sha256": str, "outcome": str, "message": str},
        pk="id",
        not_null={"at", "path", "outcome"},
    )
    db["audit_log"].create(
        {"id": int, "at": str, "actor": str, "action": str, "target": str, "detail": str},
        pk="id",
        not_null={"at", "action", "target"},
    )

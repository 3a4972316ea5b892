"""Migration m005: saved searches become library records (they lived in the window's settings).

Numbered 5 because migrations 3 and 4 were being written at the same time (commitment kinds,
OCR page marks); ``db.migrations.ORDER`` decides the order they apply in, not the number.
"""

from __future__ import annotations

from sqlite_utils import Database


def m005_saved_searches(db: Database) -> None:
    """Add saved searches (a named query with its filters), shared by the window and the CLI."""
    db["saved_searches"].create(
        {
            "id": int, "uuid": str, "name": str, "query": str, "filters": str, "sort": str,
            "created_at": str, "created_by": str, "updated_at": str, "deleted_at": str,
        },
        pk="id",
        not_null={"uuid", "name", "query", "filters", "sort", "created_at"},
        defaults={"filters": "{}", "sort": "relevance", "created_by": ""},
    )
    db["saved_searches"].create_index(["uuid"], unique=True)

"""Migration m004: OCR text (issue 15).

* ``pages.ocr_confidence``: NULL for a page read from its text layer; for a page read by OCR,
  the confidence (0-100) of its text, shown in the reader and in search results.
* ``documents.ocr``: how the document's scanned pages were read ("Tesseract eng 150 dpi"), ""
  when they were not OCR'd.
* ``documents.sha256`` is no longer unique: OCR-ing a plan's scanned pages stores a new version
  of the plan made from the *same* file (a re-extraction, re-anchored like any new version).
  Importing a file already in the library is still refused, by the import itself.

Numbered 4 (3 is the commitments engineer's); ``db.migrations.ORDER`` decides when it applies.
"""

from __future__ import annotations

from sqlite_utils import Database


def m004_ocr(db: Database) -> None:
    """Record OCR text: each page's OCR confidence, how a document was OCR'd, and allow a plan
    version that is an OCR re-reading of the same file."""
    db["pages"].add_column("ocr_confidence", float)
    db["documents"].add_column("ocr", str, not_null_default="")
    for index in db["documents"].indexes:
        if index.unique and index.columns == ["sha256"]:
            db.execute(f'DROP INDEX "{index.name}"')  # a name SQLite gave the index
    db["documents"].create_index(["sha256"], index_name="idx_documents_sha256_any")

"""The small interfaces that ``db``, ``indexing`` and ``export`` implement for the use cases.

``workbench.services`` depends only on these, so the three engine packages stay independent
siblings (checked by import-linter). A port says everything the layers above use of an
implementation: callers never probe for a method or attribute with ``getattr`` (a test fake
implements the whole port, if only as a no-op).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from workbench.model import (
    Commitment,
    CommitmentId,
    Document,
    Extraction,
    IndexDoc,
    OcrSettings,
    Plan,
    PlanMeta,
    SavedSearch,
    SearchFilters,
    SearchResult,
    Section,
    SectionId,
)
from workbench.records import AuditEntry, Record, UndoEntry
from workbench.tasks import TaskState


class Extractor(Protocol):
    """Turns a PDF file into an ``Extraction`` in an isolated process.

    Raises ``workbench.errors.ExtractError`` with a specific reason for every refused file.
    """

    def extract(
        self, path: Path, *, password: str | None = None, state: TaskState | None = None,
        ocr: OcrSettings | None = None,
    ) -> Extraction: ...

    def close(self) -> None:
        """Stop the child process (if any); the extractor may be used again afterwards."""
        ...


@dataclass(frozen=True, slots=True)
class IndexCheck:
    """How the search index compares with what SQLite says it should hold."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    extra: tuple[str, ...]
    error: str = ""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra or self.error)


class SearchIndex(Protocol):
    """A rebuildable full-text index over ``IndexDoc`` passages."""

    #: True when the index was found missing, damaged or of an older format (it is then
    #: empty) or broke during a search: ``Workbench`` rebuilds it from SQLite.
    needs_rebuild: bool

    def sync(self, wanted: Mapping[str, str], load: LoadDocs, state: TaskState | None = None) -> int:
        """Make the index hold exactly ``wanted`` ({key: fingerprint}); return docs written."""
        ...

    def rebuild(self, docs: Iterable[IndexDoc], state: TaskState | None = None) -> int: ...

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        sort: str = "relevance",
    ) -> SearchResult: ...

    def check(self, wanted: Mapping[str, str]) -> IndexCheck: ...

    def synced_revision(self) -> int | None: ...

    def mark_synced(self, revision: int) -> None: ...

    def begin_feed(self) -> IndexFeed | None:
        """A writer an import feeds each committed document to, or None (written by the sync
        after the import instead)."""
        ...

    def close(self) -> None: ...


class IndexFeed(Protocol):
    """A search-index writer fed while an import commits documents (issue 12, Speed):
    nothing is visible before ``finish``; the fingerprint sync after it stays the authority."""

    def put(self, docs: Sequence[IndexDoc]) -> None: ...

    def finish(self) -> bool: ...

    def cancel(self) -> None: ...


class LoadDocs(Protocol):
    def __call__(self, keys: Sequence[str]) -> list[IndexDoc]: ...


class Store(Protocol):
    """The library database. Every write method is one committed transaction."""

    #: the database file (the library folder is its folder)
    path: Path
    #: opened read-only (a read-only folder or file, or a newer writer): writes refuse
    read_only: bool
    #: one-line notices for a banner or stderr (read-only, network folder, checked after a
    #: crash, no daily backup)
    warnings: list[str]

    def close(self) -> None:
        """Close the database; only then is the session marked as cleanly closed."""
        ...

    # plans and documents
    def plans(self, *, include_removed: bool = False) -> list[Plan]: ...
    def plan(self, slug: str) -> Plan: ...
    def document_by_sha(self, sha256: str) -> Document | None: ...
    def documents(self, plan_slug: str) -> list[Document]: ...
    def resegment(self, slug: str, extraction: Extraction) -> Plan: ...
    def add_document(
        self,
        *,
        slug: str,
        meta: PlanMeta,
        extraction: Extraction,
        file_name: str,
        stored_path: str,
        replaces: str | None = None,
        log: tuple[str, str] | None = None,  # the import log's (path, message), same commit
    ) -> Plan: ...
    def update_plan_meta(self, slug: str, meta: PlanMeta) -> Plan: ...
    def remove_plan(self, slug: str) -> Plan: ...
    def restore_plan(self, slug: str) -> Plan: ...
    def slug_exists(self, slug: str) -> bool: ...
    def log_import(self, path: str, sha256: str, outcome: str, message: str) -> None: ...
    def import_log(self, limit: int = 100) -> list[dict[str, object]]: ...
    def trash(self) -> list[Plan]: ...
    def document(self, document_id: int) -> Document: ...
    def stored_files(self) -> list[tuple[str, str]]: ...

    # content
    def sections(self, plan_slug: str) -> list[Section]: ...
    def section(self, section_id: SectionId) -> Section: ...
    def commitments(self, plan_slug: str) -> list[Commitment]: ...
    def commitment(self, commitment_id: CommitmentId) -> Commitment: ...
    def page_texts(self, document_id: int) -> list[tuple[int, str, str]]: ...
    def ocr_confidences(self, document_id: int) -> dict[int, float]:
        """{page index: OCR confidence} of a document's pages read by OCR (issue 15)."""
        ...
    def ocr_pages_of_plans(self, slugs: Sequence[str]) -> dict[tuple[str, int], float]:
        """{(plan slug, page index): OCR confidence} over these plans' current versions."""
        ...
    def commitment_rects(self, commitment_id: int) -> list[tuple[int, float, float, float, float]]:
        """(page index, x0, y0, x1, y1) boxes of an extracted commitment, in PDF points."""
        ...

    # saved searches (library records, shared by the window and the CLI)
    def saved_searches(self) -> list[SavedSearch]:
        """Live saved searches, in the order they were saved."""
        ...
    def add_saved_search(self, search: SavedSearch) -> SavedSearch:
        """Store a new one; refuses a uuid already stored (live or trashed)."""
        ...
    def remove_saved_search(self, uuid: str) -> SavedSearch:
        """Move one to the trash (nothing is deleted)."""
        ...

    # index feed
    def index_fingerprints(self) -> dict[str, str]: ...
    def index_docs(self, keys: Sequence[str]) -> list[IndexDoc]: ...
    def index_docs_of_document(self, document_id: int) -> list[IndexDoc]: ...

    # health
    def check(self) -> list[str]: ...
    def revision(self) -> int: ...
    def backup(self, reason: str) -> Path:
        """Take a verified online backup now (before a merge, a repair, ...)."""
        ...
    def library_id(self) -> str: ...
    def note_record(self, item_id: int) -> tuple[str, str] | None:
        """(record kind, uuid) of the user record behind a search hit of kind "note"."""
        ...


class RecordStore(Protocol):
    """Storage of user records (``workbench.records``), implemented by ``db.records``.

    Writes happen only inside ``atomic()``, which the service opens once per user action; the
    same transaction bumps the library revision and writes the audit row and the undo entry.
    """

    def atomic(self) -> AbstractContextManager[object]: ...
    def bump_revision(self) -> int: ...
    def audit(self, action: str, target: str, detail: dict[str, Any], *, actor: str) -> None: ...

    def get(self, kind: str, uuid: str) -> Record | None: ...
    def put(self, record: Record) -> None:
        """Insert or update the record with this uuid (never replaces other rows)."""
        ...
    def purge(self, kind: str, uuid: str) -> None:
        """Remove a row for good: only used to undo the record's own creation."""
        ...
    def records(
        self, kind: str, *, plan: str | None = None, include_deleted: bool = False
    ) -> list[Record]:
        """Records of one kind; ``plan`` matches the annotated/assessed plan, or a link's
        earlier *or* later plan."""
        ...
    def trashed(self) -> list[Record]: ...

    def push_undo(self, action: str, label: str, actor: str, steps: list[dict[str, Any]]) -> int:
        """Record a done action; discards any redo history."""
        ...
    def undo_entries(self) -> list[UndoEntry]:
        """Every undo-log entry in any state, oldest first."""
        ...
    def undo_candidate(self) -> UndoEntry | None: ...
    def redo_candidate(self) -> UndoEntry | None: ...
    def set_undo_state(self, entry_id: int, state: str) -> None: ...
    def audit_log(self, *, target: str | None = None, limit: int = 100) -> list[AuditEntry]: ...

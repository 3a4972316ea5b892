"""``SqliteStore``: the library database behind the ``workbench.ports.Store`` protocol.

Every write method is one ``db.atomic()`` transaction that also bumps the library revision, so
a document is either fully present or absent and a caller may say "saved" when it returns.
Reads return frozen ``workbench.model`` values. One store per thread (sqlite3 connections are
not shared across threads).

What the store delegates: row conversion and the insert of an extraction to ``db.rows``, the
search index's feed to ``db.index_feed``, opening (migrations, recovery, backups) to
``db.recovery``/``db.connection``, and user records to ``db.records.SqliteRecords``.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import connection, recovery, saved_searches
from db import rows as convert
from db.content import ContentReads
from db.index_feed import IndexFeed
from workbench.errors import InvalidInput, NotFound
from workbench.model import (
    META_FIELDS,
    Commitment,
    Document,
    Extraction,
    IndexDoc,
    Plan,
    PlanMeta,
    SavedSearch,
    Section,
)

_META_FIELDS = META_FIELDS


utc_now = convert.utc_now  # db.records and older callers import it from here


class SqliteStore(ContentReads):
    """The library's SQLite database, opened with migrations and guards."""

    def __init__(
        self,
        path: Path,
        *,
        backups_dir: Path | None = None,
        actor: str = "",
        read_only: bool | None = None,
        network: bool | None = None,
        backup_interval: dt.timedelta | None = recovery.DAILY,
    ) -> None:
        """Open (creating if needed) the database through ``db.recovery.open_database``.

        Args:
            read_only: ``None`` decides from the permissions of the folder and the file.
            network: ``None`` decides from the filesystem type and the path.
            backup_interval: age of the newest backup that triggers a daily one at open
                (``None``: never at open).

        Raises:
            LibraryDamaged: damage found at open (``.backups`` lists what can be restored).
            LibraryReadOnly, LibraryLocked, DatabaseTooNew, LibraryError.
        """
        self.path = path
        self.actor = actor
        self.backups_dir = backups_dir or path.parent / "backups"
        self._opened = recovery.open_database(
            path, self.backups_dir, read_only=read_only, network=network,
            backup_interval=backup_interval,
        )
        self.db: Database = self._opened.db
        self.migrated = self._opened.migrated
        self.read_only = self._opened.read_only
        self.network = self._opened.network
        self.unclean_shutdown = self._opened.unclean
        #: one-line notices for a banner or stderr (read-only, network folder, checked after a
        #: crash, no daily backup)
        self.warnings: list[str] = self._opened.warnings
        self._feed = IndexFeed(self.db)

    def close(self) -> None:
        """Close the connection; only then is the session marked as cleanly closed."""
        opened = getattr(self, "_opened", None)
        if opened is not None:
            opened.close()

    # -- helpers -------------------------------------------------------------------------

    def _bump(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        rev = int(row[0]) + 1 if row else 1
        # plain statements, not sqlite-utils' upsert/insert (a savepoint and a schema look-up
        # each): every write calls these (issue 12, Speed)
        self.db.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('revision', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(rev),))
        return rev

    def _audit(self, action: str, target: str, detail: dict[str, Any]) -> None:
        self.db.conn.execute(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (utc_now(), self.actor, action, target, json.dumps(detail, ensure_ascii=False)),
        )

    def bump_revision(self) -> int:
        """Public ``_bump`` for other ``db`` modules' writes (call inside their ``atomic()``)."""
        return self._bump()

    def audit(
        self, action: str, target: str, detail: dict[str, Any], *, actor: str | None = None
    ) -> None:
        """Public ``_audit``, with an optional actor other than the store's own."""
        if actor is None or actor == self.actor:
            self._audit(action, target, detail)
            return
        saved, self.actor = self.actor, actor
        try:
            self._audit(action, target, detail)
        finally:
            self.actor = saved

    def revision(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0]) if row else 0

    def _plan_row(self, slug: str, *, include_removed: bool = True) -> dict[str, Any]:
        rows = list(self.db["plans"].rows_where("slug = ?", [slug]))
        if not rows or (rows[0]["removed_at"] and not include_removed):
            raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")
        return rows[0]

    def _current_document_id(self, plan_id: int) -> int | None:
        row = self.db.execute(
            "SELECT id FROM documents WHERE plan_id = ? ORDER BY version DESC LIMIT 1", [plan_id]
        ).fetchone()
        return row[0] if row else None

    # -- plans -----------------------------------------------------------------------------

    _PLANS_SQL = """
        SELECT p.*, d.id AS doc_id, d.page_count, d.repaired, d.copy_restricted,
               (SELECT count(*) FROM documents WHERE plan_id = p.id) AS versions,
               (SELECT count(*) FROM sections WHERE document_id = d.id) AS n_sections,
               (SELECT count(*) FROM commitments WHERE document_id = d.id) AS n_commitments,
               (SELECT group_concat(page_index) FROM pages
                 WHERE document_id = d.id AND needs_ocr = 1) AS ocr_pages
        FROM plans p
        LEFT JOIN documents d ON d.id = (
            SELECT id FROM documents WHERE plan_id = p.id ORDER BY version DESC LIMIT 1)
    """

    def plans(self, *, include_removed: bool = False) -> list[Plan]:
        where = "" if include_removed else "WHERE p.removed_at IS NULL"
        sql = self._PLANS_SQL + where
        plans = [convert.plan_from_row(r) for r in self.db.query(sql)]
        return sorted(plans, key=convert.chronological_key(plans))

    def plan(self, slug: str) -> Plan:
        # one row, not every plan: an import asks for its new plan after each document, and
        # reading the whole library each time made a batch import quadratic (issue 12, Speed)
        rows = list(self.db.query(self._PLANS_SQL + "WHERE p.slug = ?", [slug]))
        if not rows:
            raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")
        return convert.plan_from_row(rows[0])

    def slug_exists(self, slug: str) -> bool:
        return self.db.execute("SELECT 1 FROM plans WHERE slug = ?", [slug]).fetchone() is not None

    def document_by_sha(self, sha256: str) -> Document | None:
        # one plain query (asked twice for every imported file): sqlite-utils' rows_where
        # looked the table up first each time (issue 12, Speed)
        cursor = self.db.execute("SELECT * FROM documents WHERE sha256 = ?", [sha256])
        rows = cursor.fetchall()
        if not rows:
            return None
        return convert.document_from_row(dict(zip([d[0] for d in cursor.description], rows[0],
                                                  strict=True)))

    def document(self, document_id: int) -> Document:
        rows = list(self.db["documents"].rows_where("id = ?", [document_id]))
        if not rows:
            raise NotFound(f"No document {document_id}.")
        return convert.document_from_row(rows[0])

    def documents(self, plan_slug: str) -> list[Document]:
        plan = self._plan_row(plan_slug)
        rows = self.db["documents"].rows_where("plan_id = ?", [plan["id"]], order_by="version")
        return [convert.document_from_row(r) for r in rows]

    def add_document(
        self,
        *,
        slug: str,
        meta: PlanMeta,
        extraction: Extraction,
        file_name: str,
        stored_path: str,
        replaces: str | None = None,
        log: tuple[str, str] | None = None,
    ) -> Plan:
        """Store a whole extraction as a new plan, or as a new version of ``replaces``.

        One transaction: on any error nothing of the document remains. ``log`` is the import
        log's ``(path, message)`` for this document, written in the same transaction (one
        commit, one fsync a document instead of two; issue 12, Speed).
        """
        with self.db.atomic():
            if replaces:
                plan_row = self._plan_row(replaces)
                plan_id = plan_row["id"]
                version = (
                    self.db.execute(
                        "SELECT coalesce(max(version), 0) FROM documents WHERE plan_id = ?",
                        [plan_id],
                    ).fetchone()[0]
                    + 1
                )
                slug = plan_row["slug"]
            else:
                row = {f: getattr(meta, f) for f in _META_FIELDS}
                row.update(slug=slug, created_at=utc_now(), meta_rev=1)
                plan_id = convert.insert_row(self.db, "plans", row)
                version = 1
            doc_id = convert.insert_extraction(
                self.db, plan_id, version, extraction, file_name, stored_path)
            self._audit(
                "import",
                f"plan:{slug}",
                {"document_id": doc_id, "version": version, "sha256": extraction.sha256},
            )
            if log is not None:
                self._insert_log(log[0], extraction.sha256, "imported", log[1])
            self._bump()
        return self.plan(slug)

    def resegment(self, slug: str, extraction: Extraction) -> Plan:
        """Replace the pages, sections and commitment units of a plan's current document with
        a new analysis of the same file (a newer segmenter, issue 12).

        The replaced rows are derived data (user records anchor to quotes, not to these rows,
        and are re-anchored by the caller), but their ids are printed (``show``) and typed
        (``link 812 1403``): a section or unit found again with the same text and place keeps
        its id, and an id that no longer names one is never given to another (fix11). One
        transaction, audited with the old and new counts.

        Raises:
            InvalidInput: ``extraction`` is not of the plan's current file.
        """
        with self.db.atomic():
            plan_row = self._plan_row(slug)
            doc_id = self._current_document_id(plan_row["id"])
            doc = self.document(doc_id) if doc_id is not None else None
            if doc is None or doc.sha256 != extraction.sha256:
                raise InvalidInput(f"The file read is not the current version of {slug}.")
            before = {t: self.db.execute(f"SELECT count(*) FROM {t} WHERE document_id = ?",  # noqa: S608 - constant table names
                                         [doc_id]).fetchone()[0]
                      for t in ("sections", "commitments")}
            kept = convert.ids_in(self.db, doc.id)  # units found again keep their ids
            convert.retire_ids(self.db)  # and no other passage is ever given a removed one
            for table in ("commitments", "sections", "pages"):  # children first
                self.db.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])  # noqa: S608
            convert.insert_content(self.db, doc.id, extraction, kept)
            self._audit("resegment", f"plan:{slug}", {
                "document_id": doc.id, "before": before,
                "after": {"sections": len(extraction.sections),
                          "commitments": len(extraction.commitments)}})
            self._bump()
        return self.plan(slug)

    def update_plan_meta(self, slug: str, meta: PlanMeta) -> Plan:
        """Replace a plan's editable metadata (one transaction, audited). The row is read
        inside the transaction, so ``meta_rev`` and the audited old values are the ones
        replaced."""
        if meta.supersedes == slug:
            raise InvalidInput("A plan cannot supersede itself.")
        new = {f: getattr(meta, f) for f in _META_FIELDS}
        with self.db.atomic():
            row = self._plan_row(slug)
            if meta.supersedes and not self.slug_exists(meta.supersedes):
                raise InvalidInput(f"No plan called {meta.supersedes!r} to supersede.")
            old = {f: row[f] or "" for f in _META_FIELDS}
            if new == old:
                return self.plan(slug)
            new["meta_rev"] = row["meta_rev"] + 1
            self.db["plans"].update(row["id"], new)
            changed = {k: [old[k], new[k]] for k in _META_FIELDS if old[k] != new[k]}
            self._audit("edit_plan", f"plan:{slug}", changed)
            self._bump()
        return self.plan(slug)

    def remove_plan(self, slug: str) -> Plan:
        """Move a plan to the trash: hidden and unindexed, but nothing is deleted."""
        row = self._plan_row(slug)
        if row["removed_at"]:
            return self.plan(slug)
        with self.db.atomic():
            self.db["plans"].update(row["id"], {"removed_at": utc_now()})
            self._audit("remove_plan", f"plan:{slug}", {})
            self._bump()
        return self.plan(slug)

    def restore_plan(self, slug: str) -> Plan:
        row = self._plan_row(slug)
        if not row["removed_at"]:
            return self.plan(slug)
        with self.db.atomic():
            self.db["plans"].update(row["id"], {"removed_at": None})
            self._audit("restore_plan", f"plan:{slug}", {})
            self._bump()
        return self.plan(slug)

    def trash(self) -> list[Plan]:
        removed = {
            r["slug"] for r in self.db.query("SELECT slug FROM plans WHERE removed_at IS NOT NULL")
        }
        return [p for p in self.plans(include_removed=True) if p.slug in removed]

    def log_import(self, path: str, sha256: str, outcome: str, message: str) -> None:
        with self.db.atomic():
            self._insert_log(path, sha256, outcome, message)

    def _insert_log(self, path: str, sha256: str, outcome: str, message: str) -> None:
        self.db.conn.execute(
            "INSERT INTO import_log (at, path, sha256, outcome, message) VALUES (?, ?, ?, ?, ?)",
            (utc_now(), path, sha256, outcome, message),
        )

    def import_log(self, limit: int = 100) -> list[dict[str, Any]]:
        return list(
            self.db.query("SELECT * FROM import_log ORDER BY id DESC LIMIT ?", [limit])
        )

    # -- content ---------------------------------------------------------------------------

    def sections(self, plan_slug: str) -> list[Section]:
        plan = self._plan_row(plan_slug)
        doc_id = self._current_document_id(plan["id"])
        rows = self.db["sections"].rows_where("document_id = ?", [doc_id], order_by="ordinal")
        return [convert.section_from_row(r) for r in rows]

    def commitments(self, plan_slug: str) -> list[Commitment]:
        plan = self._plan_row(plan_slug)
        doc_id = self._current_document_id(plan["id"])
        rows = self.db["commitments"].rows_where("document_id = ?", [doc_id], order_by="ordinal")
        return [convert.commitment_from_row(r) for r in rows]


    # -- search index feed (``db.index_feed``) ------------------------------------------

    def index_fingerprints(self) -> dict[str, str]:
        """{key: fingerprint} of every passage the search index should hold."""
        return self._feed.fingerprints()

    def index_docs(self, keys: Sequence[str]) -> list[IndexDoc]:
        """Build the index's view of the passages named by ``keys``."""
        return self._feed.docs(keys)

    def index_docs_of_document(self, document_id: int) -> list[IndexDoc]:
        """The passages of one document (an import feeds them to the index as it commits)."""
        return self._feed.document_docs(document_id)

    @staticmethod
    def note_target(item_id: int) -> tuple[str, int]:
        """("annotations" | "links" | "statuses", row id) of a "note:<item_id>" search hit."""
        return IndexFeed.note_target(item_id)

    _NOTE_RECORD_KINDS = {"annotations": "annotation", "links": "link", "statuses": "status"}

    def note_record(self, item_id: int) -> tuple[str, str] | None:
        """(record kind, uuid) of the record a "note:<item_id>" search hit came from."""
        try:
            table, row_id = self.note_target(item_id)
        except KeyError:
            return None
        row = self.db.execute(f"SELECT uuid FROM {table} WHERE id = ?",  # noqa: S608 - fixed names
                              [row_id]).fetchone()
        return (self._NOTE_RECORD_KINDS[table], row[0]) if row else None


    # -- saved searches (``db.saved_searches``) ------------------------------------------

    def saved_searches(self) -> list[SavedSearch]:
        return saved_searches.saved_searches(self)

    def add_saved_search(self, search: SavedSearch) -> SavedSearch:
        return saved_searches.add_saved_search(self, search)

    def remove_saved_search(self, uuid: str) -> SavedSearch:
        return saved_searches.remove_saved_search(self, uuid)

    # -- health ----------------------------------------------------------------------------

    def check(self) -> list[str]:
        """SQLite's checks plus the app's own invariants. Empty means healthy."""
        problems = connection.integrity_problems(self.db)
        invariants = {
            "documents without a plan": "SELECT count(*) FROM documents d "
            "LEFT JOIN plans p ON p.id = d.plan_id WHERE p.id IS NULL",
            "sections without a document": "SELECT count(*) FROM sections s "
            "LEFT JOIN documents d ON d.id = s.document_id WHERE d.id IS NULL",
            "commitments outside their section's document": "SELECT count(*) FROM commitments c "
            "JOIN sections s ON s.id = c.section_id WHERE s.document_id != c.document_id",
            "sections with pages out of range": "SELECT count(*) FROM sections s "
            "JOIN documents d ON d.id = s.document_id WHERE s.page_start < 0 "
            "OR s.page_end >= d.page_count OR s.page_end < s.page_start",
            "commitments with spans outside their page": "SELECT count(*) FROM commitments c "
            "JOIN pages g ON g.document_id = c.document_id AND g.page_index = c.page_index "
            "WHERE c.char_start < 0 OR c.char_end > length(g.text) OR c.char_end < c.char_start",
            "commitments on a missing page": "SELECT count(*) FROM commitments c "
            "LEFT JOIN pages g ON g.document_id = c.document_id AND g.page_index = c.page_index "
            "WHERE g.id IS NULL",
            "documents with missing pages": "SELECT count(*) FROM documents d "
            "WHERE d.page_count != (SELECT count(*) FROM pages WHERE document_id = d.id)",
            "plans superseding an unknown plan": "SELECT count(*) FROM plans "
            "WHERE supersedes != '' AND supersedes NOT IN (SELECT slug FROM plans)",
        }
        for label, sql in invariants.items():
            n = self.db.execute(sql).fetchone()[0]
            if n:
                problems.append(f"{n} {label}")
        return problems

    def backup(self, reason: str) -> Path:
        """A verified online backup now (``db.connection.backup``), e.g. "before-merge"."""
        return connection.backup(self.db, self.backups_dir, reason=reason)

    def library_id(self) -> str:
        """A random id naming this library in merge packages (created on first use)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'library_id'").fetchone()
        if row:
            return str(row[0])
        value = str(uuid.uuid4())
        with self.db.atomic():
            self.db["meta"].upsert({"key": "library_id", "value": value}, pk="key")
        return value

    def stored_files(self) -> list[tuple[str, str]]:
        """(stored_path, sha256) of every document, for checking the file store."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT stored_path, sha256 FROM documents")]

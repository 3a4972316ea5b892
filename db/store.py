"""``SqliteStore``: the library database behind the ``workbench.ports.Store`` protocol.

Every write method is one ``db.atomic()`` transaction that also bumps the library revision, so
a document is either fully present or absent and a caller may say "saved" when it returns.
Reads return frozen ``workbench.model`` values. One store per thread (sqlite3 connections are
not shared across threads).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import connection, recovery
from workbench.errors import InvalidInput, NotFound
from workbench.model import (
    META_FIELDS,
    Commitment,
    CommitmentId,
    Document,
    DocumentId,
    Extraction,
    IndexDoc,
    Plan,
    PlanId,
    PlanMeta,
    Section,
    SectionId,
)

INDEX_FORMAT = "1"  # bump when IndexDoc fields change, so every fingerprint changes
_META_FIELDS = META_FIELDS


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fp(*parts: object) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(str(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def _chronological_key(plans: list[Plan]):
    """Order plans by year published, then along their supersedes chain, then by date and slug.

    Partial dates ("2020" and "2020-03") do not order themselves: within one year, a plan that
    supersedes another comes after it.
    """
    by_slug = {p.slug: p for p in plans}

    def depth(plan: Plan) -> int:
        seen, n = {plan.slug}, 0
        while plan.meta.supersedes in by_slug and plan.meta.supersedes not in seen:
            plan = by_slug[plan.meta.supersedes]
            seen.add(plan.slug)
            n += 1
        return n

    def key(plan: Plan) -> tuple:
        published = plan.meta.published or "9999"
        return (published[:4], depth(plan), published, plan.slug)

    return key


class _Verdicts:
    """Relations and statuses keyed by the page span they are anchored to, per plan.

    A commitment takes the relations of every link whose source anchor overlaps its span, and
    the latest status (by as-at date) of a subject overlapping it. Without any it is
    "unreviewed" and "not_assessed", the vocabularies' defaults.
    """

    def __init__(self) -> None:
        self._spans: dict[tuple[int, int], list[tuple[int, int, str, str]]] = {}

    def add(self, plan_id: int, ref_json: str, *, relation: str = "", status: str = "") -> None:
        try:
            ref = json.loads(ref_json or "{}")
            anchor = ref.get("anchor", ref)
            key = (plan_id, int(anchor["page_index"]))
            start, end = int(anchor["start"]), int(anchor["end"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return
        self._spans.setdefault(key, []).append((start, end, relation, status))

    def of(self, plan_id: int, page_index: int, start: int, end: int) -> tuple[str, str]:
        relations: list[str] = []
        status = ""
        for s, e, relation, st in self._spans.get((plan_id, page_index), ()):
            if s < end and start < e:
                if relation and relation not in relations:
                    relations.append(relation)
                if st:
                    status = st  # in as-at order: the last is the latest
        return " ".join(relations) or "unreviewed", status or "not_assessed"


class SqliteStore:
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

    def close(self) -> None:
        """Close the connection; only then is the session marked as cleanly closed."""
        opened = getattr(self, "_opened", None)
        if opened is not None:
            opened.close()

    # -- helpers -------------------------------------------------------------------------

    def _bump(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        rev = int(row[0]) + 1 if row else 1
        self.db["meta"].upsert({"key": "revision", "value": str(rev)}, pk="key")
        return rev

    def _audit(self, action: str, target: str, detail: dict[str, Any]) -> None:
        self.db["audit_log"].insert(
            {
                "at": utc_now(),
                "actor": self.actor,
                "action": action,
                "target": target,
                "detail": json.dumps(detail, ensure_ascii=False),
            }
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

    def plans(self, *, include_removed: bool = False) -> list[Plan]:
        where = "" if include_removed else "WHERE p.removed_at IS NULL"
        sql = f"""
            SELECT p.*, d.id AS doc_id, d.page_count, d.repaired, d.copy_restricted,
                   (SELECT count(*) FROM documents WHERE plan_id = p.id) AS versions,
                   (SELECT count(*) FROM sections WHERE document_id = d.id) AS n_sections,
                   (SELECT count(*) FROM commitments WHERE document_id = d.id) AS n_commitments,
                   (SELECT group_concat(page_index) FROM pages
                     WHERE document_id = d.id AND needs_ocr = 1) AS ocr_pages
            FROM plans p
            LEFT JOIN documents d ON d.id = (
                SELECT id FROM documents WHERE plan_id = p.id ORDER BY version DESC LIMIT 1)
            {where}
        """  # noqa: S608 - `where` is one of two constants
        plans = [self._plan_from_row(r) for r in self.db.query(sql)]
        return sorted(plans, key=_chronological_key(plans))

    @staticmethod
    def _plan_from_row(r: dict[str, Any]) -> Plan:
        meta = PlanMeta(**{f: r[f] or "" for f in _META_FIELDS})
        ocr = tuple(int(x) for x in (r["ocr_pages"] or "").split(",") if x)
        return Plan(
            id=PlanId(r["id"]),
            slug=r["slug"],
            meta=meta,
            pages=r["page_count"] or 0,
            sections=r["n_sections"] or 0,
            commitments=r["n_commitments"] or 0,
            document_id=DocumentId(r["doc_id"]) if r["doc_id"] else None,
            versions=r["versions"] or 0,
            needs_ocr_pages=ocr,
            repaired=bool(r["repaired"]),
            copy_restricted=bool(r["copy_restricted"]),
        )

    def plan(self, slug: str) -> Plan:
        for p in self.plans(include_removed=True):
            if p.slug == slug:
                return p
        raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")

    def slug_exists(self, slug: str) -> bool:
        return self.db.execute("SELECT 1 FROM plans WHERE slug = ?", [slug]).fetchone() is not None

    def document_by_sha(self, sha256: str) -> Document | None:
        rows = list(self.db["documents"].rows_where("sha256 = ?", [sha256]))
        return self._document_from_row(rows[0]) if rows else None

    def document(self, document_id: int) -> Document:
        rows = list(self.db["documents"].rows_where("id = ?", [document_id]))
        if not rows:
            raise NotFound(f"No document {document_id}.")
        return self._document_from_row(rows[0])

    def documents(self, plan_slug: str) -> list[Document]:
        plan = self._plan_row(plan_slug)
        rows = self.db["documents"].rows_where("plan_id = ?", [plan["id"]], order_by="version")
        return [self._document_from_row(r) for r in rows]

    @staticmethod
    def _document_from_row(r: dict[str, Any]) -> Document:
        return Document(
            id=DocumentId(r["id"]),
            plan_id=PlanId(r["plan_id"]),
            sha256=r["sha256"],
            file_name=r["file_name"],
            stored_path=r["stored_path"],
            page_count=r["page_count"],
            version=r["version"],
            imported_at=r["imported_at"] or "",
            repaired=bool(r["repaired"]),
            warnings=tuple(json.loads(r["warnings"] or "[]")),
            copy_restricted=bool(r["copy_restricted"]),
        )

    def add_document(
        self,
        *,
        slug: str,
        meta: PlanMeta,
        extraction: Extraction,
        file_name: str,
        stored_path: str,
        replaces: str | None = None,
    ) -> Plan:
        """Store a whole extraction as a new plan, or as a new version of ``replaces``.

        One transaction: on any error nothing of the document remains.
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
                plan_id = self.db["plans"].insert(row).last_pk
                version = 1
            doc_id = self._insert_extraction(plan_id, version, extraction, file_name, stored_path)
            self._audit(
                "import",
                f"plan:{slug}",
                {"document_id": doc_id, "version": version, "sha256": extraction.sha256},
            )
            self._bump()
        return self.plan(slug)

    def _insert_extraction(
        self, plan_id: int, version: int, ex: Extraction, file_name: str, stored_path: str
    ) -> int:
        doc_id = (
            self.db["documents"]
            .insert(
                {
                    "plan_id": plan_id,
                    "sha256": ex.sha256,
                    "pdf_id": ex.pdf_id,
                    "file_name": file_name,
                    "stored_path": stored_path,
                    "page_count": ex.page_count,
                    "version": version,
                    "imported_at": utc_now(),
                    "repaired": int(ex.repaired),
                    "warnings": json.dumps(list(ex.warnings), ensure_ascii=False),
                    "copy_restricted": int(ex.copy_restricted),
                    "pdf_title": ex.title,
                }
            )
            .last_pk
        )
        self._insert_content(int(doc_id), ex)
        return int(doc_id)

    def resegment(self, slug: str, extraction: Extraction) -> Plan:
        """Replace the pages, sections and commitment units of a plan's current document with
        a new analysis of the same file (a newer segmenter, issue 12).

        The replaced rows are derived data (user records anchor to quotes, not to these rows,
        and are re-anchored by the caller); one transaction, audited with the old and new
        counts.

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
            for table in ("commitments", "sections", "pages"):  # children first
                self.db.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])  # noqa: S608
            self._insert_content(doc.id, extraction)
            self._audit("resegment", f"plan:{slug}", {
                "document_id": doc.id, "before": before,
                "after": {"sections": len(extraction.sections),
                          "commitments": len(extraction.commitments)}})
            self._bump()
        return self.plan(slug)

    def _insert_content(self, doc_id: int, ex: Extraction) -> None:
        """The pages, sections and commitment units of one document."""
        labels = {p.index: p.label for p in ex.pages}
        self.db["pages"].insert_all(
            (
                {
                    "document_id": doc_id,
                    "page_index": p.index,
                    "label": p.label,
                    "text": p.text,
                    "needs_ocr": int(p.needs_ocr),
                    "width": p.width,
                    "height": p.height,
                }
                for p in ex.pages
            ),
            batch_size=200,
        )
        section_ids: dict[int, int] = {}
        for s in ex.sections:
            section_ids[s.ordinal] = (
                self.db["sections"]
                .insert(
                    {
                        "document_id": doc_id,
                        "ordinal": s.ordinal,
                        "heading": s.heading,
                        "level": s.level,
                        "path": json.dumps(list(s.path), ensure_ascii=False),
                        "page_start": s.page_start,
                        "page_end": s.page_end,
                        "label_start": labels.get(s.page_start, str(s.page_start + 1)),
                        "label_end": labels.get(s.page_end, str(s.page_end + 1)),
                        "char_start": s.char_start,
                        "text": s.text,
                        "fingerprint": _fp(s.heading, s.level, s.path, s.text, s.page_start),
                    }
                )
                .last_pk
            )
        self.db["commitments"].insert_all(
            (
                {
                    "document_id": doc_id,
                    "section_id": section_ids[c.section_ordinal],
                    "ordinal": c.ordinal,
                    "text": c.text,
                    "page_index": c.page_index,
                    "page_label": labels.get(c.page_index, str(c.page_index + 1)),
                    "char_start": c.char_start,
                    "char_end": c.char_end,
                    "lead_in": c.lead_in,
                    "kind": c.kind,
                    "rects": json.dumps(
                        [[r.page_index, r.x0, r.y0, r.x1, r.y1] for r in c.rects]
                    ),
                    "fingerprint": _fp(c.text, c.page_index, c.section_ordinal, c.lead_in,
                                       c.kind),
                }
                for c in ex.commitments
            ),
            batch_size=200,
        )

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
            self.db["import_log"].insert(
                {"at": utc_now(), "path": path, "sha256": sha256, "outcome": outcome,
                 "message": message}
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
        return [self._section_from_row(r) for r in rows]

    def section(self, section_id: SectionId) -> Section:
        rows = list(self.db["sections"].rows_where("id = ?", [section_id]))
        if not rows:
            raise NotFound(f"No section {section_id}.")
        return self._section_from_row(rows[0])

    @staticmethod
    def _section_from_row(r: dict[str, Any]) -> Section:
        return Section(
            id=SectionId(r["id"]),
            document_id=DocumentId(r["document_id"]),
            ordinal=r["ordinal"],
            heading=r["heading"],
            level=r["level"],
            path=tuple(json.loads(r["path"])),
            page_start=r["page_start"],
            page_end=r["page_end"],
            label_start=r["label_start"] or "",
            label_end=r["label_end"] or "",
            text=r["text"],
        )

    def commitments(self, plan_slug: str) -> list[Commitment]:
        plan = self._plan_row(plan_slug)
        doc_id = self._current_document_id(plan["id"])
        rows = self.db["commitments"].rows_where("document_id = ?", [doc_id], order_by="ordinal")
        return [self._commitment_from_row(r) for r in rows]

    def commitment(self, commitment_id: CommitmentId) -> Commitment:
        rows = list(self.db["commitments"].rows_where("id = ?", [commitment_id]))
        if not rows:
            raise NotFound(f"No commitment {commitment_id}.")
        return self._commitment_from_row(rows[0])

    @staticmethod
    def _commitment_from_row(r: dict[str, Any]) -> Commitment:
        return Commitment(
            id=CommitmentId(r["id"]),
            document_id=DocumentId(r["document_id"]),
            section_id=SectionId(r["section_id"]),
            ordinal=r["ordinal"],
            text=r["text"],
            page_index=r["page_index"],
            page_label=r["page_label"] or "",
            char_start=r["char_start"] or 0,
            char_end=r["char_end"] or 0,
            lead_in=r["lead_in"] or "",
            kind=r.get("kind") or "commitment",
        )

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

    def plan_of_document(self, document_id: int) -> str:
        row = self.db.execute(
            "SELECT p.slug FROM documents d JOIN plans p ON p.id = d.plan_id WHERE d.id = ?",
            [document_id],
        ).fetchone()
        if not row:
            raise NotFound(f"No document {document_id}.")
        return row[0]

    # -- search index feed -----------------------------------------------------------------

    _LIVE_DOCS = """
        SELECT d.id FROM documents d JOIN plans p ON p.id = d.plan_id
        WHERE p.removed_at IS NULL
          AND d.version = (SELECT max(version) FROM documents WHERE plan_id = p.id)
    """

    def index_fingerprints(self) -> dict[str, str]:
        """{key: fingerprint} of every passage the search index should hold."""
        wanted: dict[str, str] = {}
        verdicts = self._verdicts()
        for table, kind in (("sections", "section"), ("commitments", "commitment")):
            extra = ", x.page_index, x.char_start, x.char_end" if kind == "commitment" else ""
            sql = f"""
                SELECT x.id, x.fingerprint, p.meta_rev, p.id{extra} FROM {table} x
                JOIN documents d ON d.id = x.document_id JOIN plans p ON p.id = d.plan_id
                WHERE x.document_id IN ({self._LIVE_DOCS})
            """  # noqa: S608 - table names are constants
            for row in self.db.execute(sql):
                verdict = ""
                if kind == "commitment":
                    verdict = "/".join(verdicts.of(row[3], row[4], row[5], row[6]))
                wanted[f"{kind}:{row[0]}"] = f"{row[1]}:{row[2]}:{INDEX_FORMAT}{verdict}"
        for note in self._note_docs():
            wanted[note.key] = note.fingerprint
        return wanted

    def _verdicts(self) -> _Verdicts:
        """Where the lineage links and delivery statuses of each plan are anchored."""
        verdicts = _Verdicts()
        try:
            links = self.db.execute(
                "SELECT from_plan_id, source, relation, updated_at FROM links "
                "WHERE deleted_at IS NULL AND state != 'rejected' ORDER BY updated_at, id"
            ).fetchall()
            statuses = self.db.execute(
                "SELECT plan_id, subject, status, as_at FROM statuses "
                "WHERE deleted_at IS NULL ORDER BY as_at, created_at, id"
            ).fetchall()
        except sqlite3.OperationalError:  # a library from before the lineage tables
            return verdicts
        for plan_id, ref, relation, _ in links:
            verdicts.add(plan_id, ref, relation=relation)
        for plan_id, ref, status, _ in statuses:
            verdicts.add(plan_id, ref, status=status)
        return verdicts

    # Notes (issue 5): annotation notes + tag names, link rationales, status rationales, as
    # passages of kind "note". One id space: item_id = row id * 4 + 1 (annotation), + 2 (link),
    # + 3 (status), so "note:<item_id>" names one record (``note_target`` decodes it).
    _NOTE_KINDS = {1: "annotations", 2: "links", 3: "statuses"}

    @staticmethod
    def note_target(item_id: int) -> tuple[str, int]:
        """("annotations" | "links" | "statuses", row id) of a "note:<item_id>" search hit."""
        return SqliteStore._NOTE_KINDS[item_id % 4], item_id // 4

    def _note_docs(self, only: set[int] | None = None) -> list[IndexDoc]:
        tags = {r[0]: r[1] for r in self.db.execute(
            "SELECT uuid, name FROM tags WHERE deleted_at IS NULL")}
        live = {r[0]: r for r in self.db.execute(
            "SELECT id, slug, title, published, stage, meta_rev FROM plans "
            "WHERE removed_at IS NULL")}
        out: list[IndexDoc] = []
        queries = {
            1: "SELECT id, plan_id, note, tags, anchor, updated_at, '' FROM annotations "
               "WHERE deleted_at IS NULL",
            2: "SELECT id, from_plan_id, rationale, '[]', source, updated_at, relation FROM links "
               "WHERE deleted_at IS NULL AND state != 'rejected'",
            3: "SELECT id, plan_id, rationale, '[]', subject, updated_at, status FROM statuses "
               "WHERE deleted_at IS NULL",
        }
        for code, sql in queries.items():
            for rid, plan_id, text, tag_json, anchor_json, updated, label in self.db.execute(sql):
                item_id = rid * 4 + code
                if (only is not None and item_id not in only) or plan_id not in live:
                    continue
                names = [tags[t] for t in json.loads(tag_json or "[]") if t in tags]
                body = "\n".join(x for x in (text or "", " ".join(names)) if x.strip())
                if not body.strip():
                    continue
                anchor = json.loads(anchor_json)
                anchor = anchor.get("anchor", anchor)  # links/statuses hold a {plan, anchor} ref
                _, slug, title, published, stage, meta_rev = live[plan_id]
                heading = {1: "Annotation", 2: f"Link: {label}", 3: f"Status: {label}"}[code]
                out.append(IndexDoc(
                    key=f"note:{item_id}", kind="note", item_id=item_id, plan=slug,
                    plan_title=title, plan_date=published or "", stage=stage or "",
                    path=(heading,), heading=heading, page_label=anchor.get("page_label", ""),
                    page_index=int(anchor.get("page_index", 0)), body=body,
                    relation=label if code == 2 else "", status=label if code == 3 else "",
                    fingerprint=f"{_fp(body, updated, label, anchor.get('page_index'))}:"
                                f"{meta_rev}:{INDEX_FORMAT}",
                ))
        return out

    def index_docs(self, keys: Sequence[str]) -> list[IndexDoc]:
        """Build the index's view of the passages named by ``keys``."""
        by_kind: dict[str, list[int]] = {"section": [], "commitment": [], "note": []}
        for key in keys:
            kind, _, num = key.partition(":")
            if kind in by_kind and num.isdigit():
                by_kind[kind].append(int(num))
        notes = by_kind.pop("note")
        docs: list[IndexDoc] = []
        verdicts = self._verdicts() if by_kind["commitment"] else _Verdicts()
        for kind, ids in by_kind.items():
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                docs.extend(self._index_docs_chunk(kind, chunk, verdicts))
        if notes:
            docs.extend(self._note_docs(set(notes)))
        return docs

    def _index_docs_chunk(self, kind: str, ids: list[int], verdicts: _Verdicts) -> list[IndexDoc]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        if kind == "section":
            sql = f"""
                SELECT s.id, s.heading, s.path, s.text AS body, s.page_start AS page_index,
                       s.label_start AS page_label, s.fingerprint,
                       p.slug, p.title, p.published, p.stage, p.meta_rev
                FROM sections s JOIN documents d ON d.id = s.document_id
                JOIN plans p ON p.id = d.plan_id WHERE s.id IN ({marks})
            """  # noqa: S608 - only placeholders are formatted in
        else:
            sql = f"""
                SELECT c.id, s.heading, s.path, c.text AS body, c.page_index,
                       c.page_label, c.fingerprint, c.char_start, c.char_end, p.id AS plan_id,
                       p.slug, p.title, p.published, p.stage, p.meta_rev
                FROM commitments c JOIN sections s ON s.id = c.section_id
                JOIN documents d ON d.id = c.document_id
                JOIN plans p ON p.id = d.plan_id WHERE c.id IN ({marks})
            """  # noqa: S608 - only placeholders are formatted in
        out = []
        for r in self.db.query(sql, ids):
            relation = status = verdict = ""
            if kind == "commitment":
                relation, status = verdicts.of(
                    r["plan_id"], r["page_index"], r["char_start"], r["char_end"]
                )
                verdict = f"{relation}/{status}"
            out.append(
                IndexDoc(
                    key=f"{kind}:{r['id']}",
                    kind=kind,
                    item_id=r["id"],
                    plan=r["slug"],
                    plan_title=r["title"],
                    plan_date=r["published"] or "",
                    stage=r["stage"] or "",
                    path=tuple(json.loads(r["path"])),
                    heading=r["heading"],
                    page_label=r["page_label"] or "",
                    page_index=r["page_index"] or 0,
                    body=r["body"],
                    fingerprint=f"{r['fingerprint']}:{r['meta_rev']}:{INDEX_FORMAT}{verdict}",
                    relation=relation,
                    status=status,
                )
            )
        return out

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

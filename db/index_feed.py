"""The search index's feed: which passages the index should hold, and their ``IndexDoc``s.

``IndexFeed`` reads the library database for ``workbench.services`` (through the ``Store``
port's ``index_fingerprints`` and ``index_docs``): sections and commitments of the newest
version of every live plan, plus user notes (annotation notes and tags, link and status
rationales) as passages of kind "note". A fingerprint changes whenever what the index shows of
a passage changes (its text, its plan's metadata, its lineage relation or delivery status), so
``SearchIndex.sync`` rewrites exactly the passages that changed. Read-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from sqlite_utils import Database

from db.rows import fingerprint
from workbench.model import IndexDoc, source_covers

INDEX_FORMAT = "1"  # bump when IndexDoc fields change, so every fingerprint changes


class Verdicts:
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
            if source_covers((s, e), (start, end)):
                if relation and relation not in relations:
                    relations.append(relation)
                if st:
                    status = st  # in as-at order: the last is the latest
        return " ".join(relations) or "unreviewed", status or "not_assessed"


class IndexFeed:
    """The index feed of one open database (used on the store's thread)."""

    def __init__(self, db: Database) -> None:
        self.db = db


    _LIVE_DOCS = """
        SELECT d.id FROM documents d JOIN plans p ON p.id = d.plan_id
        WHERE p.removed_at IS NULL
          AND d.version = (SELECT max(version) FROM documents WHERE plan_id = p.id)
    """

    def fingerprints(self) -> dict[str, str]:
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

    def _verdicts(self) -> Verdicts:
        """Where the lineage links and delivery statuses of each plan are anchored."""
        verdicts = Verdicts()
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
        return IndexFeed._NOTE_KINDS[item_id % 4], item_id // 4

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
                    fingerprint=f"{fingerprint(body, updated, label, anchor.get('page_index'))}:"
                                f"{meta_rev}:{INDEX_FORMAT}",
                ))
        return out

    def docs(self, keys: Sequence[str]) -> list[IndexDoc]:
        """Build the index's view of the passages named by ``keys``."""
        by_kind: dict[str, list[int]] = {"section": [], "commitment": [], "note": []}
        for key in keys:
            kind, _, num = key.partition(":")
            if kind in by_kind and num.isdigit():
                by_kind[kind].append(int(num))
        notes = by_kind.pop("note")
        docs: list[IndexDoc] = []
        verdicts = self._verdicts() if by_kind["commitment"] else Verdicts()
        for kind, ids in by_kind.items():
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                docs.extend(self._index_docs_chunk(kind, chunk, verdicts))
        if notes:
            docs.extend(self._note_docs(set(notes)))
        return docs

    def document_docs(self, document_id: int) -> list[IndexDoc]:
        """The passages of one stored document, as ``docs`` builds them: what an import feeds
        the index right after the document's commit (issue 12, Speed)."""
        keys = [f"section:{r[0]}" for r in self.db.execute(
            "SELECT id FROM sections WHERE document_id = ? ORDER BY id", [document_id])]
        keys += [f"commitment:{r[0]}" for r in self.db.execute(
            "SELECT id FROM commitments WHERE document_id = ? ORDER BY id", [document_id])]
        return self.docs(keys)

    def _index_docs_chunk(self, kind: str, ids: list[int], verdicts: Verdicts) -> list[IndexDoc]:
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

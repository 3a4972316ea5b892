"""``SqliteRecords``: user records (tags, annotations, corrections, links, statuses) in SQLite.

Implements ``workbench.ports.RecordStore`` on the connection of a ``SqliteStore`` (same
database, same thread). Converts frozen ``workbench.records`` values to rows and back: anchors,
refs and lists are JSON columns; plan slugs become ``plan_id`` foreign keys. Writes never use
``insert(replace=True)``: a new uuid is inserted, a known one is updated in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from db.store import SqliteStore
from workbench.errors import NotFound
from workbench.files import utc_now
from workbench.records import (
    RECORD_TYPES,
    AuditEntry,
    Record,
    UndoEntry,
)

TABLES = {
    "tag": "tags",
    "annotation": "annotations",
    "correction": "corrections",
    "link": "links",
    "status": "statuses",
}
_JSON_COLUMNS = {"anchor", "tags", "source", "targets", "evidence", "reasons", "history",
                 "subject"}
_RENAMED = {"group": "grp"}  # record field -> column (GROUP is an SQL keyword)


class SqliteRecords:
    """User records stored beside the library (one instance per thread, like its store)."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.db = store.db
        self._slug_by_id: dict[int, str] = {}
        self._id_by_slug: dict[str, int] = {}

    # -- transactions, revision and audit ---------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[object]:
        with self.db.atomic():
            yield self

    def bump_revision(self) -> int:
        return self.store.bump_revision()

    def audit(self, action: str, target: str, detail: dict[str, Any], *, actor: str) -> None:
        self.store.audit(action, target, detail, actor=actor)

    # -- plans ------------------------------------------------------------------------------

    def _plan_id(self, slug: str) -> int:
        if slug not in self._id_by_slug:
            row = self.db.execute("SELECT id FROM plans WHERE slug = ?", [slug]).fetchone()
            if not row:
                raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")
            self._id_by_slug[slug] = row[0]
            self._slug_by_id[row[0]] = slug
        return self._id_by_slug[slug]

    def _slug(self, plan_id: int) -> str:
        if plan_id not in self._slug_by_id:
            row = self.db.execute("SELECT slug FROM plans WHERE id = ?", [plan_id]).fetchone()
            if not row:
                raise NotFound(f"No plan {plan_id}.")
            self._slug_by_id[plan_id] = row[0]
            self._id_by_slug[row[0]] = plan_id
        return self._slug_by_id[plan_id]

    # -- conversion -------------------------------------------------------------------------

    def _to_row(self, record: Record) -> dict[str, Any]:
        data = record.to_json()
        kind = data.pop("record")
        row: dict[str, Any] = {}
        for key, value in data.items():
            column = _RENAMED.get(key, key)
            if key == "plan":
                row["plan_id"] = self._plan_id(value)
            elif key == "to_plan":
                row["to_plan_id"] = self._plan_id(value)
            elif key in _JSON_COLUMNS:
                row[column] = json.dumps(value, ensure_ascii=False)
            else:
                row[column] = value
        if kind in ("annotation", "correction"):
            row["anchor_status"] = data["anchor"]["status"]
            row["page_index"] = data["anchor"]["page_index"]
        elif kind == "link":
            row["from_plan_id"] = self._plan_id(data["source"]["plan"])
        elif kind == "status":
            row["plan_id"] = self._plan_id(data["subject"]["plan"])
        return row

    def _from_row(self, kind: str, row: dict[str, Any]) -> Record:
        cls = RECORD_TYPES[kind]
        data: dict[str, Any] = {"record": kind}
        for key, value in row.items():
            field = {v: k for k, v in _RENAMED.items()}.get(key, key)
            if key == "plan_id" and kind in ("annotation", "correction"):
                data["plan"] = self._slug(value)
            elif key == "to_plan_id":
                data["to_plan"] = self._slug(value)
            elif key in _JSON_COLUMNS:
                data[field] = json.loads(value) if value else None
            else:
                data[field] = value
        return cls.from_json(data)

    # -- records ----------------------------------------------------------------------------

    def get(self, kind: str, uuid: str) -> Record | None:
        table = TABLES[kind]
        rows = list(self.db[table].rows_where("uuid = ?", [uuid]))
        return self._from_row(kind, rows[0]) if rows else None

    def find(self, uuid: str) -> Record | None:
        """The record with this uuid, whatever its kind."""
        for kind in TABLES:
            record = self.get(kind, uuid)
            if record is not None:
                return record
        return None

    def put(self, record: Record) -> None:
        table = self.db[TABLES[record.KIND]]
        row = self._to_row(record)
        existing = self.db.execute(
            f"SELECT id FROM {table.name} WHERE uuid = ?", [record.uuid]  # noqa: S608
        ).fetchone()
        if existing:
            table.update(existing[0], row)
        else:
            table.insert(row)

    def purge(self, kind: str, uuid: str) -> None:
        table = TABLES[kind]
        self.db.execute(f"DELETE FROM {table} WHERE uuid = ?", [uuid])  # noqa: S608

    def records(
        self, kind: str, *, plan: str | None = None, include_deleted: bool = False
    ) -> list[Record]:
        table = TABLES[kind]
        where, args = [], []
        if not include_deleted:
            where.append("deleted_at IS NULL")
        if plan is not None:
            pid = self._plan_id(plan)
            if kind == "link":
                where.append("(from_plan_id = ? OR to_plan_id = ?)")
                args += [pid, pid]
            elif kind != "tag":
                where.append("plan_id = ?")
                args.append(pid)
        rows = self.db[table].rows_where(" AND ".join(where) or None, args, order_by="id")
        return [self._from_row(kind, r) for r in rows]

    def trashed(self) -> list[Record]:
        out: list[Record] = []
        for kind, table in TABLES.items():
            rows = self.db[table].rows_where("deleted_at IS NOT NULL", order_by="deleted_at")
            out += [self._from_row(kind, r) for r in rows]
        return sorted(out, key=lambda r: r.deleted_at or "")

    # -- undo history -----------------------------------------------------------------------

    def push_undo(self, action: str, label: str, actor: str, steps: list[dict[str, Any]]) -> int:
        self.db.execute("UPDATE undo_log SET state = 'discarded' WHERE state = 'undone'")
        return int(
            self.db["undo_log"]
            .insert(
                {
                    "at": utc_now(),
                    "actor": actor,
                    "action": action,
                    "label": label,
                    "state": "done",
                    "steps": json.dumps(steps, ensure_ascii=False),
                }
            )
            .last_pk
        )

    def _entry(self, sql: str) -> UndoEntry | None:
        rows = list(self.db.query(sql))
        if not rows:
            return None
        r = rows[0]
        return UndoEntry(r["id"], r["label"], r["action"], r["actor"] or "", r["at"], r["state"],
                         tuple(json.loads(r["steps"])))

    def undo_entries(self) -> list[UndoEntry]:
        """Every undo-log entry in any state, oldest first: the history of every record
        (``workbench.merge`` derives each record's known versions from it)."""
        return [
            UndoEntry(r["id"], r["label"], r["action"], r["actor"] or "", r["at"], r["state"],
                      tuple(json.loads(r["steps"])))
            for r in self.db.query("SELECT * FROM undo_log ORDER BY id")
        ]

    def undo_candidate(self) -> UndoEntry | None:
        return self._entry("SELECT * FROM undo_log WHERE state = 'done' ORDER BY id DESC LIMIT 1")

    def redo_candidate(self) -> UndoEntry | None:
        return self._entry("SELECT * FROM undo_log WHERE state = 'undone' ORDER BY id LIMIT 1")

    def set_undo_state(self, entry_id: int, state: str) -> None:
        self.db["undo_log"].update(entry_id, {"state": state})

    def audit_log(self, *, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        if target:
            rows = self.db.query(
                "SELECT * FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT ?",
                [target, limit],
            )
        else:
            rows = self.db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit])
        return [
            AuditEntry(r["id"], r["at"], r["actor"] or "", r["action"], r["target"],
                       json.loads(r["detail"] or "{}"))
            for r in rows
        ]

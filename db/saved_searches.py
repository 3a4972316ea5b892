"""Saved searches in the library database (table ``saved_searches``, migration m005).

Rows are never deleted: removing one sets ``deleted_at`` (the trash), like every user record.
Each write is one transaction with its audit row and a revision bump, done through the store
that owns the connection (``SqliteStore.add_saved_search`` and friends delegate here).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from db.rows import utc_now
from workbench.errors import InvalidInput, NotFound
from workbench.model import SavedSearch, SearchFilters

if TYPE_CHECKING:
    from db.store import SqliteStore

SORTS = ("relevance", "date")
_FILTER_FIELDS = ("plans", "kinds", "date_from", "date_to", "stages", "relations", "statuses")


def _filters_json(f: SearchFilters) -> str:
    data: dict[str, Any] = {}
    for name in _FILTER_FIELDS:
        value = getattr(f, name)
        if value:
            data[name] = list(value) if isinstance(value, tuple) else value
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _filters(text: str) -> SearchFilters:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    values: dict[str, Any] = {}
    for name in _FILTER_FIELDS:
        value = data.get(name)
        if name in ("date_from", "date_to"):
            values[name] = value if isinstance(value, str) else ""
        else:
            values[name] = tuple(str(v) for v in value) if isinstance(value, list) else ()
    return SearchFilters(**values)


def _from_row(r: dict[str, Any]) -> SavedSearch:
    return SavedSearch(uuid=r["uuid"], name=r["name"], query=r["query"],
                       filters=_filters(r["filters"]), sort=r["sort"] or "relevance",
                       created_at=r["created_at"] or "", created_by=r["created_by"] or "")


def saved_searches(store: SqliteStore) -> list[SavedSearch]:
    """Live saved searches, oldest first (the order they were saved in)."""
    rows = store.db["saved_searches"].rows_where("deleted_at IS NULL", order_by="id")
    return [_from_row(r) for r in rows]


def add_saved_search(store: SqliteStore, search: SavedSearch) -> SavedSearch:
    """Store a new saved search; refuses a uuid already stored (live or in the trash)."""
    if not search.uuid or not search.name.strip() or not search.query.strip():
        raise InvalidInput("A saved search needs a name and a query.")
    if search.sort not in SORTS:
        raise InvalidInput(f"Unknown sort {search.sort!r}; use one of: {', '.join(SORTS)}.")
    now = utc_now()
    with store.db.atomic():
        if store.db.execute("SELECT 1 FROM saved_searches WHERE uuid = ?",
                            [search.uuid]).fetchone():
            raise InvalidInput(f"A saved search with the id {search.uuid} exists already.")
        store.db["saved_searches"].insert({
            "uuid": search.uuid, "name": search.name.strip(), "query": search.query.strip(),
            "filters": _filters_json(search.filters), "sort": search.sort,
            "created_at": search.created_at or now, "created_by": search.created_by,
            "updated_at": now,
        })
        store.audit("save_search", f"saved_search:{search.uuid}",
                    {"name": search.name.strip(), "query": search.query.strip()},
                    actor=search.created_by or None)
        store.bump_revision()
    return next(s for s in saved_searches(store) if s.uuid == search.uuid)


def remove_saved_search(store: SqliteStore, uuid: str) -> SavedSearch:
    """Move a saved search to the trash (the row stays)."""
    rows = list(store.db["saved_searches"].rows_where("uuid = ? AND deleted_at IS NULL",
                                                      [uuid]))
    if not rows:
        raise NotFound(f"No saved search {uuid}.")
    with store.db.atomic():
        store.db["saved_searches"].update(rows[0]["id"], {"deleted_at": utc_now()})
        store.audit("remove_saved_search", f"saved_search:{uuid}", {"name": rows[0]["name"]})
        store.bump_revision()
    return _from_row(rows[0])

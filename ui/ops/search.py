"""Search: one query on the DB executor; the caller keeps only the latest job. Saved
searches: read and written through the store (library records the CLI sees too)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from ui.executor import Job
from ui.ops import OpContext
from ui.ops import records as records_ops
from workbench.errors import InvalidInput
from workbench.model import SavedSearch, SearchFilters, SearchResult
from workbench.services import Workbench

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 512  # RELIABILITY rule 10: long queries take seconds to parse


def run_search(
    ctx: OpContext,
    query: str,
    filters: SearchFilters,
    *,
    sort: str = "relevance",
    limit: int = 50,
    on_done: Callable[[SearchResult], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    query = query[:MAX_QUERY_CHARS]
    def work(wb: Workbench) -> SearchResult:
        # a relation found may be a verdict or only proposed: each hit says which (qa13)
        return records_ops.records(wb).linking.mark_verdicts(
            wb.search(query, filters, limit, sort=sort))

    return ctx.executor.submit(work, on_done=on_done, on_error=on_error)


# -- saved searches: library records (``Store.saved_searches``), shared with the CLI ------------

SavedEntry = dict[str, Any]  # the panel's shape: id, name, query, plans, kinds, dates, sort, …


def entry_of(s: SavedSearch) -> SavedEntry:
    f = s.filters
    return {"id": s.uuid, "name": s.name, "query": s.query, "plans": list(f.plans),
            "kinds": list(f.kinds), "date_from": f.date_from, "date_to": f.date_to,
            "sort": s.sort, "relations": list(f.relations), "statuses": list(f.statuses)}


def saved_of(entry: SavedEntry, actor: str) -> SavedSearch:
    def strings(key: str) -> tuple[str, ...]:
        value = entry.get(key) or []
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    filters = SearchFilters(plans=strings("plans"), kinds=strings("kinds"),
                            date_from=str(entry.get("date_from") or ""),
                            date_to=str(entry.get("date_to") or ""),
                            relations=strings("relations"), statuses=strings("statuses"))
    sort = entry.get("sort") if entry.get("sort") in ("relevance", "date") else "relevance"
    query = str(entry.get("query") or "")
    return SavedSearch(uuid=str(entry.get("id") or uuid.uuid4()),
                       name=str(entry.get("name") or query), query=query, filters=filters,
                       sort=sort, created_by=actor)


def adopt_saved(wb: Workbench, legacy: list[SavedEntry], actor: str) -> bool:
    """Copy saved searches the window kept in QSettings into the library (once, on the first
    library opened after the upgrade); those already there (same uuid) are left alone.
    False if the library cannot take them now (read-only): the window tries again next time."""
    if wb.store.read_only:
        return False
    known = {s.uuid for s in wb.store.saved_searches()}
    for entry in legacy:
        search = saved_of(entry, actor)
        if search.uuid not in known and search.query.strip():
            try:
                wb.store.add_saved_search(search)
            except InvalidInput:
                log.warning("saved search %r not adopted", search.name)
    return True


def load_saved(ctx: OpContext, *, legacy: list[SavedEntry], actor: str,
               on_done: Callable[[tuple[list[SavedEntry], bool]], None]) -> Job:
    """The library's saved searches (after adopting ``legacy`` ones); on_done gets (entries,
    whether ``legacy`` was adopted)."""
    def work(wb: Workbench) -> tuple[list[SavedEntry], bool]:
        adopted = adopt_saved(wb, legacy, actor) if legacy else False
        return [entry_of(s) for s in wb.store.saved_searches()], adopted

    return ctx.executor.submit(work, on_done=on_done)


def save(ctx: OpContext, entry: SavedEntry, actor: str, *,
         on_done: Callable[[SavedSearch], None],
         on_error: Callable[[BaseException], None] | None = None) -> Job:
    search = saved_of(entry, actor)
    return ctx.executor.submit(lambda wb: wb.store.add_saved_search(search), on_done=on_done,
                               on_error=on_error)


class SavedSearchList:
    """The library's saved searches as a window panel holds them: loaded through the store (the
    ones the window kept in QSettings adopted once, on the first library opened), and new ones
    written through the store, shown at once and taken back if the write fails."""

    ADOPTED_KEY = "search/saved_adopted"  # the QSettings saved searches went to a library
    LEGACY_KEY = "search/saved"

    def __init__(self, ctx: OpContext, settings: Any, say: Callable[[str], None]) -> None:
        self._ctx = ctx
        self._settings = settings  # QSettings
        self._say = say
        self.entries: list[SavedEntry] = []

    def _legacy(self) -> list[SavedEntry]:
        if self._settings.value(self.ADOPTED_KEY, False, type=bool):
            return []
        raw = self._settings.value(self.LEGACY_KEY, "[]")
        try:
            data = json.loads(raw if isinstance(raw, str) else "[]")
        except ValueError:
            return []
        return [d for d in data if isinstance(d, dict) and "query" in d]

    def reload(self, actor: str) -> None:
        load_saved(self._ctx, legacy=self._legacy(), actor=actor, on_done=self._on_loaded)

    def _on_loaded(self, result: tuple[list[SavedEntry], bool]) -> None:
        self.entries, adopted = result
        if adopted:  # the QSettings copy stays, unused, for an earlier version of the app
            self._settings.setValue(self.ADOPTED_KEY, True)

    def add(self, entry: SavedEntry, actor: str) -> None:
        self.entries.append(entry)
        save(self._ctx, entry, actor, on_done=lambda s: self._say(f"Saved search “{s.name}”"),
             on_error=lambda exc: self._failed(entry, exc))

    def _failed(self, entry: SavedEntry, exc: BaseException) -> None:
        if entry in self.entries:
            self.entries.remove(entry)
        self._say(f"Search not saved: {exc}")

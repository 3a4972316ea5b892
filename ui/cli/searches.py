"""Saved searches from the command line: ``workbench search QUERY … --save NAME`` keeps the
query with its filters in the library, ``workbench searches`` lists them (``--remove NAME``
moves one to the trash). The window's search panel saves into the same table.

Registered by ``ui.cli.main.MODULES``; ``save`` is called by ``cmd_search``. Qt-free.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from dataclasses import replace
from typing import Any

from ui.cli.output import EXIT_OK, emit
from ui.compose import default_actor
from workbench.errors import InvalidInput
from workbench.model import SavedSearch, SearchFilters
from workbench.services import Workbench


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("searches", parents=[common], help="list the library's saved searches",
                       description="Saved searches belong to the library: `workbench search "
                                   "QUERY --save NAME` and the window's search panel add them.")
    p.add_argument("--remove", metavar="NAME", help="move this saved search to the trash")


def saved_search_json(s: SavedSearch) -> dict[str, Any]:
    f = s.filters
    return {
        "uuid": s.uuid,
        "name": s.name,
        "query": s.query,
        "sort": s.sort,
        "filters": {"plans": list(f.plans), "kinds": list(f.kinds), "date_from": f.date_from,
                    "date_to": f.date_to, "relations": list(f.relations),
                    "statuses": list(f.statuses)},
        "created_at": s.created_at,
        "created_by": s.created_by,
    }


def _describe(s: SavedSearch) -> str:
    f = s.filters
    parts = [f"plan {p}" for p in f.plans] + [f"kind {k}" for k in f.kinds]
    if f.date_from or f.date_to:
        parts.append(f"published {f.date_from or '…'}–{f.date_to or '…'}")
    parts += [f"relation {r}" for r in f.relations] + [f"status {x}" for x in f.statuses]
    if s.sort != "relevance":
        parts.append(f"sorted by {s.sort}")
    return f"{s.name}: {s.query!r}" + (f" ({', '.join(parts)})" if parts else "")


def save(wb: Workbench, name: str, query: str, filters: SearchFilters, sort: str) -> SavedSearch:
    """Keep a search under ``name``; refuses a name already used (so a name stays one search)."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("--save needs a name.")
    if any(s.name.casefold() == name.casefold() for s in wb.store.saved_searches()):
        raise InvalidInput(f"A saved search called {name!r} exists already; choose another "
                           "name, or remove it first (`workbench searches --remove NAME`).")
    search = SavedSearch(uuid=str(uuid.uuid4()), name=name, query=query.strip(),
                         filters=replace(filters), sort=sort, created_by=default_actor())
    return wb.store.add_saved_search(search)


def cmd_searches(wb: Workbench, args: argparse.Namespace) -> int:
    if args.remove is not None:
        wanted = " ".join(args.remove.split()).casefold()
        match = [s for s in wb.store.saved_searches()
                 if s.name.casefold() == wanted or s.uuid == args.remove.strip()]
        if not match:
            raise InvalidInput(f"No saved search called {args.remove!r}; "
                               "`workbench searches` lists them.")
        removed = wb.store.remove_saved_search(match[0].uuid)
        emit(args, {"removed": saved_search_json(removed)},
             f"Moved the saved search {removed.name!r} to the trash.")
        return EXIT_OK
    searches = wb.store.saved_searches()
    emit(args, [saved_search_json(s) for s in searches],
         "\n".join(_describe(s) for s in searches) or "No saved searches.")
    return EXIT_OK


def note_saved(args: argparse.Namespace, search: SavedSearch) -> None:
    """After ``search --save``: one line on stderr (stdout keeps the results' contract)."""
    if not args.json:
        sys.stderr.write(f"Saved the search as {search.name!r}.\n")


COMMANDS = {"searches": cmd_searches}

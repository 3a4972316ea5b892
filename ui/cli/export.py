"""``workbench export``: write a briefing pack as PDF, DOCX, CSV or XLSX from the command line.

A Qt-free CLI command module (registered by ``ui.cli.main``): ``add_commands(sub, common)``
adds the ``export`` subcommand (and ``basket``, from ``ui.cli.basket``), ``COMMANDS`` maps them to
``fn(wb, args) -> exit code``. Items are chosen and filled by ``workbench.pack_builder``
(``collect_pack`` is the composition: the records service, the search index and the basket).

Saved searches live in the window's settings (QSettings), not in the library, so the CLI takes
the query itself (``--search``); ``--saved-search NAME`` only records the name in the colophon.
Emits nothing; prints progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from export import FORMATS, format_for, read_manifest, write_pack
from ui.basket import Basket
from ui.cli import basket as basket_cli
from ui.compose import default_actor, records_for
from workbench.errors import InvalidInput, WorkbenchError
from workbench.model import Kind, SearchFilters, SearchHit, is_partial_iso_date
from workbench.pack import Pack, PackSelection, PageImage, diff_packs
from workbench.pack_builder import (
    Selected,
    app_version,
    build_pack,
    resolve_item_key,
    select_items,
)
from workbench.review import Records
from workbench.services import Workbench
from workbench.tasks import SubState, TaskState

__all__ = ["COMMANDS", "add_commands", "app_version", "cmd_export", "collect_pack",
           "page_images", "refuse_overwrite", "search_fn", "selection_from_args"]

EXIT_OK, EXIT_INPUT = 0, 1
SEARCH_LIMIT = 1000


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``export`` (and ``basket``) on the ``workbench`` parser."""
    p = sub.add_parser(
        "export", parents=[common], help="write a briefing pack (PDF, DOCX, CSV or XLSX)",
        description="Write a briefing pack for a committee. Filters combine (all must match). "
                    "--from PLAN: that plan's commitments; --to PLAN: their links into that "
                    "plan (alone: the commitments linked into it); --relation R: items whose "
                    "link has relation R; --status S: items whose current status is S; --tag T: "
                    "items tagged T or a tag under it; --search Q: commitments the search finds; "
                    "--basket: the hand-picked items (`workbench basket`).",
    )
    p.add_argument("--format", dest="fmt", choices=FORMATS,
                   help="output format (default: from the file name's suffix)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="file to write (not inside the library folder)")
    p.add_argument("--force", action="store_true",
                   help="replace FILE even if it exists with another format's suffix")
    p.add_argument("--search", default="", metavar="Q", help="commitments matching a search")
    p.add_argument("--saved-search", dest="saved_search", default="", metavar="NAME",
                   help="name of the saved search Q came from (recorded in the colophon)")
    p.add_argument("--tag", default="", metavar="T", help="commitments with this tag")
    p.add_argument("--from", dest="from_plan", default="", metavar="PLAN",
                   help="earlier plan of a plan pair (slug)")
    p.add_argument("--to", dest="to_plan", default="", metavar="PLAN",
                   help="later plan of a plan pair (slug)")
    p.add_argument("--relation", default="", metavar="R",
                   help="only links with this relation, e.g. reversed")
    p.add_argument("--status", default="", metavar="S",
                   help="only this current delivery status, e.g. at_risk")
    p.add_argument("--basket", action="append", nargs="?", const="", default=None,
                   metavar="KEY",
                   help="hand-picked items: a commitment id, annotation uuid or item key "
                        "(repeatable); with no KEY, the library's basket")
    p.add_argument("--title", default="", help="title on the cover")
    p.add_argument("--committee", default="", help="committee the pack is for")
    p.add_argument("--author", default="", help="who prepared the pack")
    p.add_argument("--as-at", dest="as_at", default="", metavar="DATE",
                   help='the "as at" date of the facts and the cover (default: today)')
    p.add_argument("--changes-since", dest="changes_since", type=Path, metavar="FILE",
                   help="a previous export of the same selection (or its .pack.json)")
    p.add_argument("--page-images", dest="page_images", action="store_true",
                   help="include each commitment's page image with the passage highlighted")
    basket_cli.add_commands(sub, common)


def selection_from_args(args: argparse.Namespace, basket: Sequence[str] = ()) -> PackSelection:
    return PackSelection(
        search=args.search.strip(),
        saved_search=getattr(args, "saved_search", "").strip(),
        tag=args.tag.strip(),
        from_plan=args.from_plan.strip(),
        to_plan=args.to_plan.strip(),
        relation=args.relation.strip(),
        status=args.status.strip(),
        basket=tuple(basket),
    )


def search_fn(wb: Workbench):  # a SearchFn
    """``Workbench.search`` over commitments and sections, as the pack builder wants it."""

    def run(query: str) -> tuple[SearchHit, ...]:
        filters = SearchFilters(kinds=(Kind.COMMITMENT, Kind.SECTION))
        return wb.search(query, filters, limit=SEARCH_LIMIT, sort="relevance").hits

    return run


def basket_keys(wb: Workbench, records: Records, given: Sequence[str] | None) -> tuple[str, ...]:
    """Stable keys of ``--basket`` values; a bare ``--basket`` means the library's basket."""
    if given is None:
        return ()
    keys: list[str] = []
    for text in given:
        if text.strip():
            keys.append(resolve_item_key(records, text))
        else:
            keys += Basket.for_library(wb.paths.root).keys()
    if not keys:
        raise InvalidInput("The basket is empty: add items with `workbench basket add ID`.")
    return tuple(dict.fromkeys(keys))


def collect_pack(
    wb: Workbench,
    selection: PackSelection,
    *,
    title: str = "",
    committee: str = "",
    author: str = "",
    as_at: str = "",
    records: Records | None = None,
    state: TaskState | None = None,
) -> tuple[Pack, list[Selected]]:
    """The pack for ``selection`` (and the items chosen, for page images).

    Raises:
        InvalidInput: an unknown relation, status or tag.
        NotFound: an unknown plan.
    """
    state = state or TaskState()
    records = records or records_for(wb, default_actor())
    search = search_fn(wb)
    chosen = select_items(records, wb.store, selection, search=search,
                          state=SubState(state, 0.0, 0.3))
    pack = build_pack(records, wb.store, selection, title=title, committee=committee,
                      author=author, as_at=as_at, search=search, selected=chosen,
                      state=SubState(state, 0.3, 1.0))
    return pack, chosen


def page_images(wb: Workbench, pack: Pack, chosen: Sequence[Selected],
                state: TaskState) -> tuple[PageImage, ...]:
    """Render each item's page in the isolated render worker, with its passage boxes."""
    from indexing.worker import PdfRenderWorker  # only when asked for

    by_key = {s.key: s for s in chosen}
    images = []
    zoom = 1.5
    worker = PdfRenderWorker()
    try:
        for n, item in enumerate(pack.items):
            state.raise_if_cancelled()
            state.report(n / max(1, len(pack.items)), f"Rendering page image {n + 1}")
            found = by_key.get(item.key)
            if found is None or found.commitment is None:
                continue
            c = found.commitment
            plan = wb.store.plan(c.plan)
            if plan.document_id is None:
                continue
            document = wb.store.document(plan.document_id)
            path = wb.paths.stored_file(document.stored_path)
            png, w, h = worker.render(path, c.page_index, zoom, max_pixels=12_000_000)
            rects = []
            if c.commitment_id is not None:
                rects = getattr(wb.store, "commitment_rects", lambda _id: [])(c.commitment_id)
            boxes = tuple(
                (x0 * zoom / w, y0 * zoom / h, x1 * zoom / w, y1 * zoom / h)
                for page, x0, y0, x1, y1 in rects if page == c.page_index
            )
            caption = f"{item.citation.text()}: the passage is highlighted"
            images.append(PageImage(caption, png, item.key, boxes))
    finally:
        close = getattr(worker, "close", None)
        if close:
            close()
    return tuple(images)


def refuse_overwrite(out: Path, suffix: str, *, force: bool) -> None:
    """Refuse to replace an existing file that does not look like ``suffix`` (``.pdf``, ``.zip``)
    unless ``--force``: ``--out notes.docx --format csv`` must not destroy the notes.

    Raises:
        InvalidInput: ``out`` exists with another suffix and ``force`` is false.
    """
    if not force and out.exists() and out.suffix.casefold() != suffix.casefold():
        raise InvalidInput(f"{out} already exists and is not a {suffix} file; "
                           "give --force to replace it.")


def cmd_export(wb: Workbench, args: argparse.Namespace) -> int:
    """Collect the pack, add "changes since" and page images if asked, write it atomically."""
    if args.as_at and not is_partial_iso_date(args.as_at):
        raise InvalidInput("--as-at takes a date such as 2025-09-30.")
    fmt = format_for(args.out, args.fmt)  # an unknown format fails before any work
    out = wb.paths.refuse_output(args.out)
    refuse_overwrite(out, f".{fmt}", force=args.force)
    state = TaskState()
    records = records_for(wb, default_actor())
    selection = selection_from_args(args, basket_keys(wb, records, args.basket))
    pack, chosen = collect_pack(wb, selection, title=args.title, committee=args.committee,
                                author=args.author, as_at=args.as_at, records=records,
                                state=state)
    changes = None
    if args.changes_since is not None:
        changes = diff_packs(read_manifest(args.changes_since), pack)
    images: tuple[PageImage, ...] = ()
    if args.page_images:
        images = page_images(wb, pack, chosen, state)
    pack = replace(pack, changes_since=changes, page_images=images)
    if not args.json:
        sys.stderr.write(f"Writing {len(pack.items)} item(s) to {out}…\n")
    try:
        result = write_pack(pack, out, fmt, state=state)
    except OSError as exc:
        raise WorkbenchError(f"Could not write {out}: {exc.strerror or exc}") from None
    data: dict[str, Any] = {
        "path": str(result.path),
        "manifest": str(result.manifest),
        "format": result.fmt,
        "items": result.items,
        "library_revision": pack.library_revision,
        "selection": selection.to_json(),
        "changes_since": list(changes) if changes is not None else None,
    }
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"Wrote {result.items} item(s) to {result.path} ({result.fmt}).\n")
        for line in changes or ():
            sys.stdout.write(f"  {line}\n")
    return EXIT_OK


COMMANDS = {"export": cmd_export, **basket_cli.COMMANDS}

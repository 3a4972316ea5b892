"""``workbench export``: write a briefing pack as PDF, DOCX, CSV or XLSX from the command line.

A Qt-free CLI extension module (registered by ``ui/cli.py``): ``add_commands(sub, common)``
adds the subcommand, ``COMMANDS`` maps it to ``cmd_export(wb, args) -> exit code``.
``collect_pack(wb, selection)`` is the seam where the pack's items are gathered from the
library; today it builds commitments with citations (no lineage, statuses or notes), filtered by
search and plan. The lineage backend will replace it. Emits nothing; prints progress to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from export import FORMATS, read_manifest, write_pack
from workbench.errors import InvalidInput, WorkbenchError
from workbench.model import Commitment, Kind, Plan, SearchFilters, Section, is_partial_iso_date
from workbench.pack import (
    Citation,
    Pack,
    PackItem,
    PackSelection,
    PageImage,
    diff_packs,
)
from workbench.services import Workbench
from workbench.tasks import TaskState

__all__ = ["COMMANDS", "add_commands", "app_version", "cmd_export", "collect_pack",
           "selection_from_args"]

EXIT_OK, EXIT_INPUT = 0, 1
SEARCH_LIMIT = 1000
_HEADING_CHARS = 90
_LIST_MARK = re.compile(r"^\s*(?:\d+[.)]|[-•–])\s+")  # "3. ", "- ": numbering, not words


def app_version() -> str:
    try:
        return metadata.version("plan-workbench")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``export`` on the ``workbench`` parser."""
    p = sub.add_parser(
        "export", parents=[common], help="write a briefing pack (PDF, DOCX, CSV or XLSX)",
        description="Write a briefing pack for a committee. Filters combine (all must match).",
    )
    p.add_argument("--format", dest="fmt", choices=FORMATS,
                   help="output format (default: from the file name's suffix)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="file to write")
    p.add_argument("--search", default="", metavar="Q", help="commitments matching a search")
    p.add_argument("--tag", default="", metavar="T", help="commitments with this tag")
    p.add_argument("--from", dest="from_plan", default="", metavar="PLAN",
                   help="earlier plan of a plan pair (slug)")
    p.add_argument("--to", dest="to_plan", default="", metavar="PLAN",
                   help="later plan of a plan pair (slug)")
    p.add_argument("--relation", default="", metavar="R",
                   help="only links with this relation, e.g. reversed")
    p.add_argument("--status", default="", metavar="S", help="only this delivery status")
    p.add_argument("--title", default="", help="title on the cover")
    p.add_argument("--committee", default="", help="committee the pack is for")
    p.add_argument("--author", default="", help="who prepared the pack")
    p.add_argument("--as-at", dest="as_at", default="", metavar="DATE",
                   help='the "as at" date of the facts (default: today)')
    p.add_argument("--changes-since", dest="changes_since", type=Path, metavar="FILE",
                   help="a previous export of the same selection (or its .pack.json)")
    p.add_argument("--page-images", dest="page_images", action="store_true",
                   help="include each commitment's page image with the passage highlighted")


def selection_from_args(args: argparse.Namespace) -> PackSelection:
    return PackSelection(
        search=args.search.strip(),
        tag=args.tag.strip(),
        from_plan=args.from_plan.strip(),
        to_plan=args.to_plan.strip(),
        relation=args.relation.strip(),
        status=args.status.strip(),
    )


def _heading(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _HEADING_CHARS:
        return flat
    cut = flat[:_HEADING_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def _plans_in_scope(wb: Workbench, selection: PackSelection) -> list[Plan]:
    plans = wb.store.plans()
    wanted = [s for s in (selection.from_plan, selection.to_plan) if s]
    for slug in wanted:
        wb.store.plan(slug)  # raises NotFound with a helpful message
    return [p for p in plans if not wanted or p.slug in wanted]


def collect_pack(
    wb: Workbench,
    selection: PackSelection,
    *,
    title: str = "",
    committee: str = "",
    author: str = "",
    as_at: str = "",
    state: TaskState | None = None,
) -> Pack:
    """SEAM: gather the pack's items for ``selection`` from the library.

    Today: every commitment of the plans in scope (``from_plan``/``to_plan`` when given), or
    those a search finds, in plan order, each with its citation. Tags, relations, delivery
    statuses, baskets and lineage come from the records backend, which replaces this function.

    Raises:
        InvalidInput: a filter this version cannot apply yet.
        NotFound: an unknown plan.
    """
    unsupported = [name for name, value in (("--tag", selection.tag),
                                            ("--relation", selection.relation),
                                            ("--status", selection.status),
                                            ("a basket", selection.basket),
                                            ("a saved search", selection.saved_search))
                   if value]
    if unsupported:
        raise InvalidInput(
            f"Packs filtered by {', '.join(unsupported)} need the lineage records, which this "
            "version cannot read yet; use --search and --from/--to."
        )
    state = state or TaskState()
    plans = _plans_in_scope(wb, selection)
    extra: dict[str, str] = {}
    matched: set[int] | None = None
    if selection.search:
        filters = SearchFilters(plans=tuple(p.slug for p in plans), kinds=(Kind.COMMITMENT,))
        result = wb.search(selection.search, filters, limit=SEARCH_LIMIT, sort="relevance")
        matched = {h.item_id for h in result.hits if h.kind == Kind.COMMITMENT}
        extra["Search"] = f"{len(matched)} of {result.total} matching commitments " \
                          f"(query as interpreted: {result.query})"
        if result.notice:
            extra["Search notice"] = result.notice
    items: list[PackItem] = []
    for n, plan in enumerate(plans):
        state.raise_if_cancelled()
        state.report(n / max(1, len(plans)), f"Collecting {plan.title}")
        sections: dict[int, Section] = {s.id: s for s in wb.store.sections(plan.slug)}
        for c in wb.store.commitments(plan.slug):
            if matched is not None and c.id not in matched:
                continue
            items.append(_item(plan, sections.get(c.section_id), c))
    today = dt.date.today().isoformat()
    return Pack(
        title=title or f"Briefing pack: {selection.describe()}",
        committee=committee,
        author=author,
        date=today,
        as_at=as_at or today,
        selection=selection,
        library_revision=wb.store.revision(),
        app_version=app_version(),
        items=tuple(items),
        extra=extra,
    )


def _item(plan: Plan, section: Section | None, c: Commitment) -> PackItem:
    return PackItem(
        key=f"commitment:{plan.slug}:{c.ordinal}",
        heading=_heading(_LIST_MARK.sub("", c.text, count=1)),
        quote=c.text,  # exactly as printed; the lead-in ("We will:") is not part of it
        citation=Citation(plan.title, section.heading if section else "", c.page_label),
    )


def _page_images(wb: Workbench, pack: Pack, state: TaskState) -> tuple[PageImage, ...]:
    """Render each item's page in the isolated render worker, with its passage boxes."""
    from indexing.worker import PdfRenderWorker  # noqa: PLC0415 - only when asked for

    by_key: dict[str, tuple[Plan, Commitment]] = {}
    for plan in wb.store.plans():
        for c in wb.store.commitments(plan.slug):
            by_key[f"commitment:{plan.slug}:{c.ordinal}"] = (plan, c)
    images = []
    zoom = 1.5
    worker = PdfRenderWorker()
    try:
        for n, item in enumerate(pack.items):
            state.raise_if_cancelled()
            state.report(n / max(1, len(pack.items)), f"Rendering page image {n + 1}")
            found = by_key.get(item.key)
            if found is None:
                continue
            plan, c = found
            document = wb.store.document(c.document_id)
            path = wb.paths.stored_file(document.stored_path)
            png, w, h = worker.render(path, c.page_index, zoom, max_pixels=12_000_000)
            rects = getattr(wb.store, "commitment_rects", lambda _id: [])(c.id)
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


def cmd_export(wb: Workbench, args: argparse.Namespace) -> int:
    """Collect the pack, add "changes since" and page images if asked, write it atomically."""
    if args.as_at and not is_partial_iso_date(args.as_at):
        raise InvalidInput("--as-at takes a date such as 2025-09-30.")
    out: Path = args.out
    state = TaskState()
    selection = selection_from_args(args)
    pack = collect_pack(wb, selection, title=args.title, committee=args.committee,
                        author=args.author, as_at=args.as_at, state=state)
    changes = None
    if args.changes_since is not None:
        changes = diff_packs(read_manifest(args.changes_since), pack)
    images: tuple[PageImage, ...] = ()
    if args.page_images:
        images = _page_images(wb, pack, state)
    pack = replace(pack, changes_since=changes, page_images=images)
    if not args.json:
        sys.stderr.write(f"Writing {len(pack.items)} item(s) to {out}…\n")
    try:
        result = write_pack(pack, out, args.fmt, state=state)
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


COMMANDS = {"export": cmd_export}

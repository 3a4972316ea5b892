"""``workbench export``: write a briefing pack as PDF, DOCX, CSV or XLSX from the command line.

A Qt-free CLI command module (registered by ``ui.cli.main``): ``add_commands(sub, common)``
adds the ``export`` subcommand (and ``basket``, from ``ui.cli.basket``), ``COMMANDS`` maps them to
``fn(wb, args) -> exit code``. The export itself is ``workbench.pack_export.export_pack``
(the same use case the window runs), given the ``export`` writers and the render worker.

Saved searches live in the window's settings (QSettings), not in the library, so the CLI takes
the query itself (``--search``); ``--saved-search NAME`` only records the name in the colophon.
Emits nothing; prints progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import export
from export import FORMATS, format_for
from ui.basket import Basket
from ui.cli import basket as basket_cli
from ui.compose import default_actor, page_renderer, records_for
from workbench.errors import InvalidInput, WorkbenchError
from workbench.model import is_partial_iso_date
from workbench.pack import PackSelection
from workbench.pack_export import ExportRequest, export_pack
from workbench.pack_select import named_tag, relation_code, resolve_item_key, status_code
from workbench.review import Records
from workbench.services import Workbench

__all__ = ["COMMANDS", "add_commands", "cmd_export", "refuse_overwrite", "selection_from_args"]

EXIT_OK, EXIT_INPUT = 0, 1


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``export`` (and ``basket``) on the ``workbench`` parser."""
    p = sub.add_parser(
        "export", parents=[common], help="write a briefing pack (PDF, DOCX, CSV or XLSX)",
        description="Write a briefing pack for a committee. Filters combine (all must match). "
                    "--from PLAN: that plan's commitments; --to PLAN: their links into that "
                    "plan (alone: the commitments linked into it); --relation R: items whose "
                    "link has relation R, an officer's confirmed verdict or only a proposal "
                    "(each item says which; add --with-verdict for verdicts only); --status S: items whose current status is S; --tag T: "
                    "items tagged T or a tag under it; --search Q: commitments the search finds; "
                    "--basket: the hand-picked items (`workbench basket`); --with-verdict: only "
                    "items with a confirmed verdict (into --to PLAN if given).",
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
                   help="only links with this relation, e.g. reversed: confirmed verdicts "
                        "and proposals alike (each item says which: the Confirmed column, "
                        "\"suggested, not yet confirmed\"); with --with-verdict, verdicts only")
    p.add_argument("--status", default="", metavar="S",
                   help="only this current delivery status, e.g. at_risk")
    p.add_argument("--basket", action="append", nargs="?", const="", default=None,
                   metavar="KEY",
                   help="hand-picked items: a commitment id, annotation uuid or item key "
                        "(repeatable); with no KEY, the library's basket")
    p.add_argument("--with-verdict", dest="with_verdict", action="store_true",
                   help="only items with a verdict an officer confirmed (into --to PLAN if "
                        "given); leaves out items with no verdict or only a proposal")
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
        with_verdict=bool(getattr(args, "with_verdict", False)),
    )


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
    records = records_for(wb, default_actor())
    selection = selection_from_args(args, basket_keys(wb, records, args.basket))
    request = ExportRequest(selection, out, fmt, title=args.title, committee=args.committee,
                            author=args.author, as_at=args.as_at,
                            changes_since=args.changes_since, page_images=args.page_images)
    relation_code(selection), status_code(selection)  # an unknown code fails before "Writing"
    if selection.tag:
        named_tag(records, selection.tag)  # and so does a tag nobody made
    if not args.json:
        sys.stderr.write(f"Writing the pack to {out}…\n")
    try:
        result, pack = export_pack(wb, request, records, writer=export,
                                   renderer=page_renderer)
    except OSError as exc:
        raise WorkbenchError(f"Could not write {out}: {exc.strerror or exc}") from None
    changes = pack.changes_since
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
        if not result.items:  # qa12: an empty pack was written without a word
            holds = {"csv": "its header row",
                     "xlsx": "the header rows of its sheets and its colophon"}.get(
                result.fmt, "its cover and colophon")
            sys.stderr.write(f"No item matches this selection: the pack holds only {holds}.\n")
        for line in changes or ():
            sys.stdout.write(f"  {line}\n")
    return EXIT_OK


COMMANDS = {"export": cmd_export, **basket_cli.COMMANDS}

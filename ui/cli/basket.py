"""``workbench basket add|remove|list|clear``: the hand-picked items of a briefing pack.

Registered through ``ui.cli.export.add_commands`` (``export --basket`` reads the same basket).
The basket itself is ``ui.basket.Basket``. Qt-free.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ui.basket import Basket, basket_label
from ui.compose import default_actor, records_for
from workbench.errors import InvalidInput, WorkbenchError
from workbench.pack_select import resolve_item_key
from workbench.services import Workbench

__all__ = ["COMMANDS", "add_commands", "cmd_basket"]


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("basket", parents=[common],
                       help="hand-pick commitments and annotations for a briefing pack",
                       description="The basket lives in the library folder (basket.json). "
                                   "`workbench export --basket` uses it.")
    # alone, `workbench basket` lists it, as `workbench searches` does (qa12: it was a usage
    # error naming "action, KEY")
    p.add_argument("action", nargs="?", default="list", choices=("add", "remove", "list", "clear"),
                   help="what to do (default: list)")
    p.add_argument("keys", nargs="*", metavar="KEY",
                   help="a commitment id (as `workbench show` prints it, or m:<uuid>), an "
                        "annotation uuid, or a pack item key")


def cmd_basket(wb: Workbench, args: argparse.Namespace) -> int:
    basket = Basket.for_library(wb.paths.root)
    records = records_for(wb, default_actor())
    if args.action in ("add", "remove") and not args.keys:
        raise InvalidInput(f"`workbench basket {args.action}` needs at least one KEY.")
    changed: list[str] = []
    if args.action == "add":
        for text in args.keys:
            key = resolve_item_key(records, text)
            if basket.add(key, basket_label(records, key)):
                changed.append(key)
    elif args.action == "remove":
        for text in args.keys:
            try:
                key = resolve_item_key(records, text)
            except WorkbenchError:
                key = text
            if basket.remove(key):
                changed.append(key)
    elif args.action == "clear":
        basket.clear()
    entries = basket.entries()
    data: dict[str, Any] = {"action": args.action, "changed": changed,
                            "items": [{"key": e.key, "label": e.label, "added_at": e.added_at}
                                      for e in entries]}
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.action in ("add", "remove"):
        verb = "Added" if args.action == "add" else "Removed"
        sys.stdout.write(f"{verb} {len(changed)} item(s); the basket holds {len(entries)}.\n")
    elif args.action == "clear":
        sys.stdout.write("The basket is empty.\n")
    else:
        for e in entries:
            sys.stdout.write(f"{e.key}  {e.label}\n")
        if not entries:
            sys.stdout.write("The basket is empty.\n")
    return 0

COMMANDS = {"basket": cmd_basket}

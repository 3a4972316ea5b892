"""CLI commands of issue 7: ``workbench package export`` and ``workbench package import``.

Registered by ``ui.cli.main.MODULES``. Qt-free. ``package`` is an offline command
(``OFFLINE_COMMANDS``): an incoming package is validated *before* the library is opened, so a
refused package leaves every file untouched. Without ``--resolve``, a package with conflicts
is shown side by side and nothing is written (exit 1); ``--dry-run`` shows the plan only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ui import compose
from ui.cli.export import refuse_overwrite
from ui.cli.output import emit
from ui.compose import records_for
from workbench.errors import WorkbenchError
from workbench.merge import (
    RESOLUTIONS,
    MergePlan,
    apply_merge,
    plan_details,
    plan_merge,
    read_package,
    write_package,
)
from workbench.review import Records
from workbench.services import Workbench

EXIT_OK, EXIT_INPUT = 0, 1
PACKAGE_SUFFIX = ".zip"


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,  # see _common_options
                     help="who is acting (default: $WORKBENCH_USER or the login name)")
    p = sub.add_parser("package", parents=[common, who],
                       help="export or import an annotation package (offline collaboration)")
    actions = p.add_subparsers(dest="package_command", metavar="ACTION", required=True,
                               parser_class=type(p))
    e = actions.add_parser("export", parents=[common, who],
                           help="write annotations, links, statuses, tags and corrections")
    e.add_argument("--out", required=True, type=Path, metavar="FILE",
                   help="the package to write, e.g. mine.zip (not inside the library folder)")
    e.add_argument("--force", action="store_true",
                   help="replace FILE even if it exists and is not a .zip file")
    e.add_argument("--plan", action="append", default=[], metavar="SLUG",
                   help="only these plans' records (repeatable; default: all)")
    i = actions.add_parser("import", parents=[common, who],
                           help="merge someone else's package into this library")
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--resolve", choices=list(RESOLUTIONS),
                   help="decide every conflict: keep ours, take theirs, or keep both")
    i.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")


def _actor(args: argparse.Namespace) -> str:
    explicit = getattr(args, "user", None)
    return explicit.strip() if explicit and explicit.strip() else compose.default_actor()


def plan_text(plan: MergePlan) -> str:
    lines = [plan.summary(), *(f"  {line}" for line in plan_details(plan))]
    lines += ["conflict: " + c.describe() for c in plan.conflicts]
    return "\n".join(lines)


def _export(wb: Workbench, recs: Records, args: argparse.Namespace) -> int:
    wb.paths.refuse_output(args.out)  # first: the library folder is never an answer
    refuse_overwrite(args.out, PACKAGE_SUFFIX, force=args.force)
    try:
        out = write_package(recs, args.out, args.plan or None)  # refuses the library folder
    except OSError as exc:  # name the package, not the library (a full disk has no filename)
        raise WorkbenchError(f"Could not write {args.out}: {exc.strerror or exc}") from None
    emit(args, {"package": str(out)}, f"Wrote {out}.")
    return EXIT_OK


def _import(recs: Records, args: argparse.Namespace, package: Any) -> int:
    plan = plan_merge(recs, package)
    if args.dry_run:
        emit(args, {"dry_run": True, **plan.to_json()}, plan_text(plan))
        return EXIT_OK
    if plan.conflicts and not args.resolve:
        emit(args, {"written": False, **plan.to_json()},
              plan_text(plan) + "\nNothing was written: decide with --resolve local|incoming|"
              "both.")
        return EXIT_INPUT
    report = apply_merge(recs, plan, args.resolve)
    data = {"written": True, "counts": report.counts,
            "backup": str(report.backup) if report.backup else None,
            "pending_file": str(report.pending_file) if report.pending_file else None,
            "flagged": list(report.flagged),
            "orphans": [{"uuid": u, "title": t} for u, t in report.orphans],
            "plan": plan.to_json()}
    emit(args, data, report.summary())
    return EXIT_OK


def cmd_package(wb: Workbench, args: argparse.Namespace) -> int:
    """``package`` on an open workbench (the in-process form of ``run_package``)."""
    recs = records_for(wb, _actor(args))
    if args.package_command == "export":
        return _export(wb, recs, args)
    return _import(recs, args, read_package(args.file))


def run_package(root: Path, args: argparse.Namespace) -> int:
    """``package`` as an offline command: validate an incoming package before opening."""
    package = read_package(args.file) if args.package_command == "import" else None
    wb = compose.open_workbench(root)
    try:
        recs = records_for(wb, _actor(args))
        if package is None:
            return _export(wb, recs, args)
        code = _import(recs, args, package)
        if code == EXIT_OK and not args.dry_run:
            wb.sync_index()  # merged notes and rationales are searchable
        return code
    finally:
        compose.close_workbench(wb)


COMMANDS = {"package": cmd_package}
OFFLINE_COMMANDS = {"package": run_package}

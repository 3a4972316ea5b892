"""``workbench``: the command line. With no subcommand it opens the window.

A Qt-free composition root: subcommands run the same use cases as the window, headless.
Exit codes: 0 success, 1 a bad input or file (one line on stderr), 2 wrong usage.
The ``--json`` shapes are a contract documented in README.md; keep them stable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ui import compose
from workbench.errors import WorkbenchError
from workbench.model import META_FIELDS, Kind, Plan, SearchFilters, Stage
from workbench.services import ImportOutcome, Workbench
from workbench.tasks import TaskState

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
_META_OPTIONS = META_FIELDS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: usage error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        type=Path,
        help="library folder (default: $WORKBENCH_LIBRARY or the user data folder)",
    )
    common.add_argument("--json", action="store_true", help="machine-readable output")
    parser = _Parser(
        prog="workbench",
        description="Plan Workbench: follow a council's commitments through its plans.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("import", parents=[common], help="import PDFs or folders of PDFs")
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    p.add_argument("--password", help="password of an encrypted PDF (never stored)")
    p.add_argument("--replaces", metavar="SLUG", help="import as a new version of this plan")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="PDF reader processes working at once (default: 2 on multi-core)")

    p = sub.add_parser("plans", parents=[common], help="list the plans in the library")
    p.add_argument("--all", action="store_true", help="include plans in the trash")

    p = sub.add_parser("show", parents=[common], help="show a plan, or one of its sections")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--section", type=int, metavar="ID", help="show this section's text")

    p = sub.add_parser("search", parents=[common], help="search every plan's text")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--plan", action="append", default=[], metavar="SLUG")
    p.add_argument("--kind", choices=[Kind.SECTION.value, Kind.COMMITMENT.value])
    p.add_argument("--from", dest="date_from", metavar="DATE", default="")
    p.add_argument("--to", dest="date_to", metavar="DATE", default="")
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--relation", action="append", default=[], metavar="R",
                   help="only commitments (and notes) with this lineage relation")
    p.add_argument("--status", action="append", default=[], metavar="S",
                   help="only commitments (and notes) with this delivery status")

    sub.add_parser("check", parents=[common], help="check the database, files and index")
    sub.add_parser("reindex", parents=[common], help="rebuild the search index from SQLite")

    p = sub.add_parser("edit", parents=[common], help="edit a plan's metadata")
    p.add_argument("plan", metavar="PLAN")
    for name in _META_OPTIONS:
        extra = {"choices": [s.value for s in Stage] + [""]} if name == "stage" else {}
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, **extra)

    p = sub.add_parser("remove", parents=[common], help="move a plan to the trash")
    p.add_argument("plan", metavar="PLAN")
    p = sub.add_parser("restore", parents=[common], help="bring a plan back from the trash")
    p.add_argument("plan", metavar="PLAN")
    sub.add_parser("log", parents=[common], help="show the import log")
    sub.add_parser("sample", parents=[common], help="import the bundled sample plans")
    for module in _extension_modules():
        module.add_commands(sub, common)
    return parser


def _extension_modules() -> list[Any]:
    """CLI modules of later features (``ui/cli_*.py``); each has ``add_commands(sub, common)``
    and ``COMMANDS`` ({name: fn(wb, args) -> exit code})."""
    import importlib  # noqa: PLC0415

    modules = []
    for name in _EXTENSIONS:
        modules.append(importlib.import_module(name))
    return modules


_EXTENSIONS: list[str] = ["ui.cli_lineage", "ui.cli_maintenance", "ui.cli_merge", "ui.cli_export"]


# -- output helpers ----------------------------------------------------------------------


def plan_json(plan: Plan) -> dict[str, Any]:
    m = plan.meta
    return {
        "slug": plan.slug,
        "title": m.title,
        "organisation": m.organisation,
        "leader": m.leader,
        "period_start": m.period_start,
        "period_end": m.period_end,
        "published": m.published,
        "stage": m.stage,
        "status": m.status,
        "supersedes": m.supersedes or None,
        "pages": plan.pages,
        "sections": plan.sections,
        "commitments": plan.commitments,
        "versions": plan.versions,
        "needs_ocr_pages": [i + 1 for i in plan.needs_ocr_pages],
        "repaired": plan.repaired,
        "copy_restricted": plan.copy_restricted,
    }


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text + ("\n" if text and not text.endswith("\n") else ""))


def _outcome_json(o: ImportOutcome) -> dict[str, Any]:
    return {
        "path": str(o.path),
        "status": o.status,
        "slug": o.slug or None,
        "reason": o.reason or None,
        "message": o.message,
        "notices": list(o.notices),
    }


# -- commands ----------------------------------------------------------------------------


def cmd_import(wb: Workbench, args: argparse.Namespace) -> int:
    state = TaskState()

    def progress(o: ImportOutcome) -> None:
        if not args.json:
            stream = sys.stderr if o.status == "refused" else sys.stdout
            stream.write(o.message + "\n")
            for notice in o.notices:
                sys.stdout.write(f"  note: {notice}\n")
            stream.flush()

    if not 1 <= args.workers <= 8:
        raise WorkbenchError("--workers must be between 1 and 8.")
    report = wb.import_paths(
        args.paths, password=args.password, replaces=args.replaces, state=state,
        on_outcome=progress, workers=args.workers,
    )
    if args.json:
        emit(args, {"outcomes": [_outcome_json(o) for o in report.outcomes]}, "")
    elif not report.outcomes:
        sys.stderr.write("No PDFs found.\n")
    if not report.outcomes:
        return EXIT_INPUT
    return EXIT_INPUT if report.failed else EXIT_OK


def cmd_plans(wb: Workbench, args: argparse.Namespace) -> int:
    plans = wb.plans(include_removed=args.all)
    lines = [
        f"{p.slug:40} {p.meta.published or '?':8} {p.pages:4}p {p.sections:4}s "
        f"{p.commitments:4}c  {p.meta.title}"
        for p in plans
    ]
    emit(args, [plan_json(p) for p in plans], "\n".join(lines) or "The library is empty.")
    return EXIT_OK


def cmd_show(wb: Workbench, args: argparse.Namespace) -> int:
    plan = wb.store.plan(args.plan)
    sections = wb.store.sections(plan.slug)
    commitments = wb.store.commitments(plan.slug)
    if args.section is not None:
        match = [s for s in sections if s.id == args.section]
        if not match:
            raise WorkbenchError(f"Plan {plan.slug} has no section {args.section}.")
        s = match[0]
        own = [c for c in commitments if c.section_id == s.id]
        data = {
            "plan": plan.slug,
            "id": s.id,
            "heading": s.heading,
            "level": s.level,
            "path": list(s.path),
            "page_start": s.label_start,
            "page_end": s.label_end,
            "text": s.text,
            "commitments": [_commitment_json(c) for c in own],
        }
        text = f"{' › '.join(s.path)}  (p. {s.label_start}–{s.label_end})\n\n{s.text}"
        emit(args, data, text)
        return EXIT_OK
    data = plan_json(plan)
    data["sections"] = [
        {
            "id": s.id,
            "heading": s.heading,
            "level": s.level,
            "path": list(s.path),
            "page_start": s.label_start,
            "page_end": s.label_end,
        }
        for s in sections
    ]
    data["commitments"] = [_commitment_json(c) for c in commitments]
    lines = [f"{plan.meta.title} ({plan.slug})", f"{plan.pages} pages", "", "Sections:"]
    lines += [f"  {s.id:6} {'  ' * (s.level - 1)}{s.heading}  p. {s.label_start}" for s in sections]
    lines += ["", f"Commitments: {len(commitments)}"]
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def _commitment_json(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": "commitment",
        "text": c.text,
        "section_id": c.section_id,
        "page_label": c.page_label,
        "page_index": c.page_index,
        "lead_in": c.lead_in,
    }


def cmd_search(wb: Workbench, args: argparse.Namespace) -> int:
    if args.limit < 1 or args.limit > 1000:
        raise WorkbenchError("--limit must be between 1 and 1000.")
    filters = SearchFilters(
        plans=tuple(args.plan),
        kinds=(args.kind,) if args.kind else (),
        date_from=args.date_from,
        date_to=args.date_to,
        relations=tuple(args.relation),
        statuses=tuple(args.status),
    )
    result = wb.search(args.query, filters, limit=args.limit, sort=args.sort)
    hits = [
        {
            "plan": h.plan,
            "plan_title": h.plan_title,
            "kind": h.kind,
            "id": h.item_id,
            "path": list(h.path),
            "page_label": h.page_label,
            "page_index": h.page_index,
            "score": round(h.score, 4),
            "snippet": h.snippet,
            "text": h.text,
            "relation": h.relation or None,
            "status": h.status or None,
        }
        for h in result.hits
    ]
    if result.notice and not args.json:
        sys.stderr.write(result.notice + "\n")
    lines = [
        f"{h.plan_title} · {' › '.join(h.path)} · p. {h.page_label} [{h.kind} {h.item_id}]\n"
        f"    {h.snippet}"
        for h in result.hits
    ]
    if not lines:
        lines = ["No matches."]
    data = {"query": result.query, "total": result.total, "notice": result.notice, "hits": hits}
    emit(args, data if args.json else hits, "\n".join(lines))
    return EXIT_OK


def cmd_check(wb: Workbench, args: argparse.Namespace) -> int:
    report = wb.check()
    data = {
        "ok": report.ok,
        "database": list(report.database),
        "files": list(report.files),
        "index": list(report.index),
    }
    problems = [*report.database, *report.files, *report.index]
    text = "All checks passed." if report.ok else "\n".join(f"problem: {p}" for p in problems)
    emit(args, data, text)
    return EXIT_OK if report.ok else EXIT_INPUT


def cmd_reindex(wb: Workbench, args: argparse.Namespace) -> int:
    n = wb.rebuild_index(TaskState())
    emit(args, {"indexed": n}, f"Indexed {n} passages.")
    return EXIT_OK


def cmd_edit(wb: Workbench, args: argparse.Namespace) -> int:
    changes = {k: getattr(args, k) for k in _META_OPTIONS if getattr(args, k) is not None}
    if not changes:
        raise WorkbenchError("Nothing to change; give at least one of --title, --stage, ….")
    plan = wb.edit_plan(args.plan, **changes)
    emit(args, plan_json(plan), f"Saved {plan.slug}.")
    return EXIT_OK


def cmd_remove(wb: Workbench, args: argparse.Namespace) -> int:
    plan = wb.remove_plan(args.plan)
    emit(args, plan_json(plan), f"Moved {plan.slug} to the trash (`workbench restore` undoes).")
    return EXIT_OK


def cmd_restore(wb: Workbench, args: argparse.Namespace) -> int:
    plan = wb.restore_plan(args.plan)
    emit(args, plan_json(plan), f"Restored {plan.slug}.")
    return EXIT_OK


def cmd_log(wb: Workbench, args: argparse.Namespace) -> int:
    rows = wb.store.import_log()
    text = "\n".join(f"{r['at']} {r['outcome']:9} {r['message']}" for r in rows)
    emit(args, rows, text or "Nothing imported yet.")
    return EXIT_OK


def cmd_sample(wb: Workbench, args: argparse.Namespace) -> int:
    report = wb.import_paths([compose.sample_plans_dir()])
    emit(
        args,
        {"outcomes": [_outcome_json(o) for o in report.outcomes]},
        "\n".join(o.message for o in report.outcomes),
    )
    return EXIT_INPUT if report.failed else EXIT_OK


COMMANDS = {
    "import": cmd_import,
    "plans": cmd_plans,
    "show": cmd_show,
    "search": cmd_search,
    "check": cmd_check,
    "reindex": cmd_reindex,
    "edit": cmd_edit,
    "remove": cmd_remove,
    "restore": cmd_restore,
    "log": cmd_log,
    "sample": cmd_sample,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run  # noqa: PLC0415 - Qt is loaded only for the window

        return run(library=args.library)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = args.library or compose.default_library()
    wb = None
    try:
        offline = {k: v for m in _extension_modules() for k, v in
                   getattr(m, "OFFLINE_COMMANDS", {}).items()}  # run without opening the library
        if args.command in offline:
            return offline[args.command](root, args)
        wb = compose.open_workbench(root)
        commands = dict(COMMANDS)
        for module in _extension_modules():
            commands.update(module.COMMANDS)
        code = commands[args.command](wb, args)
        if code == EXIT_OK:  # a failure says one line; a success may add notes
            for warning in getattr(wb.store, "warnings", ()):
                sys.stderr.write(f"workbench: note: {warning}\n")
        return code
    except WorkbenchError as exc:
        if args.json:
            json.dump({"error": exc.message}, sys.stdout)
            sys.stdout.write("\n")
        sys.stderr.write(f"workbench: {exc.message}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("workbench: interrupted\n")
        return 130
    except OSError as exc:
        sys.stderr.write(f"workbench: {exc.strerror or exc} ({exc.filename or root})\n")
        return EXIT_INPUT
    finally:
        if wb is not None:
            compose.close_workbench(wb)


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["main", "build_parser", "plan_json"]

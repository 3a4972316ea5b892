"""The library's own commands: ``import``, ``plans``, ``show``, ``search``, ``check``,
``reindex``, ``edit``, ``remove``, ``restore``, ``log`` and ``sample``.

Registered by ``ui.cli.main.MODULES``. Qt-free. The ``--json`` shapes are a contract
documented in README.md; keep them stable.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ui import compose
from ui.cli import ocr as cli_ocr
from ui.cli import searches
from ui.cli.output import EXIT_INPUT, EXIT_OK, emit, outcome_json, plan_json, row_id
from ui.compose import records_for
from workbench.errors import InvalidInput, WorkbenchError
from workbench.lineage import RELATIONS, STATUSES
from workbench.links import hit_relation_words
from workbench.model import META_FIELDS, Kind, SearchFilters, Stage, is_partial_iso_date
from workbench.services import ImportOutcome, Workbench
from workbench.tasks import TaskState

_META_OPTIONS = META_FIELDS
_META_HELP = {
    "title": "the plan's title",
    "organisation": "the council or body that published it",
    "leader": "the leader named in it, e.g. the council leader",
    "period_start": "the first year (or month, or day) it covers: 2025, 2025-04 or 2025-04-01",
    "period_end": "the last year (or month, or day) it covers; not before --period-start",
    "stage": "where it is in its life: draft, consultation, adopted or withdrawn; "
             "none clears it",
    "status": "free-text status as the plan states it, e.g. 'draft for Cabinet'",
    "published": "when it was published: 2011, 2011-04 or 2011-04-30",
    "supersedes": "the slug of the plan this one replaces ('' clears it)",
}
_NO_STAGE = "none"


def _stage_arg(text: str) -> str:
    """``--stage``: a Stage code, or ``none`` (or an empty string) to clear it."""
    value = text.strip().casefold()
    if value in ("", _NO_STAGE):
        return ""
    if value not in {s.value for s in Stage}:
        raise argparse.ArgumentTypeError(
            f"invalid stage {text!r} (choose from {', '.join(s.value for s in Stage)}, "
            f"or {_NO_STAGE})")
    return value


# -- commands ----------------------------------------------------------------------------


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="import PDFs or folders of PDFs")
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    p.add_argument("--password", help="password of an encrypted PDF (never stored)")
    p.add_argument("--replaces", metavar="SLUG", help="import as a new version of this plan")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="PDF reader processes working at once (default: 2 on multi-core)")
    cli_ocr.ocr_options(p, "OCR the pages without a text layer (Tesseract); with --replaces "
                           "SLUG, the plan's own file may be given again")

    p = sub.add_parser("plans", parents=[common], help="list the plans in the library")
    p.add_argument("--all", action="store_true", help="include plans in the trash")

    p = sub.add_parser("show", parents=[common], help="show a plan, or one of its sections")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--section", type=row_id, metavar="ID", help="show this section's text")

    p = sub.add_parser("search", parents=[common], help="search every plan's text")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=20, help="at most this many hits (1-1000)")
    p.add_argument("--plan", action="append", default=[], metavar="SLUG",
                   help="only this plan (repeatable)")
    p.add_argument("--kind", choices=[k.value for k in Kind],
                   help="only this kind of passage (note: your annotations' notes and the "
                        "rationales of links and statuses)")
    p.add_argument("--from", dest="date_from", metavar="DATE", default="",
                   help="only plans published from this date: 2020, 2020-03 or 2020-03-31")
    p.add_argument("--to", dest="date_to", metavar="DATE", default="",
                   help="only plans published up to this date")
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--relation", action="append", default=[], metavar="R",
                   choices=list(RELATIONS),
                   help="only commitments (and notes) with a link of this lineage relation, "
                        "confirmed by an officer or only proposed (each hit says which); "
                        "`unreviewed`: no link yet, or a link whose relation is not yet "
                        "reviewed (even one an officer confirmed, which is no verdict): "
                        + ", ".join(RELATIONS))
    p.add_argument("--status", action="append", default=[], metavar="S",
                   choices=list(STATUSES),
                   help="only commitments (and notes) with this delivery status: "
                        + ", ".join(STATUSES))
    p.add_argument("--save", metavar="NAME",
                   help="also keep this search (query and filters) in the library under NAME "
                        "(`workbench searches` lists them; the window shows them too)")

    sub.add_parser("check", parents=[common], help="check the database, files and index")
    sub.add_parser("reindex", parents=[common], help="rebuild the search index from SQLite")
    p = sub.add_parser("resegment", parents=[common],
                       help="read plans' PDFs again with this version's segmentation",
                       description="After an upgrade: find sections and commitments again in "
                                   "the stored PDFs, then re-anchor notes, corrections and links.")
    p.add_argument("plan", nargs="*", help="plan slugs (default: every plan)")

    p = sub.add_parser("edit", parents=[common], help="edit a plan's metadata",
                       description="Change some of a plan's details; the others stay as they "
                                   "are. An empty value ('') clears a field.")
    p.add_argument("plan", metavar="PLAN")
    stages = "{" + ",".join([*(s.value for s in Stage), _NO_STAGE]) + "}"
    for name in _META_OPTIONS:
        extra: dict[str, Any] = {"type": _stage_arg, "metavar": stages} if name == "stage" else {
            "metavar": "DATE" if name in ("period_start", "period_end", "published") else
            "SLUG" if name == "supersedes" else "TEXT"}
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, help=_META_HELP[name], **extra)

    p = sub.add_parser("remove", parents=[common], help="move a plan to the trash")
    p.add_argument("plan", metavar="PLAN")
    p = sub.add_parser("restore", parents=[common], help="bring a plan back from the trash")
    p.add_argument("plan", metavar="PLAN")
    sub.add_parser("log", parents=[common], help="show the import log")
    sub.add_parser("sample", parents=[common], help="import the bundled sample plans")


def cmd_import(wb: Workbench, args: argparse.Namespace) -> int:
    state = TaskState()

    def progress(o: ImportOutcome) -> None:
        if not args.json:
            stream = sys.stderr if o.status == "refused" else sys.stdout
            how = " with --password (it is never stored)" \
                if o.reason == "needs_password" and not args.password else ""
            stream.write(o.message + how + "\n")
            for notice in o.notices:
                sys.stdout.write(f"  note: {notice}\n")
            stream.flush()

    if not 1 <= args.workers <= 8:
        raise WorkbenchError("--workers must be between 1 and 8.")
    ocr = cli_ocr.ocr_settings(args) if args.ocr else None
    report = wb.import_paths(
        args.paths, password=args.password, replaces=args.replaces, state=state,
        on_outcome=progress, workers=args.workers, ocr=ocr,
    )
    if args.json:
        emit(args, {"outcomes": [outcome_json(o) for o in report.outcomes]}, "")
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
    # As the officer corrected them (heading levels; commitments unmarked, marked, split,
    # merged), as the window shows them
    records = compose.records_for(wb, "")
    sections = records.effective_sections(plan.slug)
    commitments = records.effective_commitments(plan.slug)
    if args.section is not None:
        match = [s for s in sections if s.id == args.section]
        if not match:
            raise WorkbenchError(f"Plan {plan.slug} has no section {args.section}.")
        s = match[0]
        own = [c for c in commitments if c.section_id == s.id]
        data = {
            "plan": plan.slug,
            **_section_json(s),
            "text": s.text,
            "commitments": [_commitment_json(c) for c in own],
        }
        text = f"{' › '.join(s.path)}  (p. {s.label_start}–{s.label_end})\n\n{s.text}"
        under = [c for c in sections if c.level == s.level + 1
                 and tuple(c.path[:len(s.path)]) == tuple(s.path)]
        if not s.text.strip() and under:  # a heading whose text is all in its subsections
            text += "No text of its own; its subsections:\n" + "\n".join(
                f"  {c.id:6} {c.heading}  p. {c.label_start}" for c in under)
        if own:  # the ids link, status, lineage and basket take (qa12: only --json had them)
            text += f"\n\nCommitments ({len(own)}):\n" + "\n".join(
                f"  [{d['id']}] p. {d['page_label']}"
                + (f" ({d['kind']})" if d["kind"] != "commitment" else "")
                + f": {_line(d['text'])}" for d in data["commitments"])
        emit(args, data, text)
        return EXIT_OK
    data = plan_json(plan)
    data["sections"] = [_section_json(s) for s in sections]
    data["commitments"] = [_commitment_json(c) for c in commitments]
    lines = [f"{plan.meta.title} ({plan.slug})", f"{plan.pages} pages", "", "Sections:"]
    lines += [f"  {s.id:6} {'  ' * (s.level - 1)}{s.heading}  p. {s.label_start}" for s in sections]
    lines += ["", f"Commitments: {len(commitments)} (`show {plan.slug} --section ID` lists "
                  "a section's, with their ids)"]
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def _line(text: str, width: int = 100) -> str:
    """``text`` on one line, cut at ``width`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1].rstrip() + "…"


def _section_json(s: Any) -> dict[str, Any]:
    """A section's fields in ``show --json`` (its list, and ``--section``'s head)."""
    return {
        "id": s.id,
        "heading": s.heading,
        "level": s.level,
        "path": list(s.path),
        "page_start": s.label_start,
        "page_end": s.label_end,
    }


def _commitment_json(c: Any) -> dict[str, Any]:
    """An effective commitment: an extracted one keeps its number, a hand-marked one (or a
    part of a split or merge) has its key, "m:<uuid>", which link, lineage and status take."""
    return {
        "id": c.commitment_id if c.commitment_id is not None else c.key,
        "kind": c.kind,  # commitment | ask | target | measure
        "text": c.text,
        "section_id": c.section_id,
        "page_label": c.page_label,
        "page_index": c.page_index,
        "lead_in": c.lead_in,
    }


def cmd_search(wb: Workbench, args: argparse.Namespace) -> int:
    if args.limit < 1 or args.limit > 1000:
        raise WorkbenchError("--limit must be between 1 and 1000.")
    for option, value in (("--from", args.date_from), ("--to", args.date_to)):
        if value.strip() and not is_partial_iso_date(value.strip()):
            raise InvalidInput(f"{option} takes a date like 2020, 2020-03 or 2020-03-31 "
                               f"(not {value!r}).")
    for slug in args.plan:
        if not wb.store.slug_exists(slug):
            raise InvalidInput(f"No plan called {slug!r}; `workbench plans` lists them.")
    filters = SearchFilters(
        plans=tuple(args.plan),
        kinds=(args.kind,) if args.kind else (),
        date_from=args.date_from.strip(),
        date_to=args.date_to.strip(),
        relations=tuple(args.relation),
        statuses=tuple(args.status),
    )
    # a relation found may be a verdict or only proposed: each hit says which (qa13)
    result = records_for(wb, "search").linking.mark_verdicts(
        wb.search(args.query, filters, limit=args.limit, sort=args.sort))
    if args.save is not None:
        searches.note_saved(args, searches.save(wb, args.save, args.query, filters, args.sort))
    hits = [
        {
            "plan": h.plan,
            "plan_title": h.plan_title,
            "kind": h.kind,
            "id": h.item_id,
            "path": list(h.path),
            "citation": h.citation,  # the shortest unambiguous tail of the path
            "page_label": h.page_label,
            "page_index": h.page_index,
            "score": round(h.score, 4),
            "snippet": h.snippet,
            "text": h.text,
            "relation": h.relation or None,
            # qa13: each relation of ``relation`` (but "unreviewed"): confirmed or proposed
            "relation_confirmed": ({r: r in h.confirmed for r in h.relations}
                                   if h.kind == "commitment" and h.relations else None),
            "status": h.status or None,
            # issue 15: the hit's page was read by OCR (its confidence 0-100), else null
            "ocr_confidence": h.ocr_confidence,
        }
        for h in result.hits
    ]
    if result.notice and not args.json:
        sys.stderr.write(result.notice + "\n")
    lines = [
        f"{h.plan_title} · {' › '.join(h.path)} · p. {h.page_label} [{h.kind} {h.item_id}]"
        f"{' (OCR text)' if h.ocr_confidence is not None else ''}\n"
        f"    {h.snippet}"
        + (f"\n    Relation: {hit_relation_words(h)}" if h.kind == "commitment" and h.relations
           else "")
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
        "notes": list(report.notes),
    }
    problems = [*report.database, *report.files, *report.index]
    lines = [f"problem: {p}" for p in problems] or ["All checks passed."]
    lines += [f"note: {n}" for n in report.notes]
    emit(args, data, "\n".join(lines))
    return EXIT_OK if report.ok else EXIT_INPUT


def cmd_reindex(wb: Workbench, args: argparse.Namespace) -> int:
    n = wb.rebuild_index(TaskState())
    emit(args, {"indexed": n}, f"Indexed {n} passages.")
    return EXIT_OK


def cmd_resegment(wb: Workbench, args: argparse.Namespace) -> int:
    slugs = args.plan or [p.slug for p in wb.plans()]
    reports = {slug: wb.resegment(slug) for slug in slugs}
    emit(args, {"resegmented": reports}, "\n".join(reports.values()) or "No plans.")
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
        {"outcomes": [outcome_json(o) for o in report.outcomes]},
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
    "resegment": cmd_resegment,
    "edit": cmd_edit,
    "remove": cmd_remove,
    "restore": cmd_restore,
    "log": cmd_log,
    "sample": cmd_sample,
}



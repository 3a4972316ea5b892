"""What every ``workbench`` command shares: exit codes, the one-line usage error, id
arguments, and the output helpers (``emit`` prints text, or the JSON contract with ``--json``).

Command modules import these from here, never from ``ui.cli.main`` (which imports them).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.model import Plan
from workbench.services import ImportOutcome

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # as a shell reports a command killed by SIGPIPE
MAX_ROW_ID = 2**63 - 1  # SQLite's largest INTEGER


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: usage error: {message}\n")


def row_id(text: str) -> int:
    """An argparse ``type`` for database ids: a whole number from 1 to 2**63 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not an id (a whole number)") from None
    if not 1 <= value <= MAX_ROW_ID:
        raise argparse.ArgumentTypeError(f"{text[:40]} is not an id (ids run from 1 to 2**63-1)")
    return value


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


def outcome_json(o: ImportOutcome) -> dict[str, Any]:
    return {
        "path": str(o.path),
        "status": o.status,
        "slug": o.slug or None,
        "reason": o.reason or None,
        "message": o.message,
        "notices": list(o.notices),
    }

"""CLI for OCR (issue 15): ``workbench ocr PLAN`` and the ``import --ocr`` options.

``ocr PLAN`` reads a plan's own file again with Tesseract (in the PDF worker, under its limits)
and stores the result as a new version of the plan, re-anchoring its notes and links; the
outcome is reported like an import's. Before anything starts, a missing Tesseract install is
said in one line with the apt command to fix it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.output import EXIT_INPUT, EXIT_OK, emit, outcome_json
from workbench.errors import InvalidInput, WorkbenchError
from workbench.model import OcrSettings
from workbench.services import Workbench
from workbench.tasks import TaskState

__all__ = ["COMMANDS", "add_commands", "ocr_options", "ocr_settings"]


def ocr_options(p: argparse.ArgumentParser, flag_help: str | None) -> None:
    """Add the OCR options to a subcommand (``--ocr`` itself when ``flag_help`` is given)."""
    if flag_help:
        p.add_argument("--ocr", action="store_true", help=flag_help)
    p.add_argument("--ocr-language", default="eng", metavar="LANG",
                   help="Tesseract language(s) for OCR, e.g. eng or eng+fra (default eng)")
    p.add_argument("--ocr-dpi", type=int, default=150, metavar="DPI",
                   help="resolution pages are OCR'd at, 72-600 (default 150)")


def ocr_settings(args: argparse.Namespace) -> OcrSettings:
    """The OcrSettings asked for, after checking Tesseract's data is installed."""
    from indexing.ocr_data import ocr_unavailable_reason  # only when asked

    if not 72 <= args.ocr_dpi <= 600:
        raise InvalidInput("--ocr-dpi must be between 72 and 600.")
    reason = ocr_unavailable_reason(args.ocr_language)
    if reason:
        raise WorkbenchError(reason)
    return OcrSettings(args.ocr_language, args.ocr_dpi)


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ocr", parents=[common],
                       help="OCR a plan's scanned pages (stored as a new version)")
    p.add_argument("plan", metavar="PLAN")
    ocr_options(p, None)


def cmd_ocr(wb: Workbench, args: argparse.Namespace) -> int:
    """OCR a plan's scanned pages: its own file read again, stored as a new version."""
    outcome = wb.ocr_plan(args.plan, ocr_settings(args), state=TaskState())
    if args.json:
        emit(args, {"outcomes": [outcome_json(outcome)]}, "")
    else:
        stream = sys.stderr if outcome.status == "refused" else sys.stdout
        stream.write(outcome.message + "\n")
        for notice in outcome.notices:
            sys.stdout.write(f"  note: {notice}\n")
    return EXIT_OK if outcome.status == "imported" else EXIT_INPUT


COMMANDS = {"ocr": cmd_ocr}

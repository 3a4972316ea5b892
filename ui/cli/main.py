"""``workbench``: the command line's entry point. With no subcommand it opens the window.

A Qt-free composition root: subcommands run the same use cases as the window, headless.
Exit codes: 0 success, 1 a bad input or file (one line on stderr), 2 wrong usage, 3 an
internal error (a bug: one line on stderr, the traceback in ``<user data>/logs``), 141 when
the reader of the output went away (``workbench plans | head``), silently.
The ``--json`` shapes are a contract documented in README.md; keep them stable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from ui import compose
from ui.cli import compare, export, library, lineage, maintenance, merge, ocr, searches
from ui.cli.output import EXIT_BROKEN_PIPE, EXIT_BUG, EXIT_INPUT, EXIT_OK, EXIT_USAGE, Parser
from workbench.errors import InvalidInput, WorkbenchError

ENV_DEBUG = "WORKBENCH_DEBUG"

# Every command module, in the order ``workbench --help`` lists their commands. Each has
# ``add_commands(sub, common)`` and ``COMMANDS`` ({name: fn(workbench, args) -> exit code}).
# A new command module is one import above and one entry here. ``OFFLINE_COMMANDS`` ({name:
# fn(library root, args) -> exit code}) run without opening the library (a damaged library
# cannot be opened; an incoming package is checked before the library is touched).
MODULES: tuple[ModuleType, ...] = (library, searches, lineage, compare, maintenance, merge,
                                   export, ocr)
COMMANDS = {name: fn for module in MODULES for name, fn in module.COMMANDS.items()}
OFFLINE_COMMANDS = {**maintenance.OFFLINE_COMMANDS, **merge.OFFLINE_COMMANDS}


def _common_options(*, suppress: bool) -> argparse.ArgumentParser:
    """``--library`` and ``--json``, accepted before or after the subcommand.

    The top-level parser holds the real defaults; every subcommand's copy defaults to
    ``SUPPRESS``, so an option given before the subcommand is not overwritten by the
    subcommand's default.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        type=Path,
        help="library folder (default: $WORKBENCH_LIBRARY or the user data folder)",
        **({"default": argparse.SUPPRESS} if suppress else {}),
    )
    common.add_argument("--json", action="store_true", help="machine-readable output",
                        **({"default": argparse.SUPPRESS} if suppress else {}))
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="workbench",
        description="Plan Workbench: follow a council's commitments through its plans.",
        parents=[_common_options(suppress=False)],
    )
    # before the subcommand too, as the README says of who is acting; the commands' own
    # ``--user`` defaults to SUPPRESS so it never overwrites this one
    parser.add_argument("--user", metavar="NAME",
                        help="who is acting, for commands that record it (annotate, link, "
                             "status, …; default: $WORKBENCH_USER or the login name)")
    common = _common_options(suppress=True)
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")

    for module in MODULES:
        module.add_commands(sub, common)
    return parser


def _dash_in_query(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """The usage error for ``workbench search roads -housing`` (the README's exclusion), which
    argparse reads as an option: "-h" with "ousing", or an unknown "-housing", and then says
    only that QUERY is missing. None when every dashed word is one of search's options."""
    tokens = list(argv)
    try:
        start = next(i for i, t in enumerate(tokens)
                     if t == "search" and (i == 0 or tokens[i - 1] != "--library"))
    except StopIteration:
        return None
    rest = tokens[start + 1:]
    rest = rest[:rest.index("--")] if "--" in rest else rest
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    known = subcommands.choices["search"]._option_string_actions
    for token in rest:
        name = token.split("=", 1)[0]
        if len(token) < 2 or not token.startswith("-") or name in known:
            continue
        if name.startswith("--") and any(k.startswith(name) for k in known):
            continue  # an abbreviated long option, as argparse allows
        return (f"workbench search: usage error: {token!r} reads as an option; a query with a "
                "word after - goes last, after --: workbench search --limit 5 -- 'roads -housing'")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if (dashed := _dash_in_query(parser, sys.argv[1:] if argv is None else argv)) is not None:
        sys.stderr.write(dashed + "\n")
        return EXIT_USAGE
    args = parser.parse_args(argv)
    if args.command is None:
        from ui.app import run  # Qt is loaded only for the window

        return run(library=args.library)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = args.library or compose.default_library()
    try:
        code = _run(root, args)
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
        return code
    except WorkbenchError as exc:
        return _fail(args, exc.message)
    except KeyboardInterrupt:
        sys.stderr.write("workbench: interrupted\n")
        return 130
    except BrokenPipeError:
        return _broken_pipe()
    except OSError as exc:
        return _fail(args, f"{exc.strerror or exc} ({exc.filename or root})")
    except Exception as exc:  # a bug: one line for the user, the traceback in a log
        return _internal_error(args, exc)


def _run(root: Path, args: argparse.Namespace) -> int:
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"{root} is not a folder (--library takes the library's folder).")
    if args.command in OFFLINE_COMMANDS:  # run without opening the library
        return OFFLINE_COMMANDS[args.command](root, args)
    wb = compose.open_workbench(root)
    try:
        code = COMMANDS[args.command](wb, args)
        if code == EXIT_OK:  # a failure says one line; a success may add notes
            for warning in wb.store.warnings:
                sys.stderr.write(f"workbench: note: {warning}\n")
        return code
    finally:
        compose.close_workbench(wb)


def _fail(args: argparse.Namespace, message: str, code: int = EXIT_INPUT) -> int:
    """One line on stderr, and ``{"error": …}`` on stdout with ``--json``."""
    try:
        if getattr(args, "json", False):
            json.dump({"error": message}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
            sys.stdout.flush()
    except BrokenPipeError:
        _broken_pipe()
    sys.stderr.write(f"workbench: {message}\n")
    return code


def _broken_pipe() -> int:
    """The reader of stdout went away (``workbench plans | head``): stop quietly.

    stdout is pointed at the null device so the interpreter's final flush cannot complain.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (tests, embedding)
        pass
    return EXIT_BROKEN_PIPE


def crash_log_path() -> Path:
    """Where internal errors are logged (the user data folder's ``logs``)."""
    return compose.data_dir() / "logs" / "cli-errors.log"


_CRASH_LOG_LIMIT = 1 << 20  # bytes; the log is rotated to ``.1`` beyond this


def _internal_error(args: argparse.Namespace, exc: BaseException) -> int:
    """A bug: say one line (type and message), keep the traceback for a report, exit 3.

    The traceback goes to ``crash_log_path()``, or to stderr with ``WORKBENCH_DEBUG=1``.
    """
    details = "".join(traceback.format_exception(exc))
    text = " ".join(str(exc).split())[:300]
    summary = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if os.environ.get(ENV_DEBUG, "").strip() not in ("", "0"):
        sys.stderr.write(details)
        where = "traceback above"
    else:
        path = _log_crash(args, details)
        where = f"details in {path}" if path else f"set {ENV_DEBUG}=1 for the details"
    return _fail(args, f"internal error: {summary} ({where})", EXIT_BUG)


def _log_crash(args: argparse.Namespace, details: str) -> Path | None:
    """Append the traceback (with the time and the subcommand, never the arguments, which may
    hold a password) to the crash log; None if it cannot be written."""
    path = crash_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > _CRASH_LOG_LIMIT:
            path.replace(path.with_name(path.name + ".1"))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {stamp} workbench {args.command}\n{details}\n")
    except OSError:
        return None
    return path

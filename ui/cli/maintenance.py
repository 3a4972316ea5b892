"""CLI subcommands that look after the library database: ``backup``, ``backups``,
``restore-backup FILE`` and ``doctor``.

``restore-backup`` and ``doctor`` run without opening the library first (a damaged library
cannot be opened), through ``OFFLINE_COMMANDS`` ({name: fn(root, args) -> exit code}); the
others take the opened ``Workbench`` like every command. Emits nothing but its output.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from db import connection, recovery
from db.store import SqliteStore
from ui.cli.output import emit
from workbench.errors import LibraryDamaged
from workbench.library import LibraryPaths
from workbench.services import Workbench

EXIT_OK, EXIT_INPUT = 0, 1


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser("backup", parents=[common], help="take a verified backup of the database now")
    sub.add_parser("backups", parents=[common], help="list the database backups, newest first")
    p = sub.add_parser("restore-backup", parents=[common],
                       help="replace the database with a backup (the current file is kept)")
    p.add_argument("file", type=Path, metavar="FILE", help="a name from `workbench backups`")
    sub.add_parser("doctor", parents=[common],
                   help="check a library that may not open, and say how to recover it")


def _backup_rows(backups_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for path in connection.list_backups(backups_dir):
        st = path.stat()
        rows.append({
            "name": path.name,
            "path": str(path),
            "bytes": st.st_size,
            "taken": connection.backup_taken(path).isoformat(timespec="seconds"),
        })
    return rows


def cmd_backup(wb: Workbench, args: argparse.Namespace) -> int:
    path = wb.store.backup("manual")
    emit(args, {"backup": str(path)}, f"Backed up to {path.name}.")
    return EXIT_OK


def cmd_backups(wb: Workbench, args: argparse.Namespace) -> int:
    rows = _backup_rows(wb.paths.backups)
    text = "\n".join(f"{r['name']}  {r['bytes']:>12,} bytes  {r['taken']}" for r in rows)
    emit(args, rows, text or "No backups yet.")
    return EXIT_OK


def cmd_restore_backup(root: Path, args: argparse.Namespace) -> int:
    paths = LibraryPaths(root)
    damaged = recovery.restore_from_backup(paths.database, args.file, backups_dir=paths.backups)
    store = SqliteStore(paths.database, backups_dir=paths.backups, backup_interval=None)
    try:
        problems = store.check()
    finally:
        store.close()
    kept = f" The previous database was kept as {damaged.name}." if damaged else ""
    text = f"Restored the library from {Path(args.file).name}.{kept}"
    if problems:
        text += " Problems remain: " + "; ".join(problems)
    text += " Run `workbench reindex` to rebuild search."
    emit(args, {"restored_from": str(args.file), "damaged_kept_as": str(damaged or ""),
                 "problems": problems}, text)
    return EXIT_INPUT if problems else EXIT_OK


def cmd_doctor(root: Path, args: argparse.Namespace) -> int:
    paths = LibraryPaths(root)
    backups = _backup_rows(paths.backups)
    data: dict[str, Any] = {"ok": False, "problems": [], "warnings": [], "backups": backups}
    if not paths.database.exists() and not backups:
        data["problems"] = ["there is no library here"]
    else:
        try:
            store = SqliteStore(paths.database, backups_dir=paths.backups, backup_interval=None)
        except LibraryDamaged as exc:
            data["problems"] = [exc.message]
        else:
            try:
                data["warnings"] = list(store.warnings)
                data["problems"] = store.check()
            except LibraryDamaged as exc:
                data["problems"] = [exc.message]
            finally:
                store.close()
    data["ok"] = not data["problems"]
    lines = [f"warning: {w}" for w in data["warnings"]]
    lines += [f"problem: {p}" for p in data["problems"]] or ["The database is healthy."]
    if data["problems"] and backups:
        lines.append(f"To restore: workbench restore-backup {backups[0]['name']}"
                     f" (from {len(backups)} backup(s); `workbench backups` lists them)")
    emit(args, data, "\n".join(lines))
    return EXIT_OK if data["ok"] else EXIT_INPUT


COMMANDS = {"backup": cmd_backup, "backups": cmd_backups}
OFFLINE_COMMANDS = {"restore-backup": cmd_restore_backup, "doctor": cmd_doctor}

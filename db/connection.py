"""Opening the library database safely: pragmas, migrations with guards, online backups.

Follows ../shared/RELIABILITY.md: WAL on local disks and ``journal_mode=DELETE`` on network or
synced folders; ``synchronous=FULL``; ``foreign_keys=ON`` on every connection; a busy timeout
set before WAL; a verified backup (SQLite backup API) before any migration; refusal of a
database written by a newer app.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

from sqlite_utils import Database

from db.migrations import KNOWN, MIGRATIONS
from workbench.errors import DatabaseTooNew, LibraryError

APPLICATION_ID = 0x504C4E57  # "PLNW"
BACKUPS_KEPT = 7
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb2", "fuse.sshfs", "9p", "afs", "ncpfs"}
_SYNC_FOLDER_HINTS = ("onedrive", "dropbox", "google drive", "googledrive", "icloud", "box sync")


def is_network_or_synced(path: Path) -> bool:
    """Best-effort guess whether ``path`` sits on a network share or a cloud-synced folder.

    WAL needs shared memory that network filesystems do not provide (sqlite.org/wal.html), and
    sync clients copy live database files (howtocorrupt §1.2).
    """
    text = str(path).casefold()
    if any(hint in text for hint in _SYNC_FOLDER_HINTS):
        return True
    if sys.platform == "win32":
        if text.startswith("\\\\"):
            return True
        try:
            import ctypes  # noqa: PLC0415 - Windows only

            drive = os.path.splitdrive(str(path.resolve()))[0] + "\\"
            return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
        except (OSError, AttributeError):
            return False
    mounts = Path("/proc/mounts")
    if not mounts.exists():
        return False
    try:
        resolved = str(path.resolve())
        best, fstype = "", ""
        for line in mounts.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
                best, fstype = parts[1], parts[2]
        return fstype in _NETWORK_FS
    except OSError:
        return False


def connect(path: Path, *, network: bool | None = None, timeout: float = 10.0) -> Database:
    """Open one connection with the house pragmas. Call once per thread."""
    try:
        conn = sqlite3.connect(str(path), timeout=timeout)
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot open the library database {path}: {exc}") from exc
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    db.execute("PRAGMA foreign_keys = ON")
    if network is None:
        network = is_network_or_synced(path.parent)
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    wanted = "delete" if network else "wal"
    if mode != wanted:
        db.execute(f"PRAGMA journal_mode = {wanted}")
    db.execute("PRAGMA synchronous = FULL")
    return db


def applied_migrations(db: Database) -> list[str]:
    return [m.name for m in MIGRATIONS.applied(db)]


def migrate(db: Database, backups_dir: Path) -> bool:
    """Bring the schema up to date. Returns True if anything was applied.

    Raises:
        DatabaseTooNew: the database has migrations this app does not know.
    """
    applied = applied_migrations(db)
    unknown = sorted(set(applied) - set(KNOWN))
    if unknown:
        raise DatabaseTooNew(
            "This library was saved by a newer Plan Workbench "
            f"(it has {', '.join(unknown)}); update the app to open it."
        )
    pending = MIGRATIONS.pending(db)
    if not pending:
        return False
    if applied:  # an existing library: keep a copy of it as it was
        backup(db, backups_dir, reason="before-migration")
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        MIGRATIONS.apply(db)
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise LibraryError(f"A schema upgrade broke {len(problems)} references; not opened.")
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {len(KNOWN)}")
    return True


def integrity_problems(db: Database, *, quick: bool = False) -> list[str]:
    """SQLite's own checks: ``integrity_check(1)`` (or quick) and ``foreign_key_check``."""
    pragma = "quick_check(1)" if quick else "integrity_check(1)"
    problems: list[str] = []
    result = db.execute(f"PRAGMA {pragma}").fetchone()[0]
    if result != "ok":
        problems.append(f"SQLite {pragma}: {result}")
    for row in db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"broken reference in {row[0]} row {row[1]} to {row[2]}")
    return problems


def backup(db: Database, backups_dir: Path, *, reason: str = "daily") -> Path:
    """Take a verified online backup with the SQLite backup API and rotate old ones.

    The copy is written to a temporary name, opened and integrity-checked, then renamed into
    place. A database that fails its own integrity check is never backed up, so a good backup
    is never rotated out for a damaged one (Zotero's rule).
    """
    if integrity_problems(db, quick=True):
        raise LibraryError("The library database is damaged; no backup was taken over good ones.")
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = backups_dir / f"workbench-{stamp}-{reason}.db"
    tmp = final.with_suffix(".db.tmp")
    target = sqlite3.connect(str(tmp))
    try:
        db.conn.backup(target, pages=256)
    finally:
        target.close()
    check = sqlite3.connect(str(tmp))
    try:
        ok = check.execute("PRAGMA integrity_check(1)").fetchone()[0] == "ok"
    finally:
        check.close()
    if not ok:
        tmp.unlink(missing_ok=True)
        raise LibraryError("The backup did not verify; the previous backups were kept.")
    os.replace(tmp, final)
    _rotate(backups_dir)
    return final


def _rotate(backups_dir: Path) -> None:
    backups = sorted(backups_dir.glob("workbench-*.db"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


def list_backups(backups_dir: Path) -> list[Path]:
    return sorted(backups_dir.glob("workbench-*.db"), reverse=True)

"""Opening the library database safely: pragmas, migrations with guards, online backups.

Follows ../shared/RELIABILITY.md: WAL on local disks and ``journal_mode=DELETE`` on network or
synced folders; ``synchronous=FULL``; ``foreign_keys=ON`` on every connection; a busy timeout
set before WAL; a verified backup (SQLite backup API) before any migration; refusal of a
database written by a newer app; read-only opening (``mode=ro``, ``query_only``).

Connections are ``GuardedDatabase`` objects: SQLite errors a person can act on are raised as
``workbench.errors`` values (disk full → ``DiskFull``, read-only → ``LibraryReadOnly``,
damage → ``LibraryDamaged``), from ``execute()`` and from ``atomic()`` blocks, after the
transaction has been rolled back. Recovery at open (unclean-shutdown check, daily backups,
restore) lives in ``db.recovery``.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from db.migrations import KNOWN, MIGRATIONS
from workbench.errors import (
    DatabaseTooNew,
    DiskFull,
    LibraryDamaged,
    LibraryError,
    LibraryReadOnly,
    WorkbenchError,
)

APPLICATION_ID = 0x504C4E57  # "PLNW"
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
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
            import ctypes  # Windows only

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


_DAMAGE_HINTS = ("malformed", "not a database", "file is encrypted", "corrupt", "could not decode")
READ_ONLY_MESSAGE = (
    "Not saved: this library is read-only (its folder or database cannot be written). "
    "You can still read and search it."
)


def damaged_message(detail: str, backups: list[Path]) -> str:
    """The one-line message of ``LibraryDamaged``, naming the newest backup if there is one."""
    detail = " ".join(detail.replace("*** in database main ***", "").split())[:200]
    if backups:
        return (f"The library database is damaged ({detail}). Restore it from a backup: "
                f"`workbench restore-backup {backups[0].name}` (the damaged file is kept).")
    return (f"The library database is damaged ({detail}) and there is no backup to restore; "
            "keep a copy of the library folder before trying anything else.")


def translate_error(exc: BaseException, backups_dir: Path | None = None) -> WorkbenchError | None:
    """The ``WorkbenchError`` a person can act on for an SQLite error, or None if it is a bug."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    ):
        return None
    text = str(exc).lower()
    if "database or disk is full" in text or getattr(exc, "sqlite_errorcode", 0) == 13:
        return DiskFull()
    if "readonly" in text or "read-only" in text:
        return LibraryReadOnly(READ_ONLY_MESSAGE)
    if any(hint in text for hint in _DAMAGE_HINTS):
        backups = list_backups(backups_dir) if backups_dir is not None else []
        return LibraryDamaged(damaged_message(str(exc), backups),
                              tuple(str(b) for b in backups))
    return None


class _GuardedCursor:
    """A ``sqlite3.Cursor`` whose row fetching translates errors too (SQLite finds most damage
    while stepping through rows, after ``execute`` has returned)."""

    def __init__(self, cursor: sqlite3.Cursor, backups_dir: Path | None) -> None:
        self._cursor = cursor
        self._backups_dir = backups_dir

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def _translated(self, exc: sqlite3.DatabaseError | UnicodeDecodeError) -> BaseException:
        return translate_error(_as_db_error(exc), self._backups_dir) or exc

    def __iter__(self):
        try:
            yield from self._cursor
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            mapped = self._translated(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def fetchone(self):
        try:
            return self._cursor.fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            mapped = self._translated(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def fetchall(self):
        try:
            return self._cursor.fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            mapped = self._translated(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def fetchmany(self, size: int = 1):
        try:
            return self._cursor.fetchmany(size)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            mapped = self._translated(exc)
            if mapped is exc:
                raise
            raise mapped from exc


def _as_db_error(exc: sqlite3.DatabaseError | UnicodeDecodeError) -> sqlite3.DatabaseError:
    """Damaged bytes inside a stored string surface as a UnicodeDecodeError when sqlite3
    decodes the row (or the schema): that is a malformed database, not a bug."""
    if isinstance(exc, UnicodeDecodeError):
        return sqlite3.DatabaseError("database disk image is malformed (text that is not UTF-8)")
    return exc


class GuardedDatabase(Database):
    """A sqlite-utils ``Database`` whose actionable SQLite errors become ``WorkbenchError``s."""

    backups_dir: Path | None = None

    def execute(self, sql, parameters=None):  # type: ignore[override]
        try:
            cursor = super().execute(sql, parameters)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            mapped = translate_error(_as_db_error(exc), self.backups_dir)
            if mapped is None:
                raise
            raise mapped from exc
        return _GuardedCursor(cursor, self.backups_dir)

    @contextmanager
    def atomic(self) -> Generator[Database, None, None]:  # type: ignore[override]
        """``Database.atomic`` (rolled back on any error), with errors translated after it."""
        try:
            with super().atomic() as db:
                yield db
        except sqlite3.DatabaseError as exc:
            mapped = translate_error(exc, self.backups_dir)
            if mapped is None:
                raise
            raise mapped from exc


def connect(
    path: Path,
    *,
    network: bool | None = None,
    timeout: float = 10.0,
    read_only: bool = False,
    backups_dir: Path | None = None,
) -> GuardedDatabase:
    """Open one connection with the house pragmas. Call once per thread.

    Args:
        path: the database file.
        network: the folder is on a network or synced filesystem (``None``: find out).
        timeout: the busy timeout in seconds.
        read_only: open with ``mode=ro`` and ``query_only``; nothing is ever written.
        backups_dir: where backups live, named in ``LibraryDamaged`` errors.

    Raises:
        LibraryDamaged: the file is not a readable SQLite database.
        LibraryError: it cannot be opened at all.
    """
    try:
        if read_only:
            conn = _connect_read_only(path, timeout)
        else:
            conn = sqlite3.connect(str(path), timeout=timeout)
    except sqlite3.Error as exc:
        if read_only:
            raise LibraryReadOnly(
                f"Cannot open the read-only library database {path}: {exc}"
            ) from exc
        raise LibraryError(f"Cannot open the library database {path}: {exc}") from exc
    db = GuardedDatabase(conn)
    db.backups_dir = backups_dir
    try:
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        if read_only:
            db.execute("PRAGMA query_only = ON")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header
            return db
        if network is None:
            network = is_network_or_synced(path.parent)
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        wanted = "delete" if network else "wal"
        if mode != wanted:
            db.execute(f"PRAGMA journal_mode = {wanted}")
        db.execute("PRAGMA synchronous = FULL")
    except sqlite3.OperationalError as exc:
        db.close()
        # A full disk shows as "disk I/O error" here (SQLite cannot size the WAL's -shm
        # file), not as SQLITE_FULL: name the cause when the disk really has no room.
        if (free := free_bytes(path.parent)) is not None and free < FULL_DISK_BYTES:
            raise DiskFull(full_disk_message(path.parent, free)) from exc
        raise
    except BaseException:
        db.close()
        raise
    return db


FULL_DISK_BYTES = 1 << 20  # below this, an I/O error at open is put down to the full disk


def free_bytes(folder: Path) -> int | None:
    """Free space on the disk holding ``folder``, or None if it cannot be told."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def full_disk_message(folder: Path, free: int) -> str:
    return (f"The disk holding the library is full ({free // 1024} KB free in {folder}): "
            "free some space, then open it again.")


def _connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """``mode=ro``; if a WAL database cannot get its ``-shm`` file in a read-only folder and no
    ``-wal`` is left over, ``immutable=1`` (nobody can write a read-only folder either)."""
    if not path.exists():
        raise sqlite3.OperationalError("the database file does not exist")
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout)


def applied_migrations(db: Database) -> list[str]:
    return [m.name for m in MIGRATIONS.applied(db)]


def migrate(db: Database, backups_dir: Path, *, read_only: bool = False) -> bool:
    """Bring the schema up to date. Returns True if anything was applied.

    Raises:
        DatabaseTooNew: the database has migrations this app does not know.
        LibraryReadOnly: ``read_only`` and the schema needs an upgrade.
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
    if read_only:
        raise LibraryReadOnly(
            "This library needs a schema upgrade, but it is read-only; open it once from a "
            "folder that can be written."
        )
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
    try:
        problems = integrity_problems(db, quick=True)
    except LibraryDamaged as exc:  # SQLite could not even run the check
        problems = [str(exc.__cause__ or exc)]
    if problems:
        kept = list_backups(backups_dir)
        raise LibraryDamaged(
            damaged_message(f"{problems[0]}; no backup was taken over the good ones", kept),
            tuple(str(b) for b in kept),
        )
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = backups_dir / f"workbench-{stamp}-{reason}.db"
    tmp = final.with_suffix(".db.tmp")
    try:
        target = sqlite3.connect(str(tmp))
        try:
            db.conn.backup(target, pages=256)
            # a self-contained file: opening it later must not leave -wal/-shm files beside it
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        check = sqlite3.connect(str(tmp))
        try:
            ok = check.execute("PRAGMA integrity_check(1)").fetchone()[0] == "ok"
        finally:
            check.close()
    except (sqlite3.Error, OSError) as exc:
        remove_backup_temp(tmp)
        mapped = translate_error(exc) if isinstance(exc, sqlite3.Error) else None
        if mapped is None and isinstance(exc, OSError) and exc.errno in _NO_SPACE:
            mapped = DiskFull("No backup taken: the disk is full. The previous backups were kept.")
        if isinstance(mapped, DiskFull):
            raise DiskFull("No backup taken: the disk is full. The previous backups were kept.") \
                from exc
        raise LibraryError(f"No backup taken ({exc}); the previous backups were kept.") from exc
    if not ok:
        remove_backup_temp(tmp)
        raise LibraryError("The backup did not verify; the previous backups were kept.")
    # Make room first: a kill between the rename and a later rotation would leave one backup
    # too many, and nothing rotates again until the next backup.
    _rotate(backups_dir, keep=BACKUPS_KEPT - 1)
    os.replace(tmp, final)
    return final


def remove_backup_temp(tmp: Path) -> None:
    """Delete an unfinished backup and any journal SQLite left beside it."""
    for path in [tmp] + [tmp.with_name(tmp.name + side) for side in ("-journal", "-wal", "-shm")]:
        path.unlink(missing_ok=True)


def _rotate(backups_dir: Path, *, keep: int = BACKUPS_KEPT) -> None:
    backups = sorted(backups_dir.glob("workbench-*.db"))
    for old in backups[:max(0, len(backups) - keep)]:
        old.unlink(missing_ok=True)


def backup_taken(path: Path) -> dt.datetime:
    """When a backup was taken (UTC): the stamp its name carries (``backup`` writes it), else
    the file's modification time. A library copied with ``cp -r``, a sync client or an archive
    gives every file the time of the copy, which would show all backups as taken at once."""
    parts = path.stem.split("-", 2)  # workbench-<stamp>-<reason>
    # a strict match: strptime's %f would read the last digit of an older name's seconds
    # (written without microseconds) as a fraction, and give a wrong time without an error
    stamp = _BACKUP_STAMP.fullmatch(parts[1]) if len(parts) >= 2 else None
    if stamp:
        try:
            taken = dt.datetime.strptime(stamp[1], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
            return taken.replace(microsecond=int(stamp[2] or 0))
        except ValueError:  # digits that are no date: fall back on the file's time
            pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


_BACKUP_STAMP = re.compile(r"(\d{8}T\d{6})(\d{6})?Z")  # backup()'s stamp, or an older one


def list_backups(backups_dir: Path) -> list[Path]:
    """Finished backups, newest first (``*.db.tmp`` files are unfinished ones)."""
    if not backups_dir.is_dir():
        return []
    return sorted(backups_dir.glob("workbench-*.db"), reverse=True)

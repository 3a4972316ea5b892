"""Recovery at open: unclean-shutdown detection, checks, daily backups, clean-up and restore.

``open_database()`` is how ``SqliteStore`` opens a library database (RELIABILITY.md rules 5–6,
T-DUR-07/08, T-BAK-01, T-IO-03/04):

* **Clean-exit markers.** Every open store holds a marker file ``<db>.open-<pid>-<token>``
  beside the database, locked (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) for as
  long as it is open and deleted at a clean close. The operating system drops the lock when the
  process dies, so a marker that can be locked by someone else belongs to a session that did not
  close: an unclean shutdown. So is a non-empty ``-wal`` when nobody has the library open
  (Zotero's test; SQLite deletes the ``-wal`` when the last connection closes cleanly).
* **Check after an unclean shutdown.** ``PRAGMA integrity_check(1)`` runs on a *read-only*
  connection before anything else touches the file, so a damaged database and its ``-wal``
  are left exactly as found (a read-only connection never checkpoints). The result is logged.
  A failure raises ``LibraryDamaged`` carrying the backups, newest first.
* **Daily backups** (``maybe_backup``): at open, if the newest backup is older than the
  interval and the library holds data. A damaged database is never backed up.
* **Clean-up** of unfinished backups (``*.db.tmp``), restores and file-store copies left by a
  killed process, when no other session is using the library.
* **Read-only libraries** open with ``mode=ro`` and ``query_only``; nothing is written, not even
  a marker.
* **Network or synced folders** use ``journal_mode=DELETE`` and a single-instance lock file
  ``<db>.lock``; the store's ``warnings`` say so.
* ``restore_from_backup()`` keeps the damaged files (``<db>.damaged-<stamp>`` plus its
  ``-wal``/``-shm``), copies the backup in with the SQLite backup API and verifies it.

Emits log records on the ``db.recovery`` logger; no other events.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from db import connection
from workbench.errors import (
    DiskFull,
    LibraryDamaged,
    LibraryError,
    LibraryLocked,
    LibraryReadOnly,
)

__all__ = [
    "DAILY",
    "OpenedDatabase",
    "PreviousSession",
    "cleanup_temps",
    "inspect_previous_session",
    "maybe_backup",
    "open_database",
    "restore_from_backup",
    "verify_backup",
]

log = logging.getLogger(__name__)

DAILY = dt.timedelta(hours=24)
NETWORK_WARNING = (
    "This library is on a network or synced folder: Plan Workbench uses a slower, safer journal "
    "there and lets only one window or command open it at a time. Keep libraries on a local "
    "disk if you can."
)
FULL_DISK_WARNING = ("The disk holding the library is full: it is open read-only (you can read "
                     "and search it) until space is freed.")
READ_ONLY_WARNING = "This library is read-only: you can read and search it, but not change it."
UNCLEAN_WARNING = (
    "Plan Workbench did not close properly last time; the database was checked and is fine."
)
_SIDE_FILES = ("-wal", "-shm", "-journal")

_registry_lock = threading.Lock()
_own_markers: set[str] = set()  # markers held by this process (POSIX locks would not tell)
_network_locks: dict[str, list] = {}  # resolved lock path -> [fd, users]


# --- portable advisory locks (released by the OS when the process dies) ---------------------


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt  # Windows only

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl  # POSIX only

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        pass


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


# --- clean-exit markers ------------------------------------------------------------------------


_YOUNG_MARKER_S = 5.0


def _age_seconds(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


class OpenMarker:
    """This session's claim on a database: a locked marker file, deleted at a clean close."""

    def __init__(self, db_path: Path) -> None:
        token = secrets.token_hex(4)
        self.path = _side(db_path, f".open-{os.getpid()}-{token}")
        if os.name == "nt":
            # Windows cannot rename a file that is open without FILE_SHARE_DELETE, which
            # os.open does not ask for: create it under its final name and lock it at once.
            # ``inspect_previous_session`` treats a very young unlocked marker as alive.
            tmp = self.path
        else:
            tmp = _side(db_path, f".opening-{os.getpid()}-{token}")
        self.fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(self.fd, f"{os.getpid()}\n".encode())
            if not _try_lock(self.fd):
                raise OSError("could not lock the open marker")
            if tmp != self.path:
                os.replace(tmp, self.path)  # only ever seen locked under its final name
        except BaseException:
            os.close(self.fd)
            tmp.unlink(missing_ok=True)
            raise
        with _registry_lock:
            _own_markers.add(str(self.path))

    def release(self) -> None:
        """The clean exit: unlock and delete the marker."""
        with _registry_lock:
            _own_markers.discard(str(self.path))
        _unlock(self.fd)
        os.close(self.fd)
        self.path.unlink(missing_ok=True)


@dataclass(slots=True)
class PreviousSession:
    """What the files beside the database say about earlier sessions."""

    unclean: str = ""  # why the last session looks unclean; "" when it closed cleanly
    stale_markers: list[Path] = field(default_factory=list)
    others_alive: bool = False  # another store (this or another process) has it open now

    def forget_stale_markers(self) -> None:
        for marker in self.stale_markers:
            marker.unlink(missing_ok=True)
        self.stale_markers.clear()


def inspect_previous_session(db_path: Path) -> PreviousSession:
    """Find markers of sessions that died, and a ``-wal`` nobody owns. Writes nothing."""
    session = PreviousSession()
    for marker in sorted(db_path.parent.glob(f"{db_path.name}.open-*")):
        with _registry_lock:
            own = str(marker) in _own_markers
        if own:
            session.others_alive = True
            continue
        try:
            fd = os.open(marker, os.O_RDWR)
        except OSError:
            continue  # deleted meanwhile: closed cleanly
        try:
            if _try_lock(fd):
                _unlock(fd)
                if os.name == "nt" and _age_seconds(marker) < _YOUNG_MARKER_S:
                    session.others_alive = True  # being created by a session right now
                else:
                    session.stale_markers.append(marker)
            else:
                session.others_alive = True
        finally:
            os.close(fd)
    wal = _side(db_path, "-wal")
    if session.stale_markers:
        session.unclean = "a previous session did not close cleanly"
    elif not session.others_alive and wal.exists() and wal.stat().st_size > 0:
        session.unclean = "a journal (-wal) was left by a previous session"
    return session


def check_after_unclean(db_path: Path, reason: str, backups_dir: Path) -> str:
    """``integrity_check(1)`` on a read-only connection; log it; raise if it fails.

    Returns:
        SQLite's answer ("ok").

    Raises:
        LibraryDamaged: the check failed or the file is not a database.
    """
    backups = connection.list_backups(backups_dir)
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            result = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    log.warning("unclean shutdown of %s (%s): integrity_check(1) = %s", db_path, reason, result)
    if result != "ok":
        raise LibraryDamaged(
            connection.damaged_message(f"found after an unclean shutdown: {result}", backups),
            tuple(str(b) for b in backups),
        )
    return result


# --- temp files left by killed processes -------------------------------------------------------


def cleanup_temps(db_path: Path, backups_dir: Path) -> list[Path]:
    """Delete unfinished backups, restores and file-store copies. Call only when no other
    session uses the library. Returns what was deleted."""
    found: list[Path] = []
    if backups_dir.is_dir():
        found += backups_dir.glob("workbench-*.db.tmp*")  # and its -journal/-wal/-shm
    found += db_path.parent.glob(f"{db_path.name}.restoring*")
    found += db_path.parent.glob(f"{db_path.name}.opening-*")
    files = db_path.parent / "files"
    if files.is_dir():
        found += files.glob("*/.incoming-*.tmp")
    removed = []
    for path in found:
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    if removed:
        log.info("removed %d unfinished temporary file(s): %s", len(removed),
                 ", ".join(p.name for p in removed))
    return removed


# --- backups -------------------------------------------------------------------------------------


def maybe_backup(
    db: Database, backups_dir: Path, *, interval: dt.timedelta = DAILY, now: dt.datetime | None
    = None
) -> Path | None:
    """Take the daily backup if the newest one is older than ``interval`` (a cheap ``stat``).

    Skipped for a library that holds nothing yet. Raises ``LibraryDamaged`` rather than back up
    a damaged database (``connection.backup`` checks first).
    """
    row = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone() \
        if db["meta"].exists() else None
    if not row or int(row[0]) <= 0:
        return None
    newest = connection.list_backups(backups_dir)[:1]
    now = now or dt.datetime.now(dt.UTC)
    if newest:
        taken = dt.datetime.fromtimestamp(newest[0].stat().st_mtime, dt.UTC)
        if now - taken < interval:
            return None
    return connection.backup(db, backups_dir, reason="daily")


def verify_backup(backup: Path) -> None:
    """Raise ``LibraryError`` unless ``backup`` is a whole, healthy library database."""
    if not backup.is_file():
        raise LibraryError(f"No backup called {backup.name}; `workbench backups` lists them.")
    try:
        conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
            has_schema = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = '_sqlite_migrations'"
            ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        result, has_schema = str(exc), 0
    if result != "ok" or not has_schema:
        raise LibraryError(f"The backup {backup.name} is not usable ({result}); pick another.")


def restore_from_backup(db_path: Path, backup: Path, *, backups_dir: Path | None = None
                        ) -> Path | None:
    """Replace the library database with ``backup``, keeping the damaged files.

    The current database (if any) and its ``-wal``/``-shm``/``-journal`` are renamed to
    ``<db>.damaged-<stamp>`` (+ the same suffixes); the backup is copied in with the SQLite
    backup API into a temporary file, verified, then renamed into place.

    Args:
        db_path: the library's ``workbench.db``.
        backup: a backup file, or its name inside ``backups_dir``.

    Returns:
        The path the damaged database was kept under, or None if there was none.

    Raises:
        LibraryError: the backup is missing or damaged. LibraryLocked: the library is open.
    """
    backups_dir = backups_dir or db_path.parent / "backups"
    if not backup.is_absolute() and not backup.exists():
        backup = backups_dir / backup
    verify_backup(backup)
    session = inspect_previous_session(db_path)
    if session.others_alive:
        raise LibraryLocked("The library is open in another Plan Workbench; close it first.")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    damaged: Path | None = None
    if db_path.exists():
        damaged = _side(db_path, f".damaged-{stamp}")
        os.replace(db_path, damaged)
    for suffix in _SIDE_FILES:
        side = _side(db_path, suffix)
        if side.exists():
            target = _side(damaged, suffix) if damaged else _side(db_path, f".damaged-{stamp}"
                                                                          f"{suffix}")
            os.replace(side, target)
    tmp = _side(db_path, ".restoring")
    connection.remove_backup_temp(tmp)
    src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    try:
        verify_backup(tmp)
    except LibraryError:
        connection.remove_backup_temp(tmp)
        raise
    os.replace(tmp, db_path)
    session.forget_stale_markers()
    log.warning("restored %s from %s; the damaged file was kept as %s", db_path, backup, damaged)
    return damaged


# --- the network single-instance lock -----------------------------------------------------------


def _acquire_network_lock(db_path: Path) -> str:
    path = _side(db_path, ".lock")
    key = str(path.resolve())
    with _registry_lock:
        held = _network_locks.get(key)
        if held is not None:  # this process already holds it: another store of ours
            held[1] += 1
            return key
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise LibraryLocked(
                "Another Plan Workbench is using this library, which is on a network or synced "
                "folder where only one may open it at a time; close the other one first."
            )
        _network_locks[key] = [fd, 1]
    return key


def _release_network_lock(key: str) -> None:
    with _registry_lock:
        held = _network_locks.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del _network_locks[key]
    _unlock(held[0])
    os.close(held[0])


# --- opening -------------------------------------------------------------------------------------


@dataclass(slots=True)
class OpenedDatabase:
    """A database opened by ``open_database`` and what was found on the way."""

    db: connection.GuardedDatabase
    migrated: bool
    read_only: bool
    network: bool
    warnings: list[str]
    unclean: str = ""  # the unclean-shutdown reason, "" after a clean one
    integrity_at_open: str = ""  # integrity_check's answer when one ran at open
    backup_taken: Path | None = None
    _marker: OpenMarker | None = None
    _lock_key: str = ""

    def close(self) -> None:
        """Close the connection, then drop the marker (the clean exit) and any lock."""
        try:
            self.db.close()
        finally:
            marker, self._marker = self._marker, None
            if marker is not None:
                marker.release()
            key, self._lock_key = self._lock_key, ""
            if key:
                _release_network_lock(key)


def _writable(path: Path) -> bool:
    folder = path.parent
    if not folder.exists():
        return True  # connect() reports the real problem
    if not os.access(folder, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def open_database(
    path: Path,
    backups_dir: Path,
    *,
    read_only: bool | None = None,
    network: bool | None = None,
    backup_interval: dt.timedelta | None = DAILY,
) -> OpenedDatabase:
    """Open the library database with every guard of RELIABILITY.md.

    Args:
        path: ``workbench.db``.
        backups_dir: the library's backups folder.
        read_only: ``None`` decides from the folder's and file's permissions.
        network: ``None`` decides from the filesystem (``connection.is_network_or_synced``).
        backup_interval: how old the newest backup may be before a daily one is taken at open;
            ``None`` never takes one.

    Raises:
        LibraryDamaged, LibraryReadOnly, LibraryLocked, DatabaseTooNew, LibraryError.
    """
    if not path.parent.is_dir():
        raise LibraryError(f"Cannot open the library database {path}: no folder {path.parent}")
    if read_only is None:
        read_only = not _writable(path)
    backups = connection.list_backups(backups_dir)
    if backups and (not path.exists() or path.stat().st_size == 0):
        raise LibraryDamaged(
            connection.damaged_message("the database file is missing or empty", backups),
            tuple(str(b) for b in backups),
        )
    if read_only:
        return _open_read_only(path, backups_dir)
    if network is None:
        network = connection.is_network_or_synced(path.parent)
    warnings: list[str] = []
    lock_key = ""
    marker: OpenMarker | None = None
    try:
        if network:
            lock_key = _acquire_network_lock(path)
            warnings.append(NETWORK_WARNING)
        session = inspect_previous_session(path)
        integrity = ""
        if session.unclean and path.exists():
            integrity = check_after_unclean(path, session.unclean, backups_dir)
            warnings.append(UNCLEAN_WARNING)
        session.forget_stale_markers()
        if not session.others_alive:
            cleanup_temps(path, backups_dir)
        marker = OpenMarker(path)
        db = connection.connect(path, network=network, backups_dir=backups_dir)
    except BaseException as exc:
        if marker is not None:
            marker.release()
        if lock_key:
            _release_network_lock(lock_key)
        if isinstance(exc, DiskFull) and not network:
            return _open_read_only_on_full_disk(path, backups_dir, exc)
        raise
    opened = OpenedDatabase(db, False, False, network, warnings, session.unclean, integrity,
                            _marker=marker, _lock_key=lock_key)
    try:
        opened.migrated = connection.migrate(db, backups_dir)
        if backup_interval is not None:
            try:
                opened.backup_taken = maybe_backup(db, backups_dir, interval=backup_interval)
            except LibraryDamaged:
                raise
            except (LibraryError, OSError) as exc:  # the user reads it once, as a note
                log.info("no daily backup of %s: %s", path, exc)
                text = str(exc)
                warnings.append(text if text.startswith("No backup taken")
                                else f"No daily backup was taken: {text}")
    except BaseException:
        opened.close()
        raise
    return opened


def _open_read_only_on_full_disk(path: Path, backups_dir: Path,
                                 full: DiskFull) -> OpenedDatabase:
    """Read a library whose disk is too full to open it for writing (no ``-shm`` can be made):
    ``mode=ro``, and ``immutable=1`` only when no ``-wal`` holds unmerged pages (as for a
    read-only folder). Still raises ``full`` if even that fails."""
    try:
        opened = _open_read_only(path, backups_dir)
    except (LibraryReadOnly, DiskFull):
        raise full from None
    log.info("%s opened read-only: %s", path, full.message)
    opened.warnings[:] = [FULL_DISK_WARNING]
    return opened


def _open_read_only(path: Path, backups_dir: Path) -> OpenedDatabase:
    if not path.exists():
        raise LibraryReadOnly(
            f"Cannot create a library in {path.parent}: the folder is read-only."
        )
    session = inspect_previous_session(path)
    db = connection.connect(path, read_only=True, backups_dir=backups_dir)
    try:
        integrity = ""
        if session.unclean:  # cannot repair anything here, but can refuse damage
            result = db.execute("PRAGMA integrity_check(1)").fetchone()[0]
            log.warning("read-only open of %s after an unclean shutdown: integrity_check(1) = %s",
                        path, result)
            if result != "ok":
                backups = connection.list_backups(backups_dir)
                raise LibraryDamaged(connection.damaged_message(result, backups),
                                     tuple(str(b) for b in backups))
            integrity = result
        migrated = connection.migrate(db, backups_dir, read_only=True)
    except BaseException:
        db.close()
        raise
    return OpenedDatabase(db, migrated, True, False, [READ_ONLY_WARNING], session.unclean,
                          integrity)

"""The one atomic file write, the one clock and the one app version of the product.

``atomic_write(target, write)`` writes through a temp file in the target's folder, fsyncs it,
keeps an existing file's permissions, renames it over the target and fsyncs the folder: a
crash, a kill or an exception at any moment leaves the previous file byte-identical (or
absent). Sidecars, merge packages, the file store, the basket and every export use it. A
killed write's temp file is removed by the next write to the same target
(``clean_stale_temps``), or, for the file store's ``.incoming-*.tmp``, by ``db.recovery`` at
open.

``utc_now()`` is the timestamp every record, audit row and manifest carries; ``app_version()``
the installed distribution's version. Emits nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["APP_NAME", "app_version", "atomic_write", "atomic_write_bytes", "clean_stale_temps",
           "temp_prefix", "utc_now", "write_json_atomic"]

APP_NAME = "plan-workbench"
_TEMP_SUFFIX = ".part"


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 to the second ("2025-09-30T10:04:00+00:00")."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def app_version() -> str:
    """The installed distribution's version ("0+unknown" when run from a bare checkout)."""
    try:
        return metadata.version(APP_NAME)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def temp_prefix(target: Path) -> str:
    """The name prefix of temp files for ``target`` (hidden, so file managers skip them)."""
    return f".{target.name}."


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove temp files a killed write to ``target`` left behind; return what was removed."""
    removed: list[Path] = []
    prefix = temp_prefix(target)
    try:
        candidates = list(target.parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        name = candidate.name
        if name.startswith(prefix) and name.endswith(_TEMP_SUFFIX) and candidate.is_file():
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a directory)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _final_mode(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual rw-r--r--."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o644


def atomic_write(target: Path, write: Callable[[BinaryIO], None], *,
                 prefix: str | None = None, suffix: str = _TEMP_SUFFIX) -> Path:
    """Call ``write(f)`` on a temp file beside ``target``, then move it over ``target``.

    Args:
        target: the file to create or replace (its folder is created if missing).
        write: writes the whole content to the binary file object it is given.
        prefix, suffix: the temp file's name parts when someone else cleans them up (the file
            store's ``.incoming-*.tmp``); by default ``.<name>.*.part``, cleaned here.

    Returns:
        ``target``, resolved.

    Raises:
        Whatever ``write`` or the filesystem raises; ``target`` is then unchanged and the temp
        file is gone.
    """
    target = Path(target).resolve()
    folder = target.parent
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    folder.mkdir(parents=True, exist_ok=True)
    if prefix is None:
        clean_stale_temps(target)
    fd, tmp_name = tempfile.mkstemp(prefix=prefix or temp_prefix(target), suffix=suffix,
                                    dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _final_mode(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):
        _fsync_dir(folder)
    return target


def atomic_write_bytes(target: Path, data: bytes) -> Path:
    """``atomic_write`` for content already in memory."""
    return atomic_write(target, lambda f: f.write(data))


def write_json_atomic(path: Path, data: Any) -> Path:
    """``data`` as readable JSON (sorted keys, UTF-8), written atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return atomic_write_bytes(path, text.encode("utf-8"))

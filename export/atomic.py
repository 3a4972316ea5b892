"""Atomic file writes for exports: a temp file in the same folder, fsync, then ``os.replace``.

A crash, a kill or an exception at any moment leaves the previous file byte-identical (or
absent); the temp file of a killed export is removed by the next export to the same target
(``clean_stale_temps``). Emits nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_write_bytes", "clean_stale_temps", "temp_prefix"]

_TEMP_SUFFIX = ".part"


def temp_prefix(target: Path) -> str:
    """The name prefix of temp files for ``target`` (hidden, so file managers skip them)."""
    return f".{target.name}."


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove temp files a killed export to ``target`` left behind; return what was removed."""
    removed = []
    folder = target.parent
    prefix = temp_prefix(target)
    try:
        candidates = list(folder.iterdir())
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


def atomic_write(target: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(f)`` on a temp file beside ``target``, then move it over ``target``.

    Args:
        target: the file to create or replace.
        write: writes the whole content to the binary file object it is given.

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
    clean_stale_temps(target)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=_TEMP_SUFFIX, dir=folder)
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

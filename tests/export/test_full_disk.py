"""A pack written to a full disk fails with one clean OSError and leaves nothing behind.

Why: python-docx and openpyxl zip straight into the file; when a write failed (ENOSPC) their
zip was left open on a closed file and its clean-up at garbage collection printed
"Exception ignored in ZipFile.__del__ … ValueError: seek of closed file" on stderr, under
the CLI's one-line "Could not write …: No space left on device" (seen on a 40 KB tmpfs)."""

from __future__ import annotations

import errno
import gc
import os
import sys

import pytest

from export.docx_writer import write_docx
from export.tables import write_xlsx
from tests.export import packs
from workbench import files


class _FullDisk:
    """A file that takes 1 KB, then says the disk is full (as ENOSPC does)."""

    def __init__(self, real) -> None:
        self._real, self._written = real, 0

    def write(self, data) -> int:
        self._written += len(data)
        if self._written > 1024:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._real.write(data)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._real.close()


@pytest.mark.parametrize("writer, name", [(write_docx, "pack.docx"), (write_xlsx, "pack.xlsx")])
def test_a_full_disk_is_one_clean_error(tmp_path, monkeypatch, writer, name):
    real_fdopen = os.fdopen
    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode)))
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(OSError) as caught:
        writer(packs.sample_pack(), tmp_path / name)
    assert caught.value.errno == errno.ENOSPC
    del caught  # its traceback holds the writer's frames (and any zip left open) alive
    gc.collect()
    assert [u.exc_value for u in unraisable] == []  # nothing printed after the message
    assert list(tmp_path.iterdir()) == []  # no pack, no temp file

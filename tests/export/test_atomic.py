"""T-EXP-01 / T-DUR-05: exports replace the target atomically; failures and kills leave the
previous file byte-identical and no temp file behind (a killed export's temp file is removed by
the next export to the same target)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import workbench.files
from export import write_pack
from tests.export import packs
from workbench.errors import InvalidInput
from workbench.files import atomic_write, atomic_write_bytes, temp_prefix

REPO = Path(__file__).resolve().parents[2]
PREVIOUS = b"%PDF-1.7 previous pack, byte for byte\n" * 100


def _only(folder: Path, *names: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_replaces_and_keeps_permissions(tmp_path):
    target = tmp_path / "pack.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    _only(tmp_path, "pack.csv")


def test_new_file_is_readable_by_others(tmp_path):
    target = tmp_path / "pack.csv"
    atomic_write_bytes(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o644


def test_exception_mid_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "pack.pdf"
    target.write_bytes(PREVIOUS)

    def half_then_fail(f):
        f.write(b"%PDF-1.7 half a new pack")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == PREVIOUS
    _only(tmp_path, "pack.pdf")


def _fail_pdf(monkeypatch):
    import weasyprint.document

    def partial(self, target=None, **kwargs):
        target.write(b"%PDF-1.7\n% partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(weasyprint.document.Document, "write_pdf", partial)


def _fail_docx(monkeypatch):
    import docx.document

    def partial(self, stream):
        stream.write(b"PK\x03\x04 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", partial)


def _fail_xlsx(monkeypatch):
    import openpyxl

    def partial(self, stream):
        stream.write(b"PK\x03\x04 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", partial)


def _fail_fsync(monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workbench.files.os, "fsync", no_space)


@pytest.mark.parametrize(("fmt", "breaker"), [
    ("pdf", _fail_pdf), ("docx", _fail_docx), ("xlsx", _fail_xlsx), ("csv", _fail_fsync),
    ("pdf", _fail_fsync), ("docx", _fail_fsync),
])
def test_writer_failure_keeps_previous_pack_and_manifest(tmp_path, monkeypatch, fmt, breaker):
    target, archive = tmp_path / "out" / f"pack.{fmt}", tmp_path / "library-packs"
    written = write_pack(packs.sample_pack(), target, archive=archive)
    before, manifest = target.read_bytes(), written.manifest.read_bytes()
    breaker(monkeypatch)
    with pytest.raises(OSError):
        write_pack(packs.sample_pack(title="A new title"), target, archive=archive)
    assert target.read_bytes() == before
    assert written.manifest.read_bytes() == manifest
    _only(target.parent, f"pack.{fmt}")  # nothing beside the clerk's file
    _only(archive, written.manifest.name)


_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from workbench.files import atomic_write

    def slow(f):
        f.write(b"%PDF-1.7 new and incomplete " * 50_000)
        f.flush()
        print("WRITING", flush=True)
        time.sleep(60)

    atomic_write(Path(sys.argv[1]), slow)
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill9_during_export_leaves_previous_file(tmp_path):
    """T-DUR-05: SIGKILL mid-write; the previous export is intact, the next one cleans up."""
    target = tmp_path / "pack.pdf"
    target.write_bytes(PREVIOUS)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(target)], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "WRITING"
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    assert target.read_bytes() == PREVIOUS
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(temp_prefix(target))]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 0
    write_pack(packs.sample_pack(), target)  # the next export of the same target
    _only(tmp_path, "pack.pdf")
    assert target.read_bytes().startswith(b"%PDF-")


def test_refuses_a_folder_and_unknown_formats(tmp_path):
    folder = tmp_path / "out.pdf"
    folder.mkdir()
    with pytest.raises(InvalidInput):
        write_pack(packs.sample_pack(), folder)
    with pytest.raises(InvalidInput):
        write_pack(packs.sample_pack(), tmp_path / "pack.txt")
    with pytest.raises(InvalidInput):
        write_pack(packs.sample_pack(), tmp_path / "x.pack.json", "csv")

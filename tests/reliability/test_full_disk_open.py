"""A library on a full disk (QA r10 L6, L7): open it to read, say why once, never "a bug".

A real full disk is not needed: on one, SQLite cannot size the WAL's ``-shm`` file when the
library is opened for writing, and the first statement that reads the file
(``PRAGMA journal_mode`` in ``db.connection.connect``) fails with ``disk I/O error``. The tests
make that statement fail the same way and report the disk as nearly full.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from db import connection, recovery
from db.store import SqliteStore
from tests.factories import make_extraction, make_meta
from ui.cli.main import main as cli_main
from workbench.errors import DiskFull, LibraryReadOnly

FULL = 4096  # bytes free, as in QA's tmpfs


def _library(root: Path) -> Path:
    root.mkdir(parents=True)
    store = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    try:
        store.add_document(slug="plan-a", meta=make_meta("Plan a"),
                           extraction=make_extraction("a", 3), file_name="a.pdf",
                           stored_path="files/a.pdf")
    finally:
        store.close()
    return root


def _disk_full_at_open(monkeypatch, free: int = FULL, *, read_only_too: bool = False) -> None:
    real = connection.GuardedDatabase.execute

    def execute(self, sql, parameters=None):
        if sql == "PRAGMA journal_mode" or (read_only_too and sql.startswith("SELECT count")):
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, sql, parameters)

    monkeypatch.setattr(connection.GuardedDatabase, "execute", execute)
    monkeypatch.setattr(connection, "free_bytes", lambda folder: free)


def test_full_disk_names_the_cause_and_still_opens_to_read(tmp_path, monkeypatch):
    root = _library(tmp_path / "lib")
    _disk_full_at_open(monkeypatch)
    with pytest.raises(DiskFull, match="The disk holding the library is full"):
        connection.connect(root / "workbench.db")
    store = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    try:
        assert store.read_only and store.warnings == [recovery.FULL_DISK_WARNING]
        assert [p.slug for p in store.plans()] == ["plan-a"]
        with pytest.raises(LibraryReadOnly):
            store.update_plan_meta("plan-a", make_meta("changed"))
    finally:
        store.close()


def test_cli_reads_a_library_on_a_full_disk_with_one_note(tmp_path, monkeypatch, capsys):
    root = _library(tmp_path / "lib")
    _disk_full_at_open(monkeypatch)
    code = cli_main(["--library", str(root), "plans"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "plan-a" in out and err.count("disk holding the library is full") == 1, err


def test_an_io_error_with_room_on_the_disk_is_not_called_a_full_disk(tmp_path, monkeypatch):
    root = _library(tmp_path / "lib")
    _disk_full_at_open(monkeypatch, free=50 << 30)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        connection.connect(root / "workbench.db")


def test_cli_on_a_full_disk_is_one_plain_line_not_an_internal_error(tmp_path, monkeypatch,
                                                                     capsys):
    root = _library(tmp_path / "lib")
    _disk_full_at_open(monkeypatch, read_only_too=True)
    code = cli_main(["--library", str(root), "plans"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("workbench: The disk holding the library is full"), err
    assert err.count("\n") == 1 and "internal error" not in err


def test_skipped_daily_backup_is_said_once(tmp_path, monkeypatch, caplog):
    root = _library(tmp_path / "lib")
    for b in connection.list_backups(root / "backups"):
        b.unlink()  # a daily backup is due

    def full(*_a, **_k):
        raise DiskFull("No backup taken: the disk is full. The previous backups were kept.")

    monkeypatch.setattr(connection, "backup", full)
    with caplog.at_level(logging.WARNING):
        store = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    try:
        assert store.warnings == ["No backup taken: the disk is full. The previous backups "
                                  "were kept."]
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    finally:
        store.close()

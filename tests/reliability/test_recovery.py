"""Recovery at open and I/O faults: T-DUR-07, T-DUR-08, T-IO-01..04, T-BAK-01, restore, CLI."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db import connection, recovery
from db.store import SqliteStore
from tests.conftest import REPO, run_cli
from tests.factories import make_extraction, make_meta
from tests.reliability.harness import file_hashes, run_child, sqlite_problems
from workbench.errors import (
    DiskFull,
    LibraryDamaged,
    LibraryLocked,
    LibraryReadOnly,
)
from workbench.library import LibraryPaths, store_copy

DISK_FULL = "Not saved: the disk is full. Your previous work is safe."


def _open(root: Path, **kw) -> SqliteStore:
    return SqliteStore(root / "workbench.db", backups_dir=root / "backups", **kw)


def _add(store: SqliteStore, seed: str, pages: int = 3):
    return store.add_document(slug=f"plan-{seed}", meta=make_meta(f"Plan {seed}"),
                              extraction=make_extraction(seed, pages), file_name=f"{seed}.pdf",
                              stored_path=f"files/{seed}.pdf")


def _library(root: Path, seeds: str = "abc") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    store = _open(root)
    try:
        for s in seeds:
            _add(store, s)
    finally:
        store.close()
    return root


def _counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]  # noqa: S608
                for n in names}
    finally:
        conn.close()


def _python(code: str, *, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, text=True,
                          capture_output=True, check=check, timeout=120)


# --- T-DUR-07 unclean shutdown detection ------------------------------------------------------


def test_clean_close_is_not_reported_as_unclean(tmp_path):
    root = _library(tmp_path / "lib")
    store = _open(root)
    assert store.unclean_shutdown == "" and store.warnings == []
    other = _open(root)  # a second store of this process is alive, not a dead session
    assert other.unclean_shutdown == ""
    other.close()
    store.close()
    assert not list(root.glob("workbench.db.open-*")), "markers must go at a clean close"
    assert not (root / "workbench.db-wal").exists()


def test_kill9_is_detected_and_checked_before_use(tmp_path, caplog):
    root = _library(tmp_path / "lib")
    run = run_child(["meta", str(root), "1"], delay=0.2)
    assert run.killed and run.acks
    caplog.set_level(logging.WARNING, logger="db.recovery")
    store = _open(root)
    try:
        assert store.unclean_shutdown == "a previous session did not close cleanly"
        assert recovery.UNCLEAN_WARNING in store.warnings
        assert "integrity_check(1) = ok" in caplog.text
    finally:
        store.close()
    assert not list(root.glob("workbench.db.open-*"))
    again = _open(root)
    assert again.unclean_shutdown == ""
    again.close()


def test_live_session_in_another_process_is_not_mistaken_for_a_crash(tmp_path):
    root = _library(tmp_path / "lib")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from db.store import SqliteStore
            s = SqliteStore(__import__('pathlib').Path({str(root / 'workbench.db')!r}))
            print('ready', flush=True)
            sys.stdin.readline()
            s.close()
        """)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        store = _open(root)
        assert store.unclean_shutdown == ""
        store.close()
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0


def test_leftover_wal_without_markers_counts_as_unclean(tmp_path, caplog):
    """Zotero's test: a non-empty -wal that nobody owns means the last session crashed."""
    root = _library(tmp_path / "lib")
    _python(f"""
        import os, sqlite3
        c = sqlite3.connect({str(root / 'workbench.db')!r})
        c.execute("UPDATE plans SET title = 'crashed' WHERE slug = 'plan-a'")
        c.commit()
        os._exit(0)
    """)  # noqa: S608 - a test script, not SQL built from input
    assert (root / "workbench.db-wal").stat().st_size > 0
    caplog.set_level(logging.WARNING, logger="db.recovery")
    store = _open(root)
    try:
        assert "journal (-wal)" in store.unclean_shutdown
        assert store.plan("plan-a").meta.title == "crashed"
        assert "integrity_check(1) = ok" in caplog.text
    finally:
        store.close()


# --- T-DUR-08 stale WAL with a restored database -----------------------------------------------


def test_stale_wal_with_an_older_database_is_detected_and_kept(tmp_path):
    """Copy an old workbench.db over the current one but leave the newer -wal (Zotero scenario).

    SQLite itself would replay the -wal onto the old file. Here the checkpoint between the old
    copy and the crash makes the mix inconsistent; the unclean-shutdown check finds it on a
    read-only connection (no checkpoint), so the refused files stay exactly as found.
    """
    root = _library(tmp_path / "lib", "ab")
    db_path = root / "workbench.db"
    old = tmp_path / "old.db"
    shutil.copy(db_path, old)
    _python(f"""
        import os
        from pathlib import Path
        from db.store import SqliteStore
        from tests.factories import make_extraction, make_meta
        s = SqliteStore(Path({str(db_path)!r}), backup_interval=None)
        for i in range(12):
            s.add_document(slug=f"more-{{i}}", meta=make_meta(f"More {{i}}"),
                           extraction=make_extraction(f"m{{i}}", 40), file_name=f"m{{i}}.pdf",
                           stored_path=f"files/m{{i}}.pdf")
        s.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        for i in range(12, 20):
            s.add_document(slug=f"more-{{i}}", meta=make_meta(f"More {{i}}"),
                           extraction=make_extraction(f"m{{i}}", 40), file_name=f"m{{i}}.pdf",
                           stored_path=f"files/m{{i}}.pdf")
        s.db.execute("DELETE FROM audit_log WHERE id % 3 = 0")
        s.db.conn.commit()
        os._exit(0)  # killed: the -wal stays
    """)  # noqa: S608 - a test script, not SQL built from input
    shutil.copy(old, db_path)  # the user "restores" a copy, leaving the newer -wal in place
    before = file_hashes(root, "workbench.db*")
    with pytest.raises(LibraryDamaged) as info:
        _open(root)
    assert "damaged" in info.value.message and "\n" not in info.value.message
    after = file_hashes(root, "workbench.db*")
    for name in ("workbench.db", "workbench.db-wal"):  # -shm is SQLite's rebuildable index
        assert after[name] == before[name], f"{name} must be left exactly as found"
    with pytest.raises(LibraryDamaged):  # still refused at the next start: nothing was merged
        _open(root)


# --- T-IO-03 read-only data folder ------------------------------------------------------------


def _read_only_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI on ``root`` made read-only: a read-only bind mount as root, chmod otherwise."""
    cli = [sys.executable, "-m", "ui.cli", *args, "--library", str(root)]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("root without unshare cannot make a read-only folder")
        script = (f'mount --bind "{root}" "{root}" && mount -o remount,bind,ro "{root}" && '
                  + " ".join(f"'{c}'" for c in cli))
        proc = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=REPO, text=True,
                              capture_output=True, timeout=120)
        if "mount:" in proc.stderr:
            pytest.skip(f"cannot mount read-only here: {proc.stderr.strip()}")
        return proc
    for p in [root, *root.rglob("*")]:
        p.chmod(p.stat().st_mode & ~0o222)
    try:
        return subprocess.run(cli, cwd=REPO, text=True, capture_output=True, timeout=120)
    finally:
        for p in [root, *root.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)


def test_read_only_library_opens_for_reading_and_refuses_writes(sample_library):
    before = file_hashes(sample_library)
    plans = _read_only_cli(sample_library, "plans", "--json")
    assert plans.returncode == 0, plans.stderr
    assert "kent-vision-2011" in plans.stdout
    search = _read_only_cli(sample_library, "search", "libraries", "--json")
    assert search.returncode == 0, search.stderr
    edit = _read_only_cli(sample_library, "edit", "kent-vision-2011", "--title", "X")
    assert edit.returncode == 1
    assert edit.stderr.count("\n") == 1 and "read-only" in edit.stderr, edit.stderr
    assert file_hashes(sample_library) == before, "nothing may be written to a read-only library"


def test_read_only_store_refuses_pending_migrations(tmp_path, monkeypatch):
    root = _library(tmp_path / "lib")
    store = _open(root, read_only=True)
    try:
        assert store.read_only and recovery.READ_ONLY_WARNING in store.warnings
        assert store.db.execute("PRAGMA query_only").fetchone()[0] == 1
        assert [p.slug for p in store.plans()] == ["plan-a", "plan-b", "plan-c"]
        with pytest.raises(LibraryReadOnly, match="read-only"):
            store.update_plan_meta("plan-a", make_meta("changed"))
    finally:
        store.close()
    conn = sqlite3.connect(root / "workbench.db")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = (SELECT max(name) FROM "
                 "_sqlite_migrations)")
    conn.commit()
    conn.close()
    with pytest.raises(LibraryReadOnly, match="schema upgrade"):
        _open(root, read_only=True)


# --- T-IO-04 network or synced folder -----------------------------------------------------------


def test_network_folder_gets_rollback_journal_a_warning_and_a_single_instance_lock(tmp_path):
    root = _library(tmp_path / "lib")
    store = _open(root, network=True)
    try:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert recovery.NETWORK_WARNING in store.warnings
        second = _open(root, network=True)  # the same process may open it twice
        second.close()
        other = _python(f"""
            from pathlib import Path
            from db.store import SqliteStore
            from workbench.errors import LibraryLocked
            try:
                SqliteStore(Path({str(root / 'workbench.db')!r}), network=True)
            except LibraryLocked as exc:
                print("locked:", exc)
        """)
        assert other.stdout.startswith("locked: Another Plan Workbench"), other.stderr
    finally:
        store.close()
    run = run_child(["meta", str(root), "1"], delay=0.1)  # network=None: local, so WAL here
    assert run.killed
    store = _open(root, network=True)  # a dead holder's lock is released by the OS
    store.close()


def test_network_lock_is_released_when_its_holder_dies(tmp_path):
    root = _library(tmp_path / "lib")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from db.store import SqliteStore
        s = SqliteStore(Path({str(root / 'workbench.db')!r}), network=True)
        print('ready', flush=True)
        import time; time.sleep(600)
    """)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(LibraryLocked):
            _open(root, network=True)
    finally:
        holder.kill()
        holder.wait(30)
    store = _open(root, network=True)
    assert store.unclean_shutdown  # and the dead holder was noticed
    store.close()


# --- T-IO-01 / T-IO-02 disk full ------------------------------------------------------------------


def test_disk_full_during_import_changes_nothing_and_retry_succeeds(tmp_path):
    root = _library(tmp_path / "lib", "ab")
    store = _open(root)
    try:
        before = _counts(root / "workbench.db")
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 3}")
        with pytest.raises(DiskFull) as info:
            _add(store, "big", pages=300)
        assert info.value.message == DISK_FULL
        assert _counts(root / "workbench.db") == before
        assert store.check() == []
        assert not store.db.conn.in_transaction
        store.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
        plan = _add(store, "big", pages=300)
        assert plan.pages == 300 and store.check() == []
    finally:
        store.close()


def test_disk_full_during_a_metadata_edit_keeps_the_old_value(tmp_path):
    root = _library(tmp_path / "lib", "a")
    store = _open(root)
    try:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFull, match="Your previous work is safe"):
            store.update_plan_meta("plan-a", make_meta("x" * 20000))
        assert store.plan("plan-a").meta.title == "Plan a"
        store.db.execute("PRAGMA max_page_count = 1073741823")
        assert store.update_plan_meta("plan-a", make_meta("x" * 20000)).meta.title == "x" * 20000
    finally:
        store.close()


def test_store_copy_over_the_file_size_limit_leaves_no_partial_file(tmp_path):
    """RLIMIT_FSIZE (SIGXFSZ ignored) makes write() fail with EFBIG, like a full disk."""
    pytest.importorskip("resource")
    src = tmp_path / "big.pdf"
    src.write_bytes(os.urandom(3 << 20))
    root = tmp_path / "lib"
    LibraryPaths(root).ensure()
    proc = _python(f"""
        import resource, signal
        from pathlib import Path
        from workbench.errors import DiskFull
        from workbench.library import LibraryPaths, store_copy
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        try:
            store_copy(LibraryPaths(Path({str(root)!r})), Path({str(src)!r}), "ab" * 32)
        except DiskFull as exc:
            print("refused:", exc)
    """)
    assert proc.stdout.strip() == f"refused: {DISK_FULL}", proc.stderr
    assert list((root / "files").rglob("*")) in ([], [root / "files" / "ab"])
    assert store_copy(LibraryPaths(root), src, "ab" * 32)  # retry once there is room


def test_backup_on_a_full_disk_keeps_the_previous_backups(tmp_path):
    root = _library(tmp_path / "lib", "a")
    store = _open(root)
    try:
        first = connection.backup(store.db, root / "backups", reason="one")
        before = file_hashes(root / "backups")
        proc = _python(f"""
            import resource, signal
            from pathlib import Path
            from db import connection
            from db.store import SqliteStore
            from workbench.errors import LibraryError
            s = SqliteStore(Path({str(root / 'workbench.db')!r}), backup_interval=None)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
            try:
                connection.backup(s.db, Path({str(root / 'backups')!r}))
            except LibraryError as exc:  # EFBIG reaches SQLite as a disk I/O error
                print("refused:", exc)
        """)
        assert proc.stdout.startswith("refused: No backup taken"), proc.stderr
        assert file_hashes(root / "backups") == before and first.exists()
    finally:
        store.close()


# --- T-BAK-01 rotating verified backups ---------------------------------------------------------


def test_daily_backup_at_open_rotates_seven(tmp_path):
    root = _library(tmp_path / "lib", "a")
    backups = root / "backups"
    made = set()
    for day in range(10):
        store = _open(root)
        store.close()
        newest = connection.list_backups(backups)[0]
        assert newest not in made, f"day {day}: no daily backup at open"
        made.add(newest)
        again = _open(root)  # the same day: no second backup
        again.close()
        assert connection.list_backups(backups)[0] == newest
        for b in connection.list_backups(backups):  # a day passes
            old = b.stat().st_mtime - 86400 - 60
            os.utime(b, (old, old))
    kept = connection.list_backups(backups)
    assert len(kept) == connection.BACKUPS_KEPT
    for b in kept:
        assert sqlite_problems(b) == []


def test_empty_library_takes_no_backup(tmp_path):
    (tmp_path / "lib").mkdir()
    store = _open(tmp_path / "lib")
    store.close()
    assert connection.list_backups(tmp_path / "lib" / "backups") == []


def test_unfinished_backups_and_copies_are_cleaned_at_open(tmp_path):
    root = _library(tmp_path / "lib", "a")
    (root / "backups").mkdir(exist_ok=True)
    junk = [root / "backups" / "workbench-20990101T000000000000Z-daily.db.tmp",
            root / "backups" / "workbench-20990101T000000000000Z-daily.db.tmp-journal",
            root / "files" / "ab" / ".incoming-x1.tmp",
            root / "workbench.db.restoring"]
    for j in junk:
        j.parent.mkdir(parents=True, exist_ok=True)
        j.write_bytes(b"partial")
    keep = root / "backups" / "notes.txt"
    keep.write_text("mine")
    store = _open(root)
    store.close()
    assert [j for j in junk if j.exists()] == [] and keep.exists()


# --- restore ------------------------------------------------------------------------------------


def test_restore_keeps_the_damaged_files_and_verifies_the_copy(tmp_path):
    root = _library(tmp_path / "lib", "ab")
    store = _open(root)
    good = connection.backup(store.db, root / "backups", reason="good")
    store.close()
    db_path = root / "workbench.db"
    data = bytearray(db_path.read_bytes())
    data[0:16] = b"garbage garbage!"
    db_path.write_bytes(bytes(data))
    (root / "workbench.db-wal").write_bytes(b"wal bytes")
    backups_before = file_hashes(root / "backups")
    with pytest.raises(LibraryDamaged) as info:
        _open(root)
    assert str(good) in info.value.backups
    newest = Path(info.value.backups[0]).name
    assert f"workbench restore-backup {newest}" in info.value.message
    with pytest.raises(LibraryDamaged):  # and it is never backed up over the good ones
        connection.backup(connection.GuardedDatabase(sqlite3.connect(db_path)), root / "backups")
    assert file_hashes(root / "backups") == backups_before
    damaged = recovery.restore_from_backup(db_path, Path(good.name),
                                           backups_dir=root / "backups")
    assert damaged is not None and damaged.read_bytes() == bytes(data)
    assert (damaged.parent / (damaged.name + "-wal")).read_bytes() == b"wal bytes"
    assert file_hashes(root / "backups") == backups_before
    store = _open(root)
    try:
        assert [p.slug for p in store.plans()] == ["plan-a", "plan-b"] and store.check() == []
    finally:
        store.close()


def test_restore_refuses_a_damaged_backup_and_an_open_library(tmp_path):
    root = _library(tmp_path / "lib", "a")
    bad = root / "backups" / "workbench-20000101T000000000000Z-bad.db"
    bad.parent.mkdir(exist_ok=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = (root / "workbench.db").read_bytes()
    with pytest.raises(Exception, match="not usable"):
        recovery.restore_from_backup(root / "workbench.db", bad)
    store = _open(root)
    good = connection.backup(store.db, root / "backups", reason="good")
    try:
        with pytest.raises(LibraryLocked):
            recovery.restore_from_backup(root / "workbench.db", good)
    finally:
        store.close()
    assert (root / "workbench.db").read_bytes() == before


def test_cli_offers_restore_and_restores(sample_library):
    paths = LibraryPaths(sample_library)
    made = run_cli("backup", library=sample_library)
    assert made.returncode == 0 and made.stdout.startswith("Backed up to "), made.stderr
    listed = run_cli("backups", "--json", library=sample_library)
    name = __import__("json").loads(listed.stdout)[0]["name"]
    data = bytearray(paths.database.read_bytes())
    data[100:4096] = os.urandom(3996)  # page 1: the schema
    paths.database.write_bytes(bytes(data))
    before = file_hashes(sample_library / "files")
    plans = run_cli("plans", library=sample_library)
    assert plans.returncode == 1 and plans.stderr.count("\n") == 1, plans.stderr
    assert "damaged" in plans.stderr and "workbench restore-backup" in plans.stderr
    doctor = run_cli("doctor", library=sample_library)
    assert doctor.returncode == 1 and f"restore-backup {name}" in doctor.stdout
    restored = run_cli("restore-backup", name, library=sample_library)
    assert restored.returncode == 0, restored.stderr
    assert "was kept as workbench.db.damaged-" in restored.stdout
    assert run_cli("plans", library=sample_library).returncode == 0
    assert run_cli("check", library=sample_library).returncode == 0
    assert file_hashes(sample_library / "files") == before
    assert list(sample_library.glob("workbench.db.damaged-*"))

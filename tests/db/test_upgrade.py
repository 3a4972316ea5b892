"""Upgrading real databases written by every earlier schema version loses nothing.

The databases under tests/data/libraries/ were written by ``tests/db/make_old_libraries.py``
(one per migration: ``upto-<migration>.db`` has exactly the migrations up to that one). Each is
opened through the real ``SqliteStore`` (which migrates it, after a backup), and every row of
every table it had is compared, column by column, with what it held before; then the records
are read and written through the services, as the window and the CLI would.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from db.migrations import KNOWN, ORDER
from db.records import SqliteRecords
from db.store import SqliteStore
from workbench.review import Records

LIBRARIES = Path(__file__).resolve().parent.parent / "data" / "libraries"
OLD_FILES = sorted(LIBRARIES.glob("upto-*.db"))


def _rows(path: Path) -> dict[str, dict[object, dict[str, object]]]:
    """{table: {row id (or key): {column: value}}} of every table but the migrations log."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'")]
        out = {}
        for table in tables:
            rows = conn.execute(f"SELECT rowid AS _rowid, * FROM [{table}]").fetchall()  # noqa: S608
            out[table] = {r["_rowid"]: {k: r[k] for k in r.keys() if k != "_rowid"}
                          for r in rows}
    conn.close()
    return out


def test_every_earlier_schema_has_a_checked_in_database():
    names = {p.name for p in OLD_FILES}
    missing = [fn.__name__ for fn in ORDER[:-1] if f"upto-{fn.__name__}.db" not in names]
    assert not missing, ("no checked-in database for " + ", ".join(missing)
                         + ": run `python -m tests.db.make_old_libraries` and commit the files")


@pytest.fixture(params=OLD_FILES, ids=[p.stem for p in OLD_FILES])
def old_library(request, tmp_path) -> tuple[Path, dict]:
    root = tmp_path / "library"
    root.mkdir()
    db = root / "workbench.db"
    shutil.copyfile(request.param, db)
    return db, _rows(db)


def test_upgrade_keeps_every_row_and_column(old_library):
    path, before = old_library
    with sqlite3.connect(path) as conn:
        was_current = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(
            KNOWN)
    conn.close()
    store = SqliteStore(path, backups_dir=path.parent / "backups", backup_interval=None)
    try:
        applied = [r[0] for r in store.db.execute(
            "SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        assert sorted(applied) == sorted(KNOWN)
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(KNOWN)
        assert store.check() == []
    finally:
        store.close()
    after = _rows(path)
    for table, rows in before.items():
        assert table in after, f"table {table} is gone"
        assert set(after[table]) >= set(rows), f"rows of {table} are gone"
        for rowid, row in rows.items():
            kept = {k: after[table][rowid].get(k) for k in row}
            if table == "meta" and row.get("key") == "revision":
                continue  # opening may bump nothing, but the revision is not user data
            assert kept == row, f"{table} row {rowid} changed"
    if not was_current:
        assert list((path.parent / "backups").iterdir()), "no backup taken before the upgrade"


def test_upgraded_library_reads_and_writes_through_the_services(old_library, tmp_path):
    path, before = old_library
    store = SqliteStore(path, backups_dir=path.parent / "backups", backup_interval=None)
    try:
        assert [p.slug for p in store.plans()] == ["earlier-plan", "later-plan"]
        assert [c.text for c in store.commitments("earlier-plan")][0] == (
            "We will reach Net Zero for our own estate by 2030.")
        recs = Records(store, SqliteRecords(store), actor="Bo Reviewer",
                       sidecar_dir=tmp_path / "sidecars")
        if "links" in before:  # written by a schema with user records: they all read back
            links = recs.links()
            assert sorted((lk.relation, lk.rationale, lk.confirmed_by) for lk in links) == [
                ("continued", "Same words.", "Ada Officer"),
                ("reversed", "Target scrapped in 2024.", "Ada Officer")]
            [ann] = recs.annotations("earlier-plan")
            assert (ann.note, ann.anchor.exact, ann.created_by) == (
                "Check the date.", "Net Zero", "Ada Officer")
            assert [t.name for t in recs.tags()] == ["Climate"]
            statuses = recs.rs.records("status", plan="earlier-plan")
            assert [(s.status, s.as_at, s.rationale) for s in statuses] == [
                ("not_delivered", "2024-06", "Down to 350 a month.")]
            assert recs.undo().label  # the old undo history still works
            assert recs.rs.records("status", plan="earlier-plan") == []
        if "saved_searches" in before:
            [saved] = store.saved_searches()
            assert (saved.name, saved.filters.plans) == ("Potholes", ("earlier-plan",))
        old = [c.key for c in recs.effective_commitments("earlier-plan")]
        new = [c.key for c in recs.effective_commitments("later-plan")]
        recs.link(old[2], [new[2]], relation="scaled_back", rationale="Fewer potholes.",
                  confirm=True)
        assert any(lk.rationale == "Fewer potholes." for lk in recs.links())
    finally:
        store.close()

"""SqliteStore: transactions, metadata edits, trash, index feed, invariants, migrations."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from db import connection
from db.migrations import KNOWN
from db.store import SqliteStore
from tests.factories import make_extraction, make_meta
from workbench.errors import DatabaseTooNew, InvalidInput, NotFound


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "workbench.db", backups_dir=tmp_path / "backups")
    yield s
    s.close()


def add(store, seed="a", slug=None, **meta):
    return store.add_document(
        slug=slug or f"plan-{seed}",
        meta=make_meta(f"Plan {seed}", **meta),
        extraction=make_extraction(seed),
        file_name=f"{seed}.pdf",
        stored_path=f"files/{seed}.pdf",
    )


def test_pragmas_are_the_house_settings(store):
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(KNOWN)


def test_add_document_stores_everything_and_counts(store):
    plan = add(store, "a", published="2022")
    assert (plan.pages, plan.sections, plan.commitments) == (3, 3, 3)
    sections = store.sections("plan-a")
    assert [s.label_start for s in sections] == ["3", "4", "5"]
    commitments = store.commitments("plan-a")
    page = store.page_texts(plan.document_id)[1][2]
    c = commitments[1]
    assert page[c.char_start : c.char_end] == c.text
    assert c.page_label == "4"
    assert store.revision() == 1
    assert store.check() == []


def test_failed_import_leaves_nothing(store):
    ex = make_extraction("bad")
    broken = replace(ex, commitments=(replace(ex.commitments[0], section_ordinal=99),))
    before = store.db.execute("SELECT count(*) FROM pages").fetchone()[0]
    with pytest.raises(KeyError):
        store.add_document(
            slug="bad", meta=make_meta(), extraction=broken, file_name="b.pdf",
            stored_path="files/b.pdf",
        )
    for table in ("plans", "documents", "pages", "sections", "commitments"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == (  # noqa: S608
            before if table == "pages" else 0
        )
    assert store.revision() == 0


def test_import_log_row_shares_the_document_transaction(store):
    """Issue 12, Speed: one commit a document; the log row stands or falls with it."""
    ex = make_extraction("ok")
    store.add_document(slug="ok", meta=make_meta(), extraction=ex, file_name="ok.pdf",
                       stored_path="files/ok.pdf", log=("/in/ok.pdf", "Imported ok.pdf"))
    rows = store.import_log()
    assert [(r["path"], r["sha256"], r["outcome"], r["message"]) for r in rows] == [
        ("/in/ok.pdf", ex.sha256, "imported", "Imported ok.pdf")]
    bad = make_extraction("bad")
    broken = replace(bad, commitments=(replace(bad.commitments[0], section_ordinal=99),))
    with pytest.raises(KeyError):
        store.add_document(slug="bad", meta=make_meta(), extraction=broken, file_name="b.pdf",
                           stored_path="files/b.pdf", log=("/in/b.pdf", "Imported b.pdf"))
    assert len(store.import_log()) == 1  # rolled back with the document
    assert store.plan("ok").slug == "ok"
    with pytest.raises(NotFound):
        store.plan("bad")


def test_new_version_keeps_the_old_one(store):
    add(store, "a")
    plan = store.add_document(
        slug="ignored", meta=make_meta("x"), extraction=make_extraction("a2", pages=2),
        file_name="a2.pdf", stored_path="files/a2.pdf", replaces="plan-a",
    )
    assert plan.slug == "plan-a" and plan.versions == 2 and plan.pages == 2
    assert [d.version for d in store.documents("plan-a")] == [1, 2]
    # only the newest version is searchable
    keys = store.index_fingerprints()
    assert len([k for k in keys if k.startswith("section:")]) == 2


def test_edit_meta_is_audited_and_changes_fingerprints(store):
    add(store, "a")
    add(store, "b")
    before = store.index_fingerprints()
    plan = store.update_plan_meta("plan-b", make_meta("Plan B", supersedes="plan-a", stage="adopted"))
    assert plan.meta.supersedes == "plan-a"
    after = store.index_fingerprints()
    changed = {k for k in before if before[k] != after[k]}
    assert changed and all(store.index_docs([k])[0].plan == "plan-b" for k in changed)
    audit = list(store.db.query("SELECT * FROM audit_log WHERE action = 'edit_plan'"))
    assert len(audit) == 1 and "supersedes" in audit[0]["detail"]
    with pytest.raises(InvalidInput):
        store.update_plan_meta("plan-b", make_meta("Plan B", supersedes="plan-b"))
    with pytest.raises(InvalidInput):
        store.update_plan_meta("plan-b", make_meta("Plan B", supersedes="nope"))


def test_remove_and_restore_never_delete(store):
    add(store, "a")
    counts = store.db.execute("SELECT count(*) FROM commitments").fetchone()[0]
    store.remove_plan("plan-a")
    assert store.plans() == [] and [p.slug for p in store.trash()] == ["plan-a"]
    assert store.index_fingerprints() == {}
    assert store.db.execute("SELECT count(*) FROM commitments").fetchone()[0] == counts
    store.restore_plan("plan-a")
    assert [p.slug for p in store.plans()] == ["plan-a"]
    assert len(store.index_fingerprints()) == 6


def test_unknown_plan_is_a_clear_error(store):
    with pytest.raises(NotFound, match="No plan called 'nope'"):
        store.plan("nope")


def test_index_docs_carry_plan_and_page(store):
    add(store, "a", published="2022-04")
    docs = store.index_docs(sorted(store.index_fingerprints()))
    kinds = {d.kind for d in docs}
    assert kinds == {"section", "commitment"}
    c = next(d for d in docs if d.kind == "commitment")
    assert c.plan == "plan-a" and c.plan_date == "2022-04" and c.page_label
    assert c.body.startswith("We will deliver a")
    assert store.index_docs(["bogus", "section:x", "note:1"]) == []


def test_invariants_find_seeded_damage(store):
    add(store, "a")
    store.db.execute("UPDATE commitments SET char_end = 100000 WHERE ordinal = 0")
    store.db.execute("UPDATE sections SET page_end = 99 WHERE ordinal = 1")
    store.db.conn.commit()
    problems = store.check()
    assert any("spans outside their page" in p for p in problems)
    assert any("pages out of range" in p for p in problems)


def test_newer_database_is_refused_without_writing(tmp_path):
    path = tmp_path / "workbench.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('workbench', 'm999_from_the_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer Plan Workbench"):
        SqliteStore(path)
    assert path.read_bytes() == before


def test_backup_is_verified_and_rotated(store, tmp_path):
    add(store, "a")
    made = [connection.backup(store.db, tmp_path / "bk", reason=f"t{i}") for i in range(9)]
    kept = connection.list_backups(tmp_path / "bk")
    assert len(kept) == connection.BACKUPS_KEPT and made[-1] in kept
    conn = sqlite3.connect(made[-1])
    assert conn.execute("SELECT count(*) FROM commitments").fetchone()[0] == 3
    conn.close()


def test_backup_killed_before_the_rename_never_keeps_too_many(store, tmp_path, monkeypatch):
    """A kill between placing the new backup and rotating used to leave eight backups, and
    nothing rotated again until the next one; making room first keeps the count at seven."""
    add(store, "a")
    for i in range(connection.BACKUPS_KEPT):
        connection.backup(store.db, tmp_path / "bk", reason=f"t{i}")
    oldest = connection.list_backups(tmp_path / "bk")[-1]

    def killed(src, dst):
        raise KeyboardInterrupt  # stands in for SIGKILL at the rename

    monkeypatch.setattr(connection.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        connection.backup(store.db, tmp_path / "bk", reason="killed")
    kept = connection.list_backups(tmp_path / "bk")
    assert len(kept) == connection.BACKUPS_KEPT - 1 and oldest not in kept
    monkeypatch.undo()
    connection.backup(store.db, tmp_path / "bk", reason="next")
    assert len(connection.list_backups(tmp_path / "bk")) == connection.BACKUPS_KEPT


def test_network_folder_falls_back_to_rollback_journal(tmp_path):
    db = connection.connect(tmp_path / "n.db", network=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()
    assert connection.is_network_or_synced(tmp_path / "OneDrive - Kent" / "lib")

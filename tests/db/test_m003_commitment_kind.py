"""Migration m003: commitment units gain a kind; old units become "commitment"; kinds round-trip."""

from __future__ import annotations

from dataclasses import replace

from sqlite_utils import Database

from db.migrations.m001_library import m001_library
from db.migrations.m002_lineage import m002_lineage
from db.migrations.m003_commitment_kind import m003_commitment_kind
from db.store import SqliteStore
from tests.factories import insert_one_unit, make_extraction, make_meta


def test_units_stored_before_m003_become_commitments(tmp_path):
    db = Database(tmp_path / "old.db")
    m001_library(db)
    m002_lineage(db)
    insert_one_unit(db)
    m003_commitment_kind(db)
    assert [r["kind"] for r in db["commitments"].rows] == ["commitment"]


def test_kind_is_stored_and_read_back(tmp_path):
    store = SqliteStore(tmp_path / "workbench.db", backups_dir=tmp_path / "backups")
    try:
        ex = make_extraction("k")
        kinds = ["ask", "target", "measure", "commitment"]
        ex = replace(ex, commitments=tuple(replace(c, kind=kinds[i % 4])
                                           for i, c in enumerate(ex.commitments)))
        store.add_document(slug="k", meta=make_meta("K"), extraction=ex, file_name="k.pdf",
                           stored_path="files/k.pdf")
        assert [c.kind for c in store.commitments("k")] == \
            [kinds[i % 4] for i in range(len(ex.commitments))]
    finally:
        store.close()

"""Migration m006: commitment units gain the commitment model's confidence (issue 13); units
stored before it have none (NULL), and a stored confidence reads back."""

from __future__ import annotations

from dataclasses import replace

from sqlite_utils import Database

from db.migrations import ORDER
from db.migrations.m006_commitment_pledge import m006_commitment_pledge
from db.store import SqliteStore
from tests.factories import insert_one_unit, make_extraction, make_meta


def test_units_stored_before_m006_have_no_confidence(tmp_path):
    db = Database(tmp_path / "old.db")
    for fn in ORDER[:ORDER.index(m006_commitment_pledge)]:
        fn(db)
    insert_one_unit(db)
    m006_commitment_pledge(db)
    assert [r["pledge"] for r in db["commitments"].rows] == [None]


def test_confidence_is_stored_and_read_back(tmp_path):
    store = SqliteStore(tmp_path / "workbench.db", backups_dir=tmp_path / "backups")
    try:
        ex = make_extraction("k")
        values = [0.9731, None, 0.5004]
        ex = replace(ex, commitments=tuple(replace(c, pledge=values[i % 3])
                                           for i, c in enumerate(ex.commitments)))
        store.add_document(slug="k", meta=make_meta("K"), extraction=ex, file_name="k.pdf",
                           stored_path="files/k.pdf")
        assert [c.pledge for c in store.commitments("k")] == \
            [values[i % 3] for i in range(len(ex.commitments))]
    finally:
        store.close()

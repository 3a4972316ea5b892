"""Ids a re-segment hands out (db.rows): a unit found again with the same text and place keeps
its id; units sharing a key (no places stored) keep theirs in reading order."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from db.rows import _new_ids, ids_in


def _db() -> Database:
    db = Database(sqlite3.connect(":memory:"))
    db.conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.conn.execute("CREATE TABLE sections (id INTEGER PRIMARY KEY, document_id INT, "
                    "ordinal INT, heading TEXT, page_start INT, char_start INT, text TEXT)")
    db.conn.execute("CREATE TABLE commitments (id INTEGER PRIMARY KEY, document_id INT, "
                    "ordinal INT, text TEXT, page_index INT, char_start INT, char_end INT)")
    return db


def test_units_sharing_a_key_keep_their_ids_in_reading_order():
    """Review (round 11): with a dict of one id per key, two old units 10 and 11 of the same
    text and unknown place came back as 11 and 12: the first took the second's id. Reading
    order (ordinal) decides which is which, not the ids."""
    db = _db()
    for cid, ordinal in ((10, 1), (11, 0)):  # ids not in reading order
        db.conn.execute("INSERT INTO commitments VALUES (?, 1, ?, 'We will', 0, NULL, NULL)",
                        (cid, ordinal))
    kept = ids_in(db, 1)["commitments"]
    key = ("We will", 0, None, None)
    assert _new_ids(db, "commitments", [key, key], kept) == [11, 10]
    assert _new_ids(db, "commitments", [key, key, key], kept) == [11, 10, 12]
    assert _new_ids(db, "commitments", [("Other", 0, 0, 5)], kept) == [12]

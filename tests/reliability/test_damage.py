"""T-COR-02 SQLite damage matrix and T-COR-05 logical integrity.

Damage (after SQLite's ``corruptA``/``corruptC``): header bytes, random byte flips in growing
numbers, truncation, an emptied file. Must hold: no unhandled exception; damage is detected at
open or by the check (``LibraryDamaged`` carries the backups), or the flip landed in bytes
SQLite does not read; restore is possible; the damaged file is kept; good backups are never
overwritten. Flips inside unindexed text values are undetectable by SQLite (no page checksums);
they are counted, not failed (docs/RELIABILITY.md).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from db import connection, recovery
from db.store import SqliteStore
from tests.factories import make_extraction, make_meta
from tests.reliability.harness import base_seed, count, file_hashes
from workbench.errors import LibraryDamaged, WorkbenchError

OUTCOMES: dict[str, int] = {}


def _dump(db_path: Path) -> list:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    except sqlite3.Error as exc:  # e.g. a flipped byte made schema text invalid UTF-8
        return [f"<cannot dump: {exc}>"]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    root = tmp_path_factory.mktemp("damage") / "lib"
    root.mkdir()
    store = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    for s in "abcdef":
        store.add_document(slug=f"plan-{s}", meta=make_meta(f"Plan {s}"),
                           extraction=make_extraction(s, 6), file_name=f"{s}.pdf",
                           stored_path=f"files/{s}.pdf")
    connection.backup(store.db, root / "backups", reason="good")
    store.close()
    return root, _dump(root / "workbench.db")


def _damage(data: bytes, kind: str, rng: random.Random) -> bytes:
    b = bytearray(data)
    if kind == "header":
        for i in rng.sample(range(0, 100), 4):
            b[i] ^= 0xFF
    elif kind.startswith("flip"):
        for _ in range(int(kind[4:])):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        return bytes(b[: rng.randrange(1, len(b))])
    elif kind == "truncate-page":
        return bytes(b[: 4096 * rng.randrange(1, len(b) // 4096)])
    elif kind == "empty":
        return b""
    return bytes(b)


def _classify(root: Path, original: list) -> str:
    """Open, check and read everything. Returns the outcome; raises on anything unhandled."""
    try:
        store = SqliteStore(root / "workbench.db", backups_dir=root / "backups",
                            backup_interval=None)
    except LibraryDamaged as exc:
        assert exc.backups, "restore must be offered"
        return "detected_at_open"
    try:
        try:
            problems = store.check()
            plans = store.plans(include_removed=True)
            for p in plans:
                store.sections(p.slug)
                store.commitments(p.slug)
        except LibraryDamaged:
            return "detected_by_check"
        except WorkbenchError:
            return "detected_by_check"
        if problems:
            return "detected_by_check"
    finally:
        store.close()
    return "undetected_same_data" if _dump(root / "workbench.db") == original \
        else "undetected_value_change"


KINDS = ["header", "flip1", "flip4", "flip16", "flip64", "flip256", "truncate",
         "truncate-page", "empty"]


def test_sqlite_damage_matrix(master, tmp_path):
    src, original = master
    seed = base_seed(7020)
    rng = random.Random(seed)
    rounds = count(6, 60)
    for r in range(rounds):
        for kind in KINDS:
            root = tmp_path / f"{kind}-{r}"
            shutil.copytree(src, root)
            db_path = root / "workbench.db"
            damaged = _damage(db_path.read_bytes(), kind, rng)
            db_path.write_bytes(damaged)
            backups_before = file_hashes(root / "backups")
            try:
                outcome = _classify(root, original)
            except Exception as exc:  # an unhandled error is the failure
                pytest.fail(f"seed {seed} {kind} round {r}: {type(exc).__name__}: {exc} "
                            f"(library kept at {root})")
            OUTCOMES[f"{kind}:{outcome}"] = OUTCOMES.get(f"{kind}:{outcome}", 0) + 1
            assert file_hashes(root / "backups") == backups_before, \
                f"seed {seed} {kind} round {r}: a backup changed"
            if outcome.startswith("detected"):
                good = connection.list_backups(root / "backups")[-1]
                kept = recovery.restore_from_backup(db_path, good)
                assert kept is not None and kept.read_bytes() == damaged
                assert _dump(db_path) == original
                assert file_hashes(root / "backups") == backups_before
            shutil.rmtree(root)
    print(f"\nT-COR-02 seed={seed}: {dict(sorted(OUTCOMES.items()))}")
    detected = sum(v for k, v in OUTCOMES.items() if ":detected" in k)
    assert detected >= rounds * 4  # header, truncations and empty files are always caught
    for kind in ("header", "truncate-page", "empty"):
        assert OUTCOMES.get(f"{kind}:detected_at_open", 0) + \
            OUTCOMES.get(f"{kind}:detected_by_check", 0) == rounds, kind


def test_damaged_database_is_never_backed_up(master, tmp_path):
    src, _ = master
    root = tmp_path / "lib"
    shutil.copytree(src, root)
    db_path = root / "workbench.db"
    data = bytearray(db_path.read_bytes())
    for i in range(4096 * 2, len(data), 4096):  # wreck every page header after the schema
        data[i: i + 8] = b"\xff" * 8
    db_path.write_bytes(bytes(data))
    before = file_hashes(root / "backups")
    db = connection.GuardedDatabase(sqlite3.connect(db_path))
    try:
        with pytest.raises(LibraryDamaged) as info:
            connection.backup(db, root / "backups", reason="daily")
        assert info.value.backups
    finally:
        db.close()
    assert file_hashes(root / "backups") == before
    assert not list((root / "backups").glob("*.tmp"))


# --- T-COR-05 logical integrity ------------------------------------------------------------------


def test_logical_problems_are_reported_by_check(master, tmp_path):
    src, _ = master
    root = tmp_path / "lib"
    shutil.copytree(src, root)
    conn = sqlite3.connect(root / "workbench.db")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO sections (document_id, ordinal, heading, level, path, page_start, "
                 "page_end, text, fingerprint) VALUES (999, 0, 'orphan', 1, '[]', 0, 0, 'x', 'f')")
    conn.execute("UPDATE commitments SET char_end = 1000000 WHERE id = 1")
    conn.execute("UPDATE sections SET page_end = 99 WHERE id = 2")
    conn.execute("DELETE FROM pages WHERE id = 3")
    conn.commit()
    conn.close()
    store = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    try:
        problems = "\n".join(store.check())
    finally:
        store.close()
    for expected in ("broken reference in sections", "sections without a document",
                     "spans outside their page", "pages out of range",
                     "documents with missing pages"):
        assert expected in problems, problems

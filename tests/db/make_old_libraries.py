"""Write the checked-in libraries of earlier schema versions (tests/data/libraries/*.db).

Run from the repository root when a migration is added (before its module is merged, the
newest existing schema is "earlier"):

    PYTHONPATH=. python -m tests.db.make_old_libraries

For every migration in ``db.migrations.ORDER`` it writes ``upto-<migration>.db`` (the newest
one becomes an earlier version as soon as the next migration is added): a database on which exactly the migrations up to and including that
one have run, holding the rows the app writes (two plans with sections, commitments and pages,
an import log, and, once the schema has them, a tag, an annotation, a correction, a confirmed
link, a status assessment, a saved search and their undo/audit history). The rows are written by today's
services into a scratch library and copied column by column into the older schema, which is
exactly what the app of that version stored, because a shipped migration is never edited.

Existing files are kept (they are the record of what old versions wrote); ``--force``
rewrites them. Each file is a few tens of KB.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from db.connection import APPLICATION_ID
from db.migrations import ORDER
from db.records import SqliteRecords
from db.store import SqliteStore
from tests.lineage.synth import add_plan
from workbench.model import SavedSearch, SearchFilters
from workbench.review import Records

OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "libraries"

EARLIER = [
    ("Priority 1: Climate", [
        "We will reach Net Zero for our own estate by 2030.",
        "We will plant 1,000 trees in every district.",
    ]),
    ("Priority 2: Roads", ["We will fix 500 potholes a month on the A28."]),
]
LATER = [
    ("Priority 1: Environment", [
        "We will scrap the Net Zero 2030 target for our estate.",
        "We will plant 1,000 trees in every district.",
    ]),
    ("Priority 2: Highways", ["We will fix 350 potholes a month on the A28."]),
]


def file_name(migration: str) -> str:
    return f"upto-{migration}.db"


def build_full(root: Path) -> Path:
    """A scratch library on today's schema with every kind of row; returns its database."""
    root.mkdir(parents=True, exist_ok=True)
    store = SqliteStore(root / "workbench.db", actor="Ada Officer", backup_interval=None)
    try:
        add_plan(store, "earlier-plan", "2020", EARLIER)
        add_plan(store, "later-plan", "2024", LATER)
        store.log_import("earlier-plan.pdf", "0" * 64, "imported", "Imported earlier-plan.")
        recs = Records(store, SqliteRecords(store), actor="Ada Officer",
                       sidecar_dir=root / "sidecars")
        old = [c.key for c in recs.effective_commitments("earlier-plan")]
        new = [c.key for c in recs.effective_commitments("later-plan")]
        tag = recs.create_tag("Climate", colour="#2a7").value.uuid
        recs.annotate_quote("earlier-plan", "Net Zero", page="2", note="Check the date.",
                            tags=[tag])
        recs.mark("earlier-plan", 0, 0, 10, note="heading read as text")
        recs.link(old[0], [new[0]], relation="reversed", rationale="Target scrapped in 2024.",
                  confirm=True)
        recs.link(old[1], [new[1]], relation="continued", rationale="Same words.",
                  confirm=True)
        recs.assess(old[2], "not_delivered", "2024-06", rationale="Down to 350 a month.")
        store.add_saved_search(SavedSearch(
            uuid="0b6d9c1e-3f1a-4c55-8d0e-9a7f3e2b1c40", name="Potholes", query="potholes",
            filters=SearchFilters(plans=("earlier-plan",)), created_by="Ada Officer"))
    finally:
        store.close()
    return root / "workbench.db"


def write_version(full: Path, upto: int, dest: Path) -> None:
    """Apply ``ORDER[:upto + 1]`` to a new database at ``dest`` and copy ``full``'s rows in."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    db = Database(dest)
    migrations = Migrations("workbench")  # the same set name the app uses
    for fn in ORDER[: upto + 1]:
        migrations()(fn)
    migrations.apply(db)
    conn = db.conn
    conn.execute("ATTACH DATABASE ? AS src", [str(full)])
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'")]
    with conn:
        for table in tables:
            cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info([{table}])")]
            src_cols = {r[1] for r in conn.execute(f"PRAGMA src.table_info([{table}])")}
            shared = ", ".join(f"[{c}]" for c in cols if c in src_cols)
            conn.execute(f"INSERT INTO main.[{table}] ({shared}) "  # noqa: S608 - our names
                         f"SELECT {shared} FROM src.[{table}]")
    conn.execute("DETACH DATABASE src")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {upto + 1}")
    conn.execute("PRAGMA page_size = 512")  # smallest legal page: the files are checked in
    conn.execute("VACUUM")
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rewrite existing files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        full = build_full(Path(tmp) / "library")
        for upto, fn in enumerate(ORDER):
            dest = OUT_DIR / file_name(fn.__name__)
            if dest.exists() and not args.force:
                print(f"kept {dest.name}")
                continue
            write_version(full, upto, dest)
            with sqlite3.connect(dest) as check:
                assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            print(f"wrote {dest.name} ({dest.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The process the kill loops SIGKILL: real store and service code, one ack line per commit.

Run as ``python -m tests.reliability.child MODE LIBRARY SEED [ARGS...]``. It prints ``ready``
once the library is open, then ``ack ...`` after each commit the window would report as saved.
Modes:

* ``meta``: edit plan titles round-robin through ``SqliteStore.update_plan_meta``.
* ``import PDF [PDF...] [--cached PICKLE]``: import PDFs through ``Workbench.import_paths``
  (the cached extraction replaces the worker, so kills land in the write and index phases).
* ``index``: edit, trash and restore plans through ``Workbench`` (SQLite commit, then the
  Whoosh sync), forever.
* ``backup``: take verified backups through ``connection.backup``, forever.
* ``annotate``: create, edit and delete annotations through ``Records`` (the window's own
  service), forever. Before each action it prints ``will ACTION UUID VALUE``, after its commit
  ``ack ACTION UUID VALUE``, so the parent knows the one action that may be in flight.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
from pathlib import Path


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class CachedExtractor:
    """An ``Extractor`` that returns one stored extraction (with the file's own hash)."""

    def __init__(self, pickle_path: Path) -> None:
        self.extraction = pickle.loads(pickle_path.read_bytes())

    def extract(self, path, *, password=None, state=None):
        from workbench.library import sha256_of

        return dataclasses.replace(self.extraction, sha256=sha256_of(Path(path)))

    def close(self) -> None:
        pass


def run_meta(root: Path, seed: int) -> None:
    from db.store import SqliteStore

    store = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    plans = store.plans()
    say("ready")
    i = 0
    while True:
        plan = plans[i % len(plans)]
        title = f"title {seed} {i}"
        store.update_plan_meta(plan.slug, dataclasses.replace(plan.meta, title=title))
        say(f"ack {plan.slug} {title}")
        i += 1


def run_import(root: Path, args: list[str]) -> None:
    from ui import compose

    cached = None
    if "--cached" in args:
        k = args.index("--cached")
        cached = Path(args[k + 1])
        args = args[:k] + args[k + 2 :]
    wb = compose.open_workbench(root)
    if cached is not None:
        wb.extractor.close()
        wb.extractor = CachedExtractor(cached)
    say("ready")
    for name in args:
        outcome = wb.import_paths([Path(name)]).outcomes[0]
        say(f"ack {outcome.status} {Path(name).name} {outcome.slug} {outcome.reason}")
    compose.close_workbench(wb)
    say("done")


def run_index(root: Path, seed: int) -> None:
    from ui import compose

    wb = compose.open_workbench(root)
    plans = [p.slug for p in wb.plans(include_removed=True)]
    say("ready")
    i = 0
    while True:
        slug = plans[i % len(plans)]
        step = (i // len(plans)) % 3
        if step == 0:
            wb.edit_plan(slug, title=f"title {seed} {i}")
            say(f"ack edit {slug} title {seed} {i}")
        elif step == 1:
            wb.remove_plan(slug)
            say(f"ack remove {slug}")
        else:
            wb.restore_plan(slug)
            say(f"ack restore {slug}")
        i += 1


def run_backup(root: Path) -> None:
    from db import connection
    from db.store import SqliteStore

    store = SqliteStore(root / "workbench.db", backups_dir=root / "backups",
                        backup_interval=None)
    say("ready")
    while True:
        path = connection.backup(store.db, root / "backups", reason="loop")
        say(f"ack {path.name}")


def run_annotate(root: Path, seed: int) -> None:
    import random

    from ui import compose

    wb = compose.open_workbench(root)
    records = compose.records_for(wb, f"officer-{seed}")
    plans = [p.slug for p in wb.plans()]
    rng = random.Random(seed)
    live: list[str] = []
    say("ready")
    i = 0
    while True:
        roll = rng.random()
        note = f"note {seed} {i} \u00e9\U0001f30d"  # accents and an astral character
        if not live or roll < 0.5:
            say(f"will create - {note}")
            change = records.annotate(plans[i % len(plans)], 0, 0, 10, note=note)
            uuid = change.uuids[0]
            live.append(uuid)
            say(f"ack create {uuid} {note}")
        elif roll < 0.85:
            uuid = rng.choice(live)
            say(f"will edit {uuid} {note}")
            records.edit_annotation(uuid, note=note)
            say(f"ack edit {uuid} {note}")
        else:
            uuid = live.pop(rng.randrange(len(live)))
            say(f"will delete {uuid} -")
            records.delete(uuid)
            say(f"ack delete {uuid} -")
        i += 1


def main(argv: list[str]) -> None:
    mode, root, rest = argv[0], Path(argv[1]), argv[2:]
    if mode == "meta":
        run_meta(root, int(rest[0]))
    elif mode == "import":
        run_import(root, rest)
    elif mode == "index":
        run_index(root, int(rest[0]))
    elif mode == "backup":
        run_backup(root)
    elif mode == "annotate":
        run_annotate(root, int(rest[0]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])

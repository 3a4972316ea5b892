"""Kill -9 loops (T-DUR-02, -03, -04, -07 and the metadata-edit loop).

Each iteration starts ``tests.reliability.child``, SIGKILLs it at a seeded random moment and
then checks, in this process: every acknowledged write is present; ``integrity_check`` is ok and
``foreign_key_check`` empty; ``SqliteStore.check() == []``; the reopen noticed the unclean
shutdown and ran ``integrity_check(1)`` (T-DUR-07). Counts: the PR tier by default,
``RELIABILITY_TIER=slow`` for the slow tier (see docs/RELIABILITY.md).
"""

from __future__ import annotations

import hashlib
import pickle
import random
from pathlib import Path

import pymupdf
import pytest

from db.index_feed import IndexFeed
from db.store import SqliteStore
from tests.factories import make_extraction, make_meta
from tests.pdfgen import lorem
from tests.reliability.harness import (
    base_seed,
    count,
    fail,
    file_hashes,
    run_child,
    sqlite_problems,
)
from ui import compose
from workbench.model import SearchFilters

STATS: dict[str, dict[str, int]] = {}


def _stat(test: str, key: str, n: int = 1) -> None:
    STATS.setdefault(test, {}).setdefault(key, 0)
    STATS[test][key] += n


def _open(root: Path) -> SqliteStore:
    return SqliteStore(root / "workbench.db", backups_dir=root / "backups")


def _seed_library(root: Path, seeds=("a", "b", "c")) -> None:
    root.mkdir(parents=True, exist_ok=True)
    store = _open(root)
    try:
        for s in seeds:
            store.add_document(slug=f"plan-{s}", meta=make_meta(f"Plan {s}"),
                               extraction=make_extraction(s), file_name=f"{s}.pdf",
                               stored_path=f"files/{s}.pdf")
    finally:
        store.close()


# --- metadata edits ------------------------------------------------------------------------


def test_kill9_during_metadata_edits_loses_no_acknowledged_edit(tmp_path):
    """Every acknowledged ``update_plan_meta`` survives SIGKILL; the in-flight one is all or
    nothing."""
    seed = base_seed(7001)
    rng = random.Random(seed)
    root = tmp_path / "library"
    _seed_library(root)
    store = _open(root)
    titles = {p.slug: p.meta.title for p in store.plans()}
    order = [p.slug for p in store.plans()]
    store.close()
    kills = count(130, 1000)
    for it in range(kills):
        run = run_child(["meta", str(root), str(it)], delay=rng.uniform(0.0, 0.15))
        assert run.killed, f"seed {seed} iteration {it}: the child ended by itself\n{run.stderr}"
        for ack in run.acks:
            slug, title = ack.split(" ", 1)
            titles[slug] = title
        in_flight = (order[len(run.acks) % len(order)], f"title {it} {len(run.acks)}")
        store = _open(root)
        try:
            label = f"meta-seed{seed}-it{it}"
            if not store.unclean_shutdown:
                fail("the reopen did not notice the kill", root, tmp_path, label)
            now = {p.slug: p.meta.title for p in store.plans()}
            for slug, title in titles.items():
                allowed = {title} | ({in_flight[1]} if slug == in_flight[0] else set())
                if now[slug] not in allowed:
                    fail(f"seed {seed} it {it}: {slug} is {now[slug]!r}, acked {title!r}",
                         root, tmp_path, label)
            if now[in_flight[0]] == in_flight[1]:
                titles[in_flight[0]] = in_flight[1]
                _stat("meta", "committed_unacked")
            problems = store.check()
        finally:
            store.close()
        if problems:
            fail(f"seed {seed} it {it}: {problems}", root, tmp_path, f"meta-seed{seed}-it{it}")
        _stat("meta", "kills")
        _stat("meta", "acked_edits", len(run.acks))
    print(f"\nT-DUR-meta seed={seed}: {STATS['meta']}")


# --- import of a 200-page PDF (T-DUR-02) -----------------------------------------------------


def _big_pdf(path: Path, pages: int = 200) -> Path:
    """A 200-page plan: a heading every 10 pages, a commitment bullet on every page."""
    doc = pymupdf.open()
    toc = []
    for i in range(pages):
        page = doc.new_page()
        y = 80
        if i % 10 == 0:
            title = f"Priority {i // 10 + 1}: theme {i // 10}"
            page.insert_text((56, y), title, fontname="hebo", fontsize=18)
            y += 30
            toc.append([1, title, i + 1])
        for text in (lorem(12, i), lorem(12, i + 1), "We will:",
                     f"- deliver outcome {i} for residents", lorem(12, i + 2)):
            page.insert_text((56, y), text, fontname="helv", fontsize=10)
            y += 14
        page.insert_text((500, 810), f"Page {i + 1}", fontname="helv", fontsize=8)
    doc.set_toc(toc)
    doc.set_metadata({"title": "Big plan"})
    doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory):
    """The 200-page PDF, variants of it (distinct hashes) and its cached extraction."""
    folder = tmp_path_factory.mktemp("big")
    base = _big_pdf(folder / "big.pdf")
    data = base.read_bytes()
    variants = []
    for i in range(count(30, 200) + 1):
        v = folder / f"plan-{i:03}.pdf"
        v.write_bytes(data + f"\n%variant {i}\n".encode())
        variants.append(v)
    from indexing.worker import PdfWorkerExtractor

    with PdfWorkerExtractor() as worker:
        extraction = worker.extract(variants[0])
    cache = folder / "extraction.pickle"
    cache.write_bytes(pickle.dumps(extraction))
    return variants, cache, extraction


def _check_import_state(root: Path, expected, acked: set[str], label: str, keep: Path,
                        *, expect_unclean: bool = True) -> int:
    """Absent or complete, never partial; acked ones present. Returns the documents present."""
    problems = sqlite_problems(root / "workbench.db")
    store = _open(root)
    try:
        if expect_unclean and not store.unclean_shutdown:
            problems.append("the reopen did not notice the kill")
        problems += store.check()
        docs = list(store.db.query(
            "SELECT d.id, d.file_name, d.page_count, d.stored_path, d.sha256, "
            "(SELECT count(*) FROM pages WHERE document_id = d.id) AS pages, "
            "(SELECT count(*) FROM sections WHERE document_id = d.id) AS sections, "
            "(SELECT count(*) FROM commitments WHERE document_id = d.id) AS commitments "
            "FROM documents d"))
        orphans = store.db.execute(
            "SELECT (SELECT count(*) FROM pages WHERE document_id NOT IN "
            "(SELECT id FROM documents)) + (SELECT count(*) FROM sections WHERE document_id "
            "NOT IN (SELECT id FROM documents))").fetchone()[0]
    finally:
        store.close()
    if orphans:
        problems.append(f"{orphans} orphan rows")
    names = set()
    for d in docs:
        names.add(d["file_name"])
        got = (d["pages"], d["sections"], d["commitments"])
        want = (expected.page_count, len(expected.sections), len(expected.commitments))
        if got != want:
            problems.append(f"{d['file_name']} is partial: {got} != {want}")
        copy = root / d["stored_path"]
        if not copy.is_file() or hashlib.sha256(copy.read_bytes()).hexdigest() != d["sha256"]:
            problems.append(f"{d['file_name']}: stored copy missing or wrong")
    for name in acked - names:
        problems.append(f"acknowledged import {name} is missing")
    for p in (root / "files").rglob("*.pdf"):
        if hashlib.sha256(p.read_bytes()).hexdigest() != p.stem:
            problems.append(f"partial file under a final name: {p}")
    if problems:
        fail("; ".join(problems), root, keep, label)
    return len(docs)


def test_kill9_during_import_leaves_documents_absent_or_complete(tmp_path, big_plan):
    """T-DUR-02: kill the importer (or only its PDF worker) anywhere in a 200-page import."""
    variants, cache, expected = big_plan
    seed = base_seed(7002)
    rng = random.Random(seed)
    root = tmp_path / "library"
    calib = run_child(["import", str(tmp_path / "calib"), str(variants[-1]), "--cached",
                       str(cache)], delay=None)
    real = run_child(["import", str(tmp_path / "calib2"), str(variants[-1])], delay=None)
    assert calib.finished and real.finished, calib.stderr + real.stderr
    span = 0.9
    acked: set[str] = set()
    kills = count(30, 200)
    for it in range(kills):
        names = [str(variants[it])] + ([str(variants[it - 1])] if it else [])
        mode = it % 3  # 0: cached extraction, 1: real worker, 2: kill only the worker first
        args = ["import", str(root), *names] + (["--cached", str(cache)] if mode == 0 else [])
        run = run_child(args, delay=rng.uniform(0.0, span), kill_worker=mode == 2,
                        worker_delay=rng.uniform(0.0, 0.6))
        for ack in run.acks:
            status, name = ack.split(" ")[:2]
            if status in {"imported", "duplicate"}:
                acked.add(name)
            _stat("import", f"outcome_{status}")
        _stat("import", "kills" if run.killed else "finished_before_kill")
        if run.killed:
            _check_import_state(root, expected, acked, f"import-seed{seed}-it{it}", tmp_path,
                                expect_unclean="done" not in run.lines)
    final = run_child(["import", str(root), *map(str, variants[:kills])], delay=None)
    assert final.finished, final.stderr
    for ack in final.acks:
        assert ack.split(" ")[0] in {"imported", "duplicate"}, ack
    store = _open(root)
    try:
        assert store.check() == []
        n = store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        store.close()
    assert n == kills, f"seed {seed}: re-running the imports gave {n} documents, not {kills}"
    print(f"\nT-DUR-02 seed={seed}: {STATS['import']}")


# --- index commits (T-DUR-03) ------------------------------------------------------------------


ANIMALS = ("quokka", "narwhal", "pangolin", "axolotl", "tapir", "okapi")


def _oracle(store: SqliteStore, word: str) -> set[str]:
    live = IndexFeed._LIVE_DOCS  # the live (latest, not removed) documents
    keys = set()
    for table, kind in (("sections", "section"), ("commitments", "commitment")):
        sql = f"SELECT id FROM {table} WHERE document_id IN ({live}) AND text LIKE ?"  # noqa: S608
        keys |= {f"{kind}:{r[0]}" for r in store.db.execute(sql, [f"%{word}%"])}
    return keys


def test_kill9_during_index_commit_recovers_search(tmp_path):
    """T-DUR-03: on restart search works and matches the SQL oracle, or is rebuilt first."""
    seed = base_seed(7003)
    rng = random.Random(seed)
    root = tmp_path / "library"
    _seed_library(root, ANIMALS)
    wb = compose.open_workbench(root)
    wb.rebuild_index()
    compose.close_workbench(wb)
    kills = count(30, 200)
    for it in range(kills):
        run = run_child(["index", str(root), str(it)], delay=rng.uniform(0.0, 0.6))
        _stat("index", "kills")
        _stat("index", "acked", len(run.acks))
        label = f"index-seed{seed}-it{it}"
        try:
            wb = compose.open_workbench(root)
        except Exception as exc:  # any exception here is the failure
            fail(f"seed {seed} it {it}: reopen raised {exc!r}", root, tmp_path, label)
        try:
            if wb.index.needs_rebuild:
                _stat("index", "rebuilt_at_open")
            # what the window does: search (rebuilding if needed), then bring it up to date
            for word in ("Priority", "outcome"):
                wb.search(word, SearchFilters(), limit=1000)
            wb.sync_index()
            report = wb.check()  # the seeded plans have no PDF copies: ignore report.files
            if report.database or report.index:
                fail(f"seed {seed} it {it}: {report}", root, tmp_path, label)
            for word in ANIMALS:
                got = {f"{h.kind}:{h.item_id}" for h in
                       wb.search(word, SearchFilters(), limit=1000).hits}
                want = _oracle(wb.store, word)
                if got != want:
                    fail(f"seed {seed} it {it}: search {word!r} gave {sorted(got)}, the SQL "
                         f"oracle {sorted(want)}", root, tmp_path, label)
                _stat("index", "parity_queries")
        finally:
            compose.close_workbench(wb)
    print(f"\nT-DUR-03 seed={seed}: {STATS['index']}")


# --- backups (T-DUR-04) -----------------------------------------------------------------------


def test_kill9_during_backup_never_leaves_a_partial_backup(tmp_path):
    """T-DUR-04: earlier backups are byte-identical or rotated out; temp files go at open."""
    seed = base_seed(7004)
    rng = random.Random(seed)
    root = tmp_path / "library"
    _seed_library(root, tuple("abcdefgh"))
    backups = root / "backups"
    known: dict[str, str] = {}
    kills = count(20, 200)
    for it in range(kills):
        run = run_child(["backup", str(root)], delay=rng.uniform(0.0, 0.3))
        _stat("backup", "kills")
        _stat("backup", "acked", len(run.acks))
        label = f"backup-seed{seed}-it{it}"
        if any(p.name.endswith(".tmp") for p in backups.iterdir()):
            _stat("backup", "temp_left_by_kill")
        now = file_hashes(backups, "workbench-*.db")
        for name, digest in known.items():
            if name in now and now[name] != digest:
                fail(f"seed {seed} it {it}: backup {name} changed", root, tmp_path, label)
        for name in now:
            if sqlite_problems(backups / name):
                fail(f"seed {seed} it {it}: backup {name} is damaged", root, tmp_path, label)
        known.update(now)
        store = _open(root)  # the next start cleans unfinished backups
        store.close()
        if list(backups.glob("*.tmp*")):
            fail(f"seed {seed} it {it}: temp files survived a start", root, tmp_path, label)
        if len(list(backups.glob("workbench-*.db"))) > 7:
            fail(f"seed {seed} it {it}: more than 7 backups kept", root, tmp_path, label)
    print(f"\nT-DUR-04 seed={seed}: {STATS['backup']}")


# --- annotation saves (T-DUR-01) -----------------------------------------------------------


def test_kill9_during_annotation_saves_loses_no_acknowledged_write(tmp_path):
    """T-DUR-01: annotations created, edited and deleted through ``Records`` (what the window
    calls) while SIGKILL lands at random. Every acknowledged create, edit and delete is there
    after the restart; the one action in flight is all or nothing; the sidecars still parse."""
    seed = base_seed(7101)
    rng = random.Random(seed)
    root = tmp_path / "library"
    _seed_library(root)
    expected: dict[str, str | None] = {}  # uuid -> acknowledged note, None = deleted
    kills = count(80, 1000)
    total_acks = 0
    for it in range(kills):
        run = run_child(["annotate", str(root), str(seed * 1000 + it)],
                        delay=rng.uniform(0.0, 0.4))
        assert run.killed, f"seed {seed} iteration {it}: the child ended by itself\n{run.stderr}"
        in_flight = None
        for line in run.lines:
            if line.startswith("will "):
                in_flight = line[5:].split(" ", 2)
            elif line.startswith("ack "):
                action, uuid, value = line[4:].split(" ", 2)
                expected[uuid] = None if action == "delete" else value
                in_flight = None
                total_acks += 1
        wb = compose.open_workbench(root)
        label = f"annotate-seed{seed}-it{it}"
        try:
            records = compose.records_for(wb, "checker")
            found = {a.uuid: a for a in records.annotations(include_deleted=True)}
            if not wb.store.unclean_shutdown:
                fail("the reopen did not notice the kill", root, tmp_path, label)
            for uuid, note in expected.items():
                ann = found.get(uuid)
                flight = in_flight if in_flight and in_flight[1] == uuid else None
                if ann is None:
                    fail(f"seed {seed} it {it}: acknowledged annotation {uuid} is gone",
                         root, tmp_path, label)
                deleted = ann.deleted_at is not None and ann.deleted_at != ""
                if note is None and not deleted:
                    fail(f"seed {seed} it {it}: acknowledged delete of {uuid} undone",
                         root, tmp_path, label)
                if note is not None:
                    allowed_notes = {note} | ({flight[2]} if flight and flight[0] == "edit"
                                             else set())
                    if deleted and not (flight and flight[0] == "delete"):
                        fail(f"seed {seed} it {it}: {uuid} deleted without a delete",
                             root, tmp_path, label)
                    if not deleted and ann.note not in allowed_notes:
                        fail(f"seed {seed} it {it}: {uuid} has {ann.note!r}, acked {note!r}",
                             root, tmp_path, label)
                    if flight and (deleted or ann.note != note):  # the in-flight one landed
                        expected[uuid] = None if deleted else ann.note
            extra = set(found) - set(expected)
            if len(extra) > 1 or (extra and not (in_flight and in_flight[0] == "create")):
                fail(f"seed {seed} it {it}: unacknowledged annotations {extra}",
                     root, tmp_path, label)
            for uuid in extra:  # an in-flight create that committed before the kill
                expected[uuid] = found[uuid].note
            problems = wb.store.check()
        finally:
            compose.close_workbench(wb)
        problems += sqlite_problems(root / "workbench.db")
        if problems:
            fail(f"seed {seed} it {it}: {problems}", root, tmp_path, label)
        for sidecar in (root / "sidecars").glob("*.json"):
            import json

            json.loads(sidecar.read_text(encoding="utf-8"))  # never half-written
        _stat("annotate", "kills")
    _stat("annotate", "acked_writes", total_acks)
    assert total_acks > kills, "too few writes were acknowledged to prove anything"
    print(f"\nT-DUR-01 seed={seed}: {STATS['annotate']}")

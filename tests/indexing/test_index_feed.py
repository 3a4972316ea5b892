"""The index feed (issue 12, Speed): an import writes the search index on its own thread as
documents commit. Nothing fed is visible before ``finish``; a sync or rebuild finishes an open
feed first (never deadlocks); a kill mid-feed leaves the last commit and a free lock, and the
library's revision tells the next open to sync; an import's index equals a rebuild's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from indexing.search_index import WhooshSearchIndex
from tests.indexing.test_search_index import doc

DOCS = [doc(f"section:{n}", f"We will repair road {n} and plant {n} trees.") for n in range(1, 41)]
REPO = Path(__file__).resolve().parents[2]


def _wanted(docs):
    return {d.key: d.fingerprint for d in docs}


def _load(docs):
    by_key = {d.key: d for d in docs}
    return lambda keys: [by_key[k] for k in keys if k in by_key]


def test_fed_passages_are_visible_only_after_finish_and_the_sync_then_writes_nothing(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "ix")
    feed = ix.begin_feed()
    assert feed is not None
    feed.put(DOCS[:20])
    feed.put(DOCS[20:])
    assert ix.doc_count() == 0  # nothing visible before the commit
    assert feed.finish() is True
    assert ix.doc_count() == len(DOCS)
    assert ix.search("road 7").total >= 1
    assert ix.sync(_wanted(DOCS), _load(DOCS)) == 0  # all current: nothing rewritten
    assert ix.check(_wanted(DOCS)).ok


def test_the_sync_after_a_feed_repairs_what_changed_since_it_was_fed(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "ix")
    feed = ix.begin_feed()
    feed.put(DOCS)
    feed.finish()
    changed = [d if d.key != "section:3" else doc("section:3", "Changed text.", fp="new")
               for d in DOCS[1:]]  # section:1 vanished, section:3 changed
    assert ix.sync(_wanted(changed), _load(changed)) == 1
    assert ix.check(_wanted(changed)).ok


def test_a_sync_during_an_open_feed_finishes_it_instead_of_deadlocking(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "ix")
    feed = ix.begin_feed()
    feed.put(DOCS)
    done = []
    t = threading.Thread(target=lambda: done.append(ix.sync(_wanted(DOCS), _load(DOCS))))
    t.start()
    t.join(30)
    assert done == [0], "the sync should finish the feed, then find everything current"
    feed.put([doc("section:99", "too late")])  # ignored once ended
    assert feed.finish() is True
    assert ix.doc_count() == len(DOCS)


def test_cancel_drops_everything_fed(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "ix")
    ix.rebuild(DOCS[:5])
    feed = ix.begin_feed()
    feed.put(DOCS[5:])
    feed.cancel()
    assert ix.doc_count() == 5
    assert ix.begin_feed().finish() is True  # the lock was released


def test_a_failing_feed_is_cancelled_and_the_sync_writes_its_passages(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "ix")
    feed = ix.begin_feed()
    feed.put([*DOCS[:3], "not a document"])  # type: ignore[list-item]
    assert feed.finish() is False
    assert ix.doc_count() == 0
    assert ix.sync(_wanted(DOCS), _load(DOCS)) == len(DOCS)


def test_kill9_mid_feed_leaves_the_last_commit_and_a_free_lock(tmp_path):
    where = tmp_path / "ix"
    ix = WhooshSearchIndex(where)
    ix.rebuild(DOCS[:5])
    ix.mark_synced(1)
    ix.close()
    child = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from indexing.search_index import WhooshSearchIndex
        from tests.indexing.test_index_feed import DOCS
        ix = WhooshSearchIndex(Path({str(where)!r}))
        feed = ix.begin_feed()
        for _ in range(30):
            feed.put(DOCS[5:])
        while feed.written < 100:
            time.sleep(0.01)
        print("fed", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "fed"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    ix = WhooshSearchIndex(where)
    assert not ix.needs_rebuild
    assert ix.doc_count() == 5  # the last commit, nothing of the feed
    assert ix.synced_revision() == 1  # an import's revision is never recorded by a feed
    assert ix.sync(_wanted(DOCS), _load(DOCS)) == len(DOCS) - 5  # the lock is free
    assert ix.check(_wanted(DOCS)).ok


def test_an_import_writes_its_index_through_the_feed_and_equals_a_rebuild(tmp_path):
    from tests.pdfgen import Page, bullet, heading, make_pdf, para
    from ui import compose

    folder = tmp_path / "in"
    folder.mkdir()
    for n, topic in enumerate(("roads", "schools", "libraries")):
        make_pdf(folder / f"{n}-{topic}.pdf", [Page([
            heading(f"Our {topic} plan"), para(f"We will improve {topic} across the county."),
            heading("What we will do"), bullet(f"Deliver new {topic} by 2030."),
            bullet("Work with partners on special educational needs.")])],
            title=f"The {topic} plan")
    wb = compose.open_workbench(tmp_path / "lib")
    synced = []
    real_sync = wb.index.sync
    wb.index.sync = lambda *a, **k: synced.append(real_sync(*a, **k)) or synced[-1]
    try:
        report = wb.import_paths([folder], workers=2)
        assert report.count("imported") == 3
        assert synced == [0], "the feed wrote every passage; the sync found them current"
        wanted = wb.store.index_fingerprints()
        assert wanted and wb.index.check(wanted).ok
        assert wb.index.synced_revision() == wb.store.revision()
        fed = wb.index._stored_fingerprints()
        assert wb.search("deliver new libraries").total >= 1
        wb.rebuild_index()
        assert wb.index._stored_fingerprints() == fed == wanted
    finally:
        compose.close_workbench(wb)


"""Search latency against raw Whoosh with highlights, in one run (issue 13 speed targets).

    .venv/bin/python bench/bench_search.py [--tier 20] [--work DIR] [--rounds 4] [--cpu]
        [--jobs 2] [--build-only] [--only "social care|young people"]

Builds (or reuses, with ``--work``) the tier's corpus and library the way
``bench/bench_pipeline.py`` does (bench/corpus.py, a full import with two workers), builds a
raw single-writer Whoosh index of the same passages, then times the same query mix on both:

* ours: ``Workbench.search(q, limit=20)`` — parsing, synonyms, the exact-phrase field, fetching
  extra candidates, collapsing nested hits, the proximity re-rank, citations and snippets;
* raw: ``QueryParser("body")`` + ``search(limit=20)`` + ``highlights("body")`` per hit.

Not a test: nothing here asserts a time. Prints one Markdown table row per tier.

The 200x tier takes long to build (1,000 PDFs typeset, imported and indexed twice): build it
once with ``--work DIR --build-only`` (``--jobs 2`` typesets the PDFs in two processes: the same
corpus as ``bench/corpus.py``, whose random stream is drawn in the same order first), then time
against the same folder as often as needed, or only some queries with ``--only``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_pipeline import QUERIES, NullIndex, corpus, import_run, percentile, raw_whoosh  # noqa: E402

from db.store import SqliteStore  # noqa: E402
from indexing.query import load_default_synonyms  # noqa: E402
from indexing.search_index import WhooshSearchIndex  # noqa: E402
from workbench.library import LibraryPaths  # noqa: E402
from workbench.services import Workbench  # noqa: E402

# The pipeline bench's mix plus what issue 13 added: multi-word (proximity re-rank), quoted
# phrases with stop words, numbers and money, hyphenated words, table synonyms.
EXTRA = ['"release the pressure"', "social value", "2,900 residents", "£1.47bn", "reoffending",
         "road maintenance", "Brexit", "extra care housing", "public rights of way"]


def latency(lib: Path, raw_ix, queries: list[str], rounds: int,
            clock=time.perf_counter) -> tuple[list[float], list[float]]:
    from whoosh.qparser import QueryParser

    paths = LibraryPaths(lib)
    store = SqliteStore(paths.database)
    index = WhooshSearchIndex(paths.index, load_default_synonyms())
    wb = Workbench(paths, store, index, NullIndex())  # type: ignore[arg-type]
    parser = QueryParser("body", raw_ix.schema)
    raw_searcher = raw_ix.searcher()
    mix = queries * rounds
    random.Random(3).shuffle(mix)
    wb.search("warm up")
    ours, raw = [], []
    for q in mix:
        t = clock()
        wb.search(q, limit=20)
        ours.append(clock() - t)
        t = clock()
        for hit in raw_searcher.search(parser.parse(q), limit=20):
            hit.highlights("body")
        raw.append(clock() - t)
    raw_searcher.close()
    index.close()
    store.close()
    return ours, raw


def _typeset(job: tuple[str, str, list[str]]) -> str:
    import corpus as gen  # bench/corpus.py: PyMuPDF only in the pool's processes

    path, title, paras = job
    if not Path(path).exists():
        gen._typeset(Path(path), title, paras)
    return path


def corpus_parallel(tier: int, work: Path, jobs: int) -> None:
    """bench/corpus.py's corpus for ``tier`` (the same files: its random word swaps drawn in
    the same order here), typeset in ``jobs`` processes; files already there are kept."""
    from multiprocessing import Pool

    import corpus as gen

    out = work / f"corpus-{tier}x"
    out.mkdir(parents=True, exist_ok=True)
    todo = [(str(path), title, varied) for path, title, varied in gen.variants(out, tier)]
    with Pool(jobs) as pool:
        for _ in pool.imap_unordered(_typeset, todo, chunksize=4):
            pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tier", type=int, default=20)
    ap.add_argument("--work", type=Path, default=None, help="reuse a corpus/library built here")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--cpu", action="store_true",
                    help="time CPU (process_time), not wall clock: steadier on a loaded machine "
                         "(both sides are single-threaded, so they are comparable)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="typeset the corpus in this many processes (tiers above 1)")
    ap.add_argument("--build-only", action="store_true", help="build the tier's libraries, stop")
    ap.add_argument("--only", default="", help="time only these queries, separated by |")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="wb-search-bench-"))
    lib = work / f"lib-{args.tier}-full"
    if not (lib / "workbench.db").exists():
        if args.jobs > 1 and args.tier > 1:
            corpus_parallel(args.tier, work, args.jobs)
        files = corpus(args.tier, work)
        import_run(files, lib, workers=2, with_index=True)
    raw_dir = work / f"raw-{args.tier}"
    if raw_dir.exists():
        from whoosh import index as windex

        raw_ix = windex.open_dir(str(raw_dir / "raw-whoosh"))
    else:
        raw_dir.mkdir(parents=True)
        _, raw_ix = raw_whoosh(raw_dir, lib)
    if args.build_only:
        print(f"built: {lib}, {raw_dir}")
        return
    clock = time.process_time if args.cpu else time.perf_counter
    queries = [q for q in args.only.split("|") if q] or QUERIES + EXTRA
    ours, raw = latency(lib, raw_ix, queries, args.rounds, clock)
    row = {
        "tier": f"{args.tier}×" + (" (CPU)" if args.cpu else ""),
        "queries": len(ours),
        "ours p50 ms": 1000 * statistics.median(ours),
        "ours p95 ms": 1000 * percentile(ours, 95),
        "ours max ms": 1000 * max(ours),
        "raw p50 ms": 1000 * statistics.median(raw),
        "raw p95 ms": 1000 * percentile(raw, 95),
        "p95 ratio": percentile(ours, 95) / percentile(raw, 95),
    }
    print("| " + " | ".join(row) + " |")
    print("|" + "---|" * len(row))
    print("| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values())
          + " |")
    print(f"(work folder: {work})")


if __name__ == "__main__":
    main()

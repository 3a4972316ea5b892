"""Import and search benchmark (issue 3), as ratios against the raw libraries, in one run.

    .venv/bin/python bench/bench_pipeline.py [--tiers zoo,1,20,200] [--zoo DIR] [--work DIR]

The ``zoo`` tier is the unseen-layout corpus of issue 12: the five sample plan texts and the
other councils' excerpts rendered in every style of ``tests/data/layouts/zoo.py`` (two columns
streamed row by row, three columns landscape, numbered headings, action tables).

For each corpus tier (1×, 20×, 200× the sample plans, see bench/corpus.py) it measures:

* raw PyMuPDF ``page.get_text("dict")`` over every page, single process (pages/s), and its
  CPU seconds beside the CPU seconds of our two-worker run (parent and workers), which the load
  of a shared machine moves much less than wall time;
* our pipeline without the search index (worker-process extraction, clean-up, segmentation,
  SQLite storage) with one and with two worker processes (pages/s, and % of raw);
* the full import including the Whoosh index, against raw ``dict`` time + a raw single-writer
  Whoosh build of the same passages with the same schema;
* search latency p50/p95 over a fixed query mix, ours (``Workbench.search``: parsing with caps,
  acronym expansion, filters, snippets for the returned hits) against raw Whoosh
  (``QueryParser`` + ``search`` + highlights of the same number of hits).

Not a test: nothing here asserts a time. Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from db.store import SqliteStore  # noqa: E402
from indexing.query import load_default_synonyms  # noqa: E402
from indexing.search_index import SCHEMA, WhooshSearchIndex, doc_fields  # noqa: E402
from indexing.worker import PdfWorkerExtractor  # noqa: E402
from workbench.library import LibraryPaths  # noqa: E402
from workbench.services import Workbench  # noqa: E402

QUERIES = [
    "climate", "economy", "children", "highways", '"net zero"', '"climate emergency"',
    "social care", "potholes", "SEND", "housing growth", "schools OR education",
    "transport -rail", "digit*", '"adult social care"', "business", "carbon", "KCC",
    "young people", "broadband", "waste", "libraries", "public health", "apprenticeships",
    "infrastructure investment", "older people",
]


class NullIndex:
    """A search index that does nothing, to time the pipeline without Whoosh."""

    needs_rebuild = False

    def sync(self, wanted, load, state=None) -> int:
        return 0

    def synced_revision(self) -> int | None:
        return None

    def mark_synced(self, revision: int) -> None:
        pass

    def begin_feed(self) -> None:
        return None

    def close(self) -> None:
        pass


ZOO: list[Path | None] = [None]  # --zoo: a folder of the zoo already rendered


def corpus(tier: int | str, root: Path) -> list[Path]:
    if tier == "zoo" and ZOO[0] is not None:
        return sorted(ZOO[0].glob("*.pdf"))
    if tier == "zoo":
        out = root / "corpus-zoo"
        out.mkdir(parents=True, exist_ok=True)
        code = (
            "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2])\n"
            "from tests.data.layouts.zoo import COUNCILS, PLANS, zoo\n"
            "zoo(Path(sys.argv[1]), sorted(PLANS.glob('*.txt')), sorted(COUNCILS.glob('*.json')))\n"
        )
        subprocess.run([sys.executable, "-c", code, str(out), str(REPO)], check=True,
                       capture_output=True)
        return sorted(out.glob("*.pdf"))
    out = root / f"corpus-{tier}x"
    subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), str(out), str(tier)],
                   check=True, capture_output=True)
    return sorted(out.glob("*.pdf"))


def raw_dict(files: list[Path]) -> tuple[float, int]:
    """Time raw PyMuPDF get_text('dict') in a child process (keeps this process clean)."""
    code = (
        "import sys, time, pymupdf\n"
        "files = sys.argv[1:]\n"
        "t = time.perf_counter(); n = 0\n"
        "for f in files:\n"
        "    d = pymupdf.open(f)\n"
        "    for p in d:\n"
        "        p.get_text('dict'); n += 1\n"
        "    d.close()\n"
        "import resource; u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(time.perf_counter() - t, n, u.ru_utime + u.ru_stime)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *map(str, files)], check=True,
                         capture_output=True, text=True).stdout.split()
    RAW_CPU[0] = float(out[2])  # the child's whole CPU time (its start-up included)
    return float(out[0]), int(out[1])


RAW_CPU = [0.0]


def cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (the worker processes): a
    measure of work that the load of a shared machine moves much less than wall time."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def import_run(files: list[Path], root: Path, *, workers: int, with_index: bool) -> float:
    shutil.rmtree(root, ignore_errors=True)  # a re-run with --work reuses the corpus only
    paths = LibraryPaths(root)
    paths.ensure()
    store = SqliteStore(paths.database, backups_dir=paths.backups)
    index = WhooshSearchIndex(paths.index, load_default_synonyms()) if with_index else NullIndex()
    wb = Workbench(paths, store, index, PdfWorkerExtractor(), make_extractor=PdfWorkerExtractor)
    try:
        t = time.perf_counter()
        report = wb.import_paths(files, workers=workers)
        elapsed = time.perf_counter() - t
        assert report.count("imported") == len(files), [o.message for o in report.failed]
    finally:
        wb.extractor.close()
        index.close()
        store.close()
    return elapsed


def raw_whoosh(root: Path, lib: Path) -> tuple[float, object]:
    """Build a plain Whoosh index of the same passages with one writer; return (time, index)."""
    from whoosh import index as windex

    store = SqliteStore(lib / "workbench.db")
    docs = store.index_docs(sorted(store.index_fingerprints()))
    store.close()
    target = root / "raw-whoosh"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    t = time.perf_counter()
    ix = windex.create_in(str(target), SCHEMA)
    writer = ix.writer(limitmb=128)
    for doc in docs:
        writer.add_document(**doc_fields(doc))
    writer.commit()
    return time.perf_counter() - t, ix


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def search_latency(lib: Path, raw_ix, rounds: int = 4) -> tuple[list[float], list[float]]:
    from whoosh.qparser import QueryParser

    paths = LibraryPaths(lib)
    store = SqliteStore(paths.database)
    index = WhooshSearchIndex(paths.index, load_default_synonyms())
    wb = Workbench(paths, store, index, NullIndex())  # type: ignore[arg-type]
    parser = QueryParser("body", raw_ix.schema)
    raw_searcher = raw_ix.searcher()
    ours, raw = [], []
    queries = QUERIES * rounds
    random.Random(3).shuffle(queries)
    wb.search("warm up")
    for q in queries:
        t = time.perf_counter()
        wb.search(q, limit=20)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        results = raw_searcher.search(parser.parse(q), limit=20)
        for hit in results:
            hit.highlights("body")
        raw.append(time.perf_counter() - t)
    raw_searcher.close()
    index.close()
    store.close()
    return ours, raw


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiers", default="1,20")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--search-only", action="store_true",
                    help="large tiers: only the full import (2 workers) and search latency")
    ap.add_argument("--zoo", type=Path, default=None,
                    help="zoo tier: use this folder of the zoo already rendered (zoo_units.py)")
    args = ap.parse_args()
    ZOO[0] = args.zoo
    work = args.work or Path(tempfile.mkdtemp(prefix="wb-bench-"))
    rows = []
    for tier in [t if t == "zoo" else int(t) for t in args.tiers.split(",")]:
        files = corpus(tier, work)
        if args.search_only:
            full_lib = work / f"lib-{tier}-full"
            t0 = time.perf_counter()
            import_run(files, full_lib, workers=2, with_index=True)
            full = time.perf_counter() - t0
            (work / f"raw-{tier}").mkdir(parents=True, exist_ok=True)
            wt, raw_ix = raw_whoosh(work / f"raw-{tier}", full_lib)
            ours, raw = search_latency(full_lib, raw_ix)
            rows.append({"tier": f"{tier}×", "files": len(files), "full import 2w s": full,
                         "raw Whoosh build s": wt,
                         "search p50 ms": 1000 * statistics.median(ours),
                         "search p95 ms": 1000 * percentile(ours, 95),
                         "search max ms": 1000 * max(ours),
                         "raw p95 ms": 1000 * percentile(raw, 95),
                         "p95 ratio": percentile(ours, 95) / percentile(raw, 95)})
            print(rows[-1], flush=True)
            continue
        raw_t, pages = raw_dict(files)
        raw_cpu = RAW_CPU[0]
        p1 = import_run(files, work / f"lib-{tier}-w1", workers=1, with_index=False)
        c0 = cpu_seconds()
        p2 = import_run(files, work / f"lib-{tier}-w2", workers=2, with_index=False)
        cpu2 = cpu_seconds() - c0
        full_lib = work / f"lib-{tier}-full"
        full = import_run(files, full_lib, workers=2, with_index=True)  # as the CLI runs it
        (work / f"raw-{tier}").mkdir(parents=True, exist_ok=True)
        wt, raw_ix = raw_whoosh(work / f"raw-{tier}", full_lib)
        ours, raw = search_latency(full_lib, raw_ix)
        rows.append(
            {
                "tier": tier if tier == "zoo" else f"{tier}×",
                "files": len(files),
                "pages": pages,
                "raw dict p/s": pages / raw_t,
                "pipeline 1w p/s": pages / p1,
                "1w % of raw": 100 * raw_t / p1,
                "pipeline 2w p/s": pages / p2,
                "2w % of raw": 100 * raw_t / p2,
                "raw dict CPU s": raw_cpu,
                "2w CPU s (all processes)": cpu2,
                "full import s": full,
                "raw dict+whoosh s": raw_t + wt,
                "full / raw": full / (raw_t + wt),
                "search p50 ms": 1000 * statistics.median(ours),
                "search p95 ms": 1000 * percentile(ours, 95),
                "raw p95 ms": 1000 * percentile(raw, 95),
                "p95 ratio": percentile(ours, 95) / percentile(raw, 95),
            }
        )
        print(rows[-1], flush=True)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in r.values()]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

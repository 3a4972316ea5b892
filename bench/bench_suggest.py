"""Benchmark the lineage suggester (issue 5): a full plan pair of the sample library, then the
later plan's candidate pool scaled 20× and 200×.

Usage: ``python bench/bench_suggest.py [LIBRARY]`` (default: imports the sample plans into a
temporary library through the CLI). Scaled pools are variants of the later plan's commitments
with about 10 % of the words swapped for words from the whole corpus, as ``bench/corpus.py``
does for PDFs (no PDFs are made here: the suggester reads commitments, not pages).
Prints one JSON line per measurement.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from db.records import SqliteRecords  # noqa: E402
from db.store import SqliteStore  # noqa: E402
from workbench.lineage import Suggester  # noqa: E402
from workbench.review import Records  # noqa: E402

PAIRS = [
    ("framing-kents-future-2022", "reforming-kent-2025"),
    ("kent-interim-strategic-plan-2020", "framing-kents-future-2022"),
    ("kent-vision-2011", "kent-five-year-plan-2020-draft"),
]


def sample_library() -> Path:
    root = Path(tempfile.mkdtemp(prefix="bench-suggest-")) / "library"
    exe = Path(sys.executable).with_name("workbench")
    subprocess.run([str(exe), "import", str(REPO / "resources" / "sample"), "--library",
                    str(root)], check=True, capture_output=True)
    return root


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else sample_library()
    store = SqliteStore(root / "workbench.db")
    recs = Records(store, SqliteRecords(store), actor="bench")
    for a, b in PAIRS:
        t0 = time.perf_counter()
        out = recs.suggest(a, b, limit=5)
        dt = time.perf_counter() - t0
        print(json.dumps({"bench": "suggest_pair", "from": a, "to": b, "sources": len(out),
                          "candidates": len(recs.effective_commitments(b)),
                          "seconds": round(dt, 3)}))
    a, b = PAIRS[0]
    sources = recs.effective_commitments(a)
    base = recs.effective_commitments(b)
    rng = random.Random(7)
    vocab = sorted({w for c in base + sources for w in c.text.split() if w.isalpha()})
    for factor in (1, 20, 200):
        pool = []
        for n in range(factor):
            for c in base:
                words = c.text.split()
                if n:
                    words = [rng.choice(vocab) if rng.random() < 0.1 else w for w in words]
                pool.append(replace(c, key=f"{c.key}#{n}", text=" ".join(words)))
        t0 = time.perf_counter()
        suggester = Suggester(pool, "scaled")
        build = time.perf_counter() - t0
        t1 = time.perf_counter()
        suggester.suggest_all(sources, limit=5)
        run = time.perf_counter() - t1
        print(json.dumps({"bench": "suggest_scaled", "factor": factor, "sources": len(sources),
                          "candidates": len(pool), "build_seconds": round(build, 3),
                          "suggest_seconds": round(run, 3),
                          "ms_per_commitment": round(1000 * run / len(sources), 2)}))
    store.close()


if __name__ == "__main__":
    main()

"""Benchmark the matching engine (issue 13), in one run, as ratios to the issue's budgets.

    python bench/bench_suggest.py [LIBRARY] [--scaled] [--model=minilm|use|off|wordllama]

Default library: the sample plans imported into a temporary folder through the CLI. Measures:

* loading the meaning model (once per process; by default the engine's, all-MiniLM-L6-v2 when
  its wheel is installed, ``--model=use`` the Universal Sentence Encoder, ``--model=off`` none,
  ``--model=wordllama`` the optional extra);
* building each plan's index (passages, BM25, vectors) cold, and fetching it again (cached).
  "Cold" embeds every passage the library's vector cache (``cache/vectors``) does not hold:
  run it once on a library whose cache folder was removed for the first, uncached figures,
  and again for a new process with the vectors on disk;
* suggestions for a whole plan pair (every commitment of the earlier plan), budget 2 s;
* a compare of a plan pair (sections aligned, every passage of the earlier plan ranked),
  budget 300 ms.

Each figure is wall clock and CPU time of this process (``time.process_time``: the machine is
shared, so CPU is the steadier of the two). Warm figures are the median of three runs after a
first one (the model and the per-plan
indexes are loaded once, as the window and a long CLI session do). ``--scaled`` adds the
later plan's passage pool scaled 20× (variants with a tenth of the words swapped). Prints one
JSON line per measurement and a closing table.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MODEL = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--model=")),
             "wordllama" if "--embeddings" in sys.argv else "")
if MODEL:
    os.environ["WORKBENCH_EMBEDDINGS"] = MODEL

from db.records import SqliteRecords  # noqa: E402
from db.store import SqliteStore  # noqa: E402
from workbench.matching import PlanIndex  # noqa: E402
from workbench.matching.engine import meaning_model  # noqa: E402
from workbench.matching.service import (  # noqa: E402
    compare,
    passages_of,
    plan_index,
    vector_folder,
)
from workbench.review import Records  # noqa: E402

PAIRS = [
    ("framing-kents-future-2022", "reforming-kent-2025"),
    ("kent-interim-strategic-plan-2020", "framing-kents-future-2022"),
    ("kent-vision-2011", "kent-five-year-plan-2020-draft"),
]
SUGGEST_BUDGET = 2.0
COMPARE_BUDGET = 0.3


def sample_library() -> Path:
    root = Path(tempfile.mkdtemp(prefix="bench-suggest-")) / "library"
    exe = Path(sys.executable).with_name("workbench")
    subprocess.run([str(exe), "import", str(REPO / "resources" / "sample"), "--library",
                    str(root)], check=True, capture_output=True)
    return root


def timed(fn, repeat: int = 3) -> tuple[float, float, float, float]:
    """(first run, median of ``repeat`` further runs) in wall seconds, then the same in CPU
    seconds of this process."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    runs, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return first, statistics.median(runs), first_cpu, statistics.median(cpu)


def emit(**fields: object) -> dict:
    print(json.dumps(fields))
    return fields


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = Path(args[0]) if args else sample_library()
    store = SqliteStore(root / "workbench.db")
    recs = Records(store, SqliteRecords(store), actor="bench")
    t0 = time.perf_counter()
    model = meaning_model(vector_folder(store))
    rows = [emit(bench="model_load",
                 model=str(getattr(model, "model_id", type(model).__name__)) if model else None,
                 seconds=round(time.perf_counter() - t0, 3))]
    for slug in sorted({p for pair in PAIRS for p in pair}):
        t0, c0 = time.perf_counter(), time.process_time()
        plan_index(recs, slug)
        cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        plan_index(recs, slug)
        rows.append(emit(bench="plan_index", plan=slug, passages=len(passages_of(recs, slug)),
                         cold_seconds=round(cold, 3), cold_cpu_seconds=round(cold_cpu, 3),
                         cached_seconds=round(time.perf_counter() - t0, 3)))
    for a, b in PAIRS:
        first, warm, first_cpu, warm_cpu = timed(lambda a=a, b=b: recs.suggest(a, b, limit=5))
        rows.append(emit(bench="suggest_pair", pair=f"{a} → {b}",
                         sources=len(recs.effective_commitments(a)),
                         first_seconds=round(first, 3), warm_seconds=round(warm, 3),
                         first_cpu_seconds=round(first_cpu, 3),
                         warm_cpu_seconds=round(warm_cpu, 3),
                         ratio_to_budget=round(warm / SUGGEST_BUDGET, 2)))
        first, warm, first_cpu, warm_cpu = timed(lambda a=a, b=b: compare(recs, a, b))
        rows.append(emit(bench="compare_pair", pair=f"{a} → {b}",
                         left_passages=len(passages_of(recs, a)),
                         first_seconds=round(first, 3), warm_seconds=round(warm, 3),
                         first_cpu_seconds=round(first_cpu, 3),
                         warm_cpu_seconds=round(warm_cpu, 3),
                         ratio_to_budget=round(warm / COMPARE_BUDGET, 2)))
    if "--scaled" in sys.argv:
        a, b = PAIRS[0]
        base = passages_of(recs, b)
        rng = random.Random(7)
        vocab = sorted({w for p in base for w in p.text.split() if w.isalpha()})
        pool = []
        for n in range(20):
            for p in base:
                words = p.text.split()
                if n:
                    words = [rng.choice(vocab) if rng.random() < 0.1 else w for w in words]
                pool.append(replace(p, key=f"{p.key}#{n}", text=" ".join(words),
                                    commitment=None))
        t0 = time.perf_counter()
        index = PlanIndex(pool, model)
        build = time.perf_counter() - t0
        sources = recs.effective_commitments(a)
        from workbench.matching.engine import Query

        t0 = time.perf_counter()
        index.rank_many([Query(s.text, s.heading) for s in sources])
        run = time.perf_counter() - t0
        rows.append(emit(bench="suggest_scaled", factor=20, candidates=len(pool),
                         sources=len(sources), build_seconds=round(build, 3),
                         suggest_seconds=round(run, 3)))
    store.close()
    print("\n| measurement | first (CPU) | warm (CPU) | budget | ratio |\n|---|---|---|---|---|")
    for r in rows:
        if "ratio_to_budget" in r:
            budget = SUGGEST_BUDGET if r["bench"] == "suggest_pair" else COMPARE_BUDGET
            print(f"| {r['bench']} {r['pair']} | {r['first_seconds']:.3f} s "
                  f"({r['first_cpu_seconds']:.3f}) | {r['warm_seconds']:.3f} s "
                  f"({r['warm_cpu_seconds']:.3f}) | {budget} s | {r['ratio_to_budget']:.2f} |")


if __name__ == "__main__":
    main()

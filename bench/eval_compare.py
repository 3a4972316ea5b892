"""Measure compare (issue 13) in-process: links held, pairs emitted, pair precision, time.

    python bench/eval_compare.py LIBRARY [--links FILE ...] [--misses]

Runs ``workbench.matching.service.compare`` for every plan pair of the links (the same code
``workbench compare --json`` runs) and scores it as ``../shared/eval/score.py`` does: a link is
held when some pair (section level or nested passage pair) has a left side (heading + text)
holding the from-quote and a right side holding the to-quote, each at most 300 words. Per plan
pair it also prints how many section pairs and passage pairs were emitted, how many links a
section pair / a passage pair held, and the precision of passage pairs against the links:
of the passage pairs whose left holds a link's from-quote, the share whose right holds that
link's to-quote (only measurable where a link starts). Default links: the development set.
``--misses`` lists the links not held (use it only on links you tune on).

``--time N`` times, instead, the compare of every plan pair of the links (the engine call,
``service.compare``, in-process, ``time.perf_counter`` wall clock and ``time.process_time``
CPU), the median of N runs in three states:

* **cold**: nothing cached (the later plan's engine index, both plans' passages, units and
  stems rebuilt from SQLite), as after a plan changed;
* **first**: the per-plan state warm (indexes, passages, units, stems), nothing of the pair:
  the window opening a pair for the first time in a session;
* **again**: the same pair opened again (per-pair similarity, alignment and rankings cached).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from db.records import SqliteRecords  # noqa: E402
from db.store import SqliteStore  # noqa: E402
from ui.cli.compare import comparison_json  # noqa: E402
from workbench.matching import align, engine, service  # noqa: E402
from workbench.matching.service import compare  # noqa: E402
from workbench.review import Records  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"


def _score_module():
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library")
    ap.add_argument("--links", nargs="*", default=[str(EVAL / "dev_links.jsonl")])
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--time", type=int, default=0, metavar="N",
                    help="time each plan pair's compare (median of N runs) instead of scoring")
    args = ap.parse_args()
    sc = _score_module()
    links = [json.loads(line) for f in args.links
             for line in Path(f).read_text(encoding="utf-8").splitlines() if line.strip()]
    links = [x for x in links if x["to_quote"]]
    store = SqliteStore(Path(args.library) / "workbench.db")
    recs = Records(store, SqliteRecords(store), actor="eval")
    by_pair = defaultdict(list)
    for x in links:
        by_pair[(x["from_plan"], x["to_plan"])].append(x)

    def text(u: dict) -> str:
        return f"{u.get('heading', '')} {u.get('text', '')}"

    def small(u: dict) -> bool:
        return len(sc.norm(text(u)).split()) <= 300

    if args.time:
        time_pairs(recs, sorted(by_pair), args.time)
        return
    tot = defaultdict(float)
    for (a, b), group in sorted(by_pair.items()):
        compare(recs, a, b)  # warm the per-plan indexes, as the window does
        t0 = time.perf_counter()
        data = comparison_json(a, b, compare(recs, a, b))
        secs = time.perf_counter() - t0
        sec_pairs = [(p["left"], p["right"]) for p in data["pairs"]
                     if isinstance(p["left"], dict) and isinstance(p["right"], dict)]
        pas_pairs = [(q["left"], q["right"]) for p in data["pairs"] for q in p["pairs"]]
        hit = hit_s = hit_p = 0
        prec_n = prec_ok = 0
        for x in group:
            def holds(pairs, x=x):
                return any(small(lft) and small(rgt) and sc.contains(text(lft), x["from_quote"])
                           and sc.contains(text(rgt), x["to_quote"]) for lft, rgt in pairs)
            s, p = holds(sec_pairs), holds(pas_pairs)
            hit += s or p
            hit_s += s
            hit_p += p
            if (s or p) or not args.misses:
                continue
            print(f"  MISS {x['id']} {x['relation']}: {x['from_quote'][:70]!r} -> "
                  f"{x['to_quote'][:70]!r}")
        for lft, rgt in pas_pairs:
            starts = [x for x in group if sc.contains(text(lft), x["from_quote"])]
            if starts:
                prec_n += 1
                prec_ok += any(sc.contains(text(rgt), x["to_quote"]) for x in starts)
        small_sec = sum(small(lft) and small(rgt) for lft, rgt in sec_pairs)
        print(f"{a[:28]:28} -> {b[:28]:28} held {hit:2}/{len(group):2} (sections {hit_s:2}, "
              f"passages {hit_p:2})  section pairs {len(sec_pairs):3} (small {small_sec:3}) "
              f"passage pairs {len(pas_pairs):4}  precision {prec_ok}/{prec_n}  "
              f"only {len(data['only_earlier'])}/{len(data['only_later'])}  {secs * 1000:.0f} ms")
        for k, v in (("hit", hit), ("n", len(group)), ("hs", hit_s), ("hp", hit_p),
                     ("pn", prec_n), ("pok", prec_ok), ("pp", len(pas_pairs)),
                     ("sp", len(sec_pairs)), ("ms", secs * 1000)):
            tot[k] += v
    print(f"TOTAL held {int(tot['hit'])}/{int(tot['n'])} = {tot['hit'] / tot['n']:.3f} "
          f"(sections {int(tot['hs'])}, passages {int(tot['hp'])}); section pairs "
          f"{int(tot['sp'])}; passage pairs "
          f"{int(tot['pp'])}; precision {int(tot['pok'])}/{int(tot['pn'])} = "
          f"{tot['pok'] / max(1, tot['pn']):.2f}; compare time {tot['ms']:.0f} ms over "
          f"{len(by_pair)} plan pairs")


def _forget(per_plan: bool) -> None:
    align.reset_caches(per_plan=per_plan)
    if per_plan:
        with engine._CACHE_LOCK:
            engine._CACHE.clear()
        with service._LOCK:
            service._PASSAGES.clear()


def time_pairs(recs: Records, pairs: list[tuple[str, str]], runs: int) -> None:
    """Per plan pair: the median wall and CPU milliseconds of a compare, cold, first, again."""
    def one(a: str, b: str, forget: int) -> tuple[float, float]:
        if forget:
            _forget(per_plan=forget == 2)
        w, c = time.perf_counter(), time.process_time()
        compare(recs, a, b)
        return 1000 * (time.perf_counter() - w), 1000 * (time.process_time() - c)

    print("| earlier -> later | commitments | cold ms (cpu) | first ms (cpu) | again ms (cpu) |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for a, b in pairs:
        compare(recs, a, b)
        cells = []
        for forget in (2, 1, 0):
            got = [one(a, b, forget) for _ in range(runs)]
            wall = statistics.median(w for w, _ in got)
            cpu = statistics.median(c for _, c in got)
            cells.append(f"{wall:.0f} ({cpu:.0f})")
            if forget == 1:
                worst = max(worst, wall)
        n = len(recs.effective_commitments(a))
        print(f"| {a} -> {b} | {n} | " + " | ".join(cells) + " |")
    print(f"worst first-open pair: {worst:.0f} ms (budget 300 ms)")


if __name__ == "__main__":
    main()

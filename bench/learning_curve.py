"""Does cross-validated ranking rise with the number of tuning links? (round 12, succ12)

    python bench/learning_curve.py collect LIBRARY --links FILE ... --out ROWS.json [--no-dev]
    python bench/learning_curve.py curve BASE_ROWS.json NEW_ROWS.json [--reps 5] [--out OUT.json]
    python bench/learning_curve.py summary OUT.json

``collect`` logs each link's 60 shortlisted candidates with their signals, exactly as
``bench/eval_matching.py --tune --rows`` does (its ``collect``), for the links of the given files
(the dev links too unless ``--no-dev``). ``curve`` refits the engine's linear weights with
``eval_matching.tune`` (coordinate ascent from the same neutral start as ``--tune``) on growing
training sets and scores the links left out:

- splits: 5 folds by the MD5 of the link id (``eval_matching.fold_of``) and leave one plan pair
  out, both over the union of the old and new links, so a fold's test links never shaped its
  weights;
- for each split, the training part is ``old`` links only, ``old + new`` links, and random
  subsets of the training part (fractions 0.25, 0.5, 0.75, ``--reps`` draws each) for the curve;
  the whole training part is fitted ``--reps`` times with different signal visiting orders;
- every fitted model is scored on the same test links: the old links of the test fold (the
  figure comparable with earlier rounds) and the new links of the test fold, separately.

Only tuning links are read (dev, links_extra, links_train*, links_train12); the held-out links
are not.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import eval_matching as em  # noqa: E402

FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def _start(rows: list[dict]) -> dict[str, float]:
    keys = sorted({k for r in rows for c in r["cands"] for k in c["signals"]} - {"aligned_section"})
    # the neutral start of eval_matching --tune (a late signal starts at 0)
    return {k: (0.0 if k in em.LATE_SIGNALS else 0.2) for k in keys}


def _score(rows: list[dict], w: dict[str, float]) -> dict:
    m = em.metrics(rows, w)
    return {"links": m["links"], "top1": m["top1"], "top3": m["top3"]}


def _pool(parts: list[dict]) -> dict:
    n = sum(p["links"] for p in parts)
    return {"links": n,
            "top1": round(sum(p["top1"] * p["links"] for p in parts) / max(n, 1), 4),
            "top3": round(sum(p["top3"] * p["links"] for p in parts) / max(n, 1), 4)}


def curve(old: list[dict], new: list[dict], reps: int) -> dict:
    for r in old:
        r["_src"] = "old"
    for r in new:
        r["_src"] = "new"
    rows = old + new
    start = _start(rows)
    out: dict = {}
    for split in ("5-fold", "leave-pair-out"):
        groups = (sorted({em.pair_of(r) for r in rows}) if split == "leave-pair-out"
                  else list(range(5)))

        def held(r: dict, g: object, split: str = split) -> bool:
            return em.pair_of(r) == g if split == "leave-pair-out" else em.fold_of(
                r["link"]["id"], 5) == g

        # results[(train_set, fraction, rep)] -> per-fold scores on old-test and new-test
        results: dict[str, dict[str, list[dict]]] = {}
        for g in groups:
            test_old = [r for r in old if held(r, g)]
            test_new = [r for r in new if held(r, g)]
            train_old = [r for r in old if not held(r, g)]
            train_new = [r for r in new if not held(r, g)]
            # the full training sets: one fit per signal visiting order (0 = natural, then
            # shuffles as eval_matching --orders makes them), so their spread is the ascent's
            plans = [(name, 1.0, rep, part) for rep in range(reps)
                     for name, part in (("old", train_old), ("old+new", train_old + train_new))]
            for frac in FRACTIONS[:-1]:
                for rep in range(reps):
                    rnd = random.Random(f"{split}-{g}-{frac}-{rep}")
                    plans.append(("old", frac, rep, rnd.sample(train_old, round(frac * len(train_old)))))
                    both = train_old + train_new
                    plans.append(("old+new", frac, rep, rnd.sample(both, round(frac * len(both)))))
            keys = list(start)
            for name, frac, rep, train in plans:
                order = list(keys)
                if frac == 1.0 and rep:
                    random.Random(rep).shuffle(order)
                w, _ = em.tune(train, start, order)
                key = f"{name}|{frac}|{rep}"
                slot = results.setdefault(key, {"old_test": [], "new_test": [], "n_train": []})
                if test_old:
                    slot["old_test"].append(_score(test_old, w))
                if test_new:
                    slot["new_test"].append(_score(test_new, w))
                slot["n_train"].append(sum(1 for r in train if r["link"]["to_quote"]))
            print(f"{split} {g}: done", file=sys.stderr, flush=True)
        summary = {}
        for key, slot in results.items():
            summary[key] = {"old_test": _pool(slot["old_test"]),
                            "new_test": _pool(slot["new_test"]) if slot["new_test"] else None,
                            "mean_train_links_with_successor":
                                round(sum(slot["n_train"]) / len(slot["n_train"]), 1)}
        out[split] = summary
    return out


def summarise(res: dict) -> str:
    """A table per split: mean (half-range) over draws or visiting orders, per training set."""
    lines = []
    for split, slots in res.items():
        lines += [f"{split}", "| training links | fraction | train links (mean) | old test top-1 | "
                  "old test top-3 | new test top-1 | new test top-3 |", "|---|---|---|---|---|---|---|"]
        groups: dict[tuple[str, float], list[dict]] = {}
        for key, v in slots.items():
            name, frac, _ = key.split("|")
            groups.setdefault((name, float(frac)), []).append(v)
        for (name, frac), vs in sorted(groups.items()):
            def cell(part: str, m: str, vs=vs) -> str:
                xs = [v[part][m] for v in vs if v[part]]
                return f"{sum(xs) / len(xs):.3f} (±{(max(xs) - min(xs)) / 2:.3f})"
            n = sum(v["mean_train_links_with_successor"] for v in vs) / len(vs)
            lines.append(f"| {name} | {frac} | {n:.0f} | {cell('old_test', 'top1')} | "
                         f"{cell('old_test', 'top3')} | {cell('new_test', 'top1')} | "
                         f"{cell('new_test', 'top3')} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("library", type=Path)
    c.add_argument("--links", type=Path, nargs="+", required=True)
    c.add_argument("--no-dev", action="store_true")
    c.add_argument("--out", type=Path, required=True)
    k = sub.add_parser("curve")
    k.add_argument("base", type=Path)
    k.add_argument("new", type=Path)
    k.add_argument("--reps", type=int, default=5)
    k.add_argument("--out", type=Path)
    t = sub.add_parser("summary")
    t.add_argument("result", type=Path)
    args = ap.parse_args()
    if args.cmd == "summary":
        print(summarise(json.loads(args.result.read_text("utf-8"))))
        return
    if args.cmd == "collect":
        import os

        from workbench.matching.embedding import default_choice

        os.environ.setdefault("WORKBENCH_EMBEDDINGS", default_choice())
        from ui.compose import open_workbench, records_for

        recs = records_for(open_workbench(args.library), "eval")
        links = em.load_links(args.links, dev=not args.no_dev)
        rows = em.collect(recs, links)
        args.out.write_text(json.dumps(rows), "utf-8")
        print(json.dumps({"links": len(links), "current": {
            k: v for k, v in em.metrics(rows).items() if k in ("links", "top1", "top3")}}))
        return
    old = json.loads(args.base.read_text("utf-8"))
    new = json.loads(args.new.read_text("utf-8"))
    res = curve(old, new, args.reps)
    text = json.dumps(res, indent=1)
    if args.out:
        args.out.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()

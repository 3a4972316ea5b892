"""tune11's MiniLM adaptor retrained with round 12's extra links: CV with and without them.

    # in a copy of the repo with docs/bench/patches/tune11-r11.patch applied (it adds
    # bench/train_adaptor.py and workbench/matching/adaptor.py), product venv:
    python bench/adaptor_curve.py collect LIBRARY --t11 COPY --out DIR
    # PyTorch venv (docs/bench/tune11-r11.md, section 4):
    python bench/adaptor_curve.py cv DIR --t11 COPY [--seeds 1] [--splits kfold pair]
    python bench/adaptor_curve.py curve DIR --t11 COPY [--splits kfold pair]

``collect`` is tune11's ``train_adaptor.collect`` over the tuning links plus
``tests/data/links_train12.jsonl`` (round 12's new links); the rows remember which file each link
came from. ``cv`` uses tune11's own pieces (``train``, ``purged_training``, ``cross_fitted``,
``meaning_signal``, ``eval_matching.tune``) with its settings (rank 16, decay 0.03, 5 epochs,
tau 0.05), and the same splits over the union of old and new links (5 folds by the MD5 of the
link id; leave one plan pair out). For every test fold it trains two adaptors, one on the old
links of the other folds and one on the old and new links of the other folds (both purged of any
link sharing a source or successor passage with a test link), refits the engine's weights for
each (training links' ``meaning`` cross-fitted), refits the plain model's weights on the same two
training sets, and scores the fold's old test links and new test links separately.
"""
from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
import time
from pathlib import Path

NEW_FILE = "links_train12.jsonl"


def _load(t11: Path):
    sys.path.insert(0, str(t11))
    sys.path.insert(0, str(t11 / "bench"))
    ta = importlib.import_module("train_adaptor")
    em = importlib.import_module("eval_matching")
    return ta, em


def collect(args) -> None:
    ta, em = _load(args.t11)
    new = args.t11 / "tests" / "data" / NEW_FILE
    em.TUNING_FILES = (*em.TUNING_FILES, new)
    new_ids = {json.loads(x)["id"] for x in new.read_text("utf-8").splitlines() if x.strip()}
    ta.collect(args.library, args.out)
    got = json.loads((args.out / "rows.json").read_text("utf-8"))
    for r in got["rows"]:
        r["origin"] = "new" if r["link"]["id"] in new_ids else "old"
    (args.out / "rows.json").write_text(json.dumps(got), "utf-8")


def _pooled(parts: list[tuple[int, int, int]]) -> dict:
    n = sum(p[2] for p in parts)
    return {"links": n, "top1": round(sum(p[0] for p in parts) / max(n, 1), 3),
            "top3": round(sum(p[1] for p in parts) / max(n, 1), 3)}


def cv(args) -> None:
    ta, em = _load(args.t11)
    data = ta.Data(args.folder)
    keys = sorted({k for r in data.rows for c in r["cands"] for k in c["signals"]}
                  - {"aligned_section"})
    start = {k: 0.0 if k in em.LATE_SIGNALS else 0.2 for k in keys}
    settings = argparse.Namespace(rank=16, decay=3e-2, epochs=5, tau=0.05)
    old = [i for i, r in enumerate(data.rows) if r.get("origin") == "old"]
    new = [i for i, r in enumerate(data.rows) if r.get("origin") == "new"]
    print(json.dumps({"old_links": len(old), "new_links": len(new)}), flush=True)
    out: dict = {}
    for split in args.splits:
        groups = ta.fold_groups(data.rows, split == "pair")
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            order = list(keys)
            if seed:
                random.Random(seed).shuffle(order)
            tally: dict[str, list[tuple[int, int, int]]] = {}
            for test in groups:
                test_old = [i for i in test if i in set(old)]
                test_new = [i for i in test if i in set(new)]
                for pool_name, pool in (("old", old), ("old+new", old + new)):
                    train_rows, banned = ta.purged_training(data, test, pool)
                    a, b = ta.train(data, train_rows, banned, rank=16, decay=3e-2, epochs=5,
                                    tau=0.05, seed=seed)
                    for model in ("plain", "adapted"):
                        if model == "plain":
                            tr = ta.meaning_signal(data, train_rows, None, None)
                            ma, mb = None, None
                        else:
                            tr = ta.cross_fitted(data, train_rows, banned, settings, seed)
                            ma, mb = a, b
                        w, _ = em.tune(tr, start, order)
                        for tname, trows in (("old_test", test_old), ("new_test", test_new)):
                            if not trows:
                                continue
                            te = ta.meaning_signal(data, trows, ma, mb)
                            key = f"train={pool_name}/{model}/{tname}"
                            tally.setdefault(key, []).append(ta.counts(te, w))
                print(json.dumps({"split": split, "seed": seed, "fold_done": len(test),
                                  "at": time.strftime("%H:%M:%S")}), file=sys.stderr, flush=True)
            res = {k: _pooled(v) for k, v in tally.items()}
            out.setdefault(split, []).append(res)
            print(json.dumps({"split": split, "seed": seed, **res}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1), "utf-8")


def curve(args) -> None:
    """The learning curve of the adaptor's own signal, without refitting weights (so no
    cross-fitting: one adaptor per point): for each test fold, adaptors trained on random
    fractions of the old training links and on all old + new training links; each scored on
    the fold's old and new test links with ``meaning`` alone and with the shipped
    ``WEIGHTS_PARAPHRASE`` (the other signals as logged), against the plain encoder."""
    ta, em = _load(args.t11)
    from workbench.matching.engine import WEIGHTS_PARAPHRASE

    data = ta.Data(args.folder)
    old = [i for i, r in enumerate(data.rows) if r.get("origin") == "old"]
    new = [i for i, r in enumerate(data.rows) if r.get("origin") == "new"]
    out: dict = {}
    for split in args.splits:
        tally: dict[str, list[tuple[int, int, int]]] = {}
        sizes: dict[str, list[int]] = {}
        for test in ta.fold_groups(data.rows, split == "pair"):
            test_old = [i for i in test if i in set(old)]
            test_new = [i for i in test if i in set(new)]
            pools = [("plain", 1.0, None)]
            for frac in (0.25, 0.5, 0.75, 1.0):
                pools.append(("old", frac, old))
            pools.append(("old+new", 1.0, old + new))
            for name, frac, pool in pools:
                if pool is None:
                    a = b = None
                else:
                    train_rows, banned = ta.purged_training(data, test, pool)
                    rnd = random.Random(f"{split}-{test[0]}-{frac}")
                    if frac < 1.0:
                        train_rows = rnd.sample(train_rows, round(frac * len(train_rows)))
                    sizes.setdefault(f"{name}|{frac}", []).append(len(train_rows))
                    a, b = ta.train(data, train_rows, banned, rank=16, decay=3e-2, epochs=5,
                                    tau=0.05, seed=0)
                for tname, trows in (("old_test", test_old), ("new_test", test_new)):
                    if not trows:
                        continue
                    te = ta.meaning_signal(data, trows, a, b)
                    for wname, w in (("meaning-only", {"meaning": 1.0}),
                                     ("kept", WEIGHTS_PARAPHRASE)):
                        tally.setdefault(f"{name}|{frac}|{wname}|{tname}", []).append(
                            ta.counts(te, w))
            print(json.dumps({"split": split, "fold_done": len(test),
                              "at": time.strftime("%H:%M:%S")}), file=sys.stderr, flush=True)
        res = {k: _pooled(v) for k, v in tally.items()}
        res["train_sizes_mean"] = {k: round(sum(v) / len(v), 1) for k, v in sizes.items()}
        out[split] = res
        print(json.dumps({"split": split, **res}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1), "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("library", type=Path)
    c.add_argument("--t11", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    k = sub.add_parser("cv")
    k.add_argument("folder", type=Path)
    k.add_argument("--t11", type=Path, required=True)
    k.add_argument("--seeds", type=int, default=1)
    k.add_argument("--first-seed", type=int, default=0)
    k.add_argument("--splits", nargs="+", default=["kfold", "pair"], choices=["kfold", "pair"])
    k.add_argument("--out", type=Path)
    q = sub.add_parser("curve")
    q.add_argument("folder", type=Path)
    q.add_argument("--t11", type=Path, required=True)
    q.add_argument("--splits", nargs="+", default=["kfold", "pair"], choices=["kfold", "pair"])
    q.add_argument("--out", type=Path)
    args = ap.parse_args()
    {"collect": collect, "cv": cv, "curve": curve}[args.cmd](args)


if __name__ == "__main__":
    main()

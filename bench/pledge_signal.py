"""Would the commitment model's own score (how pledge-like a passage reads) help rank successors?

    python bench/pledge_signal.py LIBRARY --rows ROWS.json [--orders 3] [--variants a,b,...]

``ROWS.json`` is what ``bench/eval_matching.py LIBRARY --tune --rows ROWS.json`` logs for the
tuning links (each candidate's signals, page and offsets). This script reads every later and
earlier plan's PDF from ``resources/sample`` as the import does (``commitment_data``), scores
every candidate unit with the shipped commitment model (``Model.score``: the probability of
"none"), gives each logged passage the score of the candidate it overlaps most on its page (a
unit is a candidate; a sentence that is not a unit overlaps the candidate it came from), adds
the score as signals in a few forms, and runs ``eval_matching.cross_validate`` (5-fold and
leave one plan pair out, several visiting orders) with and without them. Tuning links only.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import eval_matching as em  # noqa: E402

LATE = ("pledge", "pledge_logit", "logit_unit0", "logit_unit_half", "logit3", "logit6",
        "logit_x", "pledge_x", "pledge_unit", "ask", "target", "measure",
        "pledge_src_lo", "pledge_gap", "pledge_rel")


def plan_scores(slug: str) -> dict[int, list[tuple[int, int, float, str]]]:
    """``{page: [(start, end, probability of a unit, model kind)]}`` of every candidate."""
    from commitment_data import read_candidates

    from indexing.commitment_features import load_model

    model = load_model()
    cands, _words = read_candidates(REPO / "resources" / "sample" / f"{slug}.pdf")
    out: dict[int, list[tuple[int, int, float, str]]] = defaultdict(list)
    for c in cands:
        kind, p_none = model.score(c.feats, c.context.shape)
        out[c.page].append((c.start, c.end, 1.0 - p_none, kind))
    return out


def score_of(scores: dict, page: int, start: int, end: int) -> float | None:
    best, value = 0, None
    for a, b, p, _k in scores.get(page, ()):
        overlap = min(b, end) - max(a, start)
        if overlap > best:
            best, value = overlap, p
    return value


def logit01(p: float, clip: float = 4.0) -> float:
    """Log-odds clipped to [-clip, clip], mapped to [0, 1]."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return (min(clip, max(-clip, math.log(p / (1 - p)))) + clip) / (2 * clip)


def annotate(rows: list[dict], neutral: float) -> dict:
    """Add the pledge signals to every logged candidate (in place); coverage figures."""
    cache: dict[str, dict] = {}
    stats = defaultdict(int)
    for row in rows:
        link = row["link"]
        for slug in (link["from_plan"], link["to_plan"]):
            if slug not in cache:
                cache[slug] = plan_scores(slug)
        src = row.get("source")
        ps = score_of(cache[link["from_plan"]], src["page"], src["start"], src["end"]) \
            if src else None
        stats["source_scored" if ps is not None else "source_unscored"] += 1
        ps = neutral if ps is None else ps
        scores = cache[link["to_plan"]]
        for c in row["cands"]:
            p = score_of(scores, c["page"], c["start"], c["end"])
            stats[f"{c['kind']}_{'scored' if p is not None else 'unscored'}"] += 1
            p = neutral if p is None else p
            s = c["signals"]
            s["pledge"] = round(p, 4)
            s["pledge_logit"] = round(logit01(p), 4)
            s["pledge_x"] = round(p * ps, 4)
            s["pledge_unit"] = round(p if c["kind"] == "commitment" else 0.0, 4)
            unit = c["kind"] == "commitment"
            # what the product can store: a unit's own score; a sentence that is not a unit
            # gets a constant (0, or the model's threshold: logit 0)
            s["logit_unit0"] = round(logit01(p) if unit else 0.0, 4)
            s["logit_unit_half"] = round(logit01(p) if unit else 0.5, 4)
            s["logit3"] = round(logit01(p, 3.0), 4)
            s["logit6"] = round(logit01(p, 6.0), 4)
            s["logit_x"] = round(logit01(p) * logit01(ps), 4)
            for k in ("ask", "target", "measure"):
                s[k] = 1.0 if c.get("unit_kind") == k else 0.0
            # a narrative source: pledge-likeness matters less (its successor is a sentence too)
            s["pledge_src_lo"] = round(p * (1 - ps), 4)
            s["pledge_gap"] = round(1 - abs(p - ps), 4)
            c["_p"] = p
        top = max((c["_p"] for c in row["cands"]), default=0.0)
        for c in row["cands"]:
            c["signals"]["pledge_rel"] = round(c["_p"] / top if top > 0 else 0.0, 4)
    return dict(stats)


BASE = ("heading", "kind", "lexical", "lexical_abs", "meaning", "names", "section", "wording")
VARIANTS: dict[str, tuple[str, ...]] = {
    "base": (),
    "pledge": ("pledge",),
    "pledge_logit": ("pledge_logit",),
    "pledge_unit": ("pledge_unit",),
    "pledge_x": ("pledge_x",),
    "pledge+x": ("pledge", "pledge_x"),
    "kinds": ("ask", "target", "measure"),
    "pledge+kinds": ("pledge", "ask", "target", "measure"),
    "pledge_gap": ("pledge_gap",),
    "pledge+src_lo": ("pledge", "pledge_src_lo"),
    "pledge_rel": ("pledge_rel",),
    "logit_unit0": ("logit_unit0",),
    "logit_unit_half": ("logit_unit_half",),
    "logit3": ("logit3",),
    "logit6": ("logit6",),
    "logit+x": ("pledge_logit", "logit_x"),
    "logit+kinds": ("pledge_logit", "ask", "target", "measure"),
}


def run(rows: list[dict], extra: tuple[str, ...], orders: int, late_zero: bool,
        folds: int = 5) -> dict:
    keys = list(BASE) + list(extra)
    start = {k: (0.0 if late_zero and k in LATE else 0.2) for k in keys}
    runs = []
    for n in range(orders):
        order = list(keys)
        if n:
            random.Random(n).shuffle(order)
        runs.append({"cv": em.cross_validate(rows, start, folds, order=order),
                     "pair": em.cross_validate(rows, start, 0, by_pair=True, order=order)})
    out = {}
    for split in ("cv", "pair"):
        for m in ("top1", "top3"):
            vals = [r[split][m] for r in runs]
            out[f"{split}_{m}"] = round(sum(vals) / len(vals), 3)
            out[f"{split}_{m}_spread"] = round(max(vals) - min(vals), 3)
            out[f"{split}_{m}_all"] = vals
    w, t = em.tune(rows, start)
    fit = em.metrics(rows, w, t)
    out["weights"] = {k: v for k, v in w.items()}
    out["fitted_on_all"] = {k: fit[k] for k in ("top1", "top3", "reversal_recall",
                                                 "false_reversal")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=Path, required=True)
    ap.add_argument("--orders", type=int, default=3)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--neutral", type=float, default=0.5,
                    help="the score of a passage no candidate overlaps")
    ap.add_argument("--start", choices=["zero", "equal"], default="zero",
                    help="new signals start the ascent at 0 (rank9's protocol) or at 0.2")
    args = ap.parse_args()
    rows = json.loads(args.rows.read_text("utf-8"))
    print(json.dumps({"coverage": annotate(rows, args.neutral)}), flush=True)
    for name in args.variants.split(","):
        result = run(rows, VARIANTS[name], args.orders, args.start == "zero")
        print(json.dumps({"variant": name, "start": args.start, **result}), flush=True)


if __name__ == "__main__":
    main()

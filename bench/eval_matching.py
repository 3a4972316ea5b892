"""Measure the matching engine on the labelled links: tuned with k-fold cross-validation on the
tuning links, reported on the held-out links.

    python bench/eval_matching.py LIBRARY [--set tune|heldout] [--tune [--folds 5]]
                                          [--model use|minilm|off|wordllama] [--no-centre]
                                          [--links FILE ...] [--misses] [--losses]

Tuning links (round 3): every link of ``../shared/eval/dev_links.jsonl`` plus
``tests/data/links_extra.jsonl`` and ``tests/data/links_train.jsonl`` (when present). Held-out
links: ``tests/data/eval_extra/links.jsonl`` (``--set heldout``; look at it rarely, never at its
misses: ``--misses`` refuses it). ``--tune`` fits the weights by coordinate ascent on each
k-1 folds (split by a hash of the link id) and scores the fold left out, so the printed
``cv`` figures are on links the weights were not fitted on (``cv_by_pair``: leave one plan pair
out instead); then it fits on all tuning links and prints those weights. The ascent depends on
the order it visits the signals (CV moves by up to 0.02): compare variants over several orders
(docs/bench/meaning-r6.md). Quotes are matched with the same tolerant functions as
``../shared/eval/score.py`` (imported from there, not copied).

For each link with a successor: the source is the commitment of the earlier plan that holds the
quote (or, when the segmenter did not mark it, the quote itself as a selected passage, which the
engine accepts too); the rank of the first candidate holding the later quote gives top-1/top-3.
Relation figures are taken on the pair the engine proposes when the right candidate is in the top
three. Coordinate ascent works over the logged signals of each link's candidates.

``--losses`` (tuning links only) says where the successors that are not first are lost: (a) no
passage of the later plan holds the quote (segmentation, candidate pool), (b) held but ranked
4-20, (c) ranked below 20 in the full ranking (every passage, not only the shortlist); and
whether the passage holding the quote is much larger than the quote (a sentence inside a bigger
unit), per plan pair and for the reversed/withdrawn links.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
EVAL = (REPO / ".." / "shared" / "eval").resolve()


def _score_module():
    spec = importlib.util.spec_from_file_location("shared_score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORE = _score_module()
from workbench.matching.engine import closeness  # noqa: E402

REVERSAL = {"reversed", "withdrawn"}
LATE_SIGNALS = frozenset({"pledge"})
KEPT = {"continued", "modified"}


TUNING_FILES = (REPO / "tests" / "data" / "links_extra.jsonl",
                REPO / "tests" / "data" / "links_train.jsonl")
HELDOUT_FILE = REPO / "tests" / "data" / "eval_extra" / "links.jsonl"


def fold_of(link_id: str, folds: int) -> int:
    return int(hashlib.md5(link_id.encode()).hexdigest(), 16) % folds


def _read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def load_links(extra: list[Path], *, dev: bool = True) -> list[dict]:
    """The dev links (unless ``dev`` is False) and those of the ``extra`` files that exist,
    each id once."""
    links = _read(EVAL / "dev_links.jsonl") if dev else []
    for path in extra:
        if path.exists():
            links += _read(path)
    seen: set[str] = set()
    return [x for x in links if not (x["id"] in seen or seen.add(x["id"]))]


def collect(recs, links: list[dict], depth: int = 60) -> list[dict]:
    """For each link: the logged candidate signals (for tuning) and the engine's ranking."""
    from workbench.lineage import Suggester
    from workbench.matching.service import passages_of

    suggesters: dict[str, Suggester] = {}
    sources: dict[str, list] = {}
    rows = []
    for link in links:
        a, b = link["from_plan"], link["to_plan"]
        if b not in suggesters:
            suggesters[b] = recs.suggester(b)
        if a not in sources:
            # commitments first, then every sentence: the sources `suggest --passages` offers,
            # each with its heading and section (a quote the segmenter did not mark still
            # has a place in the plan)
            sources[a] = [p.as_commitment() for p in passages_of(recs, a)]
        src = next((c for c in sources[a] if SCORE.contains(c.text, link["from_quote"])), None)
        text = src.text if src else link["from_quote"]
        heading = (" ".join(src.path) or src.heading) if src else ""
        ranking = suggesters[b].index.rank(
            text, heading, limit=depth,
            sections=suggesters[b].affinity(a, src.section_id) if src else None)
        cands = [{"text": m.passage.text, "signals": m.signals, "relation": m.relation,
                  "kind": m.passage.kind, "page": m.passage.page_index,
                  "start": m.passage.start, "end": m.passage.end,
                  "unit_kind": m.passage.commitment.kind if m.passage.commitment else "",
                  "hit": bool(link["to_quote"]) and SCORE.contains(m.passage.text,
                                                                   link["to_quote"])}
                 for m in ranking.matches]
        rows.append({"link": link, "source_found": src is not None, "cands": cands,
                     "source": {"page": src.page_index, "start": src.start, "end": src.end,
                                "unit": not src.key.startswith("p:"), "kind": src.kind}
                     if src else None,
                     "no_successor": ranking.no_successor})
    return rows


def compare_hits(recs, links: list[dict]) -> tuple[int, int]:
    """Links (with a successor) that a compare pair holds, as ``score.py compare`` counts them:
    a section pair or a passage pair inside it whose left holds the earlier quote and whose right
    holds the later one (units of at most 300 words)."""
    from workbench.matching.service import compare

    cache: dict[tuple[str, str], list[tuple[str, str]]] = {}
    hit = n = 0
    for link in links:
        if not link["to_quote"]:
            continue
        a, b = link["from_plan"], link["to_plan"]
        if (a, b) not in cache:
            result = compare(recs, a, b)
            units = []
            for sp in result.sections:
                if sp.left and sp.right:
                    units.append((" ".join(f"{s.heading} {s.text}" for s in sp.left),
                                  " ".join(f"{s.heading} {s.text}" for s in sp.right)))
                units += [(f"{p.left.heading} {p.left.text}", f"{p.right.heading} {p.right.text}")
                          for p in sp.passages]
            cache[(a, b)] = [(x, y) for x, y in units if len(SCORE.norm(x).split()) <= 300
                             and len(SCORE.norm(y).split()) <= 300]
        n += 1
        hit += any(SCORE.contains(x, link["from_quote"]) and SCORE.contains(y, link["to_quote"])
                   for x, y in cache[(a, b)])
    return hit, n


def rescore(row: dict, weights: dict[str, float]) -> list[dict]:
    def score(c: dict) -> float:  # rounded: equal sums are ties whatever the adding order
        return round(sum(weights.get(k, 0.0) * v for k, v in c["signals"].items()
                         if k != "aligned_section"), 9)
    return sorted(row["cands"], key=lambda c: -score(c))


def metrics(rows: list[dict], weights: dict[str, float] | None = None,
            threshold: float | None = None) -> dict:
    n = top1 = top3 = rel_n = rel_ok = rev_n = rev_ok = kept_n = kept_false = 0
    ns_n = ns_ok = dropped_n = dropped_found = 0
    for row in rows:
        link = row["link"]
        cands = rescore(row, weights) if weights else row["cands"]
        best = cands[0] if cands else None
        if weights and threshold is not None and best is not None:
            no_succ = max(closeness(c["signals"], weights) for c in cands[:5]) <= threshold
        else:
            no_succ = row["no_successor"]
        if no_succ:
            ns_n += 1
            ns_ok += link["relation"] == "dropped"
        if link["relation"] == "dropped":
            dropped_n += 1
            dropped_found += no_succ
            continue
        n += 1
        rank = next((i for i, c in enumerate(cands[:3]) if c["hit"]), None)
        top1 += rank == 0
        top3 += rank is not None
        rel = cands[rank]["relation"] if rank is not None else ""
        if rank is not None:
            rel_n += 1
            rel_ok += rel == link["relation"]
        if link["relation"] in REVERSAL:
            rev_n += 1
            rev_ok += rel in REVERSAL
        if link["relation"] in KEPT and rank is not None:
            kept_n += 1
            kept_false += rel in REVERSAL
    return {"links": n, "top1": top1 / max(n, 1), "top3": top3 / max(n, 1),
            "relation_acc": rel_ok / max(rel_n, 1), "relation_n": rel_n,
            "reversal_recall": f"{rev_ok}/{rev_n}",
            "false_reversal": f"{kept_false}/{kept_n}",
            "no_successor_precision": f"{ns_ok}/{ns_n}",
            "no_successor_recall": f"{dropped_found}/{dropped_n}"}


class Ranks:
    """The tuning rows as one array, so coordinate ascent scores a weight vector in a few
    numpy operations instead of re-sorting every link's candidates in Python (the same
    ranks as ``rescore``: a stable sort, so ties keep the logged order)."""

    def __init__(self, rows: list[dict], keys: list[str]) -> None:
        kept = [r for r in rows if r["link"]["relation"] != "dropped"]
        depth = max((len(r["cands"]) for r in kept), default=1) or 1
        self.keys = list(keys)
        self.n = len(kept)
        self.signals = np.zeros((self.n, depth, len(keys)))
        self.real = np.zeros((self.n, depth), dtype=bool)
        self.hit = np.zeros((self.n, depth), dtype=bool)
        for i, r in enumerate(kept):
            for j, c in enumerate(r["cands"]):
                self.real[i, j] = True
                self.hit[i, j] = c["hit"]
                self.signals[i, j] = [c["signals"].get(k, 0.0) for k in keys]
        self._before = np.tril(np.ones((depth, depth), dtype=bool), -1).T  # [j, c]: j < c

    def counts(self, weights: dict[str, float]) -> tuple[int, int]:
        """(links first, links in the first three) under ``weights``."""
        w = np.array([weights.get(k, 0.0) for k in self.keys])
        s = np.where(self.real, np.round(self.signals @ w, 9), -np.inf)
        a, b = s[:, :, None], s[:, None, :]  # [row, j, c]
        pos = ((a > b) | ((a == b) & self._before[None])).sum(axis=1)
        rank = np.where(self.hit, pos, 10**6).min(axis=1)
        return int((rank == 0).sum()), int((rank < 3).sum())


def tune(rows: list[dict], start: dict[str, float],
         order: list[str] | None = None) -> tuple[dict[str, float], float]:
    """Coordinate ascent on top-1 + top-3 over the tuning rows (visiting the signals in
    ``order``, by default ``start``'s); then the threshold that best separates "dropped" links
    (F1) at the tuned weights."""
    w = dict(start)
    ranks = Ranks(rows, list(w))

    def objective(weights: dict[str, float]) -> float:
        return sum(ranks.counts(weights)) / max(ranks.n, 1)

    best = objective(w)
    for _ in range(3):
        for k in order or list(w):
            for step in (-0.1, -0.05, 0.05, 0.1, 0.2):
                trial = dict(w)
                trial[k] = max(0.0, round(w[k] + step, 3))
                value = objective(trial)
                if value > best + 1e-9:
                    best, w = value, trial
    # the no-successor bar: the highest recall of "dropped" links at a precision of at least
    # 0.6 (a machine "dropped" is only a proposal, but a noisy one wastes officers' time); when
    # no bar reaches that precision, 0: "no successor" only when nothing at all is shared
    best_t, best_key = 0.0, (0.0, 0.0)
    near = [(max((closeness(c["signals"], w) for c in rescore(row, w)[:5]), default=0.0),
             row["link"]["relation"] == "dropped") for row in rows]
    for t in [x / 200 for x in range(1, 120)]:
        tp = fp = fn = 0
        for s, gold in near:
            flagged = s <= t
            tp += flagged and gold
            fp += flagged and not gold
            fn += gold and not flagged
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        if precision >= 0.6 and (recall, precision) > best_key:
            best_t, best_key = t, (recall, precision)
    return w, best_t


def pair_of(row: dict) -> str:
    return f"{row['link']['from_plan']} -> {row['link']['to_plan']}"


def cross_validate(rows: list[dict], start: dict[str, float], folds: int,
                   by_pair: bool = False, order: list[str] | None = None) -> dict:
    """Coordinate ascent fitted on k-1 folds, scored on the fold left out, pooled over folds.
    ``by_pair``: leave one plan pair out instead (each pair's links scored with weights fitted
    on the other pairs')."""
    pooled: dict[str, float] = {"top1": 0.0, "top3": 0.0}
    n = 0
    groups = sorted({pair_of(r) for r in rows}) if by_pair else list(range(folds))
    for f in groups:
        def held(r: dict, f: object = f) -> bool:
            return pair_of(r) == f if by_pair else fold_of(r["link"]["id"], folds) == f
        train = [r for r in rows if not held(r)]
        test = [r for r in rows if held(r)]
        w, _ = tune(train, start, order)
        m = metrics(test, w)
        pooled["top1"] += m["top1"] * m["links"]
        pooled["top3"] += m["top3"] * m["links"]
        n += m["links"]
    return {"links": n, "top1": round(pooled["top1"] / max(n, 1), 3),
            "top3": round(pooled["top3"] / max(n, 1), 3)}


def _read_rows(path: Path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))


def print_misses(rows: list[dict]) -> None:
    """For each tuning link whose successor is not first: the source, the expected later
    passage (and where it ranked), and the candidates ranked above it, with their signals."""
    for row in rows:
        link = row["link"]
        if link["relation"] == "dropped":
            continue
        rank = next((i for i, c in enumerate(row["cands"]) if c["hit"]), None)
        if rank == 0:
            continue
        print(f"=== {link['id']} {link['from_plan']} -> {link['to_plan']} "
              f"[{link['relation']}] rank={rank} src_found={row['source_found']}")
        print(f"  FROM: {link['from_quote'][:200]}")
        print(f"  TO:   {link['to_quote'][:200]}")
        if rank is not None:
            c = row["cands"][rank]
            print(f"  EXPECTED#{rank} {c['kind']}: {c['text'][:160]} {c['signals']}")
        for i, c in enumerate(row["cands"][:min(3, rank if rank is not None else 3)]):
            print(f"  #{i} {c['kind']}: {c['text'][:160]} {c['signals']}")


LOSS_BUCKETS = ("first", "2-3", "b: 4-20", "c: below 20", "a: no passage holds it")


def losses(recs, links: list[dict]) -> dict:
    """Where each tuning link's successor ranks in the *full* ranking of the later plan (every
    passage, no shortlist), bucketed (see ``LOSS_BUCKETS``), and how the unit holding the quote
    compares with the quote in words (``score.py`` counts a candidate that holds the quote)."""
    from workbench.matching.engine import Query
    from workbench.matching.service import passages_of

    out: dict = {"overall": defaultdict(int), "by_pair": defaultdict(lambda: defaultdict(int)),
                 "reversal": defaultdict(int), "holder_kind": defaultdict(int),
                 "holder_over_twice_the_quote": 0, "links": 0}
    sources: dict[str, list] = {}
    for link in links:
        if not link["to_quote"]:
            continue
        a, b = link["from_plan"], link["to_plan"]
        suggester = recs.suggester(b)
        index = suggester.index
        if a not in sources:
            sources[a] = [p.as_commitment() for p in passages_of(recs, a)]
        src = next((c for c in sources[a] if SCORE.contains(c.text, link["from_quote"])), None)
        query = Query(src.text if src else link["from_quote"],
                      (" ".join(src.path) or src.heading) if src else "",
                      suggester.affinity(a, src.section_id) if src else None)
        ranking = index.rank_many([query], limit=len(index), shortlist=len(index))[0]
        holders = [p for p in index.passages if SCORE.contains(p.text, link["to_quote"])]
        rank = next((i for i, m in enumerate(ranking.matches)
                     if SCORE.contains(m.passage.text, link["to_quote"])), None)
        if not holders:
            bucket = LOSS_BUCKETS[4]
        elif rank is None or rank >= 20:
            bucket = LOSS_BUCKETS[3]
        else:
            bucket = LOSS_BUCKETS[0 if rank == 0 else 1 if rank < 3 else 2]
        out["links"] += 1
        out["overall"][bucket] += 1
        out["by_pair"][f"{a} -> {b}"][bucket] += 1
        if link["relation"] in REVERSAL:
            out["reversal"][bucket] += 1
        if holders:
            words = min(len(SCORE.norm(p.text).split()) for p in holders)
            out["holder_kind"][holders[0].kind] += 1
            out["holder_over_twice_the_quote"] += words > 2 * len(
                SCORE.norm(link["to_quote"]).split())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--set", default="tune", choices=["tune", "heldout"],
                    help="tuning links (dev + extra + train) or the held-out links")
    ap.add_argument("--tune", action="store_true",
                    help="cross-validated coordinate ascent over the tuning links")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--model", choices=["use", "minilm", "off", "wordllama"],
                    help="the meaning model (WORKBENCH_EMBEDDINGS): the Universal Sentence "
                         "Encoder, all-MiniLM-L6-v2, none, or the optional WordLlama; by "
                         "default the engine's (MiniLM when installed, else USE)")
    ap.add_argument("--orders", type=int, default=1,
                    help="--tune: coordinate ascent over this many signal orders (mean, spread)")
    ap.add_argument("--rows", type=Path,
                    help="--tune: the collected candidate signals, read from this JSON file "
                         "when it exists, else collected and written there")
    ap.add_argument("--no-embeddings", action="store_true", help="same as --model off")
    ap.add_argument("--embeddings", action="store_true", help="same as --model wordllama")
    ap.add_argument("--no-centre", action="store_true",
                    help="sentence vectors not centred on the later plan's mean")
    ap.add_argument("--misses", action="store_true",
                    help="print the tuning links' misses (source, expected, what ranked above)")
    ap.add_argument("--losses", action="store_true",
                    help="where the tuning links' successors rank in the full ranking (buckets)")
    ap.add_argument("--links", type=Path, nargs="*", default=list(TUNING_FILES),
                    help="tuning link files besides the dev links")
    args = ap.parse_args()
    model = "wordllama" if args.embeddings else "off" if args.no_embeddings else args.model
    if model is None:
        from workbench.matching.embedding import default_choice

        model = default_choice()
    os.environ["WORKBENCH_EMBEDDINGS"] = model
    if args.no_centre:
        from workbench.matching import engine as _engine

        _engine.CENTRE = False
    from ui.compose import open_workbench, records_for

    wb = open_workbench(args.library)
    recs = records_for(wb, "eval")
    links = load_links(args.links)
    if args.tune:
        rows = _read_rows(args.rows) if args.rows and args.rows.exists() else collect(recs, links)
        if args.rows and not args.rows.exists():
            args.rows.write_text(json.dumps(rows), "utf-8")
        keys = sorted({k for r in rows for c in r["cands"] for k in c["signals"]}
                      - {"aligned_section"})
        # a neutral start (every signal used, equal weights), so no fold's test links shaped
        # the starting point (the shipped weights were fitted on links in every fold)
        # a signal added after round 9 starts at 0 (rank9's protocol: the older signals' start
        # stays as it was, so their figures are comparable with earlier rounds')
        start = {k: (0.2 if (model != "off" or k != "meaning") and k not in LATE_SIGNALS
                     else 0.0) for k in keys}
        print(json.dumps({"current": {k: round(v, 3) for k, v in metrics(rows).items()
                                      if k in ("links", "top1", "top3")}}))
        runs = []
        for n in range(args.orders):
            # the ascent depends on the order it visits the signals: 0 is the natural order,
            # the others are shuffles; variants are compared on the mean over orders
            order = list(keys)
            if n:
                random.Random(n).shuffle(order)
            runs.append({"order": n, "cv": cross_validate(rows, start, args.folds, order=order),
                         "cv_by_pair": cross_validate(rows, start, 0, by_pair=True,
                                                      order=order)})
            print(json.dumps(runs[-1]))
        print(json.dumps({"mean_over_orders": {
            split: {m: round(sum(r[split][m] for r in runs) / len(runs), 3)
                    for m in ("top1", "top3")} for split in ("cv", "cv_by_pair")},
            "spread": {split: {m: round(max(r[split][m] for r in runs)
                                        - min(r[split][m] for r in runs), 3)
                               for m in ("top1", "top3")} for split in ("cv", "cv_by_pair")}}))
        w, t = tune(rows, start)
        print(json.dumps({"weights": w, "no_successor_below": t,
                          "fitted_on_all": metrics(rows, w, t)}))
        return
    if args.losses:  # error analysis: the tuning links only, never the held-out links
        print(json.dumps(losses(recs, links), indent=1))
        return
    if args.misses:  # error analysis: the tuning links only, never the held-out links
        print_misses(collect(recs, links))
        return
    chosen = links if args.set == "tune" else load_links([HELDOUT_FILE], dev=False)
    rows = collect(recs, chosen)
    hit, n = compare_hits(recs, chosen)
    print(json.dumps({"set": args.set, "overall": metrics(rows),
                      "compare_holds": f"{hit}/{n} = {hit / max(n, 1):.2f}"}))
    by_pair: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_pair[(row["link"]["from_plan"], row["link"]["to_plan"])].append(row)
    for (a, b), group in sorted(by_pair.items()):
        m = metrics(group)
        print(f"  {a:34} → {b:34} n={m['links']:3} top1 {m['top1']:.2f} top3 {m['top3']:.2f} "
              f"rel {m['relation_acc']:.2f} rev {m['reversal_recall']} "
              f"false-rev {m['false_reversal']} no-succ {m['no_successor_precision']}")


if __name__ == "__main__":
    main()

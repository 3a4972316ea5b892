"""Where the tuning reversals are lost, and what contrast promotion could still win (issue 13).

    python bench/diagnose_reversals.py LIBRARY [--grid] [--links FILE ...]

Tuning links only (``../shared/eval/dev_links.jsonl`` and ``tests/data/links_*.jsonl``); it
refuses the held-out file. What ``workbench suggest`` gives, counted as ``score.py suggest``
counts it (the sources are the earlier plan's commitments; of several sources holding a quote the
best-ranked counts):

* for every reversed/withdrawn link: the rank of the candidate holding the later quote (1, 2, 3,
  4-10, >10, absent from the first 40, or no source), the relation proposed on it, and the
  misses split into "right candidate not in the first three" and "in the first three but
  labelled otherwise";
* the continued/modified links whose right candidate (in the first three) is labelled a reversal.

``--grid`` records what ``contrast.promote`` sees for each source (its first three before
promotion, and the scope share and score ratio of every cue passage of the later plan), replays
the promotion under other settings (``SCOPE_BAR``, ``SCORE_RATIO``, a reciprocal-rank bonus,
near-duplicates in the first three giving way, rank 1 giving way) and chooses among them by
5-fold (``eval_matching.fold_of``) and leave-one-plan-pair-out cross-validation. The replay
checks itself against the engine: the first three it rebuilds with the shipped settings must be
the engine's, candidate for candidate (as sets; promote reorders them by strength).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import eval_matching  # noqa: E402  (quote lookup, folds)
from eval_relations import KEPT, REVERSAL, load  # noqa: E402

SCORE = eval_matching.SCORE
DEPTH = 40
TUNING = [eval_matching.EVAL / "dev_links.jsonl"] + [
    REPO / "tests" / "data" / name for name in
    ("links_extra.jsonl", "links_train.jsonl", "links_train12.jsonl", "links_train_rev.jsonl")]


def bucket(rank: int | None) -> str:
    if rank is None:
        return "absent"
    return str(rank + 1) if rank < 3 else ("4-10" if rank < 10 else ">10")


def diagnose(recs, links: list[dict]) -> None:
    suggested: dict[tuple[str, str], list] = {}
    table: Counter[str] = Counter()
    kept_found = kept_false = 0
    for link in links:
        pair = link["from_plan"], link["to_plan"]
        if pair not in suggested:
            suggested[pair] = recs.suggest(*pair, limit=DEPTH)
        best: tuple[int | None, str, list] | None = None
        for s in suggested[pair]:
            if not SCORE.contains(s.source.text, link["from_quote"]):
                continue
            cands = [(c.commitment.text, c.relation) for c in s.candidates[:DEPTH]]
            rank = next((i for i, (t, _) in enumerate(cands)
                         if link["to_quote"] and SCORE.contains(t, link["to_quote"])), None)
            if best is None or (rank is not None and (best[0] is None or rank < best[0])):
                best = rank, s.source.text, cands
        gold = link["relation"]
        rank = best[0] if best else None
        rel = best[2][rank][1] if best and rank is not None else ""
        if gold in REVERSAL:
            where = "no source" if best is None else bucket(rank)
            if rank is not None and rank < 3:
                where += " (labelled a reversal)" if rel in REVERSAL else f" (labelled {rel})"
            table[where] += 1
            print(f"{link['id']:6} {gold:9} {where:28} rel={rel or '-'}")
        elif gold in KEPT and rank is not None and rank < 3:
            kept_found += 1
            if rel in REVERSAL:
                kept_false += 1
                print(f"{link['id']:6} {gold:9} false alarm at rank {rank + 1}: {rel}")
    print("\nreversed/withdrawn links by the rank of their right candidate:")
    for where, n in sorted(table.items()):
        print(f"  {where:30} {n}")
    print(f"continued/modified found in the first three: {kept_found}, labelled a reversal: "
          f"{kept_false} ({kept_false / max(kept_found, 1):.3f})")


# --- replay of contrast.promote -----------------------------------------------------------

def record(recs, links: list[dict]) -> dict:
    """Per plan pair: the later plan's cue passages and, per source, what promote saw."""
    import numpy as np

    from workbench.matching import contrast, engine

    data: dict[tuple[str, str], dict] = {}
    shipped = engine.promote

    def spy(index, source, ranked, scores, make, exclude=frozenset()):
        out = shipped(index, source, ranked, scores, make, exclude=exclude)
        pool = contrast._pool(index)
        topic = contrast.topic_words(source, pool.idf, pool.default_idf)
        best = float(np.max(scores))

        def share(text: str) -> float:
            return contrast.scope_score(source, text, pool.idf, pool.default_idf, topic) \
                if topic else 0.0
        scope = [share(index.passages[i].text) for i in pool.cue_rows]
        ratio = [float(scores[i]) / best if best > 0 else 0.0 for i in pool.cue_rows]
        # every source's key of every cue passage: the reciprocal rank reads them
        current["keys"].append([a + b for a, b in zip(scope, ratio, strict=True)])
        if any(SCORE.contains(source, x["from_quote"]) for x in current["links"]):
            current["calls"].append({
                "source": source, "exclude": exclude, "n": len(ranked), "topic": bool(topic),
                "scope": scope, "ratio": ratio,
                "head": [(m.passage.key, m.passage.text, m.relation, share(m.passage.text) > 0)
                         for m in ranked[:3]],
                "after": {m.passage.key for m in out[:3]}})
            current["cue"] = [(index.passages[i].key, index.passages[i].text)
                              for i in pool.cue_rows]
        return out

    engine.promote = spy
    try:
        for pair in sorted({(x["from_plan"], x["to_plan"]) for x in links}):
            current = {"links": [x for x in links if (x["from_plan"], x["to_plan"]) == pair],
                       "calls": [], "cue": [], "keys": []}
            recs.suggest(*pair, limit=3)
            data[pair] = current
    finally:
        engine.promote = shipped
    return data


def replay(call: dict, cue: list, keys_all: list[list[float]], s: dict) -> list[tuple]:
    """``contrast.promote``'s first three under settings ``s`` (promoted ones: a reversal)."""
    from workbench.matching.contrast import _same

    out = [h[:3] for h in call["head"]]
    if call["n"] < 3 or not call["topic"] or not cue:
        return out
    key = [sc + r for sc, r in zip(call["scope"], call["ratio"], strict=True)]
    if s["recip"] and keys_all:  # the source's rank among the earlier plan's, per passage
        key = [k + s["recip"] / (1 + len(keys_all[j]) - bisect.bisect_right(keys_all[j], k))
               for j, k in enumerate(key)]
    order = sorted((j for j in range(len(cue)) if call["scope"][j] >= s["bar"]
                    and call["ratio"][j] >= s["ratio"]), key=lambda j: -key[j])
    is_cue = [h[3] for h in call["head"]]
    if s["dedupe"]:
        for k in range(1, len(out)):
            if is_cue[k] and any(_same(out[k][1], out[j][1]) for j in range(k)):
                is_cue[k] = False
    for j in order:
        if sum(is_cue) >= 3:
            break
        pk, pt = cue[j]
        if pk in {o[0] for o in out} or pk in call["exclude"]:
            continue
        if any(c and _same(pt, o[1]) for c, o in zip(is_cue, out, strict=False)):
            continue
        at = next((k for k in range(len(out) - 1, s["first"] - 1, -1) if not is_cue[k]), None)
        if at is None:
            break
        out[at], is_cue[at] = (pk, pt, "reversed"), True
    return out


def grid(recs, links: list[dict]) -> None:
    data = record(recs, links)
    shipped = {"bar": 0.05, "ratio": 0.5, "recip": 0.0, "dedupe": False, "first": 1}
    bad = sum({o[0] for o in replay(c, d["cue"], [], shipped)} != c["after"]
              for d in data.values() for c in d["calls"])
    print(f"replay differs from the engine on {bad} of "
          f"{sum(len(d['calls']) for d in data.values())} sources")
    # per pair and cue passage: every source's key, sorted (a source's rank is a bisection)
    allkeys = {p: [sorted(col) for col in zip(*d["keys"], strict=True)] if d["keys"] else []
               for p, d in data.items()}
    settings = [dict(zip(("bar", "ratio", "recip", "dedupe", "first"), v, strict=True))
                for v in itertools.product((0.02, 0.03, 0.04, 0.05, 0.07), (0.4, 0.45, 0.5, 0.55),
                                           (0.0, 0.2, 0.8), (False, True), (1, 0))]
    judged = [x for x in links if x["relation"] != "dropped"]

    sources = [[c for c in data[(x["from_plan"], x["to_plan"])]["calls"]
                if SCORE.contains(c["source"], x["from_quote"])] for x in judged]
    held: dict[tuple[str, str], bool] = {}

    def holds(text: str, quote: str) -> bool:  # score.py's tolerant test, once per pair
        if (text, quote) not in held:
            held[(text, quote)] = bool(quote) and SCORE.contains(text, quote)
        return held[(text, quote)]

    def outcome(s: dict) -> list[tuple[bool, bool, bool, bool]]:
        """Per link: reversal found, kept link found, kept link called a reversal, in top 3."""
        res = []
        memo: dict[int, list[tuple]] = {}
        for x, cs in zip(judged, sources, strict=True):
            pair = x["from_plan"], x["to_plan"]
            best: tuple[int | None, str] | None = None
            for c in cs:
                if id(c) not in memo:
                    memo[id(c)] = replay(c, data[pair]["cue"], allkeys[pair], s)
                top = memo[id(c)]
                r = next((k for k, o in enumerate(top) if holds(o[1], x["to_quote"])), None)
                if best is None or (r is not None and (best[0] is None or r < best[0])):
                    best = r, top[r][2] if r is not None else ""
            r, rel = best or (None, "")
            g = x["relation"]
            res.append((g in REVERSAL and rel in REVERSAL, g in KEPT and r is not None,
                        g in KEPT and rel in REVERSAL, r is not None))
        return res

    runs = [(s, outcome(s)) for s in settings]
    base = next(o for s, o in runs if s == shipped)

    def objective(o: list, idx: list[int]) -> float:
        kept = sum(o[i][1] for i in idx)
        if kept and sum(o[i][2] for i in idx) / kept > 0.07:
            return -1e9
        gain = sum(o[i][3] and not base[i][3] for i in idx)
        lost = sum(base[i][3] and not o[i][3] for i in idx)
        return sum(o[i][0] for i in idx) + 0.25 * gain - 0.5 * lost

    def line(o: list, idx: list[int]) -> str:
        kept, false = sum(o[i][1] for i in idx), sum(o[i][2] for i in idx)
        revs = sum(x["relation"] in REVERSAL for i, x in enumerate(judged) if i in set(idx))
        return (f"reversals {sum(o[i][0] for i in idx)}/{revs}, false {false}/{kept}, "
                f"top-3 {sum(o[i][3] for i in idx)}/{len(idx)}")

    every = list(range(len(judged)))
    print("shipped:", line(base, every))
    most = max(runs, key=lambda r: (sum(v[0] for v in r[1]), sum(v[3] for v in r[1])))
    print("most reversals in-sample:", most[0], line(most[1], every))
    best = max(runs, key=lambda r: objective(r[1], every))
    print("best objective in-sample:", best[0], line(best[1], every))
    for name, fold in (("5-fold", lambda x: eval_matching.fold_of(x["id"], 5)),
                       ("pair-out", lambda x: (x["from_plan"], x["to_plan"]))):
        pooled: list = [None] * len(judged)
        spread = []
        for f in sorted({fold(x) for x in judged}, key=str):
            test = [i for i, x in enumerate(judged) if fold(x) == f]
            train = [i for i, x in enumerate(judged) if fold(x) != f]
            s, o = max(runs, key=lambda r: (objective(r[1], train), r[0] == shipped))
            for i in test:
                pooled[i] = o[i]
            spread.append(sum(o[i][0] for i in test) - sum(base[i][0] for i in test))
        print(f"CV {name}: {line(pooled, every)}; reversals gained per fold {spread}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--links", type=Path, nargs="*")
    ap.add_argument("--grid", action="store_true", help="replay promotion settings, with CV")
    args = ap.parse_args()
    paths = args.links or TUNING
    if any("eval_extra" in str(p) for p in paths):
        raise SystemExit("tuning links only: the held-out set is looked at in aggregate")
    from ui.compose import open_workbench, records_for

    recs = records_for(open_workbench(args.library), "eval")
    links = load(paths)
    if args.grid:
        grid(recs, links)
    else:
        diagnose(recs, links)


if __name__ == "__main__":
    main()

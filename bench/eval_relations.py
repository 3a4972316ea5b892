"""Measure the relations the engine proposes (issue 13): reversal recall, false reversals,
relation accuracy (overall, on clear cases, per relation) and "no successor".

    python bench/eval_relations.py LIBRARY [--links FILE ...] [--heldout] [--mode engine|e2e]
                                   [--by-pair] [--cv] [--model use|minilm|off|wordllama]

Links: by default the tuning data (``../shared/eval/dev_links.jsonl``,
``tests/data/links_extra.jsonl``, ``tests/data/links_train.jsonl`` and
``tests/data/links_train_rev.jsonl``, 11 reversals written in round 8, when present);
``--heldout`` reads ``tests/data/eval_extra/links.jsonl`` instead and prints figures only, never
the misses (look at it at most twice a round). Quotes are matched with ``score.py``'s own
``contains`` (imported from ``../shared/eval``, not copied).

Two modes:

* ``e2e`` (default): what ``workbench suggest --from A --to B --json`` gives, as ``score.py
  suggest`` counts it: the sources are the earlier plan's commitments; a link counts when a
  source holding its earlier quote lists a candidate holding the later quote in its first three.
* ``engine``: the source is any passage of the earlier plan holding the quote (commitments
  first, then sentences; ``bench/eval_matching.py``'s lookup), so the segmenter is out of it.

Figures (a link "found" = its right successor is in the first three):

* reversal recall: reversed/withdrawn links whose right candidate is proposed as ``reversed``
  or ``withdrawn`` (target: 9 of 13);
* false reversals: continued/modified links found, whose right candidate is proposed as a
  reversal (target: at most 1 in 10);
* relation accuracy on found links, exact and on *clear cases*: the relation's kind counted
  (continued ≈ modified, reversed ≈ withdrawn; the data's README calls those pairs judgement
  calls), and per relation;
* "no successor": precision and recall of the engine's "dropped" verdict on dropped links.

``--by-pair`` adds the figures per plan pair. ``--cv`` (tuning links only, engine mode) chooses
the label settings of ``relation`` (``CONTINUED_FROM``, ``FIGURES_SET_RELATION``) and a "no
successor" bar on the best candidate's closeness by leave-one-plan-pair-out cross-validation:
for each plan pair, the setting best on the other pairs is scored on it; figures are pooled.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import eval_matching  # noqa: E402  (its quote lookup and link loader)

SCORE = eval_matching.SCORE
REVERSAL = {"reversed", "withdrawn"}
KEPT = {"continued", "modified"}
KIND = {"continued": "kept", "modified": "kept", "reversed": "reversal",
        "withdrawn": "reversal"}


def load(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        if path.exists():
            out += [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
    return out


def collect_e2e(recs, links: list[dict], limit: int = 3) -> list[dict]:
    """Rows in ``eval_matching.collect``'s shape, from ``suggest`` over commitments only."""
    cache: dict[tuple[str, str], list] = {}
    rows = []
    for link in links:
        a, b = link["from_plan"], link["to_plan"]
        if (a, b) not in cache:
            cache[(a, b)] = recs.suggest(a, b, limit=limit)
        best: list[dict] | None = None
        no_succ = None
        for s in cache[(a, b)]:
            if not SCORE.contains(s.source.text, link["from_quote"]):
                continue
            cands = [{"text": c.commitment.text, "relation": c.relation,
                      "hit": bool(link["to_quote"]) and SCORE.contains(c.commitment.text,
                                                                       link["to_quote"])}
                     for c in s.candidates[:limit]]
            rank = next((i for i, c in enumerate(cands) if c["hit"]), 99)
            if best is None or rank < next((i for i, c in enumerate(best) if c["hit"]), 99):
                best = cands
                no_succ = s.relation == "dropped" and not s.candidates
        rows.append({"link": link, "source_found": best is not None, "cands": best or [],
                     "no_successor": bool(no_succ)})
    return rows


def figures(rows: list[dict]) -> dict:
    n = top1 = top3 = 0
    rel_n = rel_ok = clear_ok = 0
    rev_n = rev_ok = kept_n = kept_false = 0
    ns_n = ns_ok = dropped_n = dropped_found = 0
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # found, right, links
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        link, cands = row["link"], row["cands"]
        gold = link["relation"]
        if row["no_successor"]:
            ns_n += 1
            ns_ok += gold == "dropped"
        if gold == "dropped":
            dropped_n += 1
            dropped_found += row["no_successor"]
            continue
        n += 1
        per[gold][2] += 1
        rank = next((i for i, c in enumerate(cands[:3]) if c["hit"]), None)
        top1 += rank == 0
        top3 += rank is not None
        rel = cands[rank]["relation"] if rank is not None else ""
        if rank is not None:
            rel_n += 1
            rel_ok += rel == gold
            clear_ok += KIND.get(rel, rel) == KIND.get(gold, gold)
            per[gold][0] += 1
            per[gold][1] += rel == gold
            confusion[(gold, rel)] += 1
        if gold in REVERSAL:
            rev_n += 1
            rev_ok += rel in REVERSAL
        if gold in KEPT and rank is not None:
            kept_n += 1
            kept_false += rel in REVERSAL
    return {
        "links": n, "top1": round(top1 / max(n, 1), 3), "top3": round(top3 / max(n, 1), 3),
        "reversal_recall": f"{rev_ok}/{rev_n}", "false_reversal": f"{kept_false}/{kept_n}",
        "relation_acc": f"{rel_ok}/{rel_n} = {rel_ok / max(rel_n, 1):.2f}",
        "relation_acc_clear": f"{clear_ok}/{rel_n} = {clear_ok / max(rel_n, 1):.2f}",
        "per_relation": {k: f"{v[1]}/{v[0]} right (of {v[2]} links)"
                         for k, v in sorted(per.items())},
        "no_successor_precision": f"{ns_ok}/{ns_n}",
        "no_successor_recall": f"{dropped_found}/{dropped_n}",
        "_confusion": {f"{g}->{r}": c for (g, r), c in sorted(confusion.items())},
    }


SETTINGS = [(cf, figs) for cf in (0.0, 0.3, 0.4, 0.5) for figs in (False, True)]
"""(CONTINUED_FROM, FIGURES_SET_RELATION) tried by ``--cv``; round 3 shipped (0.4, True)."""


def _pair(link: dict) -> tuple[str, str]:
    return link["from_plan"], link["to_plan"]


def cross_validate(recs, links: list[dict]) -> dict:
    """Leave-one-plan-pair-out CV of the label settings and of a "no successor" bar."""
    from workbench.matching import engine, relation
    from workbench.matching.service import passages_of

    rows = eval_matching.collect(recs, links, depth=3)
    sources: dict[str, list] = {}
    w = engine.WEIGHTS_WITHOUT_MODEL
    shipped = relation.CONTINUED_FROM, relation.FIGURES_SET_RELATION
    labels: dict[tuple[float, bool], list[bool | None]] = {s: [] for s in SETTINGS}
    best_close: list[float] = []
    for row in rows:
        link = row["link"]
        a = link["from_plan"]
        if a not in sources:
            sources[a] = [p.text for p in passages_of(recs, a)]
        src = next((t for t in sources[a] if SCORE.contains(t, link["from_quote"])),
                   link["from_quote"])
        best_close.append(max((engine.closeness(c["signals"], w) for c in row["cands"]),
                              default=0.0))
        hit = next((c for c in row["cands"][:3] if c["hit"]), None)
        for cf, figs in SETTINGS:
            if hit is None or link["relation"] == "dropped":
                labels[(cf, figs)].append(None)
                continue
            relation.CONTINUED_FROM, relation.FIGURES_SET_RELATION = cf, figs
            ratio = min(1.0, engine.closeness(hit["signals"], w) / (2 * engine.CLOSE_WITHOUT_MODEL))
            got = relation.propose(src, hit["text"], similarity=ratio,
                                   wording=hit["signals"]["wording"], reversal_min=0.5).relation
            labels[(cf, figs)].append(got == link["relation"])
    relation.CONTINUED_FROM, relation.FIGURES_SET_RELATION = shipped
    pairs = sorted({_pair(r["link"]) for r in rows})
    out: dict = {"pairs": {}}
    total = {"right": 0, "found": 0, "shipped_r3": 0, "ns_tp": 0, "ns_fp": 0, "dropped": 0}
    for pair in pairs:
        test = [i for i, r in enumerate(rows) if _pair(r["link"]) == pair]
        train = [i for i, r in enumerate(rows) if _pair(r["link"]) != pair]
        chosen = max(SETTINGS, key=lambda s: (sum(bool(labels[s][i]) for i in train),
                                              s == (0.4, True)))
        found = [i for i in test if labels[chosen][i] is not None]
        right = sum(bool(labels[chosen][i]) for i in found)
        old = sum(bool(labels[(0.4, True)][i]) for i in found)
        bar = _no_successor_bar([best_close[i] for i in train],
                                [rows[i]["link"]["relation"] == "dropped" for i in train])
        flagged = [i for i in test if best_close[i] <= bar]
        tp = sum(rows[i]["link"]["relation"] == "dropped" for i in flagged)
        dropped = sum(rows[i]["link"]["relation"] == "dropped" for i in test)
        out["pairs"][" -> ".join(pair)] = {
            "setting": chosen, "relation_acc": f"{right}/{len(found)}",
            "relation_acc_r3_settings": f"{old}/{len(found)}", "no_successor_bar": bar,
            "no_successor": f"{tp} right of {len(flagged)} proposed ({dropped} dropped)"}
        for k, v in (("right", right), ("found", len(found)), ("shipped_r3", old),
                     ("ns_tp", tp), ("ns_fp", len(flagged) - tp), ("dropped", dropped)):
            total[k] += v
    out["pooled"] = {
        "relation_acc_cv": f"{total['right']}/{total['found']} = "
                           f"{total['right'] / max(1, total['found']):.2f}",
        "relation_acc_r3_settings": f"{total['shipped_r3']}/{total['found']} = "
                                    f"{total['shipped_r3'] / max(1, total['found']):.2f}",
        "no_successor_cv": f"precision {total['ns_tp']}/{total['ns_tp'] + total['ns_fp']}, "
                           f"recall {total['ns_tp']}/{total['dropped']}"}
    return out


def _no_successor_bar(close: list[float], dropped: list[bool]) -> float:
    """The closeness bar with the best recall of dropped links at a precision of at least 0.5
    (at least two found), else 0 (no proposals)."""
    best, key = 0.0, (0, 0.0)
    for t in sorted(set(close)):
        flagged = [d for c, d in zip(close, dropped, strict=True) if c <= t]
        tp = sum(flagged)
        precision = tp / max(1, len(flagged))
        if precision >= 0.5 and tp >= 2 and (tp, precision) > key:
            best, key = t, (tp, precision)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--links", type=Path, nargs="*")
    ap.add_argument("--heldout", action="store_true",
                    help="report on tests/data/eval_extra/links.jsonl (figures only)")
    ap.add_argument("--mode", choices=["e2e", "engine"], default="e2e")
    ap.add_argument("--by-pair", action="store_true", help="figures per plan pair too")
    ap.add_argument("--cv", action="store_true",
                    help="leave-one-plan-pair-out CV of the label settings (tuning links)")
    ap.add_argument("--misses", action="store_true",
                    help="print reversal misses and false reversals (tuning links only)")
    ap.add_argument("--model", choices=["use", "minilm", "off", "wordllama"],
                    default=os.environ.get("WORKBENCH_EMBEDDINGS") or None,
                    help="the meaning model (WORKBENCH_EMBEDDINGS; default: the engine's)")
    args = ap.parse_args()
    if args.model:
        os.environ["WORKBENCH_EMBEDDINGS"] = args.model
    from ui.compose import open_workbench, records_for

    if args.heldout:
        paths = [REPO / "tests" / "data" / "eval_extra" / "links.jsonl"]
    else:
        paths = args.links or [eval_matching.EVAL / "dev_links.jsonl",
                               REPO / "tests" / "data" / "links_extra.jsonl",
                               REPO / "tests" / "data" / "links_train.jsonl",
                               REPO / "tests" / "data" / "links_train_rev.jsonl"]
    links = load(paths)
    recs = records_for(open_workbench(args.library), "eval")
    if args.cv:
        if args.heldout:
            raise SystemExit("--cv tunes: tuning links only")
        print(json.dumps(cross_validate(recs, links), indent=1))
        return
    rows = (collect_e2e(recs, links) if args.mode == "e2e"
            else eval_matching.collect(recs, links, depth=3))
    out = {"mode": args.mode, "links_from": [p.name for p in paths], "overall": figures(rows)}
    if args.by_pair:
        out["by_pair"] = {" -> ".join(p): {k: v for k, v in figures(
            [r for r in rows if _pair(r["link"]) == p]).items() if not k.startswith("_")}
            for p in sorted({_pair(r["link"]) for r in rows})}
    print(json.dumps(out, indent=1))
    if args.misses and not args.heldout:
        for row in rows:
            gold = row["link"]["relation"]
            rank = next((i for i, c in enumerate(row["cands"][:3]) if c["hit"]), None)
            rel = row["cands"][rank]["relation"] if rank is not None else ""
            if (gold in REVERSAL and rel not in REVERSAL) or (gold in KEPT and rel in REVERSAL):
                print(f"--- {row['link']['id']} [{gold}] rank={rank} src={row['source_found']}")
                print(f"  FROM: {row['link']['from_quote'][:160]}")
                print(f"  TO:   {row['link']['to_quote'][:160]}")
                for i, c in enumerate(row["cands"][:3]):
                    print(f"  #{i} {c['relation']}: {c['text'][:150]}")


if __name__ == "__main__":
    main()

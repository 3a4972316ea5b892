"""Does a pledge-like passage rank where a scrutiny member wants it? (round 10, search10)

    .venv/bin/python bench/pledge_prior.py dump --library LIB --out DUMP.json [--depth 50]
    .venv/bin/python bench/pledge_prior.py analyse DUMP.json

``dump`` runs every tuning query (dev and ``tests/data/queries_train*.jsonl``; never the
held-out file) through ``Workbench.search`` at limit 10 (the page as shipped) and at a deeper
limit (the pool a prior could re-order), and stores per hit its rank, kind, unit kind (from the
library's database), words, where it stands in its section, the hits' expected passages, and
the commitment model's probability that its text is a unit (``1 - p(none)``, scored by
``indexing.commitment_features`` on the hit's text as a lone sentence, or the best of its
sentences for a section hit). ``analyse`` compares misses with the hits ranked above them.
Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import sqlite3
import statistics as st
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing.commitment_features import (  # noqa: E402
    _HEAD_CONTEXT,
    Context,
    base_features,
    load_model,
)
from indexing.commitments import sentences  # noqa: E402
from ui.compose import open_workbench  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from eval_search import _score_module  # noqa: E402  (score.py loaded one way for both)

EVAL = REPO.parent / "shared" / "eval"
DATA = REPO / "tests" / "data"
TUNING = ["dev", *(f"queries_train{n}" for n in ("", "2", "3", "4", "5", "6", "7"))]


def load(name: str) -> list[dict]:
    path = EVAL / "dev_queries.jsonl" if name == "dev" else DATA / f"{name}.jsonl"
    assert "eval_extra" not in str(path)
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def pledge(text: str, shape: str = "sentence", lead: str = "", heading: str = "") -> float:
    """The model's probability that ``text`` is a unit of some kind (1 - p(none))."""
    model = load_model()
    ctx = Context(shape=shape, lead_in=lead, heading=heading)
    probs = model.probabilities(base_features(text, ctx), shape)
    return 1.0 - probs["none"]


def best_sentence(text: str) -> float:
    scores = [pledge(text[a:b]) for a, b in sentences(text)] or [pledge(text)]
    return max(scores)


def dump(args) -> None:
    score = _score_module()
    wb = open_workbench(args.library)
    db = sqlite3.connect(args.library / "workbench.db")
    units = {cid: (kind, lead or "", sec) for cid, kind, lead, sec in db.execute(
        "select id, kind, lead_in, section_id from commitments")}
    sec_units = {}
    for cid, (_k, _l, sec) in units.items():
        sec_units.setdefault(sec, []).append(cid)
    files = args.files or TUNING
    out = []
    for name in files:
        for q in load(name):
            page = [h.key for h in wb.search(q["query"], limit=10).hits[:10]]
            hits = wb.search(q["query"], limit=args.depth).hits
            rows = []
            for rank, h in enumerate(hits, 1):
                unit, lead, pos = h.kind, "", 0.0
                if h.kind == "commitment" and h.item_id in units:
                    unit, lead, sec = units[h.item_id]
                    sib = sorted(sec_units.get(sec, [h.item_id]))
                    pos = sib.index(h.item_id) / max(1, len(sib) - 1)
                p_sent = pledge(h.text, "sentence", lead, " ".join(h.path))
                p_best = best_sentence(h.text) if h.kind != "commitment" else p_sent
                rows.append({
                    "rank": rank, "key": h.key, "kind": h.kind, "unit": unit,
                    "words": len(h.text.split()), "score": h.score, "pos": pos,
                    "pledge": p_sent, "pledge_best": p_best, "plan": h.plan,
                    "holds": [i for i, e in enumerate(q["expect"])
                              if score.contains(h.text, e["quote"])],
                    "text": h.text, "path": list(h.path),
                })
            out.append({"file": name, "id": q["id"], "query": q["query"],
                        "n_expect": len(q["expect"]), "page": page, "hits": rows})
        print(name, "done", file=sys.stderr)
    Path(args.out).write_text(json.dumps(out), "utf-8")
    wb.index.close()


_DIGIT = re.compile(r"\d")


def _traits(h: dict) -> dict[str, float]:
    """What a re-rank could use of a hit (0/1 or a number)."""
    return {
        "pledge": h["pledge"], "pledge_best": h["pledge_best"],
        "section": float(h["kind"] != "commitment"),
        "target_or_measure": float(h["unit"] in ("target", "measure")),
        "ask": float(h["unit"] == "ask"),
        "pledge_if_unit": h["pledge"] * (h["kind"] == "commitment"),
        "first_unit": float(h["kind"] == "commitment" and h["pos"] == 0),
        "log_words": math.log(1 + h["words"]), "pos": h["pos"],
        "numbers": float(bool(_DIGIT.search(h["text"]))),
        "context_heading": float(bool(_HEAD_CONTEXT.search(" ".join(h.get("path", []))))),
    }


def half(q: dict) -> int:
    """Which half of the tuning queries (split by query, stable across runs)."""
    return zlib.crc32((q["file"] + q["id"]).encode()) % 2


def _found(q: dict, order: list[dict]) -> int:
    return len({i for h in order[:10] for i in h["holds"]})


def shifted(q: dict, w: dict[str, float], depth: int = 30) -> list[dict]:
    """The first ``depth`` hits re-ordered: each moves up ``sum(w[t] * trait)`` rank places."""
    top = q["hits"][:depth]
    key = {id(h): -(r + 1) + sum(w.get(k, 0.0) * v for k, v in _traits(h).items())
           for r, h in enumerate(top)}
    return sorted(top, key=lambda h: key[id(h)], reverse=True) + q["hits"][depth:]


def found_by_half(data: list[dict], w: dict[str, float], depth: int = 30) -> list[int]:
    return [sum(_found(q, shifted(q, w, depth)) for q in data if half(q) == k) for k in (0, 1)]


def analyse(args) -> None:
    data = json.loads(Path(args.dump).read_text("utf-8"))
    holders, others, misses = [], [], []
    for q in data:
        hits = q["hits"]
        found10 = {i for h in hits[:10] for i in h["holds"]}
        for h in hits[:10]:
            (holders if h["holds"] else others).append(h)
        for i in range(q["n_expect"]):
            first = next((h for h in hits if i in h["holds"]), None)
            if i not in found10 and first is not None:
                misses.append(first)
    print(f"{len(data)} queries, {sum(q['n_expect'] for q in data)} passages; top ten of the "
          f"{args.depth if hasattr(args, 'depth') else 50}-deep page finds "
          f"{sum(_found(q, q['hits']) for q in data)}")
    for name, rows in (("page hits holding an expected passage", holders),
                       ("page hits holding none", others),
                       ("misses, at their first rank", misses)):
        if not rows:
            continue
        t = [_traits(h) for h in rows]
        mean = {k: st.mean(x[k] for x in t) for k in t[0]}
        print(f"{name} (n={len(rows)}): words median {st.median(h['words'] for h in rows):.0f}, "
              + ", ".join(f"{k} {v:.2f}" for k, v in mean.items()))
    print("halves (base):", found_by_half(data, {}), "of",
          [sum(q["n_expect"] for q in data if half(q) == k) for k in (0, 1)])
    for trait in _traits(data[0]["hits"][0]):
        row = [(s, found_by_half(data, {trait: s})) for s in (-5, -2, 2, 5)]
        print(f"  {trait:18}", "  ".join(f"{s:+}: {a}/{b}" for s, (a, b) in row))
    if args.grid:
        names = ("pledge", "section", "target_or_measure", "log_words", "pos")
        grid = [(dict(zip(names, c, strict=True)), found_by_half(data, dict(zip(names, c,
                strict=True)))) for c in itertools.product(
                    (0, 2, 5, -2), (0, 2, -2, 3), (0, 2, -2), (0, 0.5, 1), (0, -2, 2))]
        for label, rows in (("", grid), (" (no length)", [g for g in grid
                                                          if not g[0]["log_words"]])):
            for k in (0, 1):
                w, got = max(rows, key=lambda g: (g[1][k], -sum(map(abs, g[0].values()))))
                print(f"fitted on half {k}{label}: {w} -> half {k} {got[k]}, "
                      f"other half {got[1 - k]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--library", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--depth", type=int, default=50)
    d.add_argument("--files", nargs="*", default=None)
    a = sub.add_parser("analyse")
    a.add_argument("dump", type=Path)
    a.add_argument("--grid", action="store_true", help="fit a small combination on each half")
    args = ap.parse_args()
    dump(args) if args.cmd == "dump" else analyse(args)


if __name__ == "__main__":
    main()

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
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing.commitment_features import Context, base_features, load_model  # noqa: E402
from indexing.commitments import sentences  # noqa: E402
from ui.compose import open_workbench  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
DATA = REPO / "tests" / "data"
TUNING = ["dev", *(f"queries_train{n}" for n in ("", "2", "3", "4", "5", "6", "7"))]


def _score_module():
    spec = importlib.util.spec_from_file_location("dev_score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
                    "text": h.text[:160],
                })
            out.append({"file": name, "id": q["id"], "query": q["query"],
                        "n_expect": len(q["expect"]), "page": page, "hits": rows})
        print(name, "done", file=sys.stderr)
    Path(args.out).write_text(json.dumps(out), "utf-8")
    wb.index.close()


def analyse(args) -> None:
    data = json.loads(Path(args.dump).read_text("utf-8"))
    import statistics as st

    miss_rows, above_rows, hit_rows = [], [], []
    for q in data:
        hits = q["hits"]
        found10 = {i for h in hits[:10] for i in h["holds"]}
        for h in hits[:10]:
            (hit_rows if h["holds"] else above_rows).append(h)
        for i in range(q["n_expect"]):
            if i in found10:
                continue
            first = next((h for h in hits if i in h["holds"]), None)
            if first is not None:
                miss_rows.append(first)

    def describe(name, rows):
        if not rows:
            return
        kinds = {}
        for r in rows:
            kinds[r["unit"]] = kinds.get(r["unit"], 0) + 1
        print(f"{name:38} n={len(rows):4}  pledge med {st.median(r['pledge'] for r in rows):.2f}"
              f" mean {st.mean(r['pledge'] for r in rows):.2f}  best-sent mean "
              f"{st.mean(r['pledge_best'] for r in rows):.2f}  words med "
              f"{st.median(r['words'] for r in rows):.0f}  pos mean "
              f"{st.mean(r['pos'] for r in rows):.2f}  kinds "
              + ", ".join(f"{k} {v / len(rows):.2f}" for k, v in sorted(kinds.items())))

    describe("top-10 hits holding an expected passage", hit_rows)
    describe("top-10 hits holding none", above_rows)
    describe("misses, at their first rank (11..)", miss_rows)


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
    args = ap.parse_args()
    dump(args) if args.cmd == "dump" else analyse(args)


if __name__ == "__main__":
    main()

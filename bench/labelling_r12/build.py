"""Writes tests/data/links_train12.jsonl from label files (round 12's labelling; not product code).

    python bench/labelling_r12/build.py LABELS.py [LABELS.py ...]

Each label file defines ``L``: tuples (from, from_prefix, to, to_prefix, relation, topic, why),
plans by short name (cands.SHORT). A prefix must start exactly one sentence or list item of the
plan (cands.units); the quote is that whole unit, so every quote is copied from the text. Ids
are S001... in file order. Run bench/dedupe_links.py --train on the result afterwards.
"""
from __future__ import annotations

import collections
import importlib.util
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cands

OUT = cands.DATA / "links_train12.jsonl"


def find(units: list[str], slug: str, prefix: str) -> str:
    hits = sorted({u for u in units if u.startswith(prefix)})
    if len(hits) != 1:
        exact = [u for u in hits if u == prefix]
        if exact:
            return exact[0]
        raise SystemExit(f"{slug}: {len(hits)} units start with {prefix!r}")
    return hits[0]


def main() -> None:
    units = {slug: cands.units(slug) for slug in cands.SHORT.values()}
    rows = []
    for path in sys.argv[1:]:
        spec = importlib.util.spec_from_file_location("labels", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for a, fq, b, tq, rel, topic, why in module.L:
            frm, to = cands.SHORT[a], cands.SHORT[b]
            from_quote = find(units[frm], frm, fq).rstrip(":").rstrip()
            to_quote = "" if rel == "dropped" else find(units[to], to, tq).rstrip(":").rstrip()
            rows.append({"id": f"S{len(rows) + 1:03d}", "from_plan": frm, "from_quote": from_quote,
                         "to_plan": to, "to_quote": to_quote, "relation": rel, "topic": topic,
                         "why": why})
    seen = set()
    for r in rows:
        key = (r["from_plan"], r["from_quote"], r["to_plan"])
        if key in seen:
            raise SystemExit(f"duplicate source {key}")
        seen.add(key)
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), collections.Counter(r["relation"] for r in rows))


if __name__ == "__main__":
    main()

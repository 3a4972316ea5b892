"""Labelling aid of round 12 (not product code; never runs the engine).

    python bench/labelling_r12/cands.py FROM TO [REGEX] [K]      # FROM/TO: p1 .. p5, chain order

Splits each plan text into sentences and list items of 7-55 words and, for every source of plan
FROM that matches REGEX and is not yet the source of a tuning link of the pair, prints the K
passages of plan TO with the highest plain TF-IDF cosine. The officer reads them (and the plan)
and chooses; a lexical aid independent of the engine, so the choice is not the engine's.
ALL=1 lists every sentence, not only the commitment-like ones.
"""
from __future__ import annotations

import collections
import json
import math
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO.parent / "shared" / "plans"
DATA = REPO / "tests" / "data"
MANIFEST = json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))
TEXT_OF = {Path(m["file"]).stem: m["text_file"] for m in MANIFEST}
# short names p1..p5 in the manifest's (supersession) order
SHORT = {f"p{n}": Path(m["file"]).stem for n, m in enumerate(MANIFEST, 1)}
ITEM: set[str] = set()
BULLET = r"^(\d{1,2}\.|-|•|l|\uf0b7)\s+"
SPLIT = (r"(?<=[.!?;:])\s+(?=(?:[A-Z0-9•\-]))|\s+(?=\d{1,2}\.\s+[A-Z])|\s+(?=- [A-Z])"
         r"|\s+(?=l\s+[A-Z])|\s+(?=\uf0b7)")
PLEDGE = r"\b(we will|we are committed|our commitment|we\'ll|KCC will|we intend|we aim)\b"
STOP = set("the a an and or of to in for on with by our we will is are be as at that this from "
           "it its their which council county all more new".split())


def collapse(text: str) -> str:
    return " ".join(text.split())


def units(slug: str) -> list[str]:
    """The plan's sentences and list items of 7-55 words (white space collapsed)."""
    raw = (PLANS / TEXT_OF[slug]).read_text(encoding="utf-8")
    out = []
    for para in re.split(r"\n\s*\n", raw):
        para = collapse(para)
        for part in re.split(SPLIT, para) if para else []:
            part = part.strip()
            item = bool(re.match(BULLET, part)) or bool(re.search(PLEDGE, part, re.I))
            part = re.sub(BULLET, "", part)
            if 7 <= len(part.split()) <= 55:
                out.append(part)
                if item:
                    ITEM.add(part)
    return out


def toks(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 2]


def used(pair: tuple[str, str]) -> set[str]:
    """Sources already linked for the pair by a tuning file."""
    out: set[str] = set()
    files = [REPO.parent / "shared" / "eval" / "dev_links.jsonl",
             *sorted(DATA.glob("links_train*.jsonl"))]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if (row["from_plan"], row["to_plan"]) == pair:
                    out.add(collapse(row["from_quote"]).lower())
    return out


def main() -> None:
    a, b = SHORT[sys.argv[1]], SHORT[sys.argv[2]]
    pattern = sys.argv[3] if len(sys.argv) > 3 else None
    k = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    src, dst = units(a), units(b)
    df = collections.Counter(w for s in src + dst for w in set(toks(s)))
    n = len(src) + len(dst)

    def vec(text: str) -> dict[str, float]:
        counts = collections.Counter(toks(text))
        v = {w: (1 + math.log(c)) * math.log(n / df[w]) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    dst_vecs = [vec(s) for s in dst]
    done = used((a, b))
    for i, s in enumerate(src):
        if pattern and not re.search(pattern, s, re.I):
            continue
        if s not in ITEM and not os.environ.get("ALL"):
            continue
        if any(s.lower() in q or q in s.lower() for q in done):
            continue
        v = vec(s)
        best = sorted(((sum(v.get(w, 0.0) * x for w, x in dv.items()), j)
                       for j, dv in enumerate(dst_vecs)), reverse=True)[:k]
        print(f"\n### A{i}: {s}")
        for score, j in best:
            print(f"   B{j} {score:.2f}: {dst[j]}")


if __name__ == "__main__":
    main()

"""How much a dense (sentence-encoder) signal could add to search, measured before building it.

    .venv/bin/python bench/dense_potential.py LIB [RRF_K W DEPTH MODE] [--sets FILES...]

Over the index's finer passages (every commitment, every paragraph of at least three words of a
section's text), ranks the shipped sentence encoder's cosine with each unquoted query and reports,
per query file: recall@10 of the lexical search (``limit=30``, meaning signal off), how many of
its missed passages the dense ranking holds in its top 10/20/50/200 and in the lexical top 30,
and recall@10 of a fusion, with how many passages the lexical top 10 held that the fusion lost:

* ``rrf``: reciprocal rank fusion of the lexical hits and the dense top ``DEPTH`` (a dense unit
  inside a lexical hit adds to that hit; others are new hits);
* ``rerank``: the lexical top ``DEPTH`` re-ordered by RRF of lexical and dense rank;
* ``cos``: the lexical top ``DEPTH`` re-ordered by 1/(RRF_K + rank) + W × cosine (what
  ``indexing.search_dense`` ships, there with the page kept in its own order first).

Results: docs/bench/hybrid-r6.md. Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["WORKBENCH_SEARCH_MEANING"] = "off"  # the lexical search alone is the baseline

from indexing.search_hits import _inside, _paragraphs, norm_text  # noqa: E402
from ui.compose import open_workbench  # noqa: E402
from workbench.matching.embedding import sentence_model  # noqa: E402
from workbench.matching.vectors import cache_for  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
SETS = [EVAL / "dev_queries.jsonl", REPO / "tests/data/queries_train.jsonl",
        REPO / "tests/data/queries_train2.jsonl"]


def _score():
    spec = importlib.util.spec_from_file_location("dev_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def units_of(searcher) -> list[str]:
    out = []
    for d in range(searcher.doc_count_all()):
        f = searcher.stored_fields(d)
        if f is None:
            continue
        body = f.get("body") or ""
        if f.get("kind") == "commitment":
            out.append(body)
        elif f.get("kind") == "section":
            out.extend(p for p in _paragraphs(body) if len(p.split()) >= 3)
    return out


def fused(lex, dense, qv, cache, mode, k, w, depth) -> list[str]:
    if mode in ("rerank", "cos") and lex:
        cos = cache.vectors(lex) @ qv
        rank = {i: r for r, i in enumerate(np.argsort(-cos))}
        part = {i: 1 / (k + i + 1) + (w / (k + rank[i] + 1) if mode == "rerank" else w * cos[i])
                for i in range(min(depth, len(lex)))}
        return [lex[i] for i in sorted(part, key=lambda i: -part[i])[:10]]
    items = list(lex)
    score = {i: 1 / (k + i + 1) for i in range(len(lex))}
    for r, text in enumerate(dense[:depth]):
        nt = norm_text(text)
        j = next((i for i, it in enumerate(items)
                  if _inside(nt, norm_text(it)) or _inside(norm_text(it), nt)), None)
        if j is None:
            items.append(text)
            j = len(items) - 1
            score[j] = 0.0
        score[j] += w / (k + r + 1)
    return [items[i] for i in sorted(score, key=lambda i: -score[i])[:10]]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sets = [Path(a) for a in sys.argv[sys.argv.index("--sets") + 1:]] if "--sets" in sys.argv \
        else SETS
    lib = Path(args[0])
    k, w, depth = (float(args[1]), float(args[2]), int(args[3])) if len(args) > 3 else (60, 1, 20)
    mode = args[4] if len(args) > 4 else "rrf"
    score = _score()
    wb = open_workbench(lib)
    units = units_of(wb.index._current_searcher())
    model = sentence_model()
    cache = cache_for(model, lib / "cache" / "vectors")
    vecs = cache.vectors(units)
    print(f"{len(units)} passages")
    for path in sets:
        if path.parent.name == "eval_extra":
            raise SystemExit("not on the held-out set")
        queries = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        total = base = got = lost = in_pool = 0
        ranks = []
        for q in queries:
            lex = [h.text for h in wb.search(q["query"], limit=30).hits]
            dense, qv = [], None
            if '"' not in q["query"]:
                qv = model.embed([q["query"]])[0]
                dense = [units[i] for i in np.argsort(-(vecs @ qv))[:200]]
            top = fused(lex, dense, qv, cache, mode, k, w, depth) if dense else lex[:10]
            for e in q["expect"]:
                total += 1
                b = any(score.contains(x, e["quote"]) for x in lex[:10])
                f = any(score.contains(x, e["quote"]) for x in top)
                base, got, lost = base + b, got + f, lost + (b and not f)
                if not b:
                    in_pool += any(score.contains(x, e["quote"]) for x in lex)
                    ranks.append(next((i for i, x in enumerate(dense)
                                       if score.contains(x, e["quote"])), 10**6))
        print(f"{path.name}: lexical {base / total:.3f}, fused {got / total:.3f} (lost {lost}); "
              f"missed {len(ranks)}: dense top 10/20/50/200 "
              f"{sum(r < 10 for r in ranks)}/{sum(r < 20 for r in ranks)}/"
              f"{sum(r < 50 for r in ranks)}/{sum(r < 200 for r in ranks)}, lexical top 30 {in_pool}")
    wb.index.close()


if __name__ == "__main__":
    main()

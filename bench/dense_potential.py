"""How much a dense (sentence-encoder) signal could add to search, measured before building it.

    .venv/bin/python bench/dense_potential.py LIB [--model minilm|use] [--dump FILE]
        [--sets FILES...]

Step 1 (``--dump``): for every query of the tuning files, the lexical page as the product shows
it (``limit=10``) and a deeper lexical pool (``limit=100``), each hit's shown text, soft-AND tier
and key, with the encoder's cosine of each with the query; and the dense ranking of every finer
unit of the index (every commitment, every paragraph of at least three words of a section's
text). Kept in a pickle so the fusions below are swept in seconds.

Step 2 (always): per query file, recall@10 of the lexical page, how many of its missed passages
the dense ranking holds in its top 10/20/50/200 and in the lexical pool of 30/50/100, and
recall@10 of fusions, with how many passages the lexical page held that the fusion lost:

* ``rrf``: reciprocal rank fusion of the lexical page+pool and the dense top ``D`` (a dense unit
  inside, or holding, a lexical hit adds to that hit; others are new hits);
* ``cos`` / ``chunk``: the page, then the pool's hits not on it, the first ``N`` of them re-ordered by
  ``1/(60 + lexical rank) + W × cosine`` (soft-AND tiers kept below full matches), the cosine
  of the hit's whole text (``cos``) or of its closest chunk (``chunk``: a paragraph, long ones cut
  at sentence ends into pieces of at most ``CHUNK_WORDS`` words; the first 30 hits only), as
  the re-rank of branch ``hybrid`` (USE) and of ``search7`` at f6d07c9 (MiniLM) did; neither
  is in the product (docs/bench/hybrid-r6.md, search7-r7.md).

The held-out file is refused. Results: docs/bench/hybrid-r6.md (USE), search7-r7.md (MiniLM).
Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing import search_hits  # noqa: E402
from indexing.query import parse_query  # noqa: E402
from indexing.search_fetch import collect  # noqa: E402
from indexing.search_hits import _inside, _paragraphs, norm_text  # noqa: E402
from indexing.search_terms import respell  # noqa: E402
from ui.compose import open_workbench  # noqa: E402
from workbench.matching.vectors import cache_for  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
DATA = REPO / "tests" / "data"
SETS = [EVAL / "dev_queries.jsonl"] + [DATA / f"queries_train{n}.jsonl" for n in ("", 2, 3, 4, 5)]
POOL = 100
CHUNK_WORDS = 60
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def _score():
    spec = importlib.util.spec_from_file_location("dev_score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _model(name: str):
    if name == "use":
        from workbench.matching.embedding import sentence_model
        return sentence_model()
    from workbench.matching.embedding import paraphrase_model
    return paraphrase_model()


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


_RERANK = search_hits.rerank


def _keep_keys(cands, near):
    """``search_hits.rerank``, remembering each candidate's lexical key (its BM25F score scaled
    to the tier's best plus the nearness and heading bonuses) as ``c.lexkey``."""
    shown = _RERANK(cands, near)
    top: dict[int, float] = {}
    for c in cands:
        top[c.tier] = max(top.get(c.tier, 0.0), c.score)
    for c in cands:
        span = search_hits._span(c.text, near)
        bonus = search_hits.PROXIMITY_WEIGHT * len(near) / span if span else 0.0
        bonus += search_hits.HEADING_WEIGHT * search_hits._heading_share(
            c.fields.get("heading") or "", frozenset(near))
        c.lexkey = c.score / (top[c.tier] or 1.0) + bonus
    return shown


search_hits.rerank = _keep_keys


def chunks(text: str) -> list[str]:
    """A hit's paragraphs, a paragraph of more than ``CHUNK_WORDS`` words cut at sentence ends
    (the model reads only 128 tokens of a text); as the re-rank at f6d07c9 did."""
    out: list[str] = []
    for para in _paragraphs(text):
        if len(para.split()) <= CHUNK_WORDS:
            out.append(para)
            continue
        piece: list[str] = []
        size = 0
        for sentence in _SENTENCE_END.split(para):
            if piece and size + len(sentence.split()) > CHUNK_WORDS:
                out.append(" ".join(piece))
                piece, size = [], 0
            piece.append(sentence)
            size += len(sentence.split())
        if piece:
            out.append(" ".join(piece))
    return out or [text]


def lexical(index, query: str, limit: int):
    """The candidates ``WhooshSearchIndex.search`` would show, before they become hits."""
    s = index._current_searcher()
    parsed = parse_query(query, index._table(s))
    fixed = respell(query, s, index._table(s)) if parsed.query is not None else None
    if fixed is not None:
        parsed = parse_query(fixed[0], index._table(s))
    if parsed.query is None:
        return []
    terms = index._highlight_terms(s, parsed)
    return collect(s, parsed, None, terms, limit, "relevance")[0]


def dump(lib: Path, model_name: str, sets: list[Path], out: Path) -> None:
    score = _score()
    wb = open_workbench(lib)
    index = wb.index
    units = units_of(index._current_searcher())
    model = _model(model_name)
    cache = cache_for(model, lib / "cache" / "vectors")
    vecs = cache.vectors(units)
    print(f"{len(units)} units")
    data = {"units": len(units), "sets": {}}
    for path in sets:
        rows = []
        for q in (json.loads(line) for line in path.read_text("utf-8").splitlines() if line):
            page = lexical(index, q["query"], 10)
            deep = lexical(index, q["query"], POOL)
            more = [c for c in deep if not any(
                c.fields.get("key") == k.fields.get("key") or _inside(c.norm, k.norm)
                or _inside(k.norm, c.norm) for k in page)]
            cands = page + more
            texts = [c.text for c in cands]
            row = {"id": q["id"], "query": q["query"], "page": len(page), "texts": texts,
                   "tiers": [c.tier for c in cands],
                   "lexkey": [getattr(c, "lexkey", None) for c in cands],
                   "hold": [[score.contains(t, e["quote"]) for t in texts] for e in q["expect"]],
                   "cos": None, "dense": None, "dense_texts": None}
            if '"' not in q["query"] and texts:
                qv = np.asarray(model.embed([q["query"]]), dtype=np.float32)[0]
                row["cos"] = cache.vectors(texts) @ qv
                pieces = [chunks(t) for t in texts[:30]]
                sims = cache.vectors([p for ps in pieces for p in ps]) @ qv
                ends = np.cumsum([len(ps) for ps in pieces])
                row["chunk"] = np.array([sims[e - len(ps):e].max() for e, ps in zip(ends, pieces, strict=True)]
                                        + [0.0] * (len(texts) - len(pieces)))
                order = np.argsort(-(vecs @ qv))[:200]
                row["dense_texts"] = [units[i] for i in order]
                row["dense_hold"] = [[score.contains(units[i], e["quote"]) for i in order]
                                     for e in q["expect"]]
            rows.append(row)
        data["sets"][path.name] = rows
        print(f"{path.name}: {len(rows)} queries dumped")
    out.write_bytes(pickle.dumps(data))
    index.close()


def _cos_order(row, n: int, w: float, k: float = 60.0, key: str = "cos") -> list[int]:
    """Indices of the shown ten: the first ``n`` of page+pool re-ordered by RRF + w × cosine."""
    m = min(n, len(row["texts"]))
    cos = row[key]
    key = sorted(range(m), key=lambda i: (row["tiers"][i], -(1 / (k + i + 1) + w * cos[i])))
    return key[:10]


def _rrf_order(row, depth: int, w: float, k: float = 60.0) -> list[object]:
    """The shown ten as ('lex', i) / ('dense', j): RRF of lexical rank and dense rank."""
    items: list[object] = [("lex", i) for i in range(len(row["texts"]))]
    score = {it: 1 / (k + i + 1) for i, it in enumerate(items)}
    norms = [norm_text(t) for t in row["texts"]]
    for r, text in enumerate(row["dense_texts"][:depth]):
        nt = norm_text(text)
        j = next((i for i, x in enumerate(norms) if _inside(nt, x) or _inside(x, nt)), None)
        it = ("lex", j) if j is not None else ("dense", r)
        score[it] = score.get(it, 0.0) + w / (k + r + 1)
    return sorted(score, key=lambda it: -score[it])[:10]


def report(data: dict, sweeps: list[tuple]) -> None:
    for name, rows in data["sets"].items():
        total = base = 0
        ranks, pools = [], {30: 0, 50: 0, 100: 0}
        for row in rows:
            for e, hold in enumerate(row["hold"]):
                total += 1
                b = any(hold[:row["page"]])
                base += b
                if not b:
                    first = next((i for i, h in enumerate(hold) if h), 10**6)
                    for n in pools:
                        pools[n] += first < n
                    dh = row.get("dense_hold")
                    ranks.append(next((i for i, h in enumerate(dh[e]) if h), 10**6) if dh else 10**6)
        print(f"{name}: lexical {base / total:.3f} ({base}/{total}); missed {len(ranks)}: dense "
              f"top 10/20/50/200 {sum(r < 10 for r in ranks)}/{sum(r < 20 for r in ranks)}/"
              f"{sum(r < 50 for r in ranks)}/{sum(r < 200 for r in ranks)}; in lexical pool "
              f"30/50/100 {pools[30]}/{pools[50]}/{pools[100]}")
        for sweep in sweeps:
            got = lost = 0
            for row in rows:
                if row["cos"] is None:
                    shown_lex, shown_dense = set(range(min(10, row["page"]))), set()
                elif sweep[0] in ("cos", "chunk"):
                    shown_lex = set(_cos_order(row, sweep[1], sweep[2], key=sweep[0]))
                    shown_dense = set()
                else:
                    top = _rrf_order(row, sweep[1], sweep[2])
                    shown_lex = {i for kind, i in top if kind == "lex"}
                    shown_dense = {i for kind, i in top if kind == "dense"}
                for e, hold in enumerate(row["hold"]):
                    b = any(hold[:row["page"]])
                    f = any(hold[i] for i in shown_lex) or any(
                        row["dense_hold"][e][i] for i in shown_dense)
                    got, lost = got + f, lost + (b and not f)
            print(f"  {sweep}: {got / total:.3f} ({got}, lost {lost})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--model", default="minilm", choices=["minilm", "use"])
    ap.add_argument("--dump", type=Path, default=Path("/tmp/dense_potential.pkl"))
    ap.add_argument("--reuse", action="store_true", help="sweep the existing dump only")
    ap.add_argument("--sets", type=Path, nargs="*", default=SETS)
    ap.add_argument("--sweep", default="", help="e.g. 'cos,30,0.02;chunk,30,0.004;rrf,20,0.3'")
    args = ap.parse_args()
    if any(p.parent.name == "eval_extra" for p in args.sets):
        raise SystemExit("not on the held-out set")
    if not args.reuse:
        dump(args.library, args.model, args.sets, args.dump)
    data = pickle.loads(args.dump.read_bytes())
    sweeps = [(a, int(b), float(c)) for a, b, c in
              (s.split(",") for s in args.sweep.split(";") if s)]
    report(data, sweeps or [("cos", 30, 0.0), ("cos", 30, 0.004), ("chunk", 30, 0.004),
                            ("cos", 30, 0.02), ("cos", 50, 0.02),
                            ("cos", 100, 0.02), ("rrf", 20, 1.0), ("rrf", 10, 0.3)])


if __name__ == "__main__":
    main()

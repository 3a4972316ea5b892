"""Two search ideas of round 10 measured in process, neither in the product (docs/bench/search10-r10.md).

    .venv/bin/python bench/search_ideas_r10.py --library LIB shown       # section scored on its shown text
    .venv/bin/python bench/search_ideas_r10.py --library LIB neighbours  # MiniLM word neighbours

Each runs every tuning query (dev and ``tests/data/queries_train*.jsonl`` up to train7; never the
held-out file) through ``Workbench.search`` at limit 10 with one module function patched, and
prints the passages found per half (split by query as ``pledge_prior.half``) and per file, and
how many passages each setting gains and loses against the unpatched code.

* ``shown``: a section hit's Whoosh score times (BM25 of the text it shows / BM25 of its whole
  stored text) ** alpha, both with the index's idf and average length, before the nearness
  re-rank (``search_hits.rerank``). Whoosh scores the whole section; this scores what is shown.
* ``neighbours``: each plain query word also matches its nearest words (all-MiniLM-L6-v2, the
  engine's paraphrase model, over the words of ``../shared/plans/*.txt``; cosine >= tau, at most
  k, other stems only) as a derived form does (``query.derived_stems``, boost ``DERIVED_BOOST``).
Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import collections
import math
import re
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from pledge_prior import TUNING, _score_module, load  # noqa: E402

from ui.compose import open_workbench  # noqa: E402

SCORE = _score_module()


def run(wb) -> tuple[list[int], dict[str, int], set]:
    halves, per, found = [0, 0], {}, set()
    for name in TUNING:
        per[name] = 0
        for q in load(name):
            texts = [h.text for h in wb.search(q["query"], limit=10).hits[:10]]
            for i, e in enumerate(q["expect"]):
                if any(SCORE.contains(t, e["quote"]) for t in texts):
                    halves[zlib.crc32((name + q["id"]).encode()) % 2] += 1
                    per[name] += 1
                    found.add((name, q["id"], i))
    return halves, per, found


def shown(wb) -> None:
    from indexing import search_hits as sh
    from indexing.analysis import TOKEN

    searcher = wb.index._current_searcher()
    n_docs, avg = searcher.doc_count_all(), searcher.avg_field_length("body")

    def idf(t: str) -> float:
        df = searcher.doc_frequency("body", t)
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5)) if df else 0.0

    def bm25(text: str, want: frozenset[str], b: float = 0.75, k1: float = 1.2) -> float:
        tf: dict[str, int] = {}
        n = 0
        for m in TOKEN.finditer(text):
            n += 1
            for s in sh.token_stems(m.group(0)):
                if s in want:
                    tf[s] = tf.get(s, 0) + 1
        return sum(idf(t) * f * (k1 + 1) / (f + k1 * (1 - b + b * n / avg)) for t, f in tf.items())

    original = sh.rerank
    alpha = {"a": 0.0}

    def patched(cands, near):
        want = frozenset(near)
        for c in cands:
            if alpha["a"] and c.kind == "section" and c.source and c.text != c.source:
                own, whole = bm25(c.text, want), bm25(c.source, want)
                if own > 0 and whole > 0:  # from Whoosh's score, however often re-ranked
                    first = c.__dict__.setdefault("whoosh_score", c.score)
                    c.score = first * (own / whole) ** alpha["a"]
        return original(cands, near)

    sh.rerank = patched
    base = None
    for a in (0.0, 0.25, 0.5, 1.0):
        alpha["a"] = a
        halves, per, found = run(wb)
        base = found if base is None else base
        print(f"alpha {a}: halves {halves}, {per}, +{len(found - base)} -{len(base - found)}",
              flush=True)


def neighbours(wb) -> None:
    import numpy as np
    from whoosh.analysis import STOP_WORDS

    from indexing import query as iq
    from indexing.analysis import porter_stem
    from workbench.matching.embedding import paraphrase_model

    model = paraphrase_model()
    vocab: collections.Counter[str] = collections.Counter()
    for p in (REPO.parent / "shared" / "plans").glob("*.txt"):
        vocab.update(re.findall(r"[a-z]{3,}", p.read_text("utf-8").lower()))
    words = sorted(w for w, c in vocab.items() if c >= 2)
    table = np.asarray(model.embed(words))
    setting = {"on": False, "tau": 0.6, "k": 3}
    memo: dict[tuple, list[str]] = {}

    def near(word: str) -> list[str]:
        key = (word, setting["tau"], setting["k"])
        if key not in memo:
            own = porter_stem(word)
            sims = table @ np.asarray(model.embed([word]))[0]
            out: list[str] = []
            for i in np.argsort(-sims)[:40]:
                if sims[i] < setting["tau"] or len(out) >= setting["k"]:
                    break
                s = porter_stem(words[i])
                if s != own and s not in out and words[i] not in STOP_WORDS:
                    out.append(s)
            memo[key] = out
        return memo[key]

    original = iq.derived_stems

    def patched(word: str) -> list[str]:
        base = original(word)
        if not setting["on"] or not word.isalpha() or word.lower() in STOP_WORDS:
            return base
        return [*base, *(n for n in near(word.lower()) if n not in base)]

    iq.derived_stems = patched
    _, _, base = run(wb)
    setting["on"] = True
    for tau, k, boost in ((0.6, 3, 0.5), (0.6, 3, 0.25), (0.7, 3, 0.5), (0.55, 5, 0.25),
                          (0.7, 2, 0.25)):
        setting.update(tau=tau, k=k)
        iq.DERIVED_BOOST = boost
        halves, per, found = run(wb)
        print(f"tau {tau} k {k} boost {boost}: halves {halves}, {per}, "
              f"+{len(found - base)} -{len(base - found)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, required=True)
    ap.add_argument("idea", choices=("shown", "neighbours"))
    args = ap.parse_args()
    wb = open_workbench(args.library)
    try:
        shown(wb) if args.idea == "shown" else neighbours(wb)
    finally:
        wb.index.close()


if __name__ == "__main__":
    main()

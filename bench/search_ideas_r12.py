"""Round 12's search experiments (docs/bench/search12-r12.md), in process, on a sample library.

    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py base LIB
    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py paragraphs LIB COPY --min-words 60 [--windows]
    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py shown COPY        # finer units shown
    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py maxpassage COPY --weight 1.0
    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py control COPY      # statistics only
    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py meaning LIB --heading 1.0 --text 0.5
    PYTHONPATH=. .venv/bin/python bench/search_ideas_r12.py acronym-prefix LIB

Each run scores the tuning query files with ``score.py``'s ``contains`` through
``Workbench.search`` (limit 10, the code path of ``workbench search --json``) and prints
passages found per file, the two halves of the split and the mean words a page shows:

* **A, tuned on**: ``../shared/eval/dev_queries.jsonl``, ``queries_train``, ``queries_train2``,
  ``queries_train3``, ``queries_train6`` (726 passages).
* **B, reported**: ``queries_train4``, ``queries_train5``, ``queries_train7``, ``queries_train8``
  (180 passages, all broad topics; no setting was chosen on them).

``paragraphs`` copies a library and adds one index document per paragraph (or 3-sentence
window) of every section of at least ``--min-words`` words, with the section's stored fields
and ``kind`` "section" (so ``collapse`` treats it as a finer section: shown first, cut out of
its section). Its key is the section's key plus ``#pN``; the copy's recorded revision is
unchanged, so opening it does not resync. ``shown`` scores that copy as it is; ``maxpassage``
maps each paragraph hit back to its whole section (ranked by the paragraph's score times
``--weight``: Callan's max-passage evidence, shown as today); ``control`` masks the paragraphs
out of every result (only the index statistics change). ``meaning`` adds to the nearness
re-rank's bonus ``heading`` × cos(query, the last three headings of the path) and ``text`` ×
cos(query, the passage) under the shipped MiniLM. ``acronym-prefix`` lets a query that is the
start of an acronym's long form ("special educational needs") search that acronym as well (SEND).
Nothing here is in the product. Not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EVAL = REPO.parent / "shared" / "eval"
DATA = REPO / "tests" / "data"
FILES = {"dev": EVAL / "dev_queries.jsonl",
         **{f"train{n}": DATA / f"queries_train{n}.jsonl" for n in ["", 2, 3, 4, 5, 6, 7, 8]}}
A = ["dev", "train", "train2", "train3", "train6"]
B = ["train4", "train5", "train7", "train8"]


def _score_module():
    spec = importlib.util.spec_from_file_location("dev_score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(wb, label: str = "", save: Path | None = None) -> None:
    """Print passages found per file and per half; ``save`` writes the found passages' ids
    (file, query id, quote number) as JSON, for counting what a change gained and lost."""
    score = _score_module()
    hit: list[str] = []
    found: dict[str, tuple[int, int]] = {}
    words = pages = nested = 0
    for name, path in FILES.items():
        f = n = 0
        for q in _load(path):
            texts = [h.text for h in wb.search(q["query"], limit=10).hits[:10]]
            words += sum(len(t.split()) for t in texts)
            pages += 1
            flat = [f" {score.norm(t)} " for t in texts]
            nested += sum(any(i != j and flat[i].strip() and flat[i] in flat[j]
                              for j in range(len(flat))) for i in range(len(flat)))
            for k, e in enumerate(q["expect"]):
                n += 1
                if any(score.contains(t, e["quote"]) for t in texts):
                    f += 1
                    hit.append(f"{name} {q['id']} {k}")
        found[name] = (f, n)
    a = sum(found[k][0] for k in A)
    b = sum(found[k][0] for k in B)
    print(label, " ".join(f"{k} {v[0]}/{v[1]}" for k, v in found.items()),
          f"| A {a} B {b} nested {nested} words/page {words / max(pages, 1):.0f}", flush=True)
    if save is not None:
        save.write_text(json.dumps(hit), "utf-8")


def add_paragraphs(src: Path, dst: Path, min_words: int, windows: bool) -> None:
    from whoosh import index

    from indexing.search_hits import _paragraphs
    from indexing.search_index import INDEX_NAME, doc_fields
    from workbench.model import IndexDoc

    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    ix = index.open_dir(str(dst / "index"), indexname=INDEX_NAME)
    with ix.searcher() as s:
        docs = list(s.documents())
    writer = ix.writer()
    added = 0
    for d in docs:
        body = d.get("body", "")
        if d["kind"] != "section" or len(body.split()) < min_words:
            continue
        units = _paragraphs(body)
        if windows:
            sentences = [x for p in units for x in re.split(r"(?<=[.!?])\s+", p) if x.strip()]
            units = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 2)]
        if len(units) < 2:
            continue
        for i, unit in enumerate(units):
            if len(unit.split()) < 5:
                continue
            doc = IndexDoc(
                key=f'{d["key"]}#p{i}', kind="section", item_id=d["item_id"], plan=d["plan"],
                plan_title=d["plan_title"], plan_date=d["plan_date"], stage=d.get("stage", ""),
                path=tuple(json.loads(d["path"])), heading=d.get("heading", ""),
                page_label=str(d.get("page_label", "")), page_index=int(d.get("page_index") or 0),
                body=unit, fingerprint=d["fingerprint"], relation=d.get("relation", "") or "",
                status=d.get("status", "") or "")
            fields = doc_fields(doc)
            fields["tails"] = ""  # citations count the sections only
            writer.add_document(**fields)
            added += 1
    writer.commit()
    print(f"added {added} paragraph documents to {len(docs)}")


def _patch_acronym_prefix() -> None:
    """A query that is the start of an acronym's long form searches that acronym too."""
    import indexing.analysis as analysis

    build = analysis.SynonymTable.build.__func__

    def prefixed(cls, acronyms, exact=(), phrases=()):
        table = build(cls, acronyms, exact, phrases)
        alt = dict(table._alternatives)
        for key, (acr, ph) in table._alternatives.items():
            more = [x for k2, (a2, _) in table._alternatives.items()
                    if len(key) >= 2 and len(k2) > len(key) and k2[:len(key)] == key
                    for x in a2]
            if more:
                alt[key] = (tuple(dict.fromkeys((*acr, *more))), ph)
        return replace(table, _alternatives=alt)

    analysis.SynonymTable.build = classmethod(prefixed)


def _patch_paragraph_hits(wb, what: str, weight: float) -> None:
    """``control``: paragraph documents masked out; ``maxpassage``: a paragraph hit stands for
    its whole section, with the paragraph's score times ``weight``."""
    import indexing.search_fetch as fetch
    from indexing.search_hits import Candidate

    s = wb.index._current_searcher()
    if what == "control":
        paras = {i for i in range(s.doc_count_all())
                 if "#" in (s.stored_fields(i).get("key") or "")}
        top_docs = fetch.top_docs

        def masked(searcher, q, limit, *, mask=None, **kw):
            return top_docs(searcher, q, limit, mask=set(mask or ()) | paras, **kw)

        fetch.top_docs = masked
        return
    parents = {d["key"]: d for d in s.documents()
               if d["kind"] == "section" and "#" not in d["key"]}

    def candidate(fields, score, text, **kw):
        key = fields.get("key", "")
        if "#" in key:  # the paragraph's score, the whole section shown
            p = parents[key.split("#")[0]]
            return Candidate(p, score * weight, p.get("body", ""), **kw)
        return Candidate(fields, score, text, **kw)

    fetch.Candidate = candidate


def _patch_meaning(wb, heading: float, text: float) -> None:
    """The nearness re-rank's bonus plus MiniLM cosines of the query with the heading path
    and with the passage."""
    import numpy as np

    import indexing.search_hits as hits
    from workbench.matching.minilm import MiniLmEmbedder

    encoder = MiniLmEmbedder()
    cache: dict[str, object] = {}
    current = {"q": ""}

    def vec(s: str):
        if s not in cache:
            v = encoder.embed([s])[0]
            cache[s] = v / (np.linalg.norm(v) or 1.0)
        return cache[s]

    def rerank(cands, near):
        qv = vec(current["q"])
        top: dict[int, float] = {}
        for c in cands:
            top[c.tier] = max(top.get(c.tier, 0.0), c.score)
        keyed = []
        for n, c in enumerate(cands):
            span = hits._span(c.text, near)
            bonus = hits.PROXIMITY_WEIGHT * len(near) / span if span else 0.0
            bonus += hits.HEADING_WEIGHT * hits._heading_share(
                c.fields.get("heading") or "", frozenset(near))
            path = json.loads(c.fields.get("path") or "[]")[-3:]
            if path and heading:
                bonus += heading * float(vec(" > ".join(path)) @ qv)
            if text:
                bonus += text * float(vec(c.fields.get("body", "")[:1000]) @ qv)
            keyed.append((c.tier, -(c.score / (top[c.tier] or 1.0) + bonus), n, c))
        return [c for _, _, _, c in sorted(keyed)]

    hits.rerank = rerank
    search = wb.search

    def searched(q, **kw):
        current["q"] = q.replace('"', "")
        return search(q, **kw)

    wb.search = searched


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["base", "paragraphs", "shown", "maxpassage", "control",
                                     "meaning", "acronym-prefix"])
    ap.add_argument("library", type=Path)
    ap.add_argument("copy", type=Path, nargs="?")
    ap.add_argument("--min-words", type=int, default=60)
    ap.add_argument("--windows", action="store_true")
    ap.add_argument("--weight", type=float, default=1.0)
    ap.add_argument("--heading", type=float, default=0.0)
    ap.add_argument("--text", type=float, default=0.0)
    ap.add_argument("--save", type=Path, default=None, help="write the found passages' ids")
    args = ap.parse_args()
    if args.what == "paragraphs":
        add_paragraphs(args.library, args.copy, args.min_words, args.windows)
        return
    if args.what == "acronym-prefix":
        _patch_acronym_prefix()

    from ui.compose import open_workbench

    wb = open_workbench(args.library)
    if args.what in ("maxpassage", "control"):
        _patch_paragraph_hits(wb, args.what, args.weight)
    if args.what == "meaning":
        _patch_meaning(wb, args.heading, args.text)
    evaluate(wb, args.what, args.save)
    wb.index.close()


if __name__ == "__main__":
    main()

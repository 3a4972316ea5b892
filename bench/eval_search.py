"""Search quality on the development queries, split into a tuning half and a held-out half.

    .venv/bin/python bench/eval_search.py --library LIB [--show-misses] [--queries HELDOUT]

Runs every query of ``../shared/eval/dev_queries.jsonl`` through ``Workbench.search`` in this
process (the same code path as ``workbench search --json``, without a process per query) and
scores the top ten with the eval set's own ``score.py`` definitions (``contains``, ``norm``):
recall@10, quoted-phrase precision, hits repeated inside another hit. Phrase precision is also
given with quote marks and a possessive 's folded away: ``score.norm`` keeps apostrophes, so a
passage that writes the phrase in single quotes (‘Brand Kent’) or as a possessive ("Kent
Nature Partnership's") never counts as holding it. Each half's plain multi-word queries are
also run again in quotes, for phrase precision on more than the set's few quoted queries. Round 3 tunes on all
the dev queries (odd and even ids are still shown apart, for comparison with earlier rounds);
``--show-misses`` lists what they miss. ``--queries tests/data/eval_extra/queries.jsonl``
scores the held-out set instead: figures only, its misses are never listed, so they cannot
leak into the rules. Round 5: ``--tuning tests/data/queries_train.jsonl --tuning
tests/data/queries_train2.jsonl`` adds both training files (see docs/bench/recall-r5.md for
which batches of the second were written after which change). Round 7 adds
``tests/data/queries_train5.jsonl`` (broad topics written before their first run: the clean check
of docs/bench/search7-r7.md, whose MiniLM re-rank, switched by ``WORKBENCH_SEARCH_MEANING``,
is at commit f6d07c9 and not in the product). Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ui.compose import open_workbench  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"


def _score_module():
    spec = importlib.util.spec_from_file_location("dev_score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unquoted(normed: str) -> str:
    """``score.norm`` keeps apostrophes, so 'Brand Kent' in quotes never holds "brand kent"
    and "Partnership's" never holds "partnership": fold quote marks and a possessive 's."""
    return " ".join(re.sub(r"'s$", "", w).strip("'") for w in normed.split())


def evaluate(wb, queries: list[dict], score) -> tuple[dict[str, float], list[str]]:
    found = total = phrase_ok = phrase_n = nested = quoted_ok = 0
    missed: list[str] = []
    for q in queries:
        hits = wb.search(q["query"], limit=10).hits[:10]
        texts = [h.text for h in hits]
        for e in q["expect"]:
            total += 1
            if any(score.contains(t, e["quote"]) for t in texts):
                found += 1
            else:
                missed.append(f'{q["id"]} {q["query"]!r}: {e["quote"][:70]}')
        for phrase in re.findall(r'"([^"]+)"', q["query"]):
            for t in texts:
                phrase_n += 1
                phrase_ok += f" {score.norm(phrase)} " in f" {score.norm(t)} "
                quoted_ok += f" {_unquoted(score.norm(phrase))} " in f" {_unquoted(score.norm(t))} "
        flat = [f" {score.norm(t)} " for t in texts]
        nested += sum(
            any(i != j and flat[i].strip() and flat[i] in flat[j] for j in range(len(flat)))
            for i in range(len(flat))
        )
    figures = {
        "queries": len(queries),
        "passages": total,
        "recall@10": found / total if total else 1.0,
        "phrase precision": phrase_ok / phrase_n if phrase_n else 1.0,
        "phrase hits": phrase_n,
        "phrase precision, quotes folded": quoted_ok / phrase_n if phrase_n else 1.0,
        "nested": nested,
    }
    return figures, missed


def quoted_variants(queries: list[dict]) -> list[dict]:
    """Each plain multi-word query again in quotes (no expected passages: precision only)."""
    out = []
    for q in queries:
        text = q["query"]
        if '"' not in text and len(text.split()) > 1 and not re.search(r"[A-Z]{2}", text):
            out.append({"id": q["id"], "query": f'"{text}"', "expect": []})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, required=True)
    ap.add_argument("--show-misses", action="store_true", help="list the tuning set's misses")
    ap.add_argument("--queries", type=Path, default=None,
                    help="score this held-out file instead (figures only, never its misses)")
    ap.add_argument("--tuning", type=Path, action="append", default=[],
                    help="also score this tuning file (e.g. tests/data/queries_train.jsonl); "
                         "--show-misses lists its misses too")
    args = ap.parse_args()
    score = _score_module()
    if args.queries is not None:
        queries = [json.loads(line) for line in args.queries.read_text("utf-8").splitlines()
                   if line.strip()]
        sets = {f"held out ({args.queries.name})": queries}
    else:
        queries = score.load("dev_queries.jsonl")
        sets = {
            "tuning (odd ids)": [q for q in queries if int(q["id"][2:]) % 2 == 1],
            "tuning (even ids)": [q for q in queries if int(q["id"][2:]) % 2 == 0],
            "all dev (all tuned on this round)": queries,
        }
        for path in args.tuning:
            sets[f"tuning ({path.name})"] = [json.loads(line) for line in
                                            path.read_text("utf-8").splitlines() if line.strip()]
    wb = open_workbench(args.library)
    for name, qs in sets.items():
        figures, missed = evaluate(wb, qs, score)
        print(name, json.dumps({k: round(v, 3) for k, v in figures.items()}))
        variants = quoted_variants(qs)
        quoted, _ = evaluate(wb, variants, score)
        print(f"  the {len(variants)} plain multi-word queries quoted:", json.dumps(
            {k: round(v, 3) for k, v in quoted.items() if "phrase" in k}))
        if args.show_misses and (name.startswith("all dev") or name.startswith("tuning (")
                                 and name.endswith(".jsonl)")):
            for m in missed:
                print("  missed", m)
    wb.index.close()


if __name__ == "__main__":
    main()

"""Validate the held-out evaluation data in this folder (links.jsonl, queries.jsonl).

Usage: python tests/data/eval_extra/validate.py   (prints counts; exits 1 on any problem)

Checks, with the same folding as the scorer (``norm``/``contains`` imported from
../shared/eval/score.py relative to the repository root, so the data and the scorer cannot drift):
- links: schema, unique ids, known plan slugs, the target plan later in the chain, relation codes,
  the shape of ``dropped`` links (next plan, empty to_quote), 7-55 words a quote, every quote inside
  its plan text after folding, and no (from_quote, to_quote) pair repeated from the dev set or here;
- queries: schema, unique ids, no query text reused from the dev set, every expected quote inside its
  plan text, and for quoted-phrase queries the phrase inside every expected quote.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SHARED_EVAL = ROOT / ".." / "shared" / "eval"

RELATIONS = {"continued", "strengthened", "modified", "replaced", "scaled_back",
             "withdrawn", "reversed", "dropped"}
LINK_KEYS = {"id", "from_plan", "from_quote", "to_plan", "to_quote", "relation", "topic", "why"}
QUERY_KEYS = {"id", "query", "expect", "notes"}
MIN_WORDS, MAX_WORDS = 7, 55


def load_score() -> ModuleType:
    """The dev scorer, imported by path: it is a script in a sibling folder, not a package."""
    path = SHARED_EVAL / "score.py"
    spec = importlib.util.spec_from_file_location("eval_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


score = load_score()
CHAIN: list[str] = list(score.SEED_OF)  # the supersession order, oldest first


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def plan_texts() -> dict[str, str]:
    """Each plan's text, folded once (quotes are checked against the folded text)."""
    return {slug: score.norm((score.PLANS / name).read_text(encoding="utf-8"))
            for slug, name in score.SEED_OF.items()}


def in_plan(quote: str, folded_plan: str) -> bool:
    """Verbatim after the scorer's folding (case, quotes, dashes, spacing, line-end hyphens)."""
    q = score.norm(quote)
    return bool(q) and f" {q} " in f" {folded_plan} "


def pair_key(link: dict) -> tuple[str, str]:
    return score.norm(link.get("from_quote", "")), score.norm(link.get("to_quote", ""))


def _check_relation(where: str, link: dict, a: str, b: str, rel: str) -> list[str]:
    problems = []
    if CHAIN.index(b) <= CHAIN.index(a):
        problems.append(f"{where}: {b} is not later than {a}")
    if rel not in RELATIONS:
        problems.append(f"{where}: unknown relation {rel!r}")
    if rel == "dropped":
        if link["to_quote"]:
            problems.append(f"{where}: a dropped link has an empty to_quote")
        if CHAIN.index(b) != CHAIN.index(a) + 1:
            problems.append(f"{where}: a dropped link points at the next plan")
    elif not link["to_quote"]:
        problems.append(f"{where}: only dropped links may have an empty to_quote")
    return problems


def _check_quotes(where: str, link: dict, texts: dict[str, str], a: str, b: str) -> list[str]:
    problems = []
    for side, plan in (("from_quote", a), ("to_quote", b)):
        quote = link[side]
        if not quote:
            continue
        words = len(quote.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{where}: {side} has {words} words")
        if not in_plan(quote, texts[plan]):
            problems.append(f"{where}: {side} not in {plan}: {quote[:60]!r}")
    return problems


def check_links(links: list[dict], dev_links: list[dict], texts: dict[str, str]) -> list[str]:
    problems: list[str] = []
    dev_pairs = {pair_key(d) for d in dev_links}
    seen_ids: set[str] = set()
    seen_pairs: set[tuple[str, str]] = set()
    for n, link in enumerate(links, 1):
        where = f"link {link.get('id', f'#{n}')}"
        if set(link) != LINK_KEYS:
            problems.append(f"{where}: keys {sorted(set(link) ^ LINK_KEYS)} missing or unexpected")
            continue
        if link["id"] in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(link["id"])
        a, b, rel = link["from_plan"], link["to_plan"], link["relation"]
        if a not in texts or b not in texts:
            problems.append(f"{where}: unknown plan {a if a not in texts else b!r}")
            continue
        problems += _check_relation(where, link, a, b, rel)
        problems += _check_quotes(where, link, texts, a, b)
        if not link["topic"].strip() or not link["why"].strip():
            problems.append(f"{where}: empty topic or why")
        key = pair_key(link)
        if key in dev_pairs:
            problems.append(f"{where}: repeats a dev-set link")
        if key in seen_pairs:
            problems.append(f"{where}: repeats an earlier link here")
        seen_pairs.add(key)
    return problems


def check_queries(queries: list[dict], dev_queries: list[dict], texts: dict[str, str]) -> list[str]:
    problems: list[str] = []
    dev_texts = {score.norm(q["query"]) for q in dev_queries}
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for n, query in enumerate(queries, 1):
        where = f"query {query.get('id', f'#{n}')}"
        if set(query) != QUERY_KEYS:
            problems.append(f"{where}: keys {sorted(set(query) ^ QUERY_KEYS)} missing or unexpected")
            continue
        if query["id"] in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(query["id"])
        folded = score.norm(query["query"])
        if not folded:
            problems.append(f"{where}: empty query")
        if folded in dev_texts:
            problems.append(f"{where}: reuses the dev query {query['query']!r}")
        if folded in seen_texts:
            problems.append(f"{where}: repeats an earlier query")
        seen_texts.add(folded)
        if not query["expect"]:
            problems.append(f"{where}: no expected passages")
        phrases = [score.norm(p) for p in re.findall(r'"([^"]+)"', query["query"])]
        for exp in query["expect"]:
            plan, quote = exp.get("plan"), exp.get("quote", "")
            if plan not in texts:
                problems.append(f"{where}: unknown plan {plan!r}")
                continue
            if not in_plan(quote, texts[plan]):
                problems.append(f"{where}: quote not in {plan}: {quote[:60]!r}")
            for phrase in phrases:
                if f" {phrase} " not in f" {score.norm(quote)} ":
                    problems.append(f"{where}: phrase {phrase!r} not in {quote[:60]!r}")
    return problems


def summary(links: list[dict], queries: list[dict]) -> list[str]:
    rel = Counter(link["relation"] for link in links)
    pairs = Counter((link["from_plan"], link["to_plan"]) for link in links)
    lines = [f"{len(links)} links: " + ", ".join(f"{k} {v}" for k, v in rel.most_common())]
    lines += [f"  {a} -> {b}: {v}" for (a, b), v in sorted(pairs.items(), key=lambda kv: (CHAIN.index(kv[0][0]), CHAIN.index(kv[0][1])))]
    lines.append(f"{len(queries)} queries, {sum(len(q['expect']) for q in queries)} expected passages")
    return lines


def main() -> int:
    texts = plan_texts()
    links, queries = load_jsonl(HERE / "links.jsonl"), load_jsonl(HERE / "queries.jsonl")
    problems = check_links(links, load_jsonl(SHARED_EVAL / "dev_links.jsonl"), texts)
    problems += check_queries(queries, load_jsonl(SHARED_EVAL / "dev_queries.jsonl"), texts)
    print("\n".join(summary(links, queries)))
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

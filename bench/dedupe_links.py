"""Check the training links and drop any that overlap an evaluation link.

    python bench/dedupe_links.py [--train tests/data/links_train.jsonl]

Training links (``tests/data/links_train.jsonl``) must not repeat a link of the development set
(``../shared/eval/dev_links.jsonl``), of ``tests/data/links_extra.jsonl`` or of the held-out set
(``tests/data/eval_extra/links.jsonl``). A training link is dropped when, for the same pair of
plans, its from_quote or its to_quote overlaps the matching quote of any of those links, in either
direction, by the scorer's own ``contains`` (so a near-copy counts as a repeat).

The script first checks the training file itself (every quote found verbatim, white space
collapsed, in its plan text; 7-55 words; known relation; plans in chain order; ``dropped`` has an
empty to_quote) and stops on a problem. It then rewrites the training file without the overlapping
links and prints only how many it dropped: the held-out links are never printed or reported one
by one, so running it does not leak them.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"
TRAIN = ROOT / "tests" / "data" / "links_train.jsonl"
REFERENCE = (
    SHARED_EVAL / "dev_links.jsonl",
    ROOT / "tests" / "data" / "links_extra.jsonl",
    ROOT / "tests" / "data" / "eval_extra" / "links.jsonl",
)
RELATIONS = {"continued", "strengthened", "modified", "replaced", "scaled_back", "withdrawn",
             "reversed", "dropped"}
FIELDS = ("id", "from_plan", "from_quote", "to_plan", "to_quote", "relation", "topic", "why")


def _score_module():
    # Reuse the scorer's own quote matching so "overlap" means what the scorer means by it.
    spec = importlib.util.spec_from_file_location("score", SHARED_EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _collapse(text: str) -> str:
    return " ".join(text.split())


def check(links: list[dict], plan_texts: dict[str, str], order: list[str]) -> list[str]:
    """Problems in the training links themselves (empty list when the file is sound)."""
    problems: list[str] = []
    seen: set[str] = set()
    for link in links:
        lid = link.get("id", "?")
        if tuple(link) != FIELDS:
            problems.append(f"{lid}: fields {list(link)}")
            continue
        if lid in seen:
            problems.append(f"{lid}: duplicate id")
        seen.add(lid)
        if link["relation"] not in RELATIONS:
            problems.append(f"{lid}: relation {link['relation']!r}")
        frm, to = link["from_plan"], link["to_plan"]
        if frm not in order or to not in order or order.index(frm) >= order.index(to):
            problems.append(f"{lid}: plan order {frm} -> {to}")
            continue
        quotes = [("from_quote", frm)]
        if link["relation"] == "dropped":
            if link["to_quote"]:
                problems.append(f"{lid}: dropped link with a to_quote")
        else:
            quotes.append(("to_quote", to))
        for field, plan in quotes:
            quote = _collapse(link[field])
            if quote != link[field]:
                problems.append(f"{lid}: {field} has uncollapsed white space")
            if not 7 <= len(quote.split()) <= 55:
                problems.append(f"{lid}: {field} has {len(quote.split())} words")
            if quote not in plan_texts[plan]:
                problems.append(f"{lid}: {field} not verbatim in {plan}")
        if not link["why"].strip() or not link["topic"].strip():
            problems.append(f"{lid}: empty topic or why")
    return problems


def overlaps(link: dict, ref: dict, contains) -> bool:
    if (link["from_plan"], link["to_plan"]) != (ref["from_plan"], ref["to_plan"]):
        return False
    for field in ("from_quote", "to_quote"):
        mine, theirs = link[field], ref[field]
        if mine and theirs and (contains(mine, theirs) or contains(theirs, mine)):
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=TRAIN)
    args = parser.parse_args()

    score = _score_module()
    manifest = json.loads((SHARED_EVAL.parent / "plans" / "manifest.json").read_text(encoding="utf-8"))
    order = [Path(entry["file"]).stem for entry in manifest]
    plan_texts = {slug: _collapse((SHARED_EVAL.parent / "plans" / name).read_text(encoding="utf-8"))
                  for slug, name in score.SEED_OF.items()}

    links = _read(args.train)
    problems = check(links, plan_texts, order)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    references = [ref for path in REFERENCE for ref in _read(path)]
    kept = [link for link in links
            if not any(overlaps(link, ref, score.contains) for ref in references)]
    dropped = len(links) - len(kept)
    if dropped:
        with args.train.open("w", encoding="utf-8", newline="\n") as fh:
            for link in kept:
                fh.write(json.dumps(link, ensure_ascii=False) + "\n")
    print(f"dropped {dropped} of {len(links)} training links that overlap an evaluation link")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The tuning data never repeats the held-out set (tests/data/eval_extra).

Figures reported as held out are only results if nothing was tuned on them: a tuning link that
shares a quote with a held-out link of the same plan pair (the rule of bench/dedupe_links.py), or
a training query worded as a held-out query, would leak them into the weights and rules (found by
review, round 8). Quotes are compared with case, punctuation and spacing folded, either one inside
the other. The same commitment may well appear in links of other plan pairs (it is one link of a
chain): that is not a repeat.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
HELD_OUT = DATA / "eval_extra"
LINK_FILES = sorted(DATA.glob("links_*.jsonl"))
QUERY_FILES = sorted(DATA.glob("queries_train*.jsonl"))


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _held_out_quotes() -> dict[tuple[str, str], list[str]]:
    by_pair: dict[tuple[str, str], list[str]] = {}
    for link in _rows(HELD_OUT / "links.jsonl"):
        quotes = by_pair.setdefault((link["from_plan"], link["to_plan"]), [])
        quotes.extend(_fold(q) for q in (link["from_quote"], link["to_quote"]) if q)
    return by_pair


def test_the_files_are_found():
    assert LINK_FILES and QUERY_FILES and (HELD_OUT / "links.jsonl").exists()


@pytest.mark.parametrize("path", LINK_FILES, ids=lambda p: p.name)
def test_no_tuning_link_shares_a_quote_with_a_held_out_link(path):
    held = _held_out_quotes()
    shared = [link["id"] for link in _rows(path)
              for q in (_fold(link["from_quote"]), _fold(link["to_quote"] or ""))
              if q and any(q in h or h in q
                           for h in held.get((link["from_plan"], link["to_plan"]), ()))]
    assert shared == []  # ids of the tuning file only: the held-out links are never printed


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_no_training_query_is_worded_as_a_held_out_query(path):
    held = {_fold(q["query"]) for q in _rows(HELD_OUT / "queries.jsonl")}
    assert [q["id"] for q in _rows(path) if _fold(q["query"]) in held] == []

"""The held-out evaluation data (tests/data/eval_extra) stays valid and keeps its hard cases.

Every quote must lie in its plan text under the scorer's own folding, no link may repeat the dev
set, and the set must keep enough reversals, scale-backs and drops to be worth reporting on. The
validator itself is exercised on deliberately broken records so a silent pass cannot hide a bug.
"""

from __future__ import annotations

import copy
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "data" / "eval_extra"


def _load_validator():
    spec = importlib.util.spec_from_file_location("eval_extra_validate", HERE / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


v = _load_validator()


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return v.plan_texts()


@pytest.fixture(scope="module")
def links() -> list[dict]:
    return v.load_jsonl(HERE / "links.jsonl")


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return v.load_jsonl(HERE / "queries.jsonl")


@pytest.fixture(scope="module")
def dev_links() -> list[dict]:
    return v.load_jsonl(v.SHARED_EVAL / "dev_links.jsonl")


@pytest.fixture(scope="module")
def dev_queries() -> list[dict]:
    return v.load_jsonl(v.SHARED_EVAL / "dev_queries.jsonl")


def test_links_are_valid(links, dev_links, texts) -> None:
    assert v.check_links(links, dev_links, texts) == []


def test_queries_are_valid(queries, dev_queries, texts) -> None:
    assert v.check_queries(queries, dev_queries, texts) == []


def test_link_set_keeps_its_hard_cases(links) -> None:
    rel = Counter(link["relation"] for link in links)
    assert len(links) >= 120
    assert rel["reversed"] + rel["withdrawn"] >= 15
    assert rel["scaled_back"] + rel["modified"] >= 15
    assert rel["dropped"] >= 10
    chain = v.CHAIN
    gaps = {chain.index(link["to_plan"]) - chain.index(link["from_plan"]) for link in links}
    assert max(gaps) >= 3, "links between non-adjacent plans (2011 -> 2022, draft -> 2025) are kept"


def test_query_set_is_broad(queries) -> None:
    assert len(queries) >= 40
    assert sum('"' in q["query"] for q in queries) >= 4, "quoted-phrase queries"
    assert sum(q["query"].isupper() and len(q["query"]) <= 6 for q in queries) >= 8, "acronym queries"


def _real_link(links: list[dict], relation: str) -> dict:
    return copy.deepcopy(next(link for link in links if link["relation"] == relation))


def test_validator_rejects_a_quote_that_is_not_in_the_plan(links, texts) -> None:
    bad = _real_link(links, "continued")
    bad["to_quote"] = "We will build a bridge to the moon by the end of the decade, funded from reserves."
    assert any("to_quote not in" in p for p in v.check_links([bad], [], texts))


def test_validator_rejects_a_repeat_of_the_dev_set(dev_links, texts) -> None:
    repeat = {k: dev_links[0][k] for k in v.LINK_KEYS - {"id"}} | {"id": "X999"}
    assert any("repeats a dev-set link" in p for p in v.check_links([repeat], dev_links, texts))


def test_validator_rejects_bad_relations_and_shapes(links, texts) -> None:
    unknown = _real_link(links, "continued") | {"relation": "improved"}
    dropped_with_quote = _real_link(links, "continued") | {"relation": "dropped"}
    backwards = _real_link(links, "continued")
    backwards["from_plan"], backwards["to_plan"] = backwards["to_plan"], backwards["from_plan"]
    skip = copy.deepcopy(next(link for link in links if link["relation"] == "dropped"
                              and v.CHAIN.index(link["from_plan"]) <= len(v.CHAIN) - 3))
    skip["to_plan"] = v.CHAIN[-1]
    problems = " | ".join(v.check_links([unknown, dropped_with_quote, backwards, skip], [], texts))
    assert "unknown relation" in problems
    assert "dropped link has an empty to_quote" in problems
    assert "is not later than" in problems
    assert "dropped link points at the next plan" in problems


def test_validator_rejects_phrase_and_dev_query_problems(queries, dev_queries, texts) -> None:
    phrase = copy.deepcopy(next(q for q in queries if '"' in q["query"]))
    phrase["query"] = '"housing targets"'
    reused = copy.deepcopy(queries[0]) | {"id": "XQ99", "query": dev_queries[0]["query"]}
    problems = " | ".join(v.check_queries([phrase, reused], dev_queries, texts))
    assert "phrase 'housing targets' not in" in problems
    assert "reuses the dev query" in problems

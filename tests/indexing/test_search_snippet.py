"""Snippets: our token stream gives exactly the fragment Whoosh's own highlighter gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from whoosh.highlight import highlight

from indexing.analysis import highlight_analyzer, stems
from indexing.search_snippet import _FORMATTER, _FRAGMENTER, _highlight, snippet

PLANS = Path(__file__).resolve().parents[2].parent / "shared" / "plans"  # may be absent
TEXTS = [
    "Fix potholes and re-offending; HGVs and £1.47bn (SEND) on 2,900 roads. Pothole repairs.",
    "The KCC-led re-offending scheme: 12,000 homes, £4m, 3.5%, medium-sized firms, "
    "post-16 pupils. Potholes! " * 4,
    "no matches at all here",
    "",
]
QUERIES = ["pothole", "offending", "SEND HGV", "billion", "homes firms", "pupils", "kcc"]


def _whoosh(text: str, terms: frozenset[str]) -> str:
    return highlight(text, terms, highlight_analyzer(), _FRAGMENTER, _FORMATTER, top=1)


def _terms(q: str) -> frozenset[str]:
    return frozenset(stems(q)) | frozenset(w for w in q.split() if w.isupper())


def _plan_paragraphs() -> list[str]:
    texts = []
    for p in sorted(PLANS.glob("*.txt"))[:2]:
        texts += [t for t in re.split(r"\n\s*\n", p.read_text("utf-8")) if len(t) > 80][:150]
    return texts


@pytest.mark.parametrize("query", QUERIES)
def test_same_fragment_as_whoosh_highlight(query):
    terms = _terms(query)
    for text in TEXTS:
        assert _highlight(text, terms) == _whoosh(text, terms), (query, text)


def test_same_fragment_on_plan_text():
    paras = _plan_paragraphs() or TEXTS
    for q in ("council services", "young people", "climate emergency", "NHS health care",
              "roads transport", "2030 carbon"):
        terms = _terms(q)
        for text in paras:
            assert _highlight(text, terms) == _whoosh(text, terms), (q, text[:80])


def test_snippet_marks_and_falls_back():
    assert "[[Potholes]]" in snippet("We fix Potholes fast.", frozenset({"pothol"}))
    assert snippet("x" * 300, frozenset({"zzz"})).endswith("…")

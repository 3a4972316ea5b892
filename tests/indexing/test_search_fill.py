"""The soft AND's first tier is searched one AND at a time and merged (``relaxed_parts``):
the same hits, scores and order as Whoosh's union of them, which it replaces for speed."""

from __future__ import annotations

import dataclasses
import random

from indexing.query import parse_query
from indexing.search_fetch import _fill
from indexing.search_hits import Candidate
from indexing.search_index import WhooshSearchIndex
from workbench.model import IndexDoc

WORDS = ["pothole", "repair", "roads", "lighting", "bus", "rail", "council", "tax", "care",
         "homes", "young", "people"]


def _docs(n: int = 300) -> list[IndexDoc]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25))) + "."
        out.append(IndexDoc(key=f"section:{i}", kind="section", item_id=i, plan="p", plan_title="P",
                            plan_date="2022", stage="adopted", path=(f"S{i}",), heading=f"S{i}",
                            page_label="1", page_index=1, body=body, fingerprint=f"fp{i}"))
    return out


def _tier(searcher, parsed, full: list[int], missing: int) -> list[tuple[str, float]]:
    cands = [Candidate(searcher.stored_fields(d), 1.0, searcher.stored_fields(d)["body"],
                       docnum=d) for d in full]
    shown, _ = _fill(searcher, parsed, None, parsed.highlight_terms, len(full) + missing,
                     missing, cands, ())
    return [(c.fields["key"], round(c.score, 9)) for c in shown if c.tier == 1]


def test_first_tier_in_parts_equals_the_union(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "ix")
    ix.rebuild(_docs())
    s = ix._current_searcher()
    for text in ("pothole repair roads", "council tax care homes", "young people rail",
                 "bus roads"):
        parsed = parse_query(text, ix.synonyms)
        assert parsed.relaxed_parts, text
        full = sorted(s.docs_for_query(parsed.query))
        union = dataclasses.replace(parsed, relaxed_parts=())
        for missing in (3, 12, 40):
            got = _tier(s, parsed, full, missing)
            assert got and got == _tier(s, union, full, missing), (text, missing)
    ix.close()


def test_parts_only_for_the_first_tier():
    parsed = parse_query("pothole repair roads lighting")
    assert len(parsed.relaxed) == 2 and len(parsed.relaxed_parts) == 4
    assert parse_query('"pothole repair"').relaxed_parts == ()

"""Anchoring: T-ANC-01..04 of RELIABILITY.md, with the simulator in ``anchor_sim``."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lineage.anchor_sim import Tally, random_doc, reanchor_and_score, select, simulate
from workbench.anchoring import (
    EXACT,
    MOVED,
    ORPHANED,
    DocumentText,
    cp_to_utf16,
    find_quote,
    make_anchor,
    place,
    utf16_to_cp,
)


def test_reimport_identical_is_100_percent_exact():  # T-ANC-01
    rng = random.Random(1)
    doc = random_doc(rng)
    select(rng, doc, 200)
    pages = DocumentText(doc.page_texts(), "same-again")
    results = [place(s.anchor, pages).anchor for s in doc.selections]
    assert all(r.status == EXACT for r in results)
    assert [(r.page_index, r.start, r.end) for r in results] == [
        (s.anchor.page_index, s.anchor.start, s.anchor.end) for s in doc.selections]


@pytest.mark.parametrize("rate, min_correct, max_wrong", [
    (0.01, 0.98, 0.005), (0.05, 0.98, 0.005), (0.10, 0.95, 0.01), (0.20, 0.90, 0.02)])
def test_reimport_edited_rates(rate, min_correct, max_wrong):  # T-ANC-02
    total = Tally()
    for seed in range(60):
        total.add(simulate(seed, rate))
    assert total.lost == 0
    assert total.correct / total.total >= min_correct, total
    assert total.wrong / total.total <= max_wrong, total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), rate=st.sampled_from([0.01, 0.05, 0.10, 0.20]))
def test_property_never_lost_and_placed_quotes_are_close(seed, rate):  # T-ANC-04
    rng = random.Random(seed)
    doc = random_doc(rng, n_pages=4)
    select(rng, doc, 15)
    from tests.lineage.anchor_sim import edit

    edit(rng, doc, rate)
    pages = DocumentText(doc.page_texts(), "v2")
    from rapidfuzz import fuzz

    for s in doc.selections:
        result = place(s.anchor, pages).anchor
        assert result.status in (EXACT, MOVED, ORPHANED)  # always an answer: never lost
        if result.status != ORPHANED:
            placed = pages.texts[result.page_index][result.start : result.end]
            assert placed == result.exact
            assert fuzz.ratio(placed, s.anchor.exact) >= 80  # never a dissimilar span
    assert reanchor_and_score(doc).lost == 0


def test_duplicate_quotes_are_told_apart_by_context_and_position():  # T-ANC-03
    sentence = "We will keep the county moving."
    paras = [f"Paragraph {i} talks about topic {i * 7}. {sentence} Then item {i} follows."
             for i in range(10)]
    pages = DocumentText([(0, "1", "\n".join(paras[:5])), (1, "2", "\n".join(paras[5:]))], "a")
    anchors = []
    for n in range(10):
        found = find_quote(pages, sentence, occurrence=n)
        assert found is not None
        anchors.append(make_anchor(pages, *found))
    # a reissue inserts a paragraph at the top and fixes a typo elsewhere
    new_paras = ["A new opening paragraph."] + [p.replace("talks", "speaks") for p in paras]
    new = DocumentText([(0, "1", "\n".join(new_paras[:6])), (1, "2", "\n".join(new_paras[6:]))], "b")
    placed = [place(a, new).anchor for a in anchors]
    for n, result in enumerate(placed):
        assert result.status == MOVED
        text = new.texts[result.page_index]
        line_start = text.rfind("\n", 0, result.start) + 1
        assert text[line_start:].startswith(f"Paragraph {n} ")
    assert len({(r.page_index, r.start) for r in placed}) == 10


def test_deleted_passage_becomes_an_orphan_and_keeps_its_quote():
    pages = DocumentText([(0, "i", "Alpha beta gamma.\nWe will build 300 homes in Ashford.\nOmega.")], "a")
    anchor = make_anchor(pages, 0, *find_quote(pages, "build 300 homes in Ashford")[1:])
    new = DocumentText([(0, "i", "Alpha beta gamma.\nOmega.")], "b")
    result = place(anchor, new).anchor
    assert result.status == ORPHANED
    assert result.exact == "build 300 homes in Ashford" and result.doc_sha == "a"


def test_fuzzy_reanchor_after_a_typo_fix_inside_the_quote():
    text = "Intro text here.\nWe will resurface 200 miles of roads evry year until 2028.\nEnd."
    pages = DocumentText([(0, "3", text)], "a")
    _, s, e = find_quote(pages, "resurface 200 miles of roads evry year")
    anchor = make_anchor(pages, 0, s, e)
    fixed = text.replace("evry", "every")
    result = place(anchor, DocumentText([(0, "3", fixed)], "b")).anchor
    assert result.status == MOVED
    assert fixed[result.start : result.end] == "resurface 200 miles of roads every year"


def test_utf16_round_trip_with_astral_characters():  # T-PDF-09 (offsets part)
    text = "Café 😀 plan 𝔘 done"
    for cp in range(len(text) + 1):
        assert utf16_to_cp(text, cp_to_utf16(text, cp)) == cp
    assert cp_to_utf16(text, text.index("plan")) == text.index("plan") + 1

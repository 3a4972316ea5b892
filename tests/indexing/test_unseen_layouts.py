"""Segmentation and commitments on realistic layouts the rules were not written against.

The layouts and their ground truth live in ``tests/data/layouts/unseen.py``; the PDFs are built
once per module. ``bench/eval_segmentation.py`` prints the same comparison as a table.
"""

from __future__ import annotations

import re

import pytest
from rapidfuzz import fuzz

from indexing import cleanup
from indexing.cleanup import Line, RawPage
from indexing.headings import FontSizeRule, OutlineRule
from indexing.pdf_extract import extract_file
from tests.data.layouts.unseen import LAYOUTS, build
from workbench.model import Extraction, Span


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, Extraction]:
    folder = tmp_path_factory.mktemp("unseen")
    return {name: extract_file(build(layout, folder)) for name, layout in LAYOUTS.items()}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().rstrip(":.").casefold()


def real_headings(e: Extraction) -> list[tuple[int, str]]:
    """Sections that start at their printed heading (not the title-headed front section)."""
    return [(s.level, _norm(s.heading)) for s in e.sections
            if e.pages[s.page_start].text[s.char_start:].startswith(s.heading)]


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_headings_levels_and_labels(extracted, name):
    e, truth = extracted[name], LAYOUTS[name]
    assert real_headings(e) == [(lv, _norm(t)) for lv, t in truth.headings]
    assert [p.label for p in e.pages] == truth.labels


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_commitments(extracted, name):
    """Every pledge is found as a unit of its own. More units may be promises the ground truth
    does not list ("Progress ... will be reported to Cabinet"), but the units never swallow the
    document (issue 12: at most 0.80 of its words) and no lead-in is a unit."""
    e = extracted[name]
    found = [c.text for c in e.commitments]
    truth = LAYOUTS[name].commitments
    for text in truth:
        assert max(fuzz.ratio(text, f) for f in found) >= 90, text
    words = sum(len(p.text.split()) for p in e.pages)
    assert sum(len(t.split()) for t in found) <= 0.8 * words
    assert not any(t.endswith(":") and t.startswith(("We will", "By 20")) for t in found)


def test_running_header_varying_by_chapter_is_removed(extracted):
    e = extracted["a_two_column"]
    assert not any("Medway Council Plan" in p.text for p in e.pages)
    assert not any(re.search(r"(?m)^Page \d+$", p.text) for p in e.pages)


def test_table_cells_in_row_order_and_never_headings(extracted):
    e = extracted["d_action_table"]
    cells = LAYOUTS["d_action_table"].extra["table_order"]
    lines = e.pages[0].text.split("\n")
    assert [ln for ln in lines if ln in cells] == cells  # row by row, left to right
    assert {"Action", "Lead", "By when", "Service"}.isdisjoint(s.heading for s in e.sections)
    actions = [c for c in e.commitments if c.lead_in == "Action"]
    assert len(actions) == 4  # the "Action" column's cells, with their header as lead-in
    # figures without words (budget cells) are never units
    assert not any(c.text.startswith(("£", "+", "-")) for c in e.commitments)


def test_sidebar_is_read_after_the_body_and_is_not_a_heading(extracted):
    e = extracted["e_sidebar"]
    text = e.pages[0].text
    assert text.index("Cut agency social worker use by half") < text.index("Did you know?")
    assert "Did you know?" not in [s.heading for s in e.sections]
    # the box's bullets have no lead-in: they are facts, never the council's own pledges
    assert not any("placed outside the county" in c.text and c.kind == "commitment"
                   for c in e.commitments)


def test_contents_page_gives_no_sections_or_commitments(extracted):
    e = extracted["g_contents_page"]
    headings = [s.heading for s in e.sections]
    assert headings.count("1. Introduction") == 1
    assert not any(c.page_index == 0 for c in e.commitments)
    assert "1. Introduction ....." in e.pages[0].text  # the entries stay in the page text


def test_symbol_bullets_and_hyphenated_breaks(extracted):
    e = extracted["i_symbol_bullets"]
    text = e.pages[0].text
    assert "• Deliver the new infrastructure the county needs" in text
    assert "• Agree a long-term funding deal for buses" in text
    assert "\uf0b7" not in text and "\x00" not in text
    items = [c for c in e.commitments if c.text in LAYOUTS["i_symbol_bullets"].commitments]
    assert len(items) == 6
    assert all(c.lead_in in ("We will:", "Our commitments are to:") for c in items)


def test_outline_rule_ignores_punctuation_and_ampersands():
    rule = OutlineRule([[1, "Priority 1 - Growing the economy", 1], [2, "Skills & jobs", 1]])
    assert rule.level_of(Span("Priority 1: Growing the economy", 18.0, True, 0), 0) == 1
    assert rule.level_of(Span("Skills and jobs", 14.0, True, 0), 0) == 2


def test_body_size_headings_by_numbering_caps_and_bold():
    body = [Span("Body text " * 30, 10.0, False, p) for p in range(4) for _ in range(5)]
    caps = Span("OUR PRIORITIES", 10.0, True, 0)
    rule = FontSizeRule([*body, caps, Span("Community safety", 10.0, True, 1)])
    assert rule.level_of(caps, 0) == 1
    assert rule.level_of(Span("Community safety", 10.0, True, 1), 1) == 2
    assert rule.level_of(Span("2.1.1 Measures", 10.0, True, 1), 1) == 3
    assert rule.level_of(Span("Paul Carter, Leader, Kent County Council", 10.0, True, 1), 1) is None
    assert rule.level_of(Span("Community safety", 10.0, False, 1), 1) is None


def _line(text, y, x0=56.0, x1=300.0, size=8.0, page=0):
    return Line(text, size, False, page, x0, y, x1, y + size * 1.2)


def test_running_header_by_position_with_changing_text():
    pages = []
    for i, chapter in enumerate(["Economy", "Economy", "Homes", "Transport", "Transport"]):
        pages.append(RawPage(i, 595, 842, [
            _line(f"Plan 2024 | {chapter}", 24),
            _line("Body text " * 8, 120, size=10.0), _line("More body " * 8, 134, size=10.0),
            _line(f"{i + 3} | Kent County Council", 815)]))
    out = cleanup.assemble_pages(pages)
    assert all("Plan 2024" not in p.text and "Kent County" not in p.text for p in out)
    assert [p.label for p in out] == ["3", "4", "5", "6", "7"]


def test_merge_rows_joins_lone_bullets_and_contents_numbers():
    lines = [_line("•", 100, 56, 60), _line("Deliver new homes", 100, 68, 200),
             *[_line(f"Chapter {i} ........", 120 + 14 * i, 56, 200) for i in range(3)],
             *[_line(str(3 + i), 120 + 14 * i, 530, 536) for i in range(3)]]
    merged = cleanup.mark_contents(cleanup.merge_rows(lines))
    texts = [ln.text for ln in merged]
    assert texts[0] == "• Deliver new homes"
    assert "Chapter 1 ........ 4" in texts
    assert {ln.kind for ln in merged if ln.text.startswith("Chapter")} == {"toc"}

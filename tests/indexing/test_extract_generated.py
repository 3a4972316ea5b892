"""Extraction of generated PDFs: two columns, running headers, roman front matter, bullets."""

from __future__ import annotations

import pymupdf
import pytest

from indexing.pdf_extract import extract_file
from tests.pdfgen import Page, bullet, heading, lorem, make_pdf, para

ROMAN_THEN_ARABIC = [
    {"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1},
    {"startpage": 2, "prefix": "", "style": "D", "firstpagenum": 1},
]


def two_column_plan(path, *, labels: bool, interleave: bool = True):
    front = [
        Page([heading("Foreword", 1), para(lorem(60, 1)), para(lorem(50, 2))],
             footer="{label}", label="i"),
        Page([para(lorem(80, 3))], footer="{label}", label="ii"),
    ]
    body = [
        Page([heading(f"Priority {n}: Theme {n}", 1),
              para(f"LEFTSTART{n} " + lorem(70, n)), para(lorem(60, n + 1)),
              heading(f"Sub topic {n}", 2, full_width=False),
              para(lorem(50, n + 2)), para("We will:"),
              bullet(f"Build {n} new roads", "●"), bullet("Mend the old ones", "▪"),
              para(f"RIGHTEND{n} " + lorem(40, n + 3))],
             columns=2, interleave=interleave, header="Strategic Plan 2024-2028",
             footer="Page {label}", label=str(n))
        for n in range(1, 4)
    ]
    return make_pdf(path, front + body, page_labels=ROMAN_THEN_ARABIC if labels else None,
                    title="Test Plan")


@pytest.mark.parametrize("labels", [False, True], ids=["printed-labels", "pdf-page-labels"])
@pytest.mark.parametrize("interleave", [False, True], ids=["column-stream", "row-stream"])
def test_two_columns_headers_roman_front_matter(tmp_path, labels, interleave):
    path = two_column_plan(tmp_path / "plan.pdf", labels=labels, interleave=interleave)
    assert pymupdf.open(path).get_toc() == []
    e = extract_file(path)
    assert [p.label for p in e.pages] == ["i", "ii", "1", "2", "3"]
    assert [(s.heading, s.level) for s in e.sections] == [
        ("Foreword", 1),
        ("Priority 1: Theme 1", 1), ("Sub topic 1", 2),
        ("Priority 2: Theme 2", 1), ("Sub topic 2", 2),
        ("Priority 3: Theme 3", 1), ("Sub topic 3", 2),
    ]
    assert e.sections[2].path == ("Priority 1: Theme 1", "Sub topic 1")
    for n, page in enumerate(e.pages[2:], start=1):
        text = page.text
        assert "Strategic Plan 2024-2028" not in text and "Page" not in text
        # reading order: heading, left column top to bottom, then right column
        order = [text.index(s) for s in (f"Priority {n}", f"LEFTSTART{n}", f"Sub topic {n}",
                                         "We will:", f"• Build {n} new roads",
                                         "• Mend the old ones", f"RIGHTEND{n}")]
        assert order == sorted(order), text
    items = [c for c in e.commitments if c.lead_in == "We will:"]
    assert [c.text for c in items[:2]] == ["Build 1 new roads", "Mend the old ones"]
    assert e.pages[0].text.startswith("Foreword\n") and "\ni" not in e.pages[0].text


@pytest.mark.parametrize("glyph", ["•", "●", "▪", "◦", "–", "-", "l"])
def test_bullet_glyphs_normalised(tmp_path, glyph):
    path = make_pdf(tmp_path / "b.pdf", [Page([
        heading("Our plan", 1), para("Together, we will:"),
        bullet("Keep roads safe", glyph), bullet("Open new libraries", glyph),
        para("Something else entirely."),
    ])])
    e = extract_file(path)
    assert "• Keep roads safe\n• Open new libraries\nSomething else" in e.pages[0].text
    assert [c.text for c in e.commitments] == ["Keep roads safe", "Open new libraries"]
    assert all(c.lead_in == "Together, we will:" for c in e.commitments)


def test_tick_pledges_kept_as_ticks(tmp_path):
    path = make_pdf(tmp_path / "t.pdf", [Page([
        heading("Our pledges", 1), bullet("Freeze the precept", "✓"), bullet("Fix potholes", "✔"),
    ])])
    e = extract_file(path)
    assert "✓ Freeze the precept\n✓ Fix potholes" in e.pages[0].text
    assert [c.text for c in e.commitments] == ["Freeze the precept", "Fix potholes"]


def test_hyphenated_line_breaks_mended(tmp_path):
    text = ("We will invest in the county's transport infra- structure and keep a long- term view "
            "of day- to-day maintenance.")
    e = extract_file(make_pdf(tmp_path / "h.pdf", [Page([heading("Roads"), para(text)])]))
    # the generator wraps where it likes; the join rules are unit-tested in test_segment_rules
    assert "We will invest" in e.pages[0].text


def test_commitment_continuing_on_next_page(tmp_path):
    long_item = lorem(30, 4).rstrip(".")
    pages = [
        Page([heading("Plan"), para(lorem(500, 1)), para("We will:"),
              bullet("Deliver a programme of works " + long_item)]),
        Page([para("and report on it every year."), para("Unrelated paragraph.")]),
    ]
    path = tmp_path / "c.pdf"
    doc_spec = make_pdf(path, pages)
    e = extract_file(doc_spec)
    c = next(c for c in e.commitments if c.text.startswith("Deliver a programme"))
    assert c.page_index == 0
    assert c.text.endswith("and report on it every year.")
    assert c.char_end == len(e.pages[0].text)  # clipped to the first page
    assert {r.page_index for r in c.rects} == {0, 1}


def test_outline_rule_used_when_present(tmp_path):
    pages = [Page([para("Intro text for the plan.", size=10), para("Big words", size=10, bold=True),
                   para(lorem(40))])]
    path = make_pdf(tmp_path / "o.pdf", pages, outline=[[1, "Big words", 1]], title="Outlined")
    e = extract_file(path)
    assert [s.heading for s in e.sections] == ["Outlined", "Big words"]
    assert e.sections[0].text == "Intro text for the plan."
